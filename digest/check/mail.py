"""An edition folder as the checks see it: the .eml as sent, its two parts, and edition.json."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from pathlib import Path
from typing import Any, Literal

from digest.errors import OutboxError

Status = Literal["pass", "fail", "warn", "skipped"]

EML = "digest.eml"
EDITION_JSON = "edition.json"


@dataclass(frozen=True)
class CheckResult:
    name: str
    status: Status
    detail: str

    def line(self) -> str:
        """The one line `digest check` prints, e.g. "PASS  size: 38.2 KB of 102 KB"."""
        label = "SKIP" if self.status == "skipped" else self.status.upper()
        return f"{label:<6}{self.name}: {self.detail}"


@dataclass(frozen=True)
class Mail:
    """What one edition folder holds. The .eml is the source of truth: it is what gets sent."""

    folder: Path
    raw: bytes  # digest.eml exactly as on disk
    message: EmailMessage
    html: str  # the text/html part, decoded; "" if there is none
    text: str  # the text/plain part, decoded; "" if there is none
    edition: dict[str, Any] = field(default_factory=dict)  # edition.json

    @property
    def eml_path(self) -> Path:
        return self.folder / EML


def _decoded(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset)
    except (LookupError, UnicodeDecodeError):
        # An unknown or lying charset must not crash the check; the damage shows in the checks.
        return payload.decode("utf-8", errors="replace")


def _first_part(message: EmailMessage, content_type: str) -> str:
    for part in message.walk():
        if part.get_content_type() == content_type and not part.is_multipart():
            if part.get_content_disposition() == "attachment":
                continue
            return _decoded(part)
    return ""


def load_mail(folder: Path) -> Mail:
    """Read an edition folder; one that is not an edition is bad input (OutboxError, exit 2)."""
    if not folder.is_dir():
        raise OutboxError("no such edition folder", where=str(folder))
    eml = folder / EML
    meta = folder / EDITION_JSON
    for path in (eml, meta):
        if not path.is_file():
            raise OutboxError(f"not an edition: {path.name} is missing", where=str(folder))
    try:
        edition = json.loads(meta.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise OutboxError(f"unreadable edition.json: {exc}", where=str(meta)) from None
    if not isinstance(edition, dict):
        raise OutboxError("edition.json is not a JSON object", where=str(meta))
    return parse_mail(folder, eml.read_bytes(), edition, where=str(eml))


def parse_mail(folder: Path, raw: bytes, edition: dict[str, Any], *, where: str) -> Mail:
    """A message as the checks see it: `digest send` passes the message it is about to send
    (composed for a real recipient), `digest check` the edition's digest.eml."""
    if not raw.strip():
        raise OutboxError("empty message", where=where)
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)  # policy.default always builds EmailMessage
    return Mail(
        folder=folder,
        raw=raw,
        message=message,
        html=_first_part(message, "text/html"),
        text=_first_part(message, "text/plain"),
        edition=edition,
    )
