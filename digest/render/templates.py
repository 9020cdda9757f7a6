"""Render an edition: Jinja2 -> MJML -> mjml-python -> premailer -> HTML, and a plain-text part.

One Jinja2 environment, built in `environment()`: autoescape on (off only for *.txt templates),
StrictUndefined, a ChoiceLoader that looks in the user's templates folder first, then in the
built-in templates/, and compiled templates kept between runs. The HTML goes through an
ordered list of small str -> str steps (HTML_STEPS); mjml-python and premailer (inline.py) are
imported by their steps, so importing this module for Rendered loads neither.
Per-recipient values are not known here: templates write `{{ recipient.x }}` tokens that
digest.render.personalize merges in later, once per recipient.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from markupsafe import Markup

from digest import __version__
from digest.errors import TemplateError
from digest.model import Edition
from digest.render.context import FILTERS, context
from digest.render.inline import inline_css
from digest.render.personalize import Token, defuse
from digest.resources import builtin_templates, cache_dir

if TYPE_CHECKING:
    from digest.config import EmailConfig

MJML_TEMPLATE = "digest.mjml.j2"
TEXT_TEMPLATE = "digest.txt.j2"
# Marks the CSS that premailer inlines: a template's <mj-style inline="inline"> starts with it.
INLINE_MARK = "/* digest:inline */"


@dataclass(frozen=True)
class Rendered:
    """The rendered edition, still holding the %%key%% personalisation tokens."""

    mjml: str
    html: str
    text: str


# --- the one Jinja2 environment -------------------------------------------------------------

def _finalize(value: Any) -> Any:
    # Content from sources can never carry a personalisation token; template tokens are
    # produced by `recipient.x` and are str, which `defuse` would break, hence the check.
    if isinstance(value, str) and not isinstance(value, Token):
        return type(value)(defuse(value)) if isinstance(value, Markup) else defuse(value)
    return value


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept between runs, in the cache folder: compiling the built-in ones
    is about 45 ms of every build, loading them back under 1 ms.

    Jinja finds a template's entry by its name and file and checks its source's checksum, so
    an edited template compiles afresh. What it compiled with is in the key too: Jinja's
    version, and this module's own text (the environment's settings, which change the code
    Jinja writes, live here). A folder that cannot be made or written, or an entry that cannot
    be read back, only costs the compile.
    """

    def __init__(self) -> None:
        super().__init__(str(cache_dir() / "templates"))

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return super().get_cache_key(f"{name}\0{_SALT}", filename)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # unreadable, cut short, not Jinja's: compile instead
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            os.makedirs(self.directory, mode=0o700, exist_ok=True)
            super().dump_bytecode(bucket)


def _salt() -> str:
    own = b""
    with contextlib.suppress(OSError):  # an install without sources: the version must do
        own = Path(__file__).read_bytes()
    parts = (jinja2.__version__.encode(), __version__.encode(), own, repr(sorted(FILTERS)))
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


_SALT = _salt()


def environment(templates: Path | None) -> jinja2.Environment:
    """The one place a Jinja2 environment is built: the user's folder first, then built-ins."""
    loaders: list[jinja2.BaseLoader] = []
    if templates is not None:
        if not templates.is_dir():
            raise TemplateError("templates folder not found", where=str(templates))
        loaders.append(jinja2.FileSystemLoader(templates))
    builtin = jinja2.FileSystemLoader(builtin_templates())
    # "builtin/<name>" always reaches the built-in template, so a user's digest.mjml.j2 can
    # `{% extends "builtin/digest.mjml.j2" %}` and override a block instead of copying it all.
    loaders += [builtin, jinja2.PrefixLoader({"builtin": builtin})]
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("mjml.j2", "html.j2", "mjml", "html"),
            disabled_extensions=("txt.j2", "txt"),
            default=True,
        ),
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=_CompiledTemplates(),
    )
    env.filters.update(FILTERS)
    return env


def _template_frame(env: jinja2.Environment, exc: BaseException,
                    filename: str | None) -> tuple[str | None, int | None]:
    """The innermost template (this one, a parent or an include) and line the error came from.

    Jinja rewrites tracebacks so that template frames carry the template's file and line.
    """
    files = {t.filename for t in (env.cache or {}).values() if t.filename} | {filename}
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename in files:
            return frame.filename, frame.lineno
    return filename, None


def _where(filename: str | None, name: str, line: int | None) -> str:
    shown = filename or name
    with contextlib.suppress(ValueError):  # outside the working folder: keep it absolute
        shown = str(Path(shown).resolve().relative_to(Path.cwd()))
    return f"{shown}:{line}" if line else shown


def render_template(env: jinja2.Environment, name: str, ctx: dict[str, Any]) -> str:
    """Render one template; any failure is a TemplateError naming its file and line."""
    filename: str | None = None
    try:
        template = env.get_template(name)
        filename = template.filename
        return template.render(ctx)
    except jinja2.TemplateSyntaxError as exc:
        where = _where(exc.filename, exc.name or name, exc.lineno)
        raise TemplateError(f"template syntax error: {exc.message}", where=where) from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"template not found: {exc.name}", where=name) from None
    except Exception as exc:  # undefined names, and whatever a template's expression raises
        file, line = _template_frame(env, exc, filename)
        raise TemplateError(f"{type(exc).__name__}: {exc}",
                            where=_where(file, name, line)) from None


# --- MJML to email HTML: an ordered list of str -> str steps --------------------------------

def mjml_to_html(source: str) -> str:
    import mjml  # here: whoever imports this module for Rendered needs no renderer

    # fonts={}: no Google Fonts <link>; the templates use a system font stack.
    return str(mjml.mjml2html(source, fonts={}, disable_comments=True))


def protect_head_styles(html: str) -> str:
    """Only the template's `<mj-style inline="inline">` (marked INLINE_MARK) is for inlining.

    MJML's own resets and @media rules, and the dark-mode styles, stay in <head> as they are:
    inlining the resets into every table cell would add a third to the HTML's size.
    """
    def mark(match: re.Match[str]) -> str:
        tag, css = match.group(1), match.group(2)
        return match.group(0) if INLINE_MARK in css else (
            f'{tag[:-1]} data-premailer="ignore">{css}</style>')

    return re.sub(r"(<style\b[^>]*>)(.*?)</style>", mark, html, flags=re.DOTALL)


def drop_premailer_marks(html: str) -> str:
    # premailer leaves the mark on <style> blocks it does not parse (media=, in comments).
    return html.replace(' data-premailer="ignore"', "")


def restore_doctype(html: str) -> str:
    # premailer's lxml round trip drops the doctype; without it clients use quirks mode.
    body = re.sub(r"^\s*<!doctype[^>]*>\s*", "", html, flags=re.IGNORECASE)
    return "<!DOCTYPE html>\n" + body


def tidy_lines(html: str) -> str:
    # No trailing blanks (quoted-printable encodes them) and exactly one final newline.
    return "\n".join(line.rstrip() for line in html.strip().splitlines()) + "\n"


HTML_STEPS: tuple[Callable[[str], str], ...] = (
    mjml_to_html, protect_head_styles, inline_css, drop_premailer_marks, restore_doctype,
    tidy_lines)


# What each step is part of, for the stage times render_edition can report (bench/run.py).
STEP_STAGES = {mjml_to_html: "mjml", protect_head_styles: "inline", inline_css: "inline",
               drop_premailer_marks: "inline", restore_doctype: "tidy", tidy_lines: "tidy"}
Timings = dict[str, float]  # stage -> seconds


def _apply(steps: Iterable[Callable[[str], str]], value: str, env: jinja2.Environment,
           ctx: dict[str, Any], timings: Timings) -> str:
    for step in steps:
        started = time.perf_counter()
        try:
            value = step(value)
        except Exception as exc:  # a user's template can break any step; name it and where
            if step is mjml_to_html:  # mjml-python raises ValueError, with no position
                raise _mjml_error(env, ctx, value, exc) from None
            template = env.get_template(MJML_TEMPLATE)
            raise TemplateError(f"{step.__name__.replace('_', ' ')} failed: "
                                f"{type(exc).__name__}: {exc}",
                                where=_where(template.filename, MJML_TEMPLATE, None)) from None
        _add(timings, STEP_STAGES.get(step, step.__name__), started)
    return value


def _add(timings: Timings, stage: str, started: float) -> None:
    timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - started


def _mjml_error(env: jinja2.Environment, ctx: dict[str, Any], source: str,
                exc: Exception) -> TemplateError:
    """MRML says what, never where: find the line with an XML parser, then its template line."""
    template = env.get_template(MJML_TEMPLATE)
    where = _where(template.filename, MJML_TEMPLATE, None)
    line = _mjml_line(source)
    if line is not None:
        rendered = source.split("\n")
        offset = sum(len(text) + 1 for text in rendered[: line - 1])
        filename, template_line = _template_position(env, ctx, offset)
        if filename is not None and template_line is not None:
            template_line = _same_line_after(filename, template_line, rendered[line - 1])
        where = _where(filename or template.filename, MJML_TEMPLATE, template_line)
    return TemplateError(f"MJML error: {exc}", where=where)


def _same_line_after(filename: str, first: int, text: str) -> int:
    """The first template line from `first` on that reads `text` (static markup), else `first`."""
    with contextlib.suppress(OSError, UnicodeDecodeError):
        lines = Path(filename).read_text(encoding="utf-8").split("\n")
        for number in range(first, len(lines) + 1):
            if text.strip() and lines[number - 1].strip() == text.strip():
                return number
    return first


def _template_position(env: jinja2.Environment, ctx: dict[str, Any],
                       offset: int) -> tuple[str | None, int | None]:
    """The template file, and a line at or just before the one that wrote `offset`.

    Renders again, chunk by chunk. After each chunk the innermost generator (a block, a parent
    template) is paused at the code line that yielded it; Jinja maps the first code line of
    each output statement to its template line, a lower bound for the lines it writes.
    """
    templates = {t.filename: t for t in (env.cache or {}).values() if t.filename}
    template = env.get_template(MJML_TEMPLATE)
    found: tuple[str | None, int | None] = (None, None)
    written = 0
    with contextlib.suppress(Exception):  # a best effort: the error itself is what matters
        gen = template.root_render_func(template.new_context(ctx))
        for chunk in gen:
            inner: Any = gen
            while getattr(inner, "gi_yieldfrom", None) is not None:
                inner = inner.gi_yieldfrom
            owner = templates.get(inner.gi_frame.f_code.co_filename)
            if owner is not None:
                found = (owner.filename,
                         owner.get_corresponding_lineno(inner.gi_frame.f_lineno))
            written += len(chunk)
            if written > offset:
                break
    return found


def _mjml_line(source: str) -> int | None:
    """Line of the rendered MJML where an XML parser stops (MRML's errors carry no position)."""
    # What MRML takes but XML does not must not mislead: HTML entities and void elements.
    xml = re.sub(r"&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)", "&amp;", source)
    xml = re.sub(r"<((?:br|hr|img|meta|link|input|col|wbr)\b[^>]*?)\s*/?>", r"<\1 />", xml)
    from lxml import etree  # only when an MJML error needs placing

    try:
        etree.fromstring(xml.encode(), etree.XMLParser(resolve_entities=False))
    except etree.XMLSyntaxError as exc:
        return int(exc.lineno) if exc.lineno else None
    return None


def render_edition(edition: Edition, templates: Path | None,
                   settings: EmailConfig | None = None, base_url: str | None = None, *,
                   timings: Timings | None = None) -> Rendered:
    """Render `edition` with the user's `templates` folder (if any) over the built-ins;
    `settings` and `base_url` frame it (see digest.render.context.context). `timings`, if
    given, gets the seconds spent in each stage added to it: "jinja" (the environment, the
    context and both templates), "mjml", "inline" (premailer and its two helpers), "tidy"."""
    timings = {} if timings is None else timings
    started = time.perf_counter()
    env = environment(templates)
    ctx = context(edition, settings, base_url)
    source = render_template(env, MJML_TEMPLATE, ctx)
    _add(timings, "jinja", started)
    html = _apply(HTML_STEPS, source, env, ctx, timings)
    started = time.perf_counter()
    text = render_template(env, TEXT_TEMPLATE, ctx)
    _add(timings, "jinja", started)
    started = time.perf_counter()
    text = tidy_lines(text)
    _add(timings, "tidy", started)
    return Rendered(mjml=source, html=html, text=text)
