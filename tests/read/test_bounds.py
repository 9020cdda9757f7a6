"""Sources are bounded: an http fetch has an overall deadline and must deliver its whole
Content-Length; only regular files are read, and none over the size cap (issue 14, item 4).
The network tests talk only to servers they start on 127.0.0.1."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from http_faults import JSONL, bad_http

from digest.errors import SourceError
from digest.read import fetch, read_sources

MAX_SOURCE_BYTES = 20 * 2**20  # the cap, as a user reads it in the message



@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIGEST_CACHE_DIR", str(tmp_path / "cache"))


def test_a_whole_answer_is_read() -> None:
    with bad_http("ok") as url:
        (doc,) = read_sources([url])
    assert len(doc.posts) == 6


def test_a_body_cut_short_of_its_content_length_is_an_error() -> None:
    with bad_http("short") as url, pytest.raises(SourceError) as info:
        read_sources([url])  # it used to give an edition of the 2 posts that arrived
    assert str(info.value).startswith(f"{url}: answer cut short: ")
    assert str(info.value).endswith(f" of {len(JSONL)} bytes")


@pytest.mark.timeout(60)
def test_a_server_that_drips_fails_at_the_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    # A byte every 0.3 s never trips the per-read timeout; only the overall deadline stops it.
    monkeypatch.setattr(fetch, "DEADLINE", 1.5)
    monkeypatch.setattr(fetch, "TIMEOUT", 1.0)
    with bad_http("drip") as url, pytest.raises(SourceError) as info:
        read_sources([url])
    assert str(info.value) == f"{url}: no whole answer within 1.5 s"


@pytest.mark.timeout(30)
def test_a_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "posts.json"
    os.mkfifo(fifo)
    with pytest.raises(SourceError) as info:
        read_sources([str(fifo)])  # it used to block for ever, waiting for a writer
    assert str(info.value) == f"{fifo}: not a regular file (a pipe, socket or device)"


@pytest.mark.timeout(30)
@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_a_device_is_refused() -> None:
    with pytest.raises(SourceError, match=r"^/dev/zero: not a regular file"):
        read_sources(["/dev/zero"])


def test_a_file_over_the_cap_is_refused_naming_the_cap(tmp_path: Path) -> None:
    big = tmp_path / "huge.jsonl"
    with big.open("wb") as out:  # sparse: costs no disk, and is never read
        out.truncate(MAX_SOURCE_BYTES + 1)
    with pytest.raises(SourceError) as info:
        read_sources([str(big)])
    assert str(info.value) == (f"{big}: larger than the 20 MB a source may be "
                               f"({MAX_SOURCE_BYTES + 1:,} bytes)")


def test_a_nul_in_a_path_is_one_clean_error() -> None:
    with pytest.raises(SourceError) as info:
        read_sources(["seeds/\x00evil.txt"])
    assert str(info.value) == "'seeds/\\x00evil.txt': a path cannot hold a NUL character"


@pytest.mark.skipif(sys.platform != "linux", reason="/proc is Linux's")
def test_a_folder_of_specials_reads_only_its_files(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_bytes(
        b'{"author": "A", "handle": "a", "date": "2024-08-13", "text": "Hello there."}\n'
        b'{"author": "B", "handle": "b", "date": "2024-08-13", "text": "And again."}\n')
    os.mkfifo(tmp_path / "b.json")  # a FIFO in a folder is no source file: passed over
    (doc,) = read_sources([str(tmp_path)])
    assert len(doc.posts) == 2
