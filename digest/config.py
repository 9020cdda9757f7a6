"""Typed configuration, validated once at load. Nothing downstream re-checks it.

Every key has a default, so a bare `digest build` works with no file at all. An unknown or
ill-typed key is a ConfigError naming the file and the key. How a key is declared and checked
(pydantic-core against the fields' types, bounds and checks below) is digest.config_schema.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic_core import PydanticCustomError

from digest.config_schema import Check, Section, default_of, key, toml_names
from digest.errors import ConfigError

DEFAULT_FILE = "digest.toml"


# --- checks --------------------------------------------------------------------------------

def _one_line(value: str | None) -> str | None:
    # Every one of these reaches a mail header: CR or LF there would inject headers.
    if value is not None and any(ch in value for ch in "\r\n\0"):
        raise ValueError("CR, LF or NUL in a value that goes into a mail header")
    return value


def _addresses(value: str | None) -> str | None:
    from email.utils import getaddresses  # here: most commands never check an address

    if value is not None:
        pairs = getaddresses([value])
        if not pairs or any(not re.fullmatch(r"[^@\s]+@[^@\s]+", addr) for _, addr in pairs):
            raise ValueError(f"not an email address: {value!r} (use: Name <user@domain>)")
    return value


def _ascii(value: str) -> str:
    # Checked here, at load, so the error names the file (rendering checks it again).
    if not value.isascii() or len(value) > 950:
        raise ValueError("must be ASCII (percent-encode it) and under 950 characters")
    return value


def _https_logo(value: str | None) -> str | None:
    if value is not None and not value.startswith("https://"):
        raise ValueError("must be an https:// URL (mail clients block others)")
    return value


def _colour(value: str) -> str:
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        raise ValueError(f"must be a colour as #rrggbb, got {value!r}")
    return value.lower()


def _mailto(value: str) -> str:
    if not value.startswith("mailto:"):
        raise ValueError("must be a mailto: URL")
    return value


def _https(value: str) -> str:
    if not value.startswith("https://"):
        raise ValueError("must be an https:// URL (RFC 8058 one-click unsubscribe)")
    return value


def _base_url(value: str | None) -> str | None:
    if value is None:
        return None
    if not value.startswith("https://"):
        raise ValueError("must be an https:// URL")
    return value if value.endswith("/") else value + "/"


# The [schedule] parsers (digest.cron) are imported when [schedule] sets a value: they load
# APScheduler, which would cost every other command start-up time.
def _cron(value: str) -> str:
    from digest.cron import parse_cron

    try:
        return parse_cron(value).expr
    except ValueError as exc:
        raise PydanticCustomError("cron", str(exc)) from None


def _parser(name: str) -> Check:
    def check(value: str) -> str:
        from digest import cron

        try:
            getattr(cron, f"parse_{name}")(value)
        except ValueError as exc:
            raise PydanticCustomError(name, str(exc)) from None
        return value
    return check


# --- the sections ----------------------------------------------------------------------------

@dataclass(frozen=True)
class BuildConfig(Section):
    SECTION: ClassVar[str] = "build"

    sources: list[str] = key([], "Sources; empty: seeds/")  # noqa: RUF009 (a factory, see key)
    outbox: str = key("outbox", "Folder that receives one folder per edition")
    templates: str | None = key(None, "Your templates folder; overrides built-ins")
    highlights: int = key(8, "How many posts to highlight", ge=1, le=100)
    title: str | None = key(None, "Digest title; default: from the sources")
    max_age: int = key(7, "Days before the edition date a feed item may be and still be news; "
                       "0: no limit", ge=0)


_HEADER = (_one_line, _addresses)


@dataclass(frozen=True)
class EmailConfig(Section):
    SECTION: ClassVar[str] = "email"

    from_: str = key("Digest <digest@example.org>", "From header", toml="from", checks=_HEADER)
    to: str = key("Readers <readers@example.org>", "To header of outbox/…/digest.eml",
                  checks=_HEADER)
    reply_to: str | None = key(None, "Reply-To header", checks=_HEADER)
    list_id: str = key("digest.localhost", "List-Id (a domain-like id)",
                       checks=(_one_line, _ascii))
    message_id_domain: str = key("digest.localhost", "Right side of Message-IDs",
                                 checks=(_one_line, _ascii))
    # Not "?email={email}": SpamAssassin's GB_CUSTOM_HTM_URI scores a link whose query has
    # "email=" followed by the recipient's address (a phishing pattern) at 1.0.
    unsubscribe_url: str = key(
        "https://digest.localhost/unsubscribe?edition={edition}&recipient={email}",
        "One-click unsubscribe URL; {email} and {edition} are filled in",
        checks=(_one_line, _ascii, _https))
    unsubscribe_mailto: str = key(
        "mailto:unsubscribe@digest.localhost?subject=unsubscribe",
        "mailto: unsubscribe address for List-Unsubscribe", checks=(_one_line, _ascii, _mailto))
    show_reasons: bool = key(False, "Show readers why each post was picked (the editor's "
                             "reasons; always in the preview and edition.json)")
    brand: str | None = key(None, "The newsletter's name, for the masthead")
    logo_url: str | None = key(None, "https URL of a logo for the masthead",
                               checks=(_https_logo,))
    accent: str = key("#143fad", "Accent colour (#rrggbb): links, figures", checks=(_colour,))
    postal_address: str | None = key(None, "Sender's postal address, for the footer "
                                     "(CAN-SPAM asks for one; `digest check` warns)")


@dataclass(frozen=True)
class SendConfig(Section):
    SECTION: ClassVar[str] = "send"

    to: str | None = key(None, "Recipient list, a CSV file with email,name")
    smtp: str | None = key(None, "smtp://host:port, smtps://… or smtp+starttls://…")
    username: str | None = key(None, "SMTP AUTH user; password: DIGEST_SMTP_PASSWORD")
    rate: float = key(0, "Messages per second; 0 means no throttle", ge=0)
    timeout: float = key(30, "SMTP socket timeout in seconds", gt=0)
    ledger: str | None = key(None, "SQLAlchemy URL; default: outbox/ledger.sqlite")
    max_attempts: int = key(5, "Tries on 4xx before a recipient fails", ge=1)
    retry_after: float = key(60, "Seconds before the first retry after a 4xx; doubles each "
                             "time, at most an hour", ge=0)
    force: bool = key(False, "Send even if `digest check` fails")
    unconfirmed: Literal["hold", "resend"] = key(
        "hold", "A message whose reply never came after the end of data: hold it (never resent "
        "on its own) or resend it on the next run (up to max_attempts tries)")


@dataclass(frozen=True)
class ScheduleConfig(Section):
    SECTION: ClassVar[str] = "schedule"

    cron: str = key("0 8 * * MON-FRI", "Crontab expression, five fields (minute hour day month "
                    "weekday, 0/7 = Sunday); six fields: leading seconds", checks=(_cron,))
    timezone: str = key("UTC", "IANA time zone of the cron expression",
                        checks=(_parser("timezone"),))
    max_late: str = key("2h", "How late a missed slot may still go out: 90s, 15m, 2h, 1d, 1h30m",
                        checks=(_parser("duration"),))
    no_news: Literal["skip", "quiet"] = key("skip", "What to do with no news")
    min_highlights: int = key(1, "Fewer new posts than this is no news", ge=0)
    jobstore: str | None = key(None, "SQLAlchemy URL; default outbox/schedule.sqlite")

    @property
    def max_late_seconds(self) -> int:
        from digest.cron import parse_duration  # lazily: see _cron

        return parse_duration(self.max_late)


@dataclass(frozen=True)
class ArchiveConfig(Section):
    SECTION: ClassVar[str] = "archive"

    base_url: str | None = key(None, "https URL the outbox is published at; gives the email a "
                               "'view in browser' link and the archive absolute links",
                               checks=(_base_url,))


@dataclass(frozen=True)
class PreviewConfig(Section):
    SECTION: ClassVar[str] = "preview"

    port: int = key(8000, "Port on 127.0.0.1", ge=0, le=65535)


@dataclass(frozen=True)
class CheckConfig(Section):
    SECTION: ClassVar[str] = "check"

    max_html_bytes: int = key(102 * 1024, "Gmail clips HTML over 102 KB", gt=0)
    max_subject: int = key(78, "Longest subject line, in characters", gt=0)
    max_preheader: int = key(140, "Longest preheader, in characters", gt=0)
    spam_threshold: float = key(5.0, "SpamAssassin score that fails the check")


@dataclass(frozen=True)
class Config:
    build: BuildConfig = field(default_factory=BuildConfig)
    email: EmailConfig = field(default_factory=EmailConfig)
    send: SendConfig = field(default_factory=SendConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    preview: PreviewConfig = field(default_factory=PreviewConfig)
    archive: ArchiveConfig = field(default_factory=ArchiveConfig)
    check: CheckConfig = field(default_factory=CheckConfig)
    # Folder that relative paths in the file are resolved against (the file's own folder).
    base_dir: Path = field(default_factory=Path.cwd)
    path: Path | None = None

    def resolve(self, value: str | Path) -> Path:
        path = Path(value).expanduser()
        return path if path.is_absolute() else self.base_dir / path

    @property
    def ledger_url(self) -> str:
        """[send] ledger as an SQLAlchemy URL; default outbox/ledger.sqlite."""
        return self._database_url(self.send.ledger, "ledger.sqlite")

    @property
    def jobstore_url(self) -> str:
        """[schedule] jobstore as an SQLAlchemy URL; default outbox/schedule.sqlite."""
        return self._database_url(self.schedule.jobstore, "schedule.sqlite")

    def _database_url(self, value: str | None, default_file: str) -> str:
        # A URL as given; a file path (relative to the config's folder) as a SQLite URL.
        if not value:
            return f"sqlite:///{self.resolve(self.build.outbox) / default_file}"
        return value if "://" in value else f"sqlite:///{self.resolve(value)}"


# --- digest.toml's keys, and loading it -----------------------------------------------------

@dataclass(frozen=True)
class Key:
    """One key of digest.toml, as `digest init` writes it and the README documents it."""

    section: str
    name: str  # as in the TOML file
    attribute: str  # as on the section's dataclass
    description: str
    default: Any


SECTIONS: dict[str, type[Any]] = {
    "build": BuildConfig, "email": EmailConfig, "send": SendConfig, "schedule": ScheduleConfig,
    "preview": PreviewConfig, "archive": ArchiveConfig, "check": CheckConfig}


def keys() -> Iterator[Key]:
    for section, cls in SECTIONS.items():
        for f in dataclasses.fields(cls):
            yield Key(section, f.metadata["toml"] or f.name, f.name, f.metadata["description"],
                      default_of(f))


def config_from(data: dict[str, Any], base_dir: Path | None = None, path: Path | None = None,
                where: str = "command line") -> Config:
    """A Config from TOML-shaped `data` ({"email": {"from": …}}), validated; ConfigError
    naming `where` and the key if anything is wrong."""
    unknown = [name for name in data if name not in SECTIONS]
    if unknown:
        raise ConfigError(f"{unknown[0]}: unknown key", where=where)
    sections = {}
    for name, cls in SECTIONS.items():
        raw = data.get(name, {})
        if not isinstance(raw, dict):
            raise ConfigError(f"{name}: Input should be a valid dictionary (a [{name}] table)",
                              where=where)
        names = toml_names(cls)
        extra = [k for k in raw if k not in names]
        if extra:
            raise ConfigError(f"[{name}] {extra[0]}: unknown key", where=where)
        try:
            sections[name] = cls(**{names[k]: v for k, v in raw.items()})
        except ConfigError as exc:
            raise ConfigError(exc.message, where=where) from None
    return Config(**sections, base_dir=base_dir or Path.cwd(), path=path)


def load_config(path: str | Path | None = None, **overrides: Any) -> Config:
    """Load `path`, or ./digest.toml if it exists, or the defaults; then apply CLI overrides.

    `overrides` maps "section.key" (as "build.highlights") to values given on the command line;
    None values are ignored so unset options keep the file's value.
    """
    data: dict[str, Any] = {}
    file: Path | None = None
    if path is not None:
        file = Path(path)
        if not file.is_file():
            raise ConfigError("config file not found", where=str(file))
    elif Path(DEFAULT_FILE).is_file():
        file = Path(DEFAULT_FILE)
    if file is not None:
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except UnicodeDecodeError as exc:
            raise ConfigError(f"not UTF-8 ({exc.reason})", where=str(file)) from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"invalid TOML: {exc}", where=str(file)) from None
        except RecursionError:  # tomllib recurses per nesting level
            raise ConfigError("invalid TOML: nested too deeply", where=str(file)) from None
    for dotted, value in overrides.items():
        if value is None:
            continue
        section, name = dotted.split(".", 1)
        data.setdefault(section, {})[name] = value
    base = file.resolve().parent if file is not None else Path.cwd()
    return config_from(data, base, file, str(file or "command line"))
