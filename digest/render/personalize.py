"""Per-recipient personalisation: render once, merge each recipient's values in cheaply.

An edition is rendered ONCE (Jinja2, MJML and premailer are slow); the templates write
placeholder tokens where a recipient's values go, and `merge` swaps them in per recipient with
one regex pass. Tokens are `%%key%%` (key: a lower-case identifier); they survive MJML and
premailer untouched, including inside href attributes.

Known keys (every recipient has them; see `recipient_values`):
    %%name%%             the recipient's name ("reader" when the list has none)
    %%email%%            the recipient's address
    %%unsubscribe_url%%  [email] unsubscribe_url with {email} and {edition} filled in, URL-quoted
Any other CSV column may be used as a key too (`{{ recipient.company }}` in a template gives
`%%company%%`); a token with no value merges to the empty string, so no `%%…%%` ever reaches a
reader.

In templates write `{{ recipient.name }}`, never the token text itself: templates.py turns any
`%%` in the edition's own content (a post that says "%%email%%") into `%<ZWSP>%`, so text from
sources can never be merged with a recipient's address.

The outbox keeps the unmerged parts (digest.merge.html, digest.merge.txt; see
`digest.publish.outbox.read_rendered`) for `digest send`; its digest.html/.txt/.eml are merged with
`digest.render.message.default_values(edition, config.email)`: name "reader", the address of
[email] to, and its unsubscribe URL.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Mapping
from email.utils import getaddresses
from urllib.parse import quote

TOKEN_RE = re.compile(r"%%([a-z][a-z0-9_]*)%%")
NAME, EMAIL, UNSUBSCRIBE_URL = "%%name%%", "%%email%%", "%%unsubscribe_url%%"
DEFAULT_NAME = "reader"
# Breaks "%%" in untrusted content without changing what a reader sees.
_DEFUSED = "%\u200b%"


def token(key: str) -> str:
    """The placeholder for `key`: token("name") == "%%name%%"."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", key):
        raise ValueError(f"not a token key: {key!r} (lower-case letters, digits, _)")
    return f"%%{key}%%"


class Token(str):
    """A token as a template writes it; the renderer leaves these (and only these) intact."""


class Tokens:
    """`recipient` in templates: any attribute is its token, so `{{ recipient.name }}` works."""

    def __getattr__(self, key: str) -> Token:
        if key.startswith("_"):
            raise AttributeError(key)
        return Token(token(key))

    def __getitem__(self, key: str) -> Token:
        return Token(token(key))


def defuse(text: str) -> str:
    """Make "%%" in content from sources inert, so it can never become a token."""
    return text.replace("%%", _DEFUSED)


def unsubscribe_url(template: str, email: str, edition: str) -> str:
    """Fill {email} and {edition} in the configured URL, quoted for a query string."""
    return template.replace("{email}", quote(email, safe="")).replace(
        "{edition}", quote(edition, safe="")
    )


def address_of(header_value: str) -> str:
    """The bare address in a To/From value: "Readers <r@x>" -> "r@x"."""
    pairs = getaddresses([header_value])
    return pairs[0][1] if pairs and pairs[0][1] else header_value.strip()


def recipient_values(unsubscribe_template: str, edition: str, email: str,
                     name: str | None = None, **extra: str) -> dict[str, str]:
    """Every known key for one recipient (extra CSV columns pass through)."""
    return {
        **extra,
        "name": name or DEFAULT_NAME,
        "email": email,
        "unsubscribe_url": unsubscribe_url(unsubscribe_template, email, edition),
    }


def merge(body: str, values: Mapping[str, str], *, html: bool) -> str:
    """Replace every `%%key%%` in `body` with values[key] (HTML-escaped when `html`).

    One pass, so a value that itself contains "%%email%%" is not merged again.
    """

    def fill(match: re.Match[str]) -> str:
        value = values.get(match.group(1), "")
        return html_lib.escape(value, quote=True) if html else value

    return TOKEN_RE.sub(fill, body)
