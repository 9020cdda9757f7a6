"""The CLI as a user runs it (`python -m digest …` in a subprocess): help, build, build errors.

Every build runs in tmp_path with --outbox there, so the repository's outbox/ is never touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "seeds" / "2024-08-13-x-spaces-outage-musk-trump.txt"
EDITION_FILES = {"digest.html", "digest.txt", "digest.mjml", "digest.eml", "edition.json"}


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "digest", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


@pytest.mark.parametrize("command", ["build", "send", "schedule", "preview", "check"])
def test_every_command_has_help(command: str, tmp_path: Path) -> None:
    result = run(command, "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"Usage: python -m digest {command}" in result.stdout
    assert "--config" in result.stdout
    # a line of help text under the usage line, not only the options
    assert result.stdout.split("\n\n")[1].strip()


def test_top_level_help_lists_the_commands(tmp_path: Path) -> None:
    result = run("--help", cwd=tmp_path)
    assert result.returncode == 0
    for command in ("build", "send", "schedule", "preview", "check"):
        assert command in result.stdout


def test_build_the_seed(tmp_path: Path) -> None:
    shutil.copytree(REPO / "seeds", tmp_path / "seeds")
    result = run("build", "--outbox", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    folder = Path(result.stdout.strip())
    if not folder.is_absolute():
        folder = tmp_path / folder
    assert folder.parent == tmp_path / "out"
    assert folder.name == "2024-08-13"
    assert {p.name for p in folder.iterdir()} >= EDITION_FILES
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]


def _assert_clean_failure(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("digest: error: "), lines[0]
    for needle in needles:
        assert needle in lines[0], lines[0]


def _build_fails(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    (out / "keep.txt").write_text("an earlier file")
    before = listing(out)
    result = run("build", "--outbox", "out", *args, cwd=tmp_path)
    assert listing(out) == before, "a failed build changed the outbox"
    return result


def test_missing_source(tmp_path: Path) -> None:
    _assert_clean_failure(_build_fails(tmp_path, "nope.txt"), "nope.txt")


def test_empty_source(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("")
    _assert_clean_failure(_build_fails(tmp_path, "empty.txt"), "empty.txt")


@pytest.mark.slow
def test_undecodable_source(tmp_path: Path) -> None:
    (tmp_path / "latin.txt").write_bytes(
        b" date 2024-08-13 x\n\nCaf\xe9 ol\xe9 \xff\xfe - A (@a) August 13, 2024\n")
    _assert_clean_failure(_build_fails(tmp_path, "latin.txt"), "latin.txt")


@pytest.mark.slow
def test_postless_source_is_an_edition_of_its_prose_with_one_warning(tmp_path: Path) -> None:
    (tmp_path / "prose.txt").write_text(
        " date 2024-08-13 nothing\n\nOnly the article's own words here.\n\nAnd more prose.\n",
        encoding="utf-8")
    result = run("build", "--outbox", "out", "prose.txt", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "digest: warning: prose.txt: no embedded posts found; the edition is built from the "
        "article's prose\n")
    (edition,) = (tmp_path / "out").glob("*/edition.json")
    assert {p.name for p in edition.parent.iterdir()} >= EDITION_FILES


@pytest.mark.slow
def test_broken_template(tmp_path: Path) -> None:
    templates = tmp_path / "mytemplates"
    templates.mkdir()
    (templates / "digest.txt.j2").write_text("{{ edition.title }}\n\n{% if %}\n")
    (tmp_path / "my.toml").write_text('[build]\ntemplates = "mytemplates"\n')
    result = _build_fails(tmp_path, "--config", "my.toml", str(SEED))
    _assert_clean_failure(result, "mytemplates/digest.txt.j2:3")


@pytest.mark.slow
def test_template_with_undefined_variable(tmp_path: Path) -> None:
    templates = tmp_path / "t"
    templates.mkdir()
    (templates / "digest.txt.j2").write_text("{{ edition.title }}\n{{ edition.nope }}\n")
    (tmp_path / "digest.toml").write_text('[build]\ntemplates = "t"\n')
    _assert_clean_failure(_build_fails(tmp_path, str(SEED)), "t/digest.txt.j2:2", "nope")


@pytest.mark.slow
def test_broken_mjml_template(tmp_path: Path) -> None:
    templates = tmp_path / "t"
    templates.mkdir()
    (templates / "digest.mjml.j2").write_text("<mjml><mj-body><mj-section>\n</mj-body></mjml>\n")
    (tmp_path / "digest.toml").write_text('[build]\ntemplates = "t"\n')
    _assert_clean_failure(_build_fails(tmp_path, str(SEED)), "t/digest.mjml.j2", "MJML")


@pytest.mark.slow
def test_bad_config_key(tmp_path: Path) -> None:
    (tmp_path / "digest.toml").write_text("[build]\nhighlight = 3\n")
    _assert_clean_failure(_build_fails(tmp_path, str(SEED)), "digest.toml", "highlight")


@pytest.mark.slow
def test_bad_date(tmp_path: Path) -> None:
    _assert_clean_failure(_build_fails(tmp_path, "--date", "13/08/2024", str(SEED)),
                          "--date", "13/08/2024")


@pytest.mark.slow
def test_header_injection_in_config(tmp_path: Path) -> None:
    (tmp_path / "digest.toml").write_text('[email]\nto = "a@x.org\\r\\nBcc: v@x.org"\n')
    _assert_clean_failure(_build_fails(tmp_path, str(SEED)), "[email] to")


@pytest.mark.slow
def test_bad_from_address_in_config(tmp_path: Path) -> None:
    (tmp_path / "digest.toml").write_text('[email]\nfrom = "digest@"\n')
    _assert_clean_failure(_build_fails(tmp_path, str(SEED)), "digest.toml", "[email] from")
