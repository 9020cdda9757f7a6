"""The checks behind `digest check`, one small function each, grouped by what they look at.

Every check takes the loaded edition (`Mail`) and the config and returns one `CheckResult`.
`digest.check` runs them in `CHECKS` order, prints them and decides the exit code.
"""

from __future__ import annotations

from collections.abc import Callable

from digest.checks.content import (
    check_accessibility,
    check_images,
    check_links,
    check_size,
    check_text_part,
)
from digest.checks.headers import (
    check_headers,
    check_line_length,
    check_mime,
    check_one_click,
    check_preheader,
    check_subject,
)
from digest.checks.mail import CheckResult, Mail, Status, load_mail
from digest.checks.tools import check_clients, check_spam
from digest.config import Config

Check = Callable[[Mail, Config], CheckResult]

# The order they print in: cheap structural checks first, external tools last.
CHECKS: tuple[Check, ...] = (
    check_mime,
    check_size,
    check_images,
    check_links,
    check_text_part,
    check_accessibility,
    check_headers,
    check_one_click,
    check_subject,
    check_preheader,
    check_line_length,
    check_spam,
    check_clients,
)

__all__ = ["CHECKS", "Check", "CheckResult", "Mail", "Status", "load_mail"]
