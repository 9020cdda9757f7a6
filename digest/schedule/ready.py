"""Is sending configured? Checked before a slot is claimed or built, when the daemon starts,
and (as warnings) by `digest schedule --crontab`: a setting that would fail every slot the same
way is reported once, up front, naming its key, instead of at 8:00 after a build."""

from __future__ import annotations

import os

from digest.config import Config
from digest.deliver.recipients import envelope_sender
from digest.deliver.smtp import PASSWORD_ENV, parse_smtp_url
from digest.errors import ConfigError, DigestError


def problems(config: Config, who: str, *, password: bool = True) -> list[str]:
    """Each setting that keeps `who` from sending, as "[section] key: what is wrong".

    `password`: also require DIGEST_SMTP_PASSWORD in this environment when the URL names a
    user (not for --crontab: cron's environment is set in the crontab itself)."""
    found = []
    if config.send.to is None:
        found.append(f"[send] to: {who} needs a recipient list")
    if config.send.smtp is None:
        found.append(f"[send] smtp: {who} needs an SMTP server URL")
    if config.send.to is not None and not config.resolve(config.send.to).is_file():
        found.append(f"[send] to: no such file {config.resolve(config.send.to)}")
    try:
        envelope_sender(config.email.from_)
        if config.send.smtp is not None:
            url = parse_smtp_url(config.send.smtp, config.send.username)
            if password and url.username and not os.environ.get(PASSWORD_ENV):
                found.append(f"[send] smtp: AUTH as {url.username!r} needs {PASSWORD_ENV} "
                             "in the environment")
    except DigestError as exc:
        found.append(str(exc))
    return found


def preflight(config: Config, who: str) -> None:
    """Raise ConfigError (exit 2) naming the config file and the first problem."""
    found = problems(config, who)
    if found:
        raise ConfigError(found[0], where=str(config.path or "command line"))
