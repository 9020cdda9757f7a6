"""The orchestrator: read everything, decide everything, render, then write. Short and linear."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from digest.config import Config
from digest.edit.comparisons import compare
from digest.edit.figures import find_figures
from digest.edit.highlights import pick_highlights
from digest.edit.summary import check_trace, write_summary
from digest.errors import ConfigError, SourceError
from digest.model import Document, Edition, Post
from digest.publish.archive import update_archive
from digest.publish.outbox import write_edition
from digest.read import dedupe_posts, read_sources
from digest.render.message import build_message
from digest.render.templates import render_edition
from digest.resources import bundled_seeds

Warn = Callable[[str], None]


def _ignore(line: str) -> None:
    """The default for a caller that shows no warnings."""


def default_sources(config: Config) -> list[str]:
    """Config sources, else ./seeds/ if it exists, else the seed bundled with the package."""
    if config.build.sources:
        return [s if "://" in s else str(config.resolve(s)) for s in config.build.sources]
    local = Path("seeds")
    return [str(local if local.is_dir() else bundled_seeds())]


def read_posts(sources: list[str]) -> list[Post]:
    """Every post in the sources, each once: what an edition would be decided from."""
    return dedupe_posts([p for d in read_sources(sources) for p in d.posts])


def _edition_date(posts: list[Post], documents: list[Document], given: str | None) -> str:
    if given is not None:
        try:
            return dt.date.fromisoformat(given).isoformat()
        except ValueError:
            raise ConfigError(f"--date must be YYYY-MM-DD, got {given!r}") from None
    dates = [p.date for p in posts if p.date] + [d.date for d in documents if d.date]
    # The newest date any source carries, never the wall clock: rebuilding is byte-identical.
    # (A roundup's posts always carry one: the reader dates undated pages by their file.)
    if not dates:
        raise SourceError("no date in any source (give --date)", where=", ".join(
            d.path for d in documents))
    return max(dates)


def subject_line(title: str, date: str) -> str:
    """"Title · 13 Aug 2024": spelled out here, not with strftime, which follows the locale."""
    day = dt.date.fromisoformat(date)
    return f"{title} · {day.day} {_MONTHS[day.month - 1]} {day.year}"


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def decide_edition(config: Config, sources: list[str], edition_date: str | None = None,
                   edition_id: str | None = None, warn: Warn = _ignore) -> Edition:
    """Everything before rendering: the pure editorial part of a build.

    `edition_id` names the edition folder (the scheduler passes its slot's id); default: the date.
    `warn` is given each of the sources' warnings, one line each (the CLI prints them).
    """
    documents = read_sources(sources)
    for document in documents:
        for line in document.warnings:
            warn(line)
    # No posts is still an edition: the article's prose carries it (the reader has warned).
    posts = dedupe_posts([p for d in documents for p in d.posts])
    prose = [p for d in documents for p in d.prose]
    figures = find_figures(posts, prose)
    comparisons = compare(figures, posts, prose)
    highlights = pick_highlights(posts, figures, config.build.highlights, prose=prose)
    summary = write_summary(documents, posts, figures, comparisons, highlights)
    date = _edition_date(posts, documents, edition_date)
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
    return edition


def build_edition(config: Config, sources: list[str], edition_date: str | None = None,
                  edition_id: str | None = None, warn: Warn = _ignore) -> Path:
    """Build one edition into the outbox and return its folder."""
    edition = decide_edition(config, sources or default_sources(config), edition_date, edition_id,
                             warn)
    return publish_edition(config, edition)


def publish_edition(config: Config, edition: Edition, outbox: Path | None = None, *,
                    archive: bool = True) -> Path:
    """Render a decided edition and write it atomically into `outbox` (default: the configured
    one); refresh the archive there unless `archive` is off (the preview's scratch builds)."""
    templates = config.resolve(config.build.templates) if config.build.templates else None
    rendered = render_edition(edition, templates, config.email, config.archive.base_url)
    message = build_message(edition, rendered, config.email)
    folder = write_edition(outbox or config.resolve(config.build.outbox), edition, rendered,
                           message)
    if archive:
        # The archive (index.html, feed.atom) is rebuilt from the outbox itself, so it agrees.
        update_archive(folder.parent, list_id=config.email.list_id)
    return folder
