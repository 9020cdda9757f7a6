"""The template context: what digest.mjml.j2 and digest.txt.j2 see, and their filters.

Kept apart from digest.render.templates (which runs the templates and the HTML steps) so that
a template author can read in one place every name a template may use.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from markupsafe import Markup, escape

from digest.config import EmailConfig
from digest.model import Comparison, Edition, Figure, Post
from digest.render.links import post_link
from digest.render.personalize import Tokens

MAX_KEY_FIGURES = 4
_URL_RE = re.compile(r"https://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")


@dataclass(frozen=True)
class Card:
    """One highlight as the templates show it."""

    post: Post
    reason: str  # the editor's reason: shown to readers only with [email] show_reasons
    link: str | None  # the post itself (digest.render.links), None where nothing leads to it
    link_label: str
    date: str  # "12 Aug 2024"
    text: str  # the post's text, less a leading copy of its title
    title: str | None = None  # a feed item's headline
    image: str | None = None  # https URL, shown at card width
    image_alt: str = ""  # never empty when there is an image: a neutral one by default
    avatar: str | None = None


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def human_date(iso: str) -> str:
    """ "2024-08-13" -> "13 Aug 2024", whatever the locale or platform (no strftime)."""
    try:
        date = dt.date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{date.day} {_MONTHS[date.month - 1]} {date.year}"


def key_figures(edition: Edition) -> list[Figure]:
    """The figures the summary quotes, in the order it quotes them; else the first ones found."""
    by_id = {f.id: f for f in edition.figures}
    quoted: list[tuple[int, int, Figure]] = []
    for index, number in enumerate(edition.summary_numbers):
        figure = by_id.get(number.ref) if number.source == "figure" else None
        if figure is not None and all(figure is not f for _, _, f in quoted):
            at = edition.summary.find(number.text)
            quoted.append((at if at >= 0 else len(edition.summary), index, figure))
    picked = [figure for _, _, figure in sorted(quoted, key=lambda q: (q[0], q[1]))]
    return (picked or list(edition.figures))[:MAX_KEY_FIGURES]


def key_comparisons(edition: Edition) -> list[Comparison]:
    quoted = {n.ref for n in edition.summary_numbers if n.source == "comparison"}
    refs = [f"c{i}" for i in range(len(edition.comparisons))]
    chosen = [c for ref, c in zip(refs, edition.comparisons, strict=True) if ref in quoted]
    return (chosen or list(edition.comparisons))[:3]


def _image_alt(post: Post) -> str:
    # A screen reader says the alt text instead of the picture; "image" alone tells nothing.
    if post.image_alt:
        return " ".join(post.image_alt.split())
    if post.title:
        return f"Picture for “{post.title}”"
    return f"Picture with the post by {post.author}"


def card(post: Post, reason: str) -> Card:
    link = post_link(post)
    text = post.text
    if post.title and text.startswith(post.title):  # feeds often repeat the headline
        text = text[len(post.title):].strip() or text
    image = post.image if post.image and post.image.startswith("https://") else None
    avatar = post.avatar if post.avatar and post.avatar.startswith("https://") else None
    return Card(post, reason, link.url if link else None, link.label if link else "",
                human_date(post.date), text, post.title, image,
                _image_alt(post) if image else "", avatar)


def context(edition: Edition, settings: EmailConfig | None = None,
            base_url: str | None = None) -> dict[str, Any]:
    """What the templates see. `settings` ([email]) gives the frame (brand, accent, postal
    address, whether readers see the reasons); `base_url` ([archive]) where the outbox is
    published, for "view in browser" and the archive link (None: neither is shown)."""
    settings = settings or EmailConfig()
    cards = [card(edition.post(h.post), h.reason) for h in edition.highlights]
    return {
        "settings": settings,
        "view_url": f"{base_url}{quote(edition.edition)}/digest.html" if base_url else None,
        "archive_url": f"{base_url}index.html" if base_url else None,
        "edition": edition,
        "date": human_date(edition.date),
        "cards": cards,
        "key_figures": key_figures(edition),
        "comparisons": key_comparisons(edition),
        "recipient": Tokens(),
    }



# --- filters -------------------------------------------------------------------------------

def linkify(text: str) -> Markup:
    """Escape `text`; https URLs become links; blank lines separate paragraphs (<p>)."""
    parts: list[str] = []
    last = 0
    for match in _URL_RE.finditer(text):
        parts.append(str(escape(text[last:match.start()])))
        url = escape(match.group(0))
        parts.append(f'<a href="{url}">{url}</a>')
        last = match.end()
    parts.append(str(escape(text[last:])))
    paragraphs = [p.strip().replace("\n", "<br />")
                  for p in re.split(r"\n\s*\n", "".join(parts)) if p.strip()]
    if len(paragraphs) <= 1:
        return Markup("".join(paragraphs))
    return Markup("".join(f'<p style="margin:{"0" if i == 0 else "10px 0 0"};">{p}</p>'
                          for i, p in enumerate(paragraphs)))


def number(value: float) -> str:
    """1100000 -> "1,100,000"; 4.4 -> "4.4"."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0")


FILTERS = {"linkify": linkify, "number": number, "human_date": human_date}
