"""Typed configuration, validated once at load. Nothing downstream re-checks it.

Every key has a default, so a bare `digest build` works with no file at all. An unknown or
ill-typed key is a ConfigError naming the file and the key.
"""

from __future__ import annotations

import re
import tomllib
from email.utils import getaddresses
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from digest.errors import ConfigError

DEFAULT_FILE = "digest.toml"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class BuildConfig(_Section):
    sources: list[str] = Field(default_factory=list, description="Sources; empty: seeds/")
    outbox: str = Field("outbox", description="Folder that receives one folder per edition")
    templates: str | None = Field(None, description="Your templates folder; overrides built-ins")
    highlights: int = Field(8, ge=1, le=100, description="How many posts to highlight")
    title: str | None = Field(None, description="Digest title; default: from the sources")
    max_age: int = Field(7, ge=0, description="Days before the edition date a feed item may "
                         "be and still be news; 0: no limit")


class EmailConfig(_Section):
    from_: str = Field("Digest <digest@example.org>", alias="from", description="From header")
    to: str = Field("Readers <readers@example.org>", description="To header of outbox/…/digest.eml")
    reply_to: str | None = Field(None, description="Reply-To header")
    list_id: str = Field("digest.localhost", description="List-Id (a domain-like id)")
    message_id_domain: str = Field("digest.localhost", description="Right side of Message-IDs")
    # Not "?email={email}": SpamAssassin's GB_CUSTOM_HTM_URI scores a link whose query has
    # "email=" followed by the recipient's address (a phishing pattern) at 1.0.
    unsubscribe_url: str = Field(
        "https://digest.localhost/unsubscribe?edition={edition}&recipient={email}",
        description="One-click unsubscribe URL; {email} and {edition} are filled in",
    )
    unsubscribe_mailto: str = Field(
        "mailto:unsubscribe@digest.localhost?subject=unsubscribe",
        description="mailto: unsubscribe address for List-Unsubscribe",
    )
    show_reasons: bool = Field(False, description="Show readers why each post was picked "
                               "(the editor's reasons; always in the preview and edition.json)")
    brand: str | None = Field(None, description="The newsletter's name, for the masthead")
    logo_url: str | None = Field(None, description="https URL of a logo for the masthead")
    accent: str = Field("#143fad", description="Accent colour (#rrggbb): links, figures")
    postal_address: str | None = Field(None, description="Sender's postal address, for the "
                                       "footer (CAN-SPAM asks for one; `digest check` warns)")

    @field_validator("logo_url")
    @classmethod
    def _https_logo(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("https://"):
            raise ValueError("must be an https:// URL (mail clients block others)")
        return value

    @field_validator("accent")
    @classmethod
    def _colour(cls, value: str) -> str:
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
            raise ValueError(f"must be a colour as #rrggbb, got {value!r}")
        return value.lower()

    @field_validator("from_", "to", "reply_to", "list_id", "message_id_domain",
                     "unsubscribe_url", "unsubscribe_mailto")
    @classmethod
    def _one_line(cls, value: str | None) -> str | None:
        # Every one of these reaches a mail header: CR or LF there would inject headers.
        if value is not None and any(ch in value for ch in "\r\n\0"):
            raise ValueError("CR, LF or NUL in a value that goes into a mail header")
        return value

    @field_validator("from_", "to", "reply_to")
    @classmethod
    def _addresses(cls, value: str | None) -> str | None:
        if value is not None:
            pairs = getaddresses([value])
            if not pairs or any(not re.fullmatch(r"[^@\s]+@[^@\s]+", addr) for _, addr in pairs):
                raise ValueError(f"not an email address: {value!r} (use: Name <user@domain>)")
        return value

    @field_validator("list_id", "message_id_domain", "unsubscribe_url", "unsubscribe_mailto")
    @classmethod
    def _ascii(cls, value: str) -> str:
        # Checked here, at load, so the error names the file (rendering checks it again).
        if not value.isascii() or len(value) > 950:
            raise ValueError("must be ASCII (percent-encode it) and under 950 characters")
        return value

    @field_validator("unsubscribe_mailto")
    @classmethod
    def _mailto(cls, value: str) -> str:
        if not value.startswith("mailto:"):
            raise ValueError("must be a mailto: URL")
        return value

    @field_validator("unsubscribe_url")
    @classmethod
    def _https(cls, value: str) -> str:
        if not value.startswith("https://"):
            raise ValueError("must be an https:// URL (RFC 8058 one-click unsubscribe)")
        return value


class SendConfig(_Section):
    to: str | None = Field(None, description="Recipient list, a CSV file with email,name")
    smtp: str | None = Field(None, description="smtp://host:port, smtps://… or smtp+starttls://…")
    username: str | None = Field(None, description="SMTP AUTH user; password: DIGEST_SMTP_PASSWORD")
    rate: float = Field(0, ge=0, description="Messages per second; 0 means no throttle")
    timeout: float = Field(30, gt=0, description="SMTP socket timeout in seconds")
    ledger: str | None = Field(None, description="SQLAlchemy URL; default: outbox/ledger.sqlite")
    max_attempts: int = Field(5, ge=1, description="Tries on 4xx before a recipient fails")
    retry_after: float = Field(60, ge=0, description="Seconds before the first retry after a "
                               "4xx; doubles each time, at most an hour")
    force: bool = Field(False, description="Send even if `digest check` fails")
    unconfirmed: Literal["hold", "resend"] = Field(
        "hold", description="A message whose reply never came after the end of data: hold it "
        "(never resent on its own) or resend it on the next run (up to max_attempts tries)")


class ScheduleConfig(_Section):
    cron: str = Field("0 8 * * MON-FRI", description="Crontab expression, five fields (minute "
                      "hour day month weekday, 0/7 = Sunday); six fields: leading seconds")
    timezone: str = Field("UTC", description="IANA time zone of the cron expression")
    max_late: str = Field("2h", description="How late a missed slot may still go out: 90s, 15m, "
                          "2h, 1d, 1h30m")
    no_news: Literal["skip", "quiet"] = Field("skip", description="What to do with no news")
    min_highlights: int = Field(1, ge=0, description="Fewer new posts than this is no news")
    jobstore: str | None = Field(None, description="SQLAlchemy URL; default outbox/schedule.sqlite")

    # Checked here, once, so a bad value names its key and file at load. The parsers (digest.cron)
    # are imported lazily, when [schedule] is set: they load APScheduler, which costs every
    # other command start-up time.
    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        from digest.cron import parse_cron  # lazily: see above

        try:
            return parse_cron(value).expr
        except ValueError as exc:
            raise PydanticCustomError("cron", str(exc)) from None

    @field_validator("timezone", "max_late")
    @classmethod
    def _parses(cls, value: str, info: ValidationInfo) -> str:
        from digest.cron import parse_duration, parse_timezone  # lazily: see above

        parse = parse_timezone if info.field_name == "timezone" else parse_duration
        try:
            parse(value)
        except ValueError as exc:
            raise PydanticCustomError(str(info.field_name), str(exc)) from None
        return value

    @property
    def max_late_seconds(self) -> int:
        from digest.cron import parse_duration  # lazily: see above

        return parse_duration(self.max_late)


class ArchiveConfig(_Section):
    base_url: str | None = Field(None, description="https URL the outbox is published at; "
                                 "gives the email a 'view in browser' link and the archive "
                                 "absolute links")

    @field_validator("base_url")
    @classmethod
    def _base(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith("https://"):
            raise ValueError("must be an https:// URL")
        return value if value.endswith("/") else value + "/"


class PreviewConfig(_Section):
    port: int = Field(8000, ge=0, le=65535, description="Port on 127.0.0.1")


class CheckConfig(_Section):
    max_html_bytes: int = Field(102 * 1024, gt=0, description="Gmail clips HTML over 102 KB")
    max_subject: int = Field(78, gt=0, description="Longest subject line, in characters")
    max_preheader: int = Field(140, gt=0, description="Longest preheader, in characters")
    spam_threshold: float = Field(5.0, description="SpamAssassin score that fails the check")


class Config(_Section):
    build: BuildConfig = Field(default_factory=BuildConfig)  # type: ignore[arg-type]
    email: EmailConfig = Field(default_factory=EmailConfig)  # type: ignore[arg-type]
    send: SendConfig = Field(default_factory=SendConfig)  # type: ignore[arg-type]
    schedule: ScheduleConfig = Field(default_factory=ScheduleConfig)  # type: ignore[arg-type]
    preview: PreviewConfig = Field(default_factory=PreviewConfig)  # type: ignore[arg-type]
    archive: ArchiveConfig = Field(default_factory=ArchiveConfig)  # type: ignore[arg-type]
    check: CheckConfig = Field(default_factory=CheckConfig)  # type: ignore[arg-type]
    # Folder that relative paths in the file are resolved against (the file's own folder).
    base_dir: Path = Field(default_factory=Path.cwd, exclude=True)
    path: Path | None = Field(None, exclude=True)

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


def _describe(err: ValidationError) -> str:
    first = err.errors()[0]
    loc = [str(part) for part in first["loc"]]
    key = f"[{loc[0]}] {'.'.join(loc[1:])}" if len(loc) > 1 else loc[0] if loc else "?"
    msg = "unknown key" if first["type"] == "extra_forbidden" else first["msg"]
    return f"{key}: {msg}"


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
        section, key = dotted.split(".", 1)
        data.setdefault(section, {})[key] = value
    base = file.resolve().parent if file is not None else Path.cwd()
    try:
        return Config.model_validate({**data, "base_dir": base, "path": file})
    except ValidationError as exc:
        raise ConfigError(_describe(exc), where=str(file or "command line")) from None
