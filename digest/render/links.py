"""Where a card links to: the post itself, never a search page.

A search (x.com/search, a search engine) sits behind a login or finds something else; a reader
who clicks a card wants the post. So, in order: the post's permalink; its media link
(pic.twitter.com/… opens the post around the picture); a t.co link it carries (an embed's own
short link, which opens the post or what it shares); the profile its handle implies on its
network; any other https link it carries; else nothing, and the card shows no link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from digest.model import Post
from digest.read.common import platform_of


@dataclass(frozen=True)
class PostLink:
    url: str
    label: str  # what the link text says: "Open the post", "See the profile", …


def profile_url(handle: str | None, platform: str | None) -> str | None:
    """The profile page a handle names on its network, or None where it names none."""
    if not handle:
        return None
    handle = handle.lstrip("@")
    # The reader's rule for which network a handle's shape names (feed posts carry none).
    platform = platform or platform_of(handle, None)
    if platform == "mastodon":
        user, _, server = handle.partition("@")
        return f"https://{server}/@{quote(user)}" if server and "." in server else None
    if platform == "bluesky":
        return f"https://bsky.app/profile/{quote(handle)}"
    if platform == "threads":
        return f"https://www.threads.net/@{quote(handle)}"
    if platform == "tiktok":
        return f"https://www.tiktok.com/@{quote(handle)}"
    if platform == "instagram" and re.fullmatch(r"[\w.]{1,30}", handle):
        return f"https://www.instagram.com/{handle}/"
    if platform == "reddit":
        return f"https://www.reddit.com/user/{quote(handle.removeprefix('u/'))}"
    if platform in ("x", "twitter") and re.fullmatch(r"\w{1,15}", handle):
        return f"https://x.com/{handle}"
    return None


def post_link(post: Post) -> PostLink | None:
    """The link a card's author, headline and "open" line go to (see the module's docstring)."""
    if post.url and post.url.startswith("https://"):  # an email links to https only
        return PostLink(post.url, "Open the post")
    if post.media_link:
        return PostLink(post.media_link, "Open the post")
    for link in post.links:
        if link.startswith("https://t.co/"):
            return PostLink(link, "Open the post")
    profile = profile_url(post.handle, post.platform)
    if profile is not None:
        return PostLink(profile, "See the profile")
    for link in post.links:
        if link.startswith("https://"):
            host = re.sub(r"^https://(www\.)?", "", link).split("/", 1)[0]
            return PostLink(link, f"Open the link ({host})")
    return None
