"""RSS/Atom feeds (the shared fixtures, an Atom feed, broken feeds) and fetching over http."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from digest.errors import SourceError
from digest.read import read_sources
from digest.read.feed import html_to_text

ROOT = Path(__file__).resolve().parents[2]
BBC = str(ROOT / "tests/fixtures/feeds/01-bbc-news-front-page.xml")
NPR = str(ROOT / "tests/fixtures/feeds/02-npr-news.xml")

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Grid Watch</title>
  <updated>2024-09-04T08:00:00Z</updated>
  <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <entry>
    <title>Demand hits 41 GW</title>
    <link href="http://gridwatch.example/2024/09/03/peak"/>
    <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
    <updated>2024-09-03T23:30:00-02:00</updated>
    <author><name>Sam Grid</name></author>
    <summary type="html">&lt;p&gt;Peak demand was &lt;b&gt;41 GW&lt;/b&gt; at 6pm.&lt;/p&gt;
    </summary>
  </entry>
  <entry>
    <title>No author here</title>
    <link href="https://gridwatch.example/2024/09/02/quiet"/>
    <id>urn:uuid:2</id>
    <published>2024-09-02T10:00:00Z</published>
    <content type="html">&lt;p&gt;A quiet day&amp;nbsp;on the grid.&lt;/p&gt;</content>
  </entry>
</feed>
"""


def test_bbc_feed() -> None:
    (doc,) = read_sources([BBC])
    assert doc.title == "BBC News - News front page"
    assert doc.date == "2023-11-24"
    assert len(doc.posts) == 16
    first = doc.posts[0]
    assert first.author == "BBC News - News front page"
    assert first.handle is None
    assert first.date == "2018-03-25"
    assert first.title == "Firm in data scandal 'made election boasts'"
    assert first.text.startswith("Firm in data scandal 'made election boasts'\n\nThe company that")
    assert first.url == first.links[0]
    assert first.url.startswith("https://www.bbc.co.uk/news/uk-politics-43532916")
    assert "&amp;" not in first.url
    assert first.source == f"{BBC}:18"
    texts = "\n".join(p.text for p in doc.posts)
    assert "£189m" in texts and "105 mph" in texts


def test_npr_feed_uses_item_authors_and_utc_dates() -> None:
    (doc,) = read_sources([NPR])
    assert doc.title == "News : NPR"
    assert len(doc.posts) == 15
    assert doc.posts[0].author == "Emily Olson"
    assert doc.posts[0].date == "2023-11-24"
    assert all(p.links and p.links[0].startswith("https://") for p in doc.posts)
    assert all("<" not in p.text for p in doc.posts)
    assert len({p.id for p in doc.posts}) == 15
    lines = Path(NPR).read_text(encoding="utf-8").split("\n")
    for post in doc.posts:
        assert lines[int(post.source.rsplit(":", 1)[1]) - 1].strip() == "<item>"


def test_atom_feed(tmp_path: Path) -> None:
    path = tmp_path / "grid.atom"
    path.write_text(ATOM, encoding="utf-8")
    (doc,) = read_sources([str(path)])
    assert doc.title == "Grid Watch"
    peak, quiet = doc.posts
    assert peak.author == "Sam Grid"
    assert peak.date == "2024-09-04"  # 23:30 at UTC-2 is the next day in UTC
    assert peak.text == "Demand hits 41 GW\n\nPeak demand was 41 GW at 6pm."
    assert peak.links == ("https://gridwatch.example/2024/09/03/peak",)
    assert peak.source == f"{path}:6"
    assert quiet.author == "Grid Watch"
    assert quiet.text == "No author here\n\nA quiet day on the grid."  # &nbsp; is a space


def test_feed_is_sniffed_without_extension(tmp_path: Path) -> None:
    path = tmp_path / "grid-feed"
    path.write_text(ATOM, encoding="utf-8")
    (doc,) = read_sources([str(path)])
    assert len(doc.posts) == 2


def test_html_to_text() -> None:
    assert html_to_text("<p>a &amp; b</p><p>c<script>x()</script></p>") == "a & b c"


def test_broken_feed_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.xml"
    path.write_text("<rss><channel>\n<item><title>x</title>\n</channel></rss>\n")
    with pytest.raises(SourceError) as info:
        read_sources([str(path)])
    assert str(info.value) == f"{path}:3: not a well-formed feed (mismatched tag)"
    path.write_text('<?xml version="1.0"?>\n<rss><channel>\n<item>\n</channel></rss>\n')
    with pytest.raises(SourceError) as info:
        read_sources([str(path)])
    assert str(info.value) == f"{path}:4: not a well-formed feed (mismatched tag)"


def test_not_a_feed(tmp_path: Path) -> None:
    path = tmp_path / "page.xml"
    path.write_text("<html><body>hello</body></html>")
    with pytest.raises(SourceError) as info:
        read_sources([str(path)])
    assert str(info.value) == f"{path}: not an RSS or Atom feed"


def test_item_without_any_date(tmp_path: Path) -> None:
    path = tmp_path / "undated.rss"
    path.write_text('<rss version="2.0"><channel><title>t</title>\n'
                    "<item><title>a</title></item></channel></rss>")
    with pytest.raises(SourceError) as info:
        read_sources([str(path)])
    assert str(info.value) == f"{path}:2: item 1 has no date, nor has the feed"


def test_feed_without_items(tmp_path: Path) -> None:
    path = tmp_path / "empty.rss"
    path.write_text('<rss version="2.0"><channel><title>t</title></channel></rss>')
    with pytest.raises(SourceError, match=r"empty\.rss: feed has no items"):
        read_sources([str(path)])


# --- http(s) sources, with the conditional-GET cache ----------------------------------------


class _FeedServer(BaseHTTPRequestHandler):
    body = ATOM.encode("utf-8")
    etag = '"v1"'
    requests: ClassVar[list[dict[str, str]]] = []

    def do_GET(self) -> None:
        type(self).requests.append(dict(self.headers.items()))
        if self.path == "/posts":
            body = b'[{"author": "A", "date": "2024-09-03", "text": "served as JSON"}]'
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if self.path == "/missing":
            self.send_error(404, "Not Found")
            return
        if self.headers.get("If-None-Match") == self.etag:
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/atom+xml")
        self.send_header("ETag", self.etag)
        self.send_header("Last-Modified", "Wed, 04 Sep 2024 08:00:00 GMT")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("DIGEST_CACHE_DIR", str(tmp_path / "cache"))
    _FeedServer.requests = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _FeedServer)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_url_is_fetched_then_revalidated_from_cache(server: str, tmp_path: Path) -> None:
    url = f"{server}/feed"
    (first,) = read_sources([url])
    assert [p.author for p in first.posts] == ["Sam Grid", "Grid Watch"]
    assert first.path == url
    assert first.posts[0].source == f"{url}:6"
    assert "If-None-Match" not in _FeedServer.requests[0]
    assert len(list((tmp_path / "cache").glob("*.body"))) == 1

    (second,) = read_sources([url])  # the server answers 304: the cached body is used
    assert _FeedServer.requests[1]["If-None-Match"] == '"v1"'
    assert _FeedServer.requests[1]["If-Modified-Since"] == "Wed, 04 Sep 2024 08:00:00 GMT"
    assert second.posts == first.posts


def test_url_errors_are_one_line(server: str) -> None:
    with pytest.raises(SourceError) as info:
        read_sources([f"{server}/missing"])
    assert str(info.value) == f"{server}/missing: HTTP 404 Not Found"


def test_unreachable_url() -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on: bound, never listening
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/feed"
        with pytest.raises(SourceError) as info:
            read_sources([url])
    assert str(info.value).startswith(f"{url}: cannot fetch (")


def test_url_kind_comes_from_content_type(server: str, tmp_path: Path) -> None:
    (doc,) = read_sources([f"{server}/posts"])
    assert [p.text for p in doc.posts] == ["served as JSON"]
    assert doc.posts[0].source == f"{server}/posts:1"
    # No validators from the server: nothing is cached, the next run downloads again.
    assert not list((tmp_path / "cache").glob("*.body"))


def test_broken_or_unwritable_cache_costs_only_a_download(
    server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"{server}/feed"
    read_sources([url])
    for meta in (tmp_path / "cache").glob("*.json"):
        meta.write_text("{not json")
    (doc,) = read_sources([url])
    assert "If-None-Match" not in _FeedServer.requests[1]  # garbage metadata: a plain GET
    assert len(doc.posts) == 2
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("DIGEST_CACHE_DIR", str(blocker / "cache"))  # cannot be created
    (doc,) = read_sources([url])
    assert len(doc.posts) == 2


def test_item_image_from_its_html_with_alt_and_no_tracking_pixel() -> None:
    (doc,) = read_sources([NPR])
    first = doc.posts[0]
    assert first.image is not None and first.image.startswith("https://media.npr.org/assets/img/")
    assert first.image_alt and first.image_alt.startswith("Paralympian athlete Oscar Pistorius")
    assert first.has_media
    assert not any(p.image and "pixel" in p.image for p in doc.posts)
    (bbc,) = read_sources([BBC])
    assert all(p.image is None for p in bbc.posts)  # BBC's items carry no picture


MEDIA_RSS = """<?xml version="1.0"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>Pics</title>
<item><title>With media content</title><pubDate>Tue, 03 Sep 2024 10:00:00 GMT</pubDate>
  <link>https://pics.example/1</link>
  <media:content url="http://pics.example/1.jpg" medium="image"/></item>
<item><title>With an enclosure</title><pubDate>Tue, 03 Sep 2024 09:00:00 GMT</pubDate>
  <enclosure url="https://pics.example/2.png" type="image/png" length="1"/></item>
<item><title>With audio only</title><pubDate>Tue, 03 Sep 2024 08:00:00 GMT</pubDate>
  <enclosure url="https://pics.example/3.mp3" type="audio/mpeg" length="1"/></item>
</channel></rss>
"""


def test_item_image_from_media_content_and_enclosure(tmp_path: Path) -> None:
    feed = tmp_path / "pics.xml"
    feed.write_text(MEDIA_RSS)
    (doc,) = read_sources([str(feed)])
    media, enclosure, audio = doc.posts
    # no alt in the feed: the renderer gives a neutral one (tests/render)
    assert (media.image, media.image_alt) == ("https://pics.example/1.jpg", None)
    assert (enclosure.image, enclosure.image_alt) == ("https://pics.example/2.png", None)
    assert audio.image is None and audio.has_media
