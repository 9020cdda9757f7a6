"""Per-recipient messages, fast: the edition is serialised ONCE into a bytes template.

digest.render.message.build_message is the reference (headers, list headers, the Message-ID rule);
calling it per recipient costs about a millisecond (EmailMessage, folding, quoted-printable of
the whole HTML). Here it runs once, for the static header lines; the bodies are encoded once
as quoted-printable segments split at the %%key%% tokens, and each recipient costs a handful
of short encodings and one bytes join. tests/deliver/test_compose.py checks that the result says
the same as build_message for the same recipient.

The template never produces a line that starts with "." (such a dot is written "=2E"), so the
bytes go to SMTP DATA without dot-stuffing, and end with CRLF.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
from dataclasses import dataclass
from email.quoprimime import body_encode
from email.utils import formataddr

from digest.config import EmailConfig
from digest.deliver.recipients import Recipient, header_safe
from digest.errors import DeliveryError
from digest.model import Edition
from digest.render.message import build_message, message_bytes
from digest.render.personalize import TOKEN_RE, recipient_values
from digest.render.templates import Rendered

_PERSONAL = {b"to", b"message-id", b"list-unsubscribe", b"content-type",
             b"content-transfer-encoding"}
_QP_WIDTH = 74  # 76 minus room for a "=2E" that replaces a leading dot
_LEADING_DOT = re.compile(rb"(^|\r\n)\.")


@dataclass(frozen=True)
class Composed:
    data: bytes  # the whole message, CRLF, ready for DATA (no line starts with ".")
    message_id: str


def _qp(text: str) -> bytes:
    """Quoted-printable of a fragment, with no line starting with "."."""
    encoded = body_encode(text.encode("utf-8").decode("latin-1"), _QP_WIDTH, "\r\n")
    return _LEADING_DOT.sub(rb"\1=2E", encoded.encode("ascii"))


class _Part:
    """One body part: static QP segments, and the token keys between them."""

    def __init__(self, body: str, *, is_html: bool) -> None:
        self.is_html = is_html
        pieces = TOKEN_RE.split(body)  # static, key, static, key, ..., static
        self.statics: list[bytes] = []
        for i, static in enumerate(pieces[0::2]):
            encoded = _qp(static)
            last = i == len(pieces) // 2
            # A soft line break after each static piece that ends mid-line: the value that
            # follows starts on a fresh QP line, so line lengths stay in bounds.
            if not last and static and not static.endswith("\n"):
                encoded += b"=\r\n"
            elif last and not encoded.endswith(b"\r\n"):
                encoded += b"\r\n"
            self.statics.append(encoded)
        self.keys = pieces[1::2]

    def fill(self, values: dict[str, str], out: list[bytes]) -> None:
        statics = self.statics
        out.append(statics[0])
        for i, key in enumerate(self.keys):
            value = values.get(key, "")
            if self.is_html:
                value = html.escape(value, quote=True)
            if value:
                encoded = _qp(value)
                out.append(encoded if encoded.endswith(b"\r\n") else encoded + b"=\r\n")
            out.append(statics[i + 1])


class MessageTemplate:
    """Everything about an edition's message that does not depend on the recipient."""

    def __init__(self, edition: Edition, rendered: Rendered, email: EmailConfig,
                 date: dt.datetime) -> None:
        self.edition = edition.edition
        self.email = email
        # The reference message, once: its static headers are used verbatim.
        sample = message_bytes(build_message(edition, rendered, email, to="x@example.invalid",
                                             date=date))
        head = sample.split(b"\r\n\r\n", 1)[0] + b"\r\n"
        self.head: list[bytes | str] = []
        for field in re.split(rb"\r\n(?![ \t])", head.rstrip(b"\r\n")):
            name = field.split(b":", 1)[0].strip().lower()
            if name not in _PERSONAL:
                self.head.append(field + b"\r\n")
            elif name != b"content-transfer-encoding":
                self.head.append(name.decode())
        self.boundary = "=_digest_" + hashlib.sha256(sample).hexdigest()[:24]
        self.text = _Part(rendered.text, is_html=False)
        self.html = _Part(rendered.html, is_html=True)
        self._hash = hashlib.sha256()  # message_id(): sha256(html \0 text \0 recipient \0)
        for part in (rendered.html, rendered.text):
            self._hash.update(part.encode("utf-8"))
            self._hash.update(b"\0")
        b = self.boundary.encode()
        self._text_head = (b"--" + b + b"\r\nContent-Type: text/plain; charset=\"utf-8\"\r\n"
                           b"Content-Transfer-Encoding: quoted-printable\r\n\r\n")
        self._html_head = (b"\r\n--" + b + b"\r\nContent-Type: text/html; charset=\"utf-8\"\r\n"
                           b"Content-Transfer-Encoding: quoted-printable\r\n\r\n")
        self._end = b"\r\n--" + b + b"--\r\n"

    def message_id(self, address: str) -> str:
        digest = self._hash.copy()
        digest.update(address.encode("utf-8"))
        digest.update(b"\0")
        return f"<{digest.hexdigest()[:32]}@{self.email.message_id_domain}>"

    def values(self, recipient: Recipient) -> dict[str, str]:
        return recipient_values(self.email.unsubscribe_url, self.edition, recipient.email,
                                recipient.name, **dict(recipient.extra))

    def compose(self, recipient: Recipient) -> Composed:
        """The message for one recipient. DeliveryError if a value cannot go in a header."""
        name = recipient.name or ""
        if not (header_safe(name) and header_safe(recipient.email)):
            raise DeliveryError("line break or control character in a header value",
                                where=f"recipient line {recipient.line}")
        values = self.values(recipient)
        unsubscribe = values["unsubscribe_url"]
        if not unsubscribe.isascii() or not header_safe(unsubscribe):
            raise DeliveryError("the unsubscribe URL is not a clean ASCII URL",
                                where=f"recipient line {recipient.line}")
        message_id = self.message_id(recipient.email)
        to = formataddr((name, recipient.email), charset="utf-8")
        personal = {
            "to": f"To: {to}\r\n".encode(),
            "message-id": f"Message-ID: {message_id}\r\n".encode(),
            "list-unsubscribe": (f"List-Unsubscribe: <{unsubscribe}>,\r\n "
                                 f"<{self.email.unsubscribe_mailto}>\r\n").encode(),
            "content-type": (f'Content-Type: multipart/alternative;\r\n boundary="'
                             f'{self.boundary}"\r\n').encode(),
        }
        out: list[bytes] = [h if isinstance(h, bytes) else personal[h] for h in self.head]
        out.append(b"\r\n")
        out.append(self._text_head)
        self.text.fill(values, out)
        out.append(self._html_head)
        self.html.fill(values, out)
        out.append(self._end)
        return Composed(b"".join(out), message_id)
