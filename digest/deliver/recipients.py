"""The recipient list: a CSV file with a header row `email,name` (more columns allowed).

Also read as exported by spreadsheets: ";" or tab as the separator when the header has no
comma, a UTF-8 byte order mark, and "E-mail" / "Email Address" / "Full Name" as headers.

Each address is validated with email-validator (syntax only; no DNS), duplicates are removed
case-insensitively (the first row wins), and a bad row is reported with its line number while
the good rows still go out. A file that is broken as a whole stops the send before anything
goes out, naming the line: not UTF-8, or a quote that is never closed or swallows lines (a
quoted field running over lines that holds rows of their own is taken for one): past it, the
csv module cannot tell rows apart, and the rows after it would be lost. Rows are split at line
breaks only, never at U+2028 or a form feed inside a name. Any value that reaches a header
(email, name) must be free of CR/LF and other control characters: a row that tries header
injection is a bad row, never sent.
Extra columns reach templates as `%%column%%` tokens (see digest/render/personalize.py). Domains in
Unicode are sent in their ASCII (IDNA) form; a non-ASCII local part ("zoë@…") needs SMTPUTF8,
which `digest send` does not speak, so such a row is reported as bad.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path

from email_validator import EmailNotValidError, validate_email

from digest.errors import ConfigError, RecipientsError

# Control characters (C0, DEL, C1) and Unicode line/paragraph separators: never in a header.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_KEY = re.compile(r"[a-z][a-z0-9_]*")
MAX_NAME = 200
# Header names that spreadsheets and mailing-list exports use for the two known columns.
_ALIASES = {"e_mail": "email", "email_address": "email", "e_mail_address": "email",
            "mail": "email", "full_name": "name", "display_name": "name"}


@dataclass(frozen=True)
class Recipient:
    email: str  # normalised (domain lower-cased, IDN as ASCII); case of the local part kept
    name: str | None = None
    extra: tuple[tuple[str, str], ...] = ()  # other columns, as (key, value)
    line: int = 0

    @property
    def key(self) -> str:
        """The duplicate key (and ledger key): the address, lower-cased."""
        return self.email.lower()


@dataclass(frozen=True)
class BadRow:
    line: int
    reason: str
    value: str = ""

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}" + (f" ({self.value!r})" if self.value else "")


@dataclass(frozen=True)
class RecipientList:
    path: str
    recipients: tuple[Recipient, ...]
    bad: tuple[BadRow, ...] = ()
    duplicates: tuple[BadRow, ...] = field(default=())


def header_safe(value: str) -> bool:
    """True if `value` can go in a header: no CR, LF or other control characters."""
    return not _CONTROL.search(value)


def column_key(header: str) -> str:
    """A CSV column name as a token key: "Company Name" -> "company_name"."""
    return re.sub(r"[^a-z0-9]+", "_", header.strip().lower()).strip("_")


def _delimiter(header: str) -> str:
    """"," as the format says; ";" or a tab when the header uses that and no comma (a
    spreadsheet saved in a locale whose decimal mark is the comma)."""
    if "," not in header:
        for candidate in (";", "\t"):
            if candidate in header:
                return candidate
    return ","


def read_recipients(path: str | Path) -> RecipientList:
    """Read and validate a recipient CSV. Raises RecipientsError only when the file as a whole
    cannot be used (missing, undecodable, no `email` column); bad rows are returned in `.bad`."""
    file = Path(path)
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise RecipientsError("recipient list not found", where=str(file)) from None
    except OSError as exc:
        raise RecipientsError(f"cannot read: {exc.strerror}", where=str(file)) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise RecipientsError(f"not UTF-8 ({exc.reason} at byte {exc.start}); nothing was sent",
                              where=f"{file}:{line}") from None
    if not text.strip():
        raise RecipientsError("empty recipient list (expected a header row: email,name)",
                              where=str(file))
    # Lines end at CR, LF or CRLF only (str.splitlines also splits at U+2028, a form feed …).
    lines = io.StringIO(text, newline="")
    first = text.split("\n", 1)[0]
    reader = csv.reader(lines, delimiter=_delimiter(first), strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise RecipientsError(f"bad CSV header: {exc}", where=f"{file}:1") from None
    keys = [_ALIASES.get(column_key(h), column_key(h)) for h in header]
    if "email" not in keys:
        raise RecipientsError(f"no 'email' column in the header row {header!r} (expected a "
                              "header row such as email,name)", where=f"{file}:1")
    recipients: list[Recipient] = []
    bad: list[BadRow] = []
    dupes: list[BadRow] = []
    seen: dict[str, int] = {}
    line = reader.line_num
    while True:
        start = line + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            # The csv module cannot resync after a broken quote: every row after it would be
            # lost, so the list is refused whole.
            raise RecipientsError(f"broken CSV ({exc}): an unbalanced quote? Nothing was sent",
                                  where=f"{file}:{start}") from None
        line = reader.line_num
        if line > start and _swallows_rows(row, reader.dialect.delimiter):
            raise RecipientsError(
                f"a quoted field runs over lines {start}-{line}, swallowing rows: an unbalanced "
                "quote? Nothing was sent", where=f"{file}:{start}")
        if not any(cell.strip() for cell in row):
            continue  # blank lines are allowed
        result = _recipient(row, keys, start)
        if isinstance(result, BadRow):
            bad.append(result)
        elif result.key in seen:
            dupes.append(BadRow(start, f"duplicate of line {seen[result.key]}", result.email))
        else:
            seen[result.key] = start
            recipients.append(result)
    return RecipientList(str(file), tuple(recipients), tuple(bad), tuple(dupes))


def _swallows_rows(row: list[str], delimiter: str) -> bool:
    """Does a field that runs over lines hold what reads as rows of their own (an address and
    a separator on a continued line)? A line break in a name alone is one bad row."""
    return any(delimiter in part and "@" in part
               for cell in row for part in re.split(r"\r\n|\r|\n", cell)[1:])


def _recipient(row: list[str], keys: list[str], line: int) -> Recipient | BadRow:
    if len(row) > len(keys):
        return BadRow(line, f"{len(row)} columns, the header has {len(keys)}")
    values = dict(zip(keys, (cell.strip() for cell in row), strict=False))
    raw = values.get("email", "")
    if not raw:
        return BadRow(line, "no email address")
    if not header_safe(raw):
        return BadRow(line, "control character or line break in the email address", raw)
    try:
        checked = validate_email(raw, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        return BadRow(line, f"invalid email address: {exc}", raw)
    name = values.get("name") or None
    if name is not None:
        if not header_safe(name):
            return BadRow(line, "control character or line break in the name (header injection)",
                          name)
        if len(name) > MAX_NAME:
            return BadRow(line, f"name longer than {MAX_NAME} characters")
    extra = tuple((k, v) for k, v in values.items()
                  if k not in ("email", "name") and _KEY.fullmatch(k))
    return Recipient(checked.ascii_email or checked.normalized, name, extra, line)


def envelope_sender(from_header: str) -> str:
    """The envelope sender: the bare address of [email] from / --from, validated."""
    address = parseaddr(from_header)[1]
    try:
        validate_email(address, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise ConfigError(f"{address!r} is not an address a mail server accepts as sender "
                          f"({exc}); give --from 'Name <you@your.domain>'",
                          where="--from / [email] from") from None
    return address
