"""The per-recipient bytes template says what digest.render.message.build_message says."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import formataddr

import pytest
from conftest import make_edition

from digest.config import EmailConfig
from digest.deliver.compose import MessageTemplate
from digest.deliver.recipients import Recipient
from digest.render.message import build_message, message_bytes
from digest.render.personalize import recipient_values
from digest.render.templates import Rendered, render_edition

DATE = dt.datetime(2026, 11, 28, 8, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def rendered() -> Rendered:
    return render_edition(make_edition(), None)


def parse(data: bytes) -> EmailMessage:
    msg = message_from_bytes(data, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


@pytest.mark.parametrize("recipient", [
    Recipient("ann@example.com", "Ann Smith"),
    Recipient("bob@example.org", "Bób Müller", (("company", "A&B <Co>"),)),
    Recipient("cy@example.net", None),
    Recipient("dot@example.net", ".leading dot & <b>tags</b>"),
])
def test_same_as_build_message(rendered: Rendered, recipient: Recipient) -> None:
    email = EmailConfig()
    edition = make_edition()
    ours = MessageTemplate(edition, rendered, email, DATE).compose(recipient)
    values = recipient_values(email.unsubscribe_url, edition.edition, recipient.email,
                              recipient.name, **dict(recipient.extra))
    reference = build_message(edition, rendered, email, date=DATE, values=values,
                              to=formataddr((recipient.name or "", recipient.email)))
    a, b = parse(ours.data), parse(message_bytes(reference))
    for header in ("From", "To", "Subject", "Date", "Message-ID", "List-Id",
                   "List-Unsubscribe", "List-Unsubscribe-Post", "MIME-Version"):
        assert str(a[header]) == str(b[header]), header
    assert ours.message_id == a["Message-ID"]
    for kind in ("plain", "html"):
        part_a, part_b = a.get_body((kind,)), b.get_body((kind,))
        assert part_a is not None and part_b is not None
        assert part_a.get_content() == part_b.get_content()
    lines = ours.data.split(b"\r\n")
    assert ours.data.endswith(b"\r\n") and b"\n" not in ours.data.replace(b"\r\n", b"")
    assert not any(line.startswith(b".") for line in lines)  # no dot-stuffing needed
    assert max(len(line) for line in lines) <= 998


def test_message_ids_are_per_recipient_and_stable(rendered: Rendered) -> None:
    template = MessageTemplate(make_edition(), rendered, EmailConfig(), DATE)
    a = template.compose(Recipient("a@x.org", "A")).message_id
    assert a == template.compose(Recipient("a@x.org", "A")).message_id
    assert a != template.compose(Recipient("b@x.org", "A")).message_id
