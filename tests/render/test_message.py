"""build_message: headers, parts, determinism, header injection."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from collections.abc import Callable
from email.message import EmailMessage

import pytest

from digest.config import EmailConfig, config_from
from digest.errors import ConfigError
from digest.model import Edition
from digest.render.message import build_message, message_bytes
from digest.render.templates import Rendered, render_edition


@pytest.fixture
def rendered(edition: Edition) -> Rendered:
    return render_edition(edition, None)


def _email(values: dict[str, str]) -> EmailConfig:
    """[email] as digest.toml gives it ("from", not from_), validated as load_config does."""
    return config_from({"email": values}).email


def _unchecked(**values: str) -> EmailConfig:
    """An [email] whose values nothing checked (a section checks what it is given)."""
    config = EmailConfig()
    for name, value in values.items():
        object.__setattr__(config, name, value)
    return config


def _parse(msg: EmailMessage) -> EmailMessage:
    parsed = email.message_from_bytes(message_bytes(msg), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_outbox_message_headers(edition: Edition, rendered: Rendered) -> None:
    cfg = _email({
        "from": "Digest <news@example.org>", "to": "Ann <ann@example.org>",
        "unsubscribe_url": "https://example.org/u?e={email}&ed={edition}",
        "list_id": "digest.example.org", "message_id_domain": "example.org"})
    msg = _parse(build_message(edition, rendered, cfg))
    assert msg["From"] == "Digest <news@example.org>"
    assert msg["To"] == "Ann <ann@example.org>"
    assert msg["Subject"] == "X Spaces outage · 13 Aug 2024"
    assert msg["Date"] == "Tue, 13 Aug 2024 08:00:00 +0000"
    assert msg["Message-ID"].endswith("@example.org>")
    assert msg["MIME-Version"] == "1.0"
    assert msg["List-Id"] == "<digest.example.org>"
    assert msg["List-Unsubscribe"] == (
        "<https://example.org/u?e=ann%40example.org&ed=2024-08-13>, "
        "<mailto:unsubscribe@digest.localhost?subject=unsubscribe>")
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg.get_content_type() == "multipart/alternative"
    parts = list(msg.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert all("MIME-Version" not in p for p in parts)
    html = parts[1].get_content()
    assert 'href="https://example.org/u?e=ann%40example.org&amp;ed=2024-08-13"' in html
    assert "ann@example.org" in parts[0].get_content()
    assert "%%" not in html.replace("%\u200b%", "")


def test_lines_and_line_ends(edition: Edition, rendered: Rendered) -> None:
    raw = message_bytes(build_message(edition, rendered, EmailConfig()))
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998


def test_deterministic_but_unique_per_recipient(edition: Edition, rendered: Rendered) -> None:
    cfg = EmailConfig()
    one = message_bytes(build_message(edition, rendered, cfg))
    assert one == message_bytes(build_message(edition, rendered, cfg))
    ann = build_message(edition, rendered, cfg, to="Ann <ann@x.org>")
    bob = build_message(edition, rendered, cfg, to="bob@x.org")
    assert ann["Message-ID"] != bob["Message-ID"] != build_message(edition, rendered, cfg)[
        "Message-ID"]
    assert ann["Message-ID"] == build_message(edition, rendered, cfg, to="ann@x.org")[
        "Message-ID"]
    assert "recipient=ann%40x.org" in ann["List-Unsubscribe"]


def test_per_recipient_values_are_escaped(edition: Edition, rendered: Rendered) -> None:
    values = {"name": "<b>Ann</b>", "email": "ann@x.org",
              "unsubscribe_url": "https://x.org/u?e=ann@x.org&x=1"}
    when = dt.datetime(2024, 8, 14, 9, 30, tzinfo=dt.UTC)
    msg = _parse(build_message(edition, rendered, EmailConfig(), to="ann@x.org",
                               values=values, date=when))
    html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert 'href="https://x.org/u?e=ann@x.org&amp;x=1"' in html
    assert msg["Date"] == "Wed, 14 Aug 2024 09:30:00 +0000"


@pytest.mark.parametrize("key", ["from", "to", "reply_to", "list_id", "unsubscribe_url"])
def test_header_injection_from_config_is_refused(key: str, edition: Edition,
                                                  rendered: Rendered) -> None:
    value = "https://x.org/u\r\nBcc: victim@x.org" if key == "unsubscribe_url" else \
        "a@x.org\nBcc: victim@x.org"
    with pytest.raises(ConfigError, match="CR, LF or NUL"):  # refused at load already
        _email({key: value})
    # and again when the message is built, for a config made without validation
    cfg = _unchecked(**{("from_" if key == "from" else key): value})
    with pytest.raises(ConfigError, match=rf"\[email\] {key}"):
        build_message(edition, rendered, cfg)


def test_header_injection_from_recipient_is_refused(edition: Edition,
                                                    rendered: Rendered) -> None:
    with pytest.raises(ConfigError, match="recipient"):
        build_message(edition, rendered, EmailConfig(), to="a@x.org\r\nBcc: v@x.org")
    with pytest.raises(ConfigError, match="unsubscribe"):
        build_message(edition, rendered, EmailConfig(), to="a@x.org",
                      values={"unsubscribe_url": "https://x\nBcc: v@x.org"})


def test_unsubscribe_must_be_https(edition: Edition, rendered: Rendered) -> None:
    with pytest.raises(ConfigError, match="https"):
        _email({"unsubscribe_url": "http://x.org/u"})
    with pytest.raises(ConfigError, match="unsubscribe_url"):
        build_message(edition, rendered, _unchecked(unsubscribe_url="http://x.org/u"))


def test_subject_newlines_from_sources_are_folded(edition_factory: Callable[..., Edition],
                                                  rendered: Rendered) -> None:
    edition = edition_factory(subject="Outage\r\nBcc: victim@x.org")
    msg = _parse(build_message(edition, rendered, EmailConfig()))
    assert msg["Subject"] == "Outage Bcc: victim@x.org"
    assert msg["Bcc"] is None


@pytest.mark.parametrize("bad", ["not an address", "x@", "<>", "Readers"])
def test_unreadable_addresses_are_refused(bad: str, edition: Edition,
                                          rendered: Rendered) -> None:
    with pytest.raises(ConfigError, match="not an email address"):  # refused at load
        _email({"from": bad})
    with pytest.raises(ConfigError, match=r"\[email\] from"):  # and when building
        build_message(edition, rendered, _unchecked(from_=bad))
    with pytest.raises(ConfigError, match="recipient address"):
        build_message(edition, rendered, EmailConfig(), to=bad)


def test_display_names_with_commas_and_accents(edition: Edition, rendered: Rendered) -> None:
    cfg = _email({"from": '"Digest, Weekly" <d@x.org>',
                                      "to": "Zoë <z@x.org>"})
    msg = _parse(build_message(edition, rendered, cfg))
    assert msg["From"].addresses[0].addr_spec == "d@x.org"
    assert msg["To"].addresses[0].display_name == "Zoë"


def test_per_recipient_unsubscribe_must_be_https(edition: Edition, rendered: Rendered) -> None:
    with pytest.raises(ConfigError, match="https"):
        build_message(edition, rendered, EmailConfig(), to="a@x.org",
                      values={"unsubscribe_url": "javascript:alert(1)"})
