"""One exception tree. The CLI turns any DigestError into one line on stderr and its exit code."""

from __future__ import annotations


class DigestError(Exception):
    """A failure the user can act on; `str(err)` is the one line shown to them."""

    exit_code = 2

    def __init__(self, message: str, *, where: str | None = None) -> None:
        # `where` is "file", "file:line" or "file: key" so every message names its origin.
        self.message = message
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)


class ConfigError(DigestError):
    """digest.toml (or a --config file) is unreadable, has an unknown key or a bad value."""


class SourceError(DigestError):
    """A source (roundup, feed, JSON export) is missing, empty, undecodable or has no posts."""


class TemplateError(DigestError):
    """A template failed to load, compile or render (Jinja2 or MJML)."""


class TraceError(DigestError):
    """The summary holds a number that cannot be traced to a post, a comparison or a count."""


class OutboxError(DigestError):
    """The outbox or an edition folder cannot be read or written."""


class RecipientsError(DigestError):
    """The recipient list cannot be used at all (single bad rows are reported, not raised)."""


class DeliveryError(DigestError):
    """SMTP delivery could not start or went wrong as a whole."""

    exit_code = 1


class ScheduleError(DigestError):
    """The schedule or its job store cannot be used."""


class CheckFailed(DigestError):
    """An edition failed `digest check`; sending refuses it unless forced."""

    exit_code = 1


class PreviewError(DigestError):
    """The preview server cannot start (the port is taken, say)."""
