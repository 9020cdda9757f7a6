"""What the bench times inside one process; each probe prints one JSON object on stdout.

    python bench/probes.py stages OUTBOX SOURCE...   # a build, stage by stage
    python bench/probes.py read SOURCE...            # digest's read stage alone
    python bench/probes.py split FILE                # floor: read the bytes, split paragraphs
    python bench/probes.py mjml FILE.mjml            # floor: mjml-python on an MJML file
    python bench/probes.py jsonlines FILE            # floor: json.loads on every line
    python bench/probes.py feedparser FOLDER         # floor: feedparser.parse on every file
    python bench/probes.py compose EDITION_DIR N     # personalised messages for N recipients

A probe's imports are timed apart from its work ("imports"), so a floor is the library's work
and not its start-up, and the stages add up to the build that bench/run.py times whole.
The stages call the entry points digest.pipeline calls, in its order: decide_edition (its
progress hook tells read from edit), render_edition (whose `timings` splits Jinja, MJML and
inlining), build_message, write_edition, update_archive.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def stages(outbox: str, *sources: str) -> dict[str, Any]:
    started = time.perf_counter()
    from digest import pipeline
    from digest.config import load_config
    from digest.publish.archive import update_archive
    from digest.publish.outbox import write_edition
    from digest.render.message import build_message
    from digest.render.templates import render_edition

    out: dict[str, Any] = {"imports": time.perf_counter() - started}
    started = time.perf_counter()
    config = load_config(None, **{"build.outbox": outbox})
    out["config"] = time.perf_counter() - started
    marks: dict[str, float] = {}

    def progress(stage: str, done: int, total: int, posts: int) -> None:
        marks[stage] = time.perf_counter()
        out["posts read"] = posts

    started = time.perf_counter()
    edition = pipeline.decide_edition(config, list(sources) or pipeline.default_sources(config),
                                      progress=progress)
    out["read"] = marks["read"] - started
    out["edit"] = marks["decided"] - marks["read"]
    timings: dict[str, float] = {}
    started = time.perf_counter()
    rendered = render_edition(edition, pipeline.templates_folder(config), config.email,
                              config.archive.base_url, timings=timings)
    out["render"] = time.perf_counter() - started
    out.update({f"render {k}": v for k, v in timings.items()})
    started = time.perf_counter()
    message = build_message(edition, rendered, config.email)
    out["message"] = time.perf_counter() - started
    started = time.perf_counter()
    folder = write_edition(config.resolve(config.build.outbox), edition, rendered, message)
    out["write"] = time.perf_counter() - started
    started = time.perf_counter()
    update_archive(folder.parent, list_id=config.email.list_id,
                   base_url=config.archive.base_url)
    out["archive"] = time.perf_counter() - started
    out["posts"] = len(edition.posts)
    return out


def read(*sources: str) -> dict[str, Any]:
    started = time.perf_counter()
    import digest.read.feed
    import digest.read.jsonposts  # noqa: F401 - the readers load lazily; not on the clock
    from digest.read import dedupe_posts, read_sources

    imports = time.perf_counter() - started
    started = time.perf_counter()
    documents = read_sources(list(sources))
    posts = dedupe_posts([p for d in documents for p in d.posts])
    return {"imports": imports, "seconds": time.perf_counter() - started, "posts": len(posts)}


def split(path: str) -> dict[str, Any]:
    started = time.perf_counter()
    text = Path(path).read_bytes().decode("utf-8")
    blocks = [b for b in re.split(r"\n\s*\n", text) if b.strip()]
    return {"imports": 0.0, "seconds": time.perf_counter() - started, "blocks": len(blocks)}


def mjml(path: str) -> dict[str, Any]:
    started = time.perf_counter()
    import mjml as mjml_python

    imports = time.perf_counter() - started
    source = Path(path).read_text(encoding="utf-8")
    started = time.perf_counter()
    html = mjml_python.mjml2html(source, fonts={}, disable_comments=True)
    return {"imports": imports, "seconds": time.perf_counter() - started, "bytes": len(html)}


def jsonlines(path: str) -> dict[str, Any]:
    started = time.perf_counter()
    with open(path, encoding="utf-8") as lines:
        posts = [json.loads(line) for line in lines if line.strip()]
    return {"imports": 0.0, "seconds": time.perf_counter() - started, "posts": len(posts)}


def feedparser(folder: str) -> dict[str, Any]:
    started = time.perf_counter()
    import feedparser as fp

    imports = time.perf_counter() - started
    files = sorted(p for p in Path(folder).iterdir() if p.is_file())
    started = time.perf_counter()
    items = sum(len(fp.parse(p.read_bytes()).entries) for p in files)
    seconds = time.perf_counter() - started
    return {"imports": imports, "seconds": seconds, "files": len(files), "posts": items}


def compose(edition_dir: str, count: str) -> dict[str, Any]:
    """Messages a second: the sender's MessageTemplate (what `digest send` uses), and the
    reference build_message it is checked against, per recipient."""
    import datetime as dt

    from digest.config import load_config
    from digest.deliver.compose import MessageTemplate
    from digest.deliver.recipients import Recipient
    from digest.publish.outbox import read_edition, read_rendered
    from digest.render.message import build_message, message_bytes
    from digest.render.personalize import recipient_values

    folder = Path(edition_dir)
    email = load_config(None).email
    edition, rendered = read_edition(folder), read_rendered(folder)
    date = dt.datetime(2024, 8, 13, 8, tzinfo=dt.UTC)
    people = [Recipient(f"reader.{i}@example{i % 7}.org", f"Reader Nº{i}", line=i + 2)
              for i in range(int(count))]
    started = time.perf_counter()
    template = MessageTemplate(edition, rendered, email, date)
    size = sum(len(template.compose(person).data) for person in people)
    fast = time.perf_counter() - started
    some = people[: max(1, len(people) // 20)]
    started = time.perf_counter()
    for person in some:
        values = recipient_values(email.unsubscribe_url, edition.edition, person.email,
                                  person.name)
        message_bytes(build_message(edition, rendered, email, to=person.email, values=values,
                                    date=date))
    reference = time.perf_counter() - started
    return {"imports": 0.0, "seconds": fast, "per_second": len(people) / fast,
            "reference_per_second": len(some) / reference, "bytes": size // len(people)}


PROBES: dict[str, Callable[..., dict[str, Any]]] = {
    "stages": stages, "read": read, "split": split, "mjml": mjml, "jsonlines": jsonlines,
    "feedparser": feedparser, "compose": compose}

if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in PROBES:
        sys.exit(__doc__)
    print(json.dumps(PROBES[sys.argv[1]](*sys.argv[2:])))
