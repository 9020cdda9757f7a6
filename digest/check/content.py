"""Checks on what the reader sees: HTML size and clipping, images, links, the text part."""

from __future__ import annotations

import html as html_lib
import re
from typing import Any
from urllib.parse import urlsplit

import lxml.html

from digest.check.mail import CheckResult, Mail
from digest.config import Config

# Characters a browser drops from a URL before it reads the scheme, so "java\tscript:" is
# still javascript: (WHATWG URL parsing strips C0 controls and space, and removes tab/newline).
_URL_JUNK = re.compile(r"[\x00-\x20\x7f]")
# A URL in plain text ends at whitespace or at a bracket or quote that wraps it.
_TEXT_URL = re.compile(r"https?://[^\s<>\[\]\"'`]+", re.IGNORECASE)
_ANCHOR = re.compile(r"<a\b([^>]*)>(.*?)</a\s*>", re.IGNORECASE | re.DOTALL)
_HREF = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"\s+")
_SHOWN = 3  # how many offending items a one-line detail names before "and N more"


def _listing(items: list[str]) -> str:
    head = ", ".join(items[:_SHOWN])
    return head + (f" and {len(items) - _SHOWN} more" if len(items) > _SHOWN else "")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _short(url: str, width: int = 60) -> str:
    return url if len(url) <= width else url[: width - 1] + "…"


def _document(html: str) -> Any:
    # lxml refuses a str that carries an XML encoding declaration; bytes it takes as they are.
    return lxml.html.document_fromstring(html.encode("utf-8"),
                                         parser=lxml.html.HTMLParser(encoding="utf-8"))


def _kb(size: int) -> str:
    return f"{size / 1024:.1f} KB"


def _unsubscribe_rank(href: str, label: str, config: Config) -> int | None:
    """How surely an <a> is the unsubscribe link: 0 its href is the configured URL, 1 its text
    says unsubscribe, 2 only its href does (a post's link could); None: not one at all."""
    prefix = config.email.unsubscribe_url.split("{", 1)[0]
    if prefix and html_lib.unescape(href).startswith(prefix):
        return 0
    if "unsubscribe" in label.lower():
        return 1
    return 2 if "unsubscribe" in href.lower() else None


def unsubscribe_offset(html: str, config: Config) -> int | None:
    """Byte offset just past the unsubscribe link's closing tag, or None if there is none."""
    best: tuple[int, int] | None = None  # (rank, offset)
    for match in _ANCHOR.finditer(html):
        href_match = _HREF.search(match.group(1))
        href = next((g for g in href_match.groups() if g is not None), "") if href_match else ""
        rank = _unsubscribe_rank(href, _TAG.sub(" ", match.group(2)), config) if href else None
        if rank is not None and (best is None or rank < best[0]):
            best = (rank, len(html[: match.end()].encode("utf-8")))
    return best[1] if best else None


def check_size(mail: Mail, config: Config) -> CheckResult:
    """Gmail clips HTML over ~102 KB behind "View entire message": the unsubscribe link with it."""
    limit = config.check.max_html_bytes
    if not mail.html:
        return CheckResult("size", "fail", "no text/html part")
    size = len(mail.html.encode("utf-8"))
    detail = f"{_kb(size)} of {_kb(limit).replace('.0 KB', ' KB')}"
    offset = unsubscribe_offset(mail.html, config)
    if offset is None:
        return CheckResult("size", "fail", f"{detail}; no unsubscribe link in the HTML")
    if offset > limit:
        return CheckResult("size", "fail",
                           f"{detail}; unsubscribe link ends at {_kb(offset)}, after the clip")
    if size > limit:
        return CheckResult("size", "fail", f"{detail}: Gmail clips this message")
    return CheckResult("size", "pass", f"{detail}; unsubscribe link at {_kb(offset)}")


def check_images(mail: Mail, config: Config) -> CheckResult:
    if not mail.html:
        return CheckResult("images", "fail", "no text/html part")
    images = list(_document(mail.html).iter("img"))
    missing = [_short(img.get("src") or "(no src)") for img in images if img.get("alt") is None]
    if missing:
        return CheckResult("images", "fail",
                           f"{len(missing)} of {len(images)} without alt: {_listing(missing)}")
    if not images:
        return CheckResult("images", "pass", "no images")
    decorative = sum(1 for img in images if not (img.get("alt") or "").strip())
    note = f" ({decorative} decorative, alt=\"\")" if decorative else ""
    return CheckResult("images", "pass", f"{len(images)} images, all with alt{note}")


def _url_problem(url: str, *, image: bool) -> str | None:
    """Why a link or image source is unsafe or broken in an email, or None if it is fine."""
    clean = _URL_JUNK.sub("", url)
    scheme = clean.split(":", 1)[0].lower() if ":" in clean else ""
    if scheme == "javascript":
        return "javascript:"
    if scheme == "https":
        return None if urlsplit(clean).netloc else "no host"
    if scheme == "http":
        return "not https"
    if scheme in (("cid",) if image else ("mailto", "tel")):
        return None
    if scheme == "data" and image:
        return "data: image (Gmail and Outlook block it)"
    return "not absolute"


def check_links(mail: Mail, config: Config) -> CheckResult:
    """Every link and image source is absolute https (mailto:/tel: links, cid: images allowed)."""
    if not mail.html:
        return CheckResult("links", "fail", "no text/html part")
    doc = _document(mail.html)
    targets: list[tuple[str, bool]] = [(el.get("href"), False) for el in doc.iter("a", "area")
                                       if el.get("href") is not None]
    targets += [(el.get("src"), True) for el in doc.iter("img") if el.get("src") is not None]
    bad = [f"{_short(url) or '(empty)'} ({problem})" for url, image in targets
           if (problem := _url_problem(url, image=image))]
    links = sum(1 for _, image in targets if not image)
    images = len(targets) - links
    if bad:
        return CheckResult("links", "fail", f"{len(bad)} bad: {_listing(bad)}")
    detail = f"{links} links and {images} image sources, all absolute https or mailto"
    # Mail clients turn a URL in the text part into a link. An http one there is mostly a
    # post quoted as written, so it warns rather than blocks the send.
    plain_http = [_short(url) for url in sorted(_text_links(mail.text))
                  if url.lower().startswith("http://")]
    if plain_http:
        return CheckResult("links", "warn", f"{detail}; {_count(len(plain_http), 'http:// URL')} "
                           f"in the text part: {_listing(plain_http)}")
    return CheckResult("links", "pass", detail)


def _plain(text: str) -> str:
    """Text as a reader sees it: no-break and thin spaces are spaces, runs of space are one."""
    for space in ("\u00a0", "\u202f", "\u2009", "\u200a"):
        text = text.replace(space, " ")
    return _SPACES.sub(" ", text).casefold()


def _html_text(doc: Any) -> str:
    for node in doc.iter("style", "script", "title"):
        node.text = ""
    return str(doc.text_content())


def _text_links(text: str) -> set[str]:
    links = set()
    for match in _TEXT_URL.finditer(text):
        url = match.group(0).rstrip(".,;:!?")
        # "(see https://x/y)": a closing bracket the URL did not open belongs to the prose.
        while url.endswith(")") and url.count("(") < url.count(")"):
            url = url[:-1]
        links.add(url)
    return links


def _has_figure(figure: str, text: str) -> bool:
    pattern = rf"(?<![\w.]){re.escape(_plain(figure).strip())}(?!\w)"
    return re.search(pattern, text) is not None


def check_text_part(mail: Mail, config: Config) -> CheckResult:
    """The text/plain part carries every link and figure that the HTML shows."""
    if not mail.text.strip():
        return CheckResult("text part", "fail", "no text/plain part")
    if not mail.html:
        return CheckResult("text part", "fail", "no text/html part to compare with")
    doc = _document(mail.html)
    html_links = {href.strip() for el in doc.iter("a") if (href := el.get("href"))
                  and href.strip().lower().startswith(("http://", "https://"))}
    text_links = _text_links(mail.text)
    html_text, text = _plain(_html_text(doc)), _plain(mail.text)
    figures = sorted({str(f.get("text")) for f in mail.edition.get("figures", [])
                      if isinstance(f, dict) and f.get("text")})
    in_html = [f for f in figures if _has_figure(f, html_text)]
    missing = [f"link {_short(u)}" for u in sorted(html_links - text_links)]
    missing += [f"figure {f}" for f in in_html if not _has_figure(f, text)]
    if missing:
        return CheckResult("text part", "fail", f"{len(missing)} missing from the text part: "
                           f"{_listing(missing)}")
    # A URL the HTML shows as text (a post quoted as written) is there too, just not linked.
    extra = sorted(u for u in text_links - html_links if u.casefold() not in html_text)
    detail = f"all {len(html_links)} links and {len(in_html)} figures of the HTML"
    if extra:
        return CheckResult("text part", "warn",
                           f"{detail}; {_count(len(extra), 'link')} only in the text: "
                           f"{_listing(extra)}")
    return CheckResult("text part", "pass", detail)


def check_postal_address(mail: Mail, config: Config) -> CheckResult:
    """A bulk email carries the sender's postal address (CAN-SPAM; most ESPs insist): a
    warning, since a test edition or a private list may do without."""
    address = config.email.postal_address
    if not address:
        return CheckResult("postal address", "warn",
                           "no postal address in the footer: set [email] postal_address")
    lines = [" ".join(line.split()) for line in address.splitlines() if line.strip()]
    shown = lxml.html.fromstring(mail.html).text_content() if mail.html.strip() else ""
    plain, html = " ".join(mail.text.split()), " ".join(shown.split())
    missing = [line for line in lines if line not in plain or line not in html]
    if missing:
        return CheckResult("postal address", "warn",
                           f"[email] postal_address is not in both parts: {missing[0]!r}")
    return CheckResult("postal address", "pass", "in the footer of both parts")


def check_accessibility(mail: Mail, config: Config) -> CheckResult:
    """What a screen reader and a darkening client need from the page itself: the language,
    a title, layout tables marked role="presentation", and a color-scheme meta. Warnings: a
    custom template that lacks them still works, only worse for some readers."""
    if not mail.html:
        return CheckResult("accessibility", "fail", "no text/html part")
    doc = _document(mail.html)
    problems = []
    if not (doc.get("lang") or "").strip():
        problems.append("<html> has no lang")
    title = doc.find(".//title")
    if title is None or not (title.text_content() or "").strip():
        problems.append("no <title>")
    layout = [t for t in doc.iter("table") if t.find(".//th") is None]
    unmarked = sum(1 for t in layout if t.get("role") not in ("presentation", "none"))
    if unmarked:
        problems.append(f"{unmarked} of {len(layout)} layout tables without "
                        'role="presentation"')
    schemes = [m.get("content") or "" for m in doc.iter("meta")
               if (m.get("name") or "").lower() == "color-scheme"]
    if not schemes:
        problems.append("no color-scheme meta (clients darken it their own way)")
    if problems:
        return CheckResult("accessibility", "warn", "; ".join(problems))
    return CheckResult("accessibility", "pass", f"lang={doc.get('lang')}, a title, "
                       f"{len(layout)} layout tables role=presentation, color-scheme "
                       f"{' '.join(schemes[0].split())}")
