"""Checks on the message as a message: MIME shape, headers, one-click unsubscribe, lengths."""

from __future__ import annotations

import re
from email.utils import getaddresses, parsedate_to_datetime
from html import escape

from digest.check.mail import CheckResult, Mail, Status
from digest.config import Config

REQUIRED = ("From", "To", "Subject", "Date", "Message-ID", "MIME-Version")
MAX_LINE = 998  # RFC 5322 2.1.1: a line is at most 998 characters, CRLF excluded
_MESSAGE_ID = re.compile(r"^<[^<>@\s]+@[^<>@\s]+>$")
_ANGLED = re.compile(r"<([^<>]*)>")


def _header(mail: Mail, name: str) -> str:
    """The header's decoded value; its raw text where the parser could not make sense of it
    (policy.default turns an unparseable Date into ""), so a bad value is not "missing"."""
    try:
        value = mail.message.get(name)
        decoded = str(value).strip() if value is not None else ""
    except (ValueError, IndexError):
        decoded = ""
    if decoded:
        return decoded
    raw = next((str(v) for k, v in mail.message.raw_items() if k.lower() == name.lower()), "")
    return " ".join(raw.split())


def check_mime(mail: Mail, config: Config) -> CheckResult:
    """multipart/alternative with text/plain first and text/html last (RFC 2046: best last)."""
    kind = mail.message.get_content_type()
    if kind != "multipart/alternative":
        return CheckResult("mime", "fail", f"{kind}, not multipart/alternative")
    types = [part.get_content_type() for part in mail.message.iter_parts()]
    if types[:1] != ["text/plain"] or types[-1:] != ["text/html"]:
        return CheckResult("mime", "fail",
                           f"parts are {', '.join(types) or 'none'}; want text/plain, text/html")
    return CheckResult("mime", "pass", "multipart/alternative: text/plain, then text/html")


def check_headers(mail: Mail, config: Config) -> CheckResult:
    problems = [f"no {name}" for name in REQUIRED if not _header(mail, name)]
    date = _header(mail, "Date")
    if date:
        try:
            parsedate_to_datetime(date)
        except (TypeError, ValueError):
            problems.append(f"Date {date!r} is not an RFC 5322 date")
    message_id = _header(mail, "Message-ID")
    if message_id and not _MESSAGE_ID.match(message_id):
        problems.append(f"Message-ID {message_id!r} is not <id@domain>")
    version = _header(mail, "MIME-Version")
    if version and version != "1.0":
        problems.append(f"MIME-Version {version!r} is not 1.0")
    for name in ("From", "To"):
        value = _header(mail, name)
        if value and not all("@" in addr for _, addr in getaddresses([value])):
            problems.append(f"{name} {value!r} has no address")
    if problems:
        return CheckResult("headers", "fail", "; ".join(problems))
    return CheckResult("headers", "pass", ", ".join(REQUIRED))


def check_one_click(mail: Mail, config: Config) -> CheckResult:
    """RFC 8058 one-click unsubscribe: an https List-Unsubscribe URI and the POST header.

    Required (fail) when sending is configured, because Gmail and Yahoo require it of bulk
    senders; otherwise an edition built only to look at gets a warning, not a failure.
    A header that is present but wrong fails either way.
    """
    name = "one-click unsubscribe"
    listed = _header(mail, "List-Unsubscribe")
    post = _header(mail, "List-Unsubscribe-Post")
    if not listed and not post:
        status: Status = "fail" if config.send.smtp else "warn"
        why = "sending is configured" if config.send.smtp else "required once sending"
        return CheckResult(name, status, f"no List-Unsubscribe header ({why})")
    problems = []
    uris = _ANGLED.findall(listed)
    if not listed:
        problems.append("List-Unsubscribe-Post without List-Unsubscribe")
    elif not uris:
        problems.append(f"List-Unsubscribe {listed!r} has no <URI>")
    elif not any(uri.lower().startswith("https://") for uri in uris):
        problems.append("List-Unsubscribe has no https URI")
    if post.replace(" ", "") != "List-Unsubscribe=One-Click":
        problems.append("List-Unsubscribe-Post is not 'List-Unsubscribe=One-Click'"
                        if post else "no List-Unsubscribe-Post: List-Unsubscribe=One-Click")
    if problems:
        return CheckResult(name, "fail", "; ".join(problems))
    kinds = sorted({uri.split(":", 1)[0].lower() for uri in uris})
    return CheckResult(name, "pass", f"List-Unsubscribe ({' + '.join(kinds)}) with RFC 8058 POST")


def check_subject(mail: Mail, config: Config) -> CheckResult:
    subject = " ".join(_header(mail, "Subject").split())
    limit = config.check.max_subject
    if not subject:
        return CheckResult("subject", "fail", "empty subject")
    if len(subject) > limit:
        return CheckResult("subject", "fail", f"{len(subject)} characters, over {limit}: "
                           f"{subject[:40]!r}…")
    return CheckResult("subject", "pass", f"{len(subject)} of {limit} characters")


def check_preheader(mail: Mail, config: Config) -> CheckResult:
    """The preheader is the inbox preview line: present, short enough, and in the HTML."""
    preheader = " ".join(str(mail.edition.get("preheader") or "").split())
    limit = config.check.max_preheader
    if not preheader:
        return CheckResult("preheader", "warn", "no preheader: clients preview the body instead")
    if len(preheader) > limit:
        return CheckResult("preheader", "fail", f"{len(preheader)} characters, over {limit}")
    flat = " ".join(mail.html.replace("\u00a0", " ").split())
    if preheader not in flat and escape(preheader, quote=False) not in flat:
        return CheckResult("preheader", "warn",
                           f"{len(preheader)} of {limit} characters, but not found in the HTML")
    return CheckResult("preheader", "pass", f"{len(preheader)} of {limit} characters")


def check_line_length(mail: Mail, config: Config) -> CheckResult:
    """No line of the .eml over 998 characters: servers may break or reject such a message."""
    long_lines = [(number, len(line.rstrip(b"\r")))
                  for number, line in enumerate(mail.raw.split(b"\n"), start=1)
                  if len(line.rstrip(b"\r")) > MAX_LINE]
    if long_lines:
        number, length = long_lines[0]
        more = f" (and {len(long_lines) - 1} more)" if len(long_lines) > 1 else ""
        return CheckResult("line length", "fail", f"{mail.eml_path.name}:{number} is {length} "
                           f"characters, over {MAX_LINE}{more}")
    longest = max((len(line.rstrip(b"\r")) for line in mail.raw.split(b"\n")), default=0)
    return CheckResult("line length", "pass", f"longest line {longest} of {MAX_LINE} characters")
