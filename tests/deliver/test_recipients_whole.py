"""A recipient list fails whole, not half (issue 14, item 3): a structural CSV error stops the
send before anything goes out, naming the line; bad rows of a sound file are still skipped and
listed; a separator inside a name (U+2028, a form feed, NEL) never splits a row."""

from __future__ import annotations

from pathlib import Path

import pytest
from smtp_server import SmtpServer, build_edition, copy_edition, run_cli, write_config

from digest.deliver.recipients import read_recipients
from digest.errors import RecipientsError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "to.csv"
    path.write_text(text, encoding="utf-8", newline="")
    return path


def rows(count: int, start: int = 0) -> str:
    return "".join(f"r{i}@example.org,Reader {i}\n" for i in range(start, start + count))


def test_an_unbalanced_quote_in_a_big_list_stops_it_naming_the_line(tmp_path: Path) -> None:
    # It used to queue the 9 rows before the quote and drop the 99,990 after it as one bad row.
    text = "email,name\n" + rows(9) + 'q@example.org,"Quinn\n' + rows(99_990, 9)
    with pytest.raises(RecipientsError) as info:
        read_recipients(write(tmp_path, text))
    assert str(info.value).startswith(f"{tmp_path}/to.csv:11: broken CSV (")
    assert str(info.value).endswith("an unbalanced quote? Nothing was sent")


def test_a_field_swallowing_rows_stops_the_list(tmp_path: Path) -> None:
    # The quote closes 50 rows later: the csv module would read one row holding 50 addresses.
    text = "email,name\n" + rows(3) + 'q@example.org,"Quinn\n' + rows(50, 3) + '"\n' + rows(2, 60)
    with pytest.raises(RecipientsError) as info:
        read_recipients(write(tmp_path, text))
    assert str(info.value) == (f"{tmp_path}/to.csv:5: a quoted field runs over lines 5-56, "
                               "swallowing rows: an unbalanced quote? Nothing was sent")


def test_a_line_break_in_one_name_is_still_one_bad_row(tmp_path: Path) -> None:
    got = read_recipients(write(tmp_path, 'email,name\n"a@x.org","Eve\nBcc: v@x.org"\nb@x.org,B\n'))
    assert [(b.line, b.reason.split(" (")[0]) for b in got.bad] == [
        (2, "control character or line break in the name")]
    assert [(r.email, r.line) for r in got.recipients] == [("b@x.org", 4)]


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x0c", "\x0b", "\x85", "\x1e"])
def test_a_separator_in_a_name_never_splits_the_row(tmp_path: Path, separator: str) -> None:
    got = read_recipients(write(tmp_path, f"email,name\na@x.org,Ann{separator}Smith\n"
                                          "b@x.org,Bob\n"))
    # One row, refused for the header-unsafe name: not "a@x.org,Ann" sent and "Smith" a bad row.
    assert [(b.line, b.reason.split(" (")[0]) for b in got.bad] == [
        (2, "control character or line break in the name")]
    assert [(r.email, r.name, r.line) for r in got.recipients] == [("b@x.org", "Bob", 3)]


def test_wrong_encoding_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "to.csv"
    path.write_bytes(b"email,name\na@x.org,A\nz@x.org,Zo\xeb\n")
    with pytest.raises(RecipientsError) as info:
        read_recipients(path)
    assert str(info.value) == (f"{path}:3: not UTF-8 (invalid continuation byte at byte 31); "
                               "nothing was sent")


@pytest.mark.timeout(120)
def test_a_broken_list_sends_nothing(tmp_path: Path) -> None:
    edition = copy_edition(build_edition(tmp_path / "built"), tmp_path / "outbox")
    to = write(tmp_path, "email,name\n" + rows(3) + 'q@example.org,"Quinn\n' + rows(20, 3))
    write_config(tmp_path, smtp=None, to=to)
    with SmtpServer() as server:
        result = run_cli("send", str(edition), "--smtp", server.url, cwd=tmp_path)
        assert server.messages == []
    assert "Traceback" not in result.stderr
    assert result.returncode == 2
    assert result.stderr.strip() == (f"digest: error: {to}:5: broken CSV (unexpected end of data): "
                                     "an unbalanced quote? Nothing was sent")
