"""SMTP URLs and the transport's small pieces."""

from __future__ import annotations

import pytest

from digest.errors import ConfigError
from digest.smtp import SmtpUrl, parse_smtp_url


@pytest.mark.parametrize(("url", "expected"), [
    ("smtp://mail.example.org", SmtpUrl("smtp", "mail.example.org", 25)),
    ("smtp://127.0.0.1:2525?starttls=1", SmtpUrl("smtp", "127.0.0.1", 2525, starttls=True)),
    ("smtp+starttls://m.example.org", SmtpUrl("smtp+starttls", "m.example.org", 587,
                                              starttls=True)),
    ("smtps://u%40x@m.example.org:4650?cafile=/ca.pem",
     SmtpUrl("smtps", "m.example.org", 4650, "u@x", cafile="/ca.pem")),
])
def test_parse(url: str, expected: SmtpUrl) -> None:
    assert parse_smtp_url(url) == expected


def test_username_from_config() -> None:
    assert parse_smtp_url("smtp://h", "digest").username == "digest"
    assert str(parse_smtp_url("smtp://digest@h:25")) == "smtp://digest@h:25"


@pytest.mark.parametrize(("url", "message"), [
    ("http://h", "unknown scheme"),
    ("smtp://u:secret@h", "DIGEST_SMTP_PASSWORD"),
    ("smtp://", "no host"),
    ("smtp://h:99999", "bad port"),
    ("smtp://h?verify=0", "unknown URL option"),
    ("smtps://h?starttls=1", "TLS already"),
    ("smtp://h\r\nRCPT", "control characters"),
])
def test_refused(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as err:
        parse_smtp_url(url)
    assert "secret" not in str(err.value)
