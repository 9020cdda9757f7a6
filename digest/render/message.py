"""The email message: multipart/alternative (text, then HTML) with list headers (RFC 2369, 8058).

`build_message` gives the outbox's digest.eml (merged with the default values of
`default_values`); `digest send` calls it once per recipient with `to=` and `values=`. Nothing
here reads the wall clock: Date comes from the edition, the Message-ID from a hash of the
content, so a rebuild is byte-identical and a retried send carries the same Message-ID.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from email.errors import HeaderParseError
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime

from digest.config import EmailConfig
from digest.errors import ConfigError
from digest.model import Edition
from digest.render.personalize import address_of, merge, recipient_values
from digest.render.templates import Rendered

# Headers whose value is a list of <URL>s: the stock folder turns a long URL into RFC 2047
# encoded words, which no client resolves; fold them between items instead.
_URL_LIST_HEADERS = frozenset({"list-unsubscribe", "list-id", "message-id"})
MAX_HEADER_LINE = 998


class _DigestPolicy(EmailPolicy):
    def fold(self, name: str, value: str) -> str:
        if name.lower() in _URL_LIST_HEADERS:
            return _fold_url_list(name, str(value), self.linesep)
        return str(super().fold(name, value))

    def fold_binary(self, name: str, value: str) -> bytes:
        if name.lower() in _URL_LIST_HEADERS:
            return _fold_url_list(name, str(value), self.linesep).encode("ascii")
        return super().fold_binary(name, value)


def _fold_url_list(name: str, value: str, linesep: str) -> str:
    return f"{name}: " + f",{linesep} ".join(v.strip() for v in value.split(",")) + linesep


# The SMTP policy (CRLF line ends, folded at 78) with URL lists kept intact.
POLICY = _DigestPolicy(linesep="\r\n", max_line_length=78)
# Posts are dated, not timed; a digest dated the edition's day goes out in the morning.
SEND_HOUR_UTC = 8
_HEADER_KEYS = ("from", "to", "reply_to", "list_id", "message_id_domain", "unsubscribe_url",
                "unsubscribe_mailto")
_URL_KEYS = ("list_id", "message_id_domain", "unsubscribe_url", "unsubscribe_mailto")


def _clean(value: str, key: str, *, ascii_only: bool = False) -> str:
    """A header value from config or a recipient list: CR/LF would inject headers."""
    if any(ch in value for ch in "\r\n\0"):
        raise ConfigError("CR, LF or NUL in a value that goes into a mail header", where=key)
    if ascii_only and (not value.isascii() or len(value) > MAX_HEADER_LINE - 40):
        raise ConfigError("must be ASCII (percent-encode it) and under 950 characters",
                          where=key)
    return value


def check_email_config(email: EmailConfig) -> None:
    """Refuse header injection in every [email] key that reaches a header."""
    for key in _HEADER_KEYS:
        value = getattr(email, "from_" if key == "from" else key)
        if value is not None:
            _clean(value, f"[email] {key}", ascii_only=key in _URL_KEYS)
    if not email.unsubscribe_url.startswith("https://"):
        raise ConfigError("must be an https:// URL", where="[email] unsubscribe_url")
    if not email.unsubscribe_mailto.startswith("mailto:"):
        raise ConfigError("must be a mailto: URL", where="[email] unsubscribe_mailto")


def _set_address(msg: EmailMessage, name: str, value: str, key: str) -> None:
    """Set an address header; an address the parser cannot read is refused, naming `key`."""
    try:
        msg[name] = value
        header = msg[name]
        defects, addresses = header.defects, header.addresses
    except (ValueError, IndexError, AttributeError, HeaderParseError):
        defects, addresses = ("unparsable",), ()
    if defects or not addresses or not all(a.domain for a in addresses):
        raise ConfigError(f"not a valid email address: {value!r}", where=key)


def default_values(edition: Edition, email: EmailConfig) -> dict[str, str]:
    """The personal values of the outbox's own copy: the config's To address."""
    return recipient_values(email.unsubscribe_url, edition.edition, address_of(email.to))


def edition_date(edition: Edition) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(edition.date), dt.time(SEND_HOUR_UTC),
                               tzinfo=dt.UTC)


def message_id(rendered: Rendered, email: EmailConfig, recipient: str | None = None) -> str:
    """Deterministic: the same edition (and recipient) always gets the same Message-ID."""
    digest = hashlib.sha256()
    for part in (rendered.html, rendered.text, recipient or ""):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return f"<{digest.hexdigest()[:32]}@{email.message_id_domain}>"


def build_message(edition: Edition, rendered: Rendered, email: EmailConfig, *,
                  to: str | None = None, values: Mapping[str, str] | None = None,
                  date: dt.datetime | None = None) -> EmailMessage:
    """The message for `to` (default: [email] to), with `values` merged into both parts.

    `rendered` holds the tokens (as render_edition returns it). `date` defaults to the
    edition's date at 08:00 UTC; `digest send` may pass the time of sending.
    """
    check_email_config(email)
    recipient = _clean(to, "recipient address") if to is not None else email.to
    if values is None:
        values = default_values(edition, email) if to is None else recipient_values(
            email.unsubscribe_url, edition.edition, address_of(recipient))
    msg = EmailMessage(policy=POLICY)
    _set_address(msg, "From", email.from_, "[email] from")
    _set_address(msg, "To", recipient, "[email] to" if to is None else "recipient address")
    if email.reply_to:
        _set_address(msg, "Reply-To", email.reply_to, "[email] reply_to")
    # A subject comes from sources: fold any whitespace run (newlines too) into one space.
    msg["Subject"] = " ".join(edition.subject.split())
    msg["Date"] = format_datetime(date or edition_date(edition))
    msg["Message-ID"] = message_id(rendered, email, None if to is None else address_of(to))
    msg["List-Id"] = f"<{email.list_id}>"
    https = _clean(values.get("unsubscribe_url", ""), "unsubscribe URL", ascii_only=True)
    if not https.startswith("https://"):
        raise ConfigError(f"not an https:// URL: {https!r}", where="unsubscribe URL")
    msg["List-Unsubscribe"] = f"<{https}>, <{email.unsubscribe_mailto}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(merge(rendered.text, values, html=False), subtype="plain", charset="utf-8",
                    cte="quoted-printable")
    msg.add_alternative(merge(rendered.html, values, html=True), subtype="html",
                        charset="utf-8", cte="quoted-printable")
    for part in msg.iter_parts():  # MIME-Version belongs in the top-level header only
        del part["MIME-Version"]
    # A fixed boundary (the stock one is random) keeps rebuilds byte-identical.
    msg.set_boundary("=_" + msg["Message-ID"].strip("<>").split("@")[0])
    return msg


def message_bytes(msg: EmailMessage) -> bytes:
    """The message as sent: CRLF line ends, every line at most 998 octets."""
    return msg.as_bytes(policy=POLICY)
