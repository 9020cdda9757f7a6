"""Shared fixtures: the one post factory, a hand-built edition (independent of the editorial
stages), golden files and a fresh PostgreSQL database. Tests import the factories:
`from conftest import make_post`.

`pytest --update-golden` rewrites tests/golden/ from a fresh build, on purpose; review the diff.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from digest.model import (
    Comparison,
    Edition,
    Figure,
    Highlight,
    Post,
    Prose,
    SummaryNumber,
)
from digest.read.common import post_id


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="Rewrite tests/golden/ from a fresh build instead of comparing.")


@pytest.fixture(autouse=True, scope="session")
def _own_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Compiled templates and fetched sources go to the run's own folder, not the user's
    ~/.cache/digest: every tmp_path templates folder would leave entries there, run after run.
    (A test that needs its own sets DIGEST_CACHE_DIR again; subprocesses inherit this one.)"""
    before = os.environ.get("DIGEST_CACHE_DIR")
    os.environ["DIGEST_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if before is None:
        os.environ.pop("DIGEST_CACHE_DIR", None)
    else:
        os.environ["DIGEST_CACHE_DIR"] = before


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def make_post(text: str, id: str | int | None = "p1", **fields: Any) -> Post:
    """A post saying `text`, by "A" (@a) on 2024-08-13; any other field can be given.

    An int `id` numbers the post and its author, so the posts of a list are told apart:
    make_post("…", 3) is p3 by "A3" (@a3). `id=None` gives the id a reader would (a hash of
    handle, author, date and text), for the tests that dedupe.
    """
    values: dict[str, Any] = {"author": "A", "handle": "a", "date": "2024-08-13"}
    if isinstance(id, int):
        values.update(author=f"A{id}", handle=f"a{id}")
    values.update(fields, text=text)
    if id is None:
        values["id"] = post_id(values["handle"], values["author"], values["date"], text)
    else:
        values["id"] = f"p{id}" if isinstance(id, int) else id
    return Post(**values)


def make_edition(**changes: object) -> Edition:
    """A small, realistic edition built by hand: awkward text, a long URL, an open letter."""
    posts = (
        Post(id="p1", author="Mark Jacob", handle="MarkJacob16", date="2024-08-12",
             text="Dear mainstream media,\n\nStop calling it a conversation.\n\nSincerely, Mark",
             source="seeds/s.txt:12"),
        Post(id="p2", author="Ryan Mac 🙃 (NYT)", handle="RMac18", date="2024-08-13",
             text="1.1m listened live, against the 25m promised. That is 4.4% of the target.",
             links=("https://t.co/AbCdEf123",), source="seeds/s.txt:20",
             url="https://x.com/RMac18/status/1823"),
        Post(id="p3", author="Data <Desk> & Co", handle=None, date="2024-08-13",
             text="67m impressions, says X. Read https://example.com/" + "a" * 120
             + " and %%email%% <script>alert(1)</script>", source="seeds/s.txt:30",
             title="Impressions & listeners"),
        Post(id="p4", author="Quiet Person", handle="quiet", date="2024-08-11",
             text="Supercalifragilisticexpialidocious" * 4, has_media=True,
             source="seeds/s.txt:40"),
    )
    figures = (
        Figure(id="f1", text="1.1m", value=1_100_000, unit=None, label="listened live",
               kind="measured", post="p2", quote="1.1m listened live"),
        Figure(id="f2", text="25m", value=25_000_000, unit=None, label="promised",
               kind="claimed", post="p2", quote="against the 25m promised"),
        Figure(id="f3", text="67m", value=67_000_000, unit=None, label="impressions",
               kind="metric", post="p3", quote="67m impressions, says X."),
        Figure(id="f4", text="4.4%", value=4.4, unit="%", label="of the target",
               kind="share", post="p2", quote="That is 4.4% of the target."),
    )
    comparisons = (
        Comparison(figures=("f1", "f2"), operation="share", result=4.4,
                   text="1.1m is 4.4% of the 25m promised",
                   formula="1,100,000 / 25,000,000 = 4.4%", verified=True, stated="f4"),
    )
    values: dict[str, object] = dict(
        edition="2024-08-13", date="2024-08-13", title="X Spaces outage",
        subject="X Spaces outage · 13 Aug 2024",
        preheader="1.1m listened live against 25m promised",
        summary="The Musk–Trump Space crashed. 1.1m listened live, against the 25m promised "
                "(4.4% of the target) and 67m impressions.",
        posts=posts,
        highlights=(Highlight("p2", "Carries the key figures", 0.9),
                    Highlight("p1", "The open letter most shared", 0.8),
                    Highlight("p3", "The platform's own metric", 0.7),
                    Highlight("p4", "A different voice", 0.5)),
        figures=figures, comparisons=comparisons,
        summary_numbers=(SummaryNumber("1.1m", "figure", "f1"),
                         SummaryNumber("25m", "figure", "f2"),
                         SummaryNumber("4.4%", "comparison", "c0", "1,100,000 / 25,000,000"),
                         SummaryNumber("67m", "figure", "f3")),
        sources=("seeds/s.txt",), prose=(Prose("An outage.", "seeds/s.txt:3"),),
    )
    values.update(changes)
    return Edition(**values)  # type: ignore[arg-type]


@pytest.fixture
def edition() -> Edition:
    return make_edition()


@pytest.fixture
def edition_factory() -> Callable[..., Edition]:
    """make_edition, for tests that need a variant: edition_factory(highlights=())."""
    return make_edition


# The PostgreSQL server the test command (tests/run.sh) starts for the run, as a URL to its
# `postgres` database; each test that asks gets a database of its own on it (so tests running
# side by side under pytest-xdist never meet) and it is dropped afterwards.
POSTGRES_ENV = "DIGEST_TEST_POSTGRES"


@pytest.fixture
def postgres() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database (postgresql+psycopg://…)."""
    server = os.environ.get(POSTGRES_ENV)
    if not server:
        pytest.skip(f"{POSTGRES_ENV} not set (bash tests/run.sh starts a PostgreSQL server)")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"digest_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
