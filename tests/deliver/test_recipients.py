"""The recipient CSV: validation, case-insensitive duplicates, bad rows by line number."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.deliver.recipients import read_recipients
from digest.errors import RecipientsError


def write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "to.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_good_rows_extra_columns_and_idn(tmp_path: Path) -> None:
    got = read_recipients(write(tmp_path, "\ufeffEmail,Name,Company Name\n"
                                          "Ann@Example.COM,Ann,ACME\n"
                                          "dee@münchen.de,Dee,\n"
                                          '"ed@x.org","Smith, Ed ""E""",Co\n'))
    assert [(r.email, r.name, r.line) for r in got.recipients] == [
        ("Ann@example.com", "Ann", 2), ("dee@xn--mnchen-3ya.de", "Dee", 3),
        ("ed@x.org", 'Smith, Ed "E"', 4)]
    assert got.recipients[0].extra == (("company_name", "ACME"),)
    assert got.bad == () and got.duplicates == ()


def test_bad_rows_are_reported_by_line_and_good_rows_kept(tmp_path: Path) -> None:
    got = read_recipients(write(tmp_path, "email,name\n"
                                          "a@x.org,A\n"
                                          "not-an-address,B\n"
                                          "\n"
                                          "A@X.ORG,duplicate\n"
                                          '"c@x.org","Eve\nBcc: victim@x.org"\n'
                                          "d@x.org,D,extra,cells\n"
                                          ",no address\n"
                                          "ü@x.org,needs SMTPUTF8\n"
                                          "e@x.org,\x07bell\n"
                                          "f@x.org,F\n"))
    assert [r.email for r in got.recipients] == ["a@x.org", "f@x.org"]
    assert [(b.line, b.reason.split(":")[0].split(" (")[0]) for b in got.bad] == [
        (3, "invalid email address"),
        (6, "control character or line break in the name"),
        (8, "4 columns, the header has 2"),
        (9, "no email address"),
        (10, "invalid email address"),
        (11, "control character or line break in the name"),
    ]
    assert [(d.line, d.reason) for d in got.duplicates] == [(5, "duplicate of line 2")]
    assert "line 3: invalid email address" in str(got.bad[0])


@pytest.mark.parametrize(("text", "message"), [
    ("", "empty recipient list"),
    ("name,city\nAnn,Paris\n", "no 'email' column"),
])
def test_unusable_lists(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(RecipientsError, match=message) as err:
        read_recipients(write(tmp_path, text))
    assert "to.csv" in str(err.value)


def test_missing_and_undecodable(tmp_path: Path) -> None:
    with pytest.raises(RecipientsError, match="not found"):
        read_recipients(tmp_path / "nope.csv")
    with pytest.raises(RecipientsError, match="not UTF-8"):
        read_recipients(write(tmp_path, "email\nzoë@x.org\n", encoding="latin-1"))


@pytest.mark.parametrize("text", [
    "email;name\nann@example.com;Ann, Jr.\nbob@example.org;Bob\n",
    "Email Address\tFull Name\nann@example.com\tAnn, Jr.\nbob@example.org\tBob\n",
    "\ufeffE-mail,Display Name\r\nann@example.com,\"Ann, Jr.\"\r\nbob@example.org,Bob\r\n",
])
def test_spreadsheet_exports_are_read(tmp_path: Path, text: str) -> None:
    got = read_recipients(write(tmp_path, text))
    assert [(r.email, r.name, r.line) for r in got.recipients] == [
        ("ann@example.com", "Ann, Jr.", 2), ("bob@example.org", "Bob", 3)]
    assert got.bad == ()


def test_no_email_column_names_the_header_and_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "address,who\nann@example.com,Ann\n")
    with pytest.raises(RecipientsError, match=r"to\.csv:1: no 'email' column in the header row "
                                              r"\['address', 'who'\]"):
        read_recipients(path)
