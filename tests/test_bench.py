"""bench/run.py's smoke test and its inputs. No timing is asserted: speed is bench/'s to report.

The smoke test runs `--quick` with `--no-mjml-cli` (no npm needed) and checks that the table
and RESULTS.md come out with every row; the input generators are checked for being the same
bytes every time and for reading as an editor's sources (posts the readers find, not one
post repeated).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from digest.read import read_sources

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

from inputs import jsonl, made_posts, roundup, rss_files, write  # noqa: E402

ROWS = (
    "seed build, whole process, vs the MJML CLI",
    "`digest --help`",
    "`digest send --due`, nothing due",
    "500-post roundup, whole build",
    "1,000-post roundup, whole build",
    "1,000-line JSONL export, whole build",
    "10 RSS files (",
    "10 RSS files, whole build",
    "stages in one process, seed",
    "stages in one process, 500-post roundup",
    "personalised messages, seed edition",
)


@pytest.mark.slow
def test_quick_run_prints_and_writes_every_row(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    done = subprocess.run([sys.executable, str(BENCH / "run.py"), "--quick", "--no-mjml-cli",
                           "--results", str(results)], capture_output=True, text=True,
                          timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    table = [line for line in done.stdout.splitlines() if line.startswith("| ")]
    saved = results.read_text(encoding="utf-8")
    for row in ROWS:
        printed = [line for line in table if line.startswith(f"| {row}")]
        assert len(printed) == 1, (row, done.stdout)
        assert printed[0] in saved
        assert "FAILED" not in printed[0]
    seed = next(line for line in table if line.startswith(f"| {ROWS[0]}"))
    assert "skipped" in seed  # the MJML CLI row says why it has no anchor
    assert "PYTHONDONTWRITEBYTECODE unset" in saved and "## Notes" in saved
    assert "seed build imports" in saved


def test_inputs_are_the_same_bytes_every_time(tmp_path: Path) -> None:
    assert roundup(120) == roundup(120)
    assert jsonl(50) == jsonl(50)
    assert list(rss_files(3)) == list(rss_files(3))
    assert roundup(120) != roundup(120, seed=14)


def test_inputs_read_as_varied_posts(tmp_path: Path) -> None:
    texts = [m.text for m in made_posts(400)]
    assert len(set(texts)) > 0.95 * len(texts)  # a few reposts, not one post repeated
    assert len({m.handle for m in made_posts(400)}) > 60
    with_figures = sum(any(c.isdigit() for c in t.split("https://")[0]) for t in texts)
    assert 0.25 * len(texts) < with_figures < 0.6 * len(texts)  # real roundups: about a third
    page = read_sources([str(write("roundup", 300, tmp_path / "page.txt"))])[0]
    assert len(page.posts) == 300 and page.prose and not page.warnings
    export = read_sources([str(write("jsonl", 200, tmp_path / "export.jsonl"))])[0]
    assert len(export.posts) == 200
    feeds = read_sources([str(write("rss", 4, tmp_path / "feeds"))])
    assert len(feeds) == 4 and all(6 <= len(d.posts) <= 20 for d in feeds)
