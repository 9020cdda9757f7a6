"""The orchestrator: read everything, decide everything, render, then write. Short and linear."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import ParamSpec, TypeVar

from digest.config import Config
from digest.edit.comparisons import compare
from digest.edit.figures import find_figures
from digest.edit.fresh import fresh_posts, nothing_new
from digest.edit.highlights import pick_highlights
from digest.edit.summary import check_trace, theme_of, write_summary
from digest.edit.text.reading import Texts
from digest.errors import ConfigError, SourceError
from digest.model import Document, Edition, Post
from digest.publish.archive import update_archive
from digest.publish.history import carried_posts
from digest.publish.outbox import write_edition
from digest.read import dedupe_posts, read_sources
from digest.render.message import build_message
from digest.render.templates import render_edition
from digest.resources import bundled_seeds

P = ParamSpec("P")
R = TypeVar("R")
Warn = Callable[[str], None]
# Told of each stage of a build as it ends: (stage, stages done, stages in all, posts read).
Progress = Callable[[str, int, int, int], None]
STAGES = 4  # read, decide, render, write
log = logging.getLogger(__name__)


def _ignore(line: str) -> None:
    """The default for a caller that shows no warnings."""


def _no_progress(stage: str, done: int, total: int, posts: int) -> None:
    """The default for a caller that shows no progress."""


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector, paused for one build. A build makes millions of small
    objects that live until it ends and hold no cycles (posts, words, index entries), and
    each collection scanned them all again to free nothing: a sixth of the CPU of a build
    of 100,000 posts. Reference counting frees everything as before; the collector is on
    again as soon as the build ends, however it ends."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _collector_paused(build: Callable[P, R]) -> Callable[P, R]:
    """`build`, run with the collector paused (as the scheduler and the preview call it)."""
    @functools.wraps(build)
    def paused(*args: P.args, **kwargs: P.kwargs) -> R:
        with collector_paused():
            return build(*args, **kwargs)
    return paused


def default_sources(config: Config) -> list[str]:
    """Config sources, else ./seeds/ if it exists, else the seed bundled with the package."""
    if config.build.sources:
        return [s if "://" in s else str(config.resolve(s)) for s in config.build.sources]
    local = Path("seeds")
    return [str(local if local.is_dir() else bundled_seeds())]


def templates_folder(config: Config) -> Path | None:
    """[build] templates, else ./templates/ if it exists (as ./seeds/ is picked up), else None:
    the built-ins alone. The folder overrides the built-ins file by file."""
    if config.build.templates:
        return config.resolve(config.build.templates)
    local = Path("templates")
    return local.resolve() if local.is_dir() else None


def _edition_date(posts: list[Post], documents: list[Document], given: str | None) -> str:
    if given is not None:
        try:
            return dt.date.fromisoformat(given).isoformat()
        except ValueError:
            raise ConfigError(f"--date must be YYYY-MM-DD, got {given!r}") from None
    # A feed's own date says when it was regenerated, not when anything happened: with items
    # to date the edition by, it would age every item out ("a release feed rebuilt today").
    dates = [p.date for p in posts if p.date] + [
        d.date for d in documents if d.date and not (d.kind == "feed" and d.posts)]
    # The newest date any source carries, never the wall clock: rebuilding is byte-identical.
    # (A roundup's posts always carry one: the reader dates undated pages by their file.)
    if not dates:
        raise SourceError("no date in any source (give --date)", where=", ".join(
            d.path for d in documents))
    return max(dates)


def subject_line(title: str, date: str) -> str:
    """"Title · 13 Aug 2024": spelled out here, not with strftime, which follows the locale."""
    day = dt.date.fromisoformat(date)
    # One space between words: a run of spaces, or a tab or newline from a source's title,
    # cannot survive folding (RFC 5322 unfolding and encoded words collapse them), so the
    # subject read back would differ from the one decided.
    return f"{' '.join(title.split())} · {day.day} {_MONTHS[day.month - 1]} {day.year}"


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def new_posts(config: Config, documents: list[Document], posts: list[Post], date: str,
              edition_id: str) -> list[Post]:
    """Of `posts` (the documents' posts, each once), those that are news for edition
    `edition_id` of `date`: none that an earlier edition in the outbox carried, no feed item
    older than [build] max_age."""
    feed_items = {p.id for d in documents if d.kind == "feed" for p in d.posts}
    seen = carried_posts(config.resolve(config.build.outbox), edition_id, date)
    return fresh_posts(posts, date=date, seen=seen, feed_items=feed_items,
                       max_age=config.build.max_age)


def count_new_posts(config: Config, sources: list[str], edition_id: str) -> int:
    """How many posts edition `edition_id` would carry: what the scheduler's no-news rule
    counts (it takes them from the decided edition), without rendering anything."""
    documents = read_sources(sources)
    every = dedupe_posts([p for d in documents for p in d.posts])
    date = _edition_date(every, documents, None)
    return len(new_posts(config, documents, every, date, edition_id))


@_collector_paused
def decide_edition(config: Config, sources: list[str], edition_date: str | None = None,
                   edition_id: str | None = None, warn: Warn = _ignore, *,
                   every_post: bool = False, progress: Progress = _no_progress) -> Edition:
    """Everything before rendering: the pure editorial part of a build.

    `edition_id` names the edition folder (the scheduler passes its slot's id); default: the date.
    `warn` is given each of the sources' warnings, one line each (the CLI prints them).
    Only new posts make the edition (new_posts); `every_post` (`--all`) takes them all.
    """
    documents = read_sources(sources)
    for document in documents:
        for line in document.warnings:
            warn(line)
    every = dedupe_posts([p for d in documents for p in d.posts])
    # The date comes from every post, so that leaving old ones out does not move it.
    date = _edition_date(every, documents, edition_date)
    # No posts is still an edition: the article's prose carries it (the reader has warned).
    progress("read", 1, STAGES, len(every))
    posts = every if every_post else new_posts(
        config, documents, every, date, edition_id or date)
    log.info("read %d posts from %d sources; %d new for edition %s", len(every),
             len(documents), len(posts), edition_id or date)
    prose = [p for d in documents for p in d.prose]
    texts = Texts()  # each text read once, for figures and the theme; then dropped
    figures = find_figures(posts, prose, texts=texts)
    theme = theme_of(documents, posts, texts)
    del texts  # the readings go before the highlights' own are made (100k posts: 35 MB)
    comparisons = compare(figures, posts, prose)
    highlights = pick_highlights(posts, figures, config.build.highlights, prose=prose)
    summary = (write_summary(documents, posts, figures, comparisons, highlights, theme=theme)
               if posts or prose or not every else nothing_new(
                   every, carried_posts(config.resolve(config.build.outbox), edition_id or date,
                                        date), config.build.max_age))
    title = config.build.title or summary.headline
    edition = Edition(
        edition=edition_id or date,
        date=date,
        title=title,
        subject=subject_line(title, date),
        preheader=summary.preheader,
        summary=summary.text,
        posts=tuple(posts),
        highlights=tuple(highlights),
        figures=tuple(figures),
        comparisons=tuple(comparisons),
        summary_numbers=summary.numbers,
        sources=tuple(d.path for d in documents),
        prose=tuple(prose),
    )
    # The guard lives in the build path, not only in tests: no untraceable number goes out.
    check_trace(edition)
    progress("decided", 2, STAGES, len(every))
    return edition


def build_edition(config: Config, sources: list[str], edition_date: str | None = None,
                  edition_id: str | None = None, warn: Warn = _ignore, *,
                  every_post: bool = False, progress: Progress = _no_progress) -> Path:
    """Build one edition into the outbox and return its folder."""
    with collector_paused():
        edition = decide_edition(config, sources or default_sources(config), edition_date,
                                 edition_id, warn, every_post=every_post, progress=progress)
        return publish_edition(config, edition, progress=progress)


@_collector_paused
def publish_edition(config: Config, edition: Edition, outbox: Path | None = None, *,
                    archive: bool = True, progress: Progress = _no_progress) -> Path:
    """Render a decided edition and write it atomically into `outbox` (default: the configured
    one); refresh the archive there unless `archive` is off (the preview's scratch builds)."""
    templates = templates_folder(config)
    rendered = render_edition(edition, templates, config.email, config.archive.base_url)
    message = build_message(edition, rendered, config.email)
    progress("rendered", 3, STAGES, len(edition.posts))
    folder = write_edition(outbox or config.resolve(config.build.outbox), edition, rendered,
                           message, indexed=archive)
    if archive:
        # The archive (index.html, feed.atom) is rebuilt from the outbox itself, so it agrees.
        update_archive(folder.parent, list_id=config.email.list_id,
                       base_url=config.archive.base_url)
    progress("written", 4, STAGES, len(edition.posts))
    log.info("wrote %s", folder)
    return folder
