"""SMTP URLs and the transport's small pieces."""

from __future__ import annotations

import pytest

from digest.deliver.smtp import SmtpUrl, parse_smtp_url
from digest.errors import ConfigError


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
    assert parse_smtp_url("smtp+starttls://h", "digest").username == "digest"
    assert str(parse_smtp_url("smtps://digest@h:465")) == "smtps://digest@h:465"


@pytest.mark.parametrize("url", ["smtp://u@localhost:25", "smtp://u@127.0.0.1:2525",
                                 "smtp://u@[::1]:25", "smtp://u@m.example.org?starttls=1"])
def test_auth_in_clear_only_to_this_machine(url: str) -> None:
    assert parse_smtp_url(url).username == "u"


@pytest.mark.parametrize(("url", "message"), [
    ("http://h", "unknown scheme"),
    ("smtp://u:secret@h", "DIGEST_SMTP_PASSWORD"),
    ("smtp://", "no host"),
    ("smtp://h:99999", "bad port"),
    ("smtp://h?verify=0", "unknown URL option"),
    ("smtps://h?starttls=1", "TLS already"),
    ("smtp://h\r\nRCPT", "control characters"),
    ("smtp://u@mail.example.org", "AUTH as 'u' over an unencrypted connection to "
                                  "mail.example.org; use smtp\\+starttls:// or smtps://"),
    ("smtp://10.0.0.2", "unencrypted connection to 10.0.0.2"),
])
def test_refused(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as err:
        parse_smtp_url(url, "u" if "10.0.0.2" in url else None)
    assert "secret" not in str(err.value)
