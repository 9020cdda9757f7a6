"""The rendering stage: an Edition in, its email out: MJML, HTML and text, then an EmailMessage.

`render_edition` (templates.py) runs the templates (Jinja2 -> MJML -> HTML, and the text part)
with the context of context.py, ONCE per edition; `build_message` (message.py) wraps the parts
in a message with its list headers; personalize.py merges each recipient's values into the
rendered parts. Nothing here touches the disk except to read templates.
"""
