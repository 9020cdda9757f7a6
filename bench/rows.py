"""The rows of bench/run.py's table: what each runs, beside what, and the target it is held to.

Each row function measures one line of issue 13's table (plus the stage times and the
personalised-message rate) and returns Row objects; run.py prints and saves them.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from measure import ROOT, Run, Runs, alternate, python, repeat
from measure import run as run_once
from mjml_cli import NODE_DIR, mjml_cli, npx_mjml

PROBES = str(Path(__file__).resolve().parent / "probes.py")
INPUTS = str(Path(__file__).resolve().parent / "inputs.py")
# Modules whose presence says what a start-up paid for (the "imports only what it uses").
HEAVY = ("pydantic", "jinja2", "mjml", "premailer", "cssutils", "requests", "lxml",
         "feedparser", "rapidfuzz", "apscheduler", "sqlalchemy")


STDLIB = set(sys.stdlib_module_names) | set(sys.builtin_module_names)


@dataclass
class Row:
    what: str
    digest: str
    anchor: str = "—"
    ratio: str = "—"
    rss: str = "—"
    target: str = "—"
    met: str = "—"
    runs: str = "—"
    notes: list[str] = field(default_factory=list)


@dataclass
class Bench:
    work: Path
    env: dict[str, str]
    quick: bool
    install_mjml: bool
    use_mjml: bool = True
    seed_edition: Path | None = None  # the seed build's edition folder, once built

    @property
    def pairs(self) -> int:
        return 3 if self.quick else 9

    @property
    def scale_runs(self) -> int:
        return 1 if self.quick else 3

    def run(self, cmd: list[str], cwd: Path | None = None) -> Run:
        return run_once(cmd, cwd=cwd or self.work, env=self.env)

    def size(self, full: int, quick: int) -> int:
        return quick if self.quick else full


def _s(seconds: float) -> str:
    return f"{seconds:.3f} s" if seconds < 10 else f"{seconds:.1f} s"


def _wall_cpu(runs: Runs) -> str:
    return f"{_s(runs.wall)} ({_s(runs.cpu)} CPU)"


def _ratios(a: Runs, b: Runs) -> str:
    return f"{a.wall / b.wall:.2f}× (CPU {a.cpu / b.cpu:.2f}×)"


def _mb(runs: Runs) -> str:
    return f"{runs.rss_mb:.0f} MB"


def _met(ok: bool, judged: bool = True) -> str:
    return ("met" if ok else "NOT met") if judged else "not judged (quick size)"


def _n(runs: Runs, other: Runs | None = None) -> str:
    return f"{len(runs)}" + (f"+{len(other)}" if other is not None else "")


def imports_of(bench: Bench, args: list[str], cwd: Path) -> tuple[list[str], str]:
    """Which HEAVY modules `python -m digest ARGS` imports, and where its import time goes:
    -X importtime's self times summed by package (digest's by stage, the standard library as
    one), the largest first. (importtime's own bookkeeping inflates them; the shares hold.)"""
    done = bench.run(python("-X", "importtime", "-m", "digest", *args), cwd)
    selves: dict[str, float] = {}
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _, name = (part.strip() for part in line[len("import time:"):].split("|"))
        top = name.split(".")[0]
        group = (".".join(name.split(".")[:2]) if top == "digest" else
                 "stdlib" if {top, top.lstrip("_")} & STDLIB or top.startswith("_frozen")
                 else top)
        selves[group] = selves.get(group, 0.0) + int(self_us) / 1000
    total = sum(selves.values())
    ranked = sorted(selves.items(), key=lambda kv: -kv[1])[:9]
    profile = f"{total:.0f} ms in all: " + ", ".join(f"{k} {v:.0f}" for k, v in ranked)
    return [m for m in HEAVY if m in selves], profile


def write_input(bench: Bench, kind: str, count: int, target: Path) -> Path:
    """bench/inputs.py in a process of its own: made here, a 100,000-post page would grow the
    bench to some 200 MB, and a child's ru_maxrss starts from its parent's size at the fork."""
    bench.run(python(INPUTS, kind, str(count), str(target)))
    return target


def _probe(bench: Bench, *args: str) -> tuple[Run, dict[str, Any]]:
    done = bench.run(python(PROBES, *args))
    return done, json.loads(done.stdout)


# --- start-up ---------------------------------------------------------------------------------

def seed_rows(bench: Bench) -> list[Row]:
    folder = bench.work / "seed"
    shutil.copytree(ROOT / "seeds", folder / "seeds")
    out = bench.work / "mjml-out"
    out.mkdir()

    def build(i: int) -> Run:
        return bench.run(python("-m", "digest", "build", "--outbox", f"outbox{i}"), folder)

    first = build(-2)  # the edition whose digest.mjml the CLI is given
    bench.seed_edition = Path(first.stdout.strip().splitlines()[-1])
    if not bench.seed_edition.is_absolute():
        bench.seed_edition = folder / bench.seed_edition
    source = bench.seed_edition / "digest.mjml"
    loaded, profile = imports_of(bench, ["build", "--outbox", "outbox-imports"], folder)
    note = (f"seed build imports {', '.join(loaded)} (of {', '.join(HEAVY)}); import time by "
            f"package (-X importtime, self): {profile}")
    cli, how = mjml_cli(install=bench.install_mjml) if bench.use_mjml else (None, "not asked for")
    what = "seed build, whole process, vs the MJML CLI on the same digest.mjml"
    if cli is None:
        runs = repeat(build, bench.pairs, warm=True)
        return [Row(what, _wall_cpu(runs), f"MJML CLI skipped: {how}", rss=_mb(runs),
                    target="< 0.6× (wall)", met="skipped (no MJML CLI)", runs=_n(runs),
                    notes=[note])]

    def mjml(i: int) -> Run:
        return bench.run([*cli, str(source), "-o", str(out / f"{i}.html")])

    a, b = alternate(build, mjml, bench.pairs)
    rows = [Row(what + f" ({how})", _wall_cpu(a), f"MJML CLI {_wall_cpu(b)}", _ratios(a, b),
                _mb(a), "< 0.6× (wall; was 0.70×)", _met(a.wall / b.wall < 0.6), _n(a, b), [note])]
    npx = npx_mjml()
    if npx is not None:
        def via_npx(i: int) -> Run:
            return bench.run([*npx, str(source), "-o", str(out / f"npx{i}.html")], NODE_DIR)

        a2, b2 = alternate(build, via_npx, max(3, bench.pairs // 2))
        rows.append(Row("seed build vs the same CLI started through `npx mjml` (npm's runner)",
                        _wall_cpu(a2), f"npx mjml {_wall_cpu(b2)}", _ratios(a2, b2), _mb(a2),
                        "< 0.6× (wall)", _met(a2.wall / b2.wall < 0.6), _n(a2, b2)))
    return rows


def _pass(bench: Bench) -> Run:
    return bench.run(python("-c", "pass"))


def help_row(bench: Bench) -> Row:
    a, b = alternate(lambda i: bench.run(python("-m", "digest", "--help")),
                     lambda i: _pass(bench), bench.pairs + 6)
    loaded, profile = imports_of(bench, ["--help"], bench.work)
    bad = [m for m in loaded if m in ("pydantic", "mjml", "premailer", "apscheduler")]
    return Row("`digest --help`", _wall_cpu(a), f"`python -c pass` {_wall_cpu(b)}",
               f"{a.wall / b.wall:.1f}×", _mb(a),
               "< 0.1 s (was 0.144 s); no pydantic, renderer, scheduler",
               _met(a.wall < 0.1 and not bad), _n(a, b),
               [f"--help imports {', '.join(loaded) or 'none of the heavy modules'}; import "
                f"time: {profile}"])


def due_row(bench: Bench) -> Row:
    """`digest send --due` when no slot is due: its cron fires 12 hours from now, and a slot
    may be at most a minute late, so nothing is ever due while the bench runs."""
    folder = bench.work / "due"
    folder.mkdir()
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=12)
    (folder / "digest.toml").write_text(
        f'[schedule]\ncron = "{later.minute} {later.hour} * * *"\ntimezone = "UTC"\n'
        'max_late = "1m"\n', encoding="utf-8")
    a, b = alternate(lambda i: bench.run(python("-m", "digest", "send", "--due"), folder),
                     lambda i: _pass(bench), bench.pairs)
    loaded, profile = imports_of(bench, ["send", "--due"], folder)
    bad = [m for m in loaded if m in ("pydantic", "mjml", "premailer", "apscheduler")]
    return Row("`digest send --due`, nothing due", _wall_cpu(a),
               f"`python -c pass` {_wall_cpu(b)}",
               f"{a.wall / b.wall:.1f}×", _mb(a), "no pydantic, renderer, scheduler",
               _met(not bad), _n(a, b),
               [f"send --due (nothing due) imports {', '.join(loaded) or 'none of them'}; "
                f"import time: {profile}"])


# --- scale ------------------------------------------------------------------------------------

def _build(bench: Bench, source: Path, tag: str) -> Any:
    def once(i: int) -> Run:
        return bench.run(python("-m", "digest", "-q", "build", str(source), "--outbox",
                                str(bench.work / f"out-{tag}-{i}")))
    return once


def roundup_row(bench: Bench, full: int, cpu_target: float, mb_target: float | None) -> Row:
    n = bench.size(full, full // 20 if full <= 10_000 else full // 100)
    source = write_input(bench, "roundup", n, bench.work / f"roundup-{n}.txt")
    a, floor = alternate(_build(bench, source, f"r{n}"),
                         lambda i: _probe(bench, "split", str(source))[0],
                         bench.scale_runs, budget=240, warm=False)
    split = statistics.median(json.loads(r.stdout)["seconds"] for r in floor.runs)
    built = bench.work / f"out-r{n}-0" / "2024-08-13" / "digest.mjml"
    mjml = _probe(bench, "mjml", str(built))[1]["seconds"]
    judged = n == full
    ok = a.cpu < cpu_target and (mb_target is None or a.rss_mb < mb_target)
    target = f"< {cpu_target:g} s CPU" + (f", < {mb_target:g} MB" if mb_target else "") + (
        " (was 8.2 s)" if full == 10_000 else " (was 91 s, 860 MB)")
    return Row(f"{n:,}-post roundup, whole build", f"{_s(a.cpu)} CPU ({_s(a.wall)} wall)",
               f"read + split {_s(split)}; mjml-python {_s(mjml)}", f"{a.cpu / split:.0f}×",
               _mb(a), target, _met(ok, judged), _n(a, floor))


def jsonl_row(bench: Bench) -> Row:
    n = bench.size(50_000, 1_000)
    source = write_input(bench, "jsonl", n, bench.work / f"export-{n}.jsonl")
    a, floor = alternate(_build(bench, source, f"j{n}"),
                         lambda i: _probe(bench, "jsonlines", str(source))[0],
                         bench.scale_runs, budget=240, warm=False)
    loads = statistics.median(json.loads(r.stdout)["seconds"] for r in floor.runs)
    return Row(f"{n:,}-line JSONL export, whole build", f"{_s(a.wall)} ({_s(a.cpu)} CPU)",
               f"`json.loads` per line {_s(loads)}", f"{a.wall / loads:.0f}×", _mb(a),
               "< 8 s (was 39 s, 464 MB)",
               _met(a.wall < 8, n == 50_000), _n(a, floor))


def rss_rows(bench: Bench) -> list[Row]:
    n = bench.size(400, 10)
    folder = write_input(bench, "rss", n, bench.work / f"rss-{n}")
    a, floor = alternate(lambda i: _probe(bench, "read", str(folder))[0],
                         lambda i: _probe(bench, "feedparser", str(folder))[0],
                         bench.scale_runs, budget=120, warm=False)
    ours = statistics.median(json.loads(r.stdout)["seconds"] for r in a.runs)
    theirs = statistics.median(json.loads(r.stdout)["seconds"] for r in floor.runs)
    posts = json.loads(a.runs[0].stdout)["posts"]
    # The figure, 3.4 s against feedparser's 7 ms a file (2.8 s), is 1.21× the floor.
    rows = [Row(f"{n} RSS files ({posts:,} items), read stage", _s(ours),
                f"feedparser per file {_s(theirs)} ({theirs / n * 1000:.1f} ms a file)",
                f"{ours / theirs:.2f}×", _mb(a), "no worse (was 3.4 s: 1.21× feedparser): ≤ 1.25×",
                _met(ours / theirs <= 1.25), _n(a, floor))]
    whole = repeat(_build(bench, folder, f"rss{n}"), 1)
    rows.append(Row(f"{n} RSS files, whole build", f"{_s(whole.wall)} ({_s(whole.cpu)} CPU)",
                    rss=_mb(whole), runs=_n(whole)))
    return rows


# --- stages and sending -----------------------------------------------------------------------

STAGES = ("read", "edit", "render jinja", "render mjml", "render inline", "render tidy",
          "message", "write", "archive")


def _stage_text(samples: list[dict[str, Any]], keys: tuple[str, ...]) -> str:
    def ms(key: str) -> str:
        value = statistics.median(s.get(key, 0.0) for s in samples) * 1000
        return f"{value:.0f}" if value >= 10 else f"{value:.1f}"
    return " · ".join(f"{k.removeprefix('render ')} {ms(k)}" for k in keys) + " ms"


def stage_rows(bench: Bench) -> list[Row]:
    rows = []
    n = bench.size(10_000, 500)
    page = write_input(bench, "roundup", n, bench.work / f"stages-{n}.txt")
    inputs = [("seed", [], bench.pairs), (f"{n:,}-post roundup", [str(page)], bench.scale_runs)]
    for label, sources, times in inputs:
        def once(i: int, sources: list[str] = sources, label: str = label) -> Run:
            return _probe(bench, "stages", str(bench.work / f"stages-out-{label}-{i}"),
                          *sources)[0]
        runs = repeat(once, times, budget=180, warm=label == "seed")
        samples = [json.loads(r.stdout) for r in runs.runs]
        start = _stage_text(samples, ("imports", "config"))
        rows.append(Row(f"stages in one process, {label} ({samples[0]['posts read']:,} posts)",
                        _stage_text(samples, STAGES), f"start-up: {start}", rss=_mb(runs),
                        runs=_n(runs)))
    return rows


def compose_row(bench: Bench) -> Row:
    if bench.seed_edition is None:
        return Row("personalised messages", "skipped: no seed edition built")
    n = bench.size(20_000, 500)
    runs = repeat(lambda i: _probe(bench, "compose", str(bench.seed_edition), str(n))[0],
                  bench.scale_runs)
    results = [json.loads(r.stdout) for r in runs.runs]
    fast = statistics.median(r["per_second"] for r in results)
    slow = statistics.median(r["reference_per_second"] for r in results)
    return Row(f"personalised messages, seed edition ({results[0]['bytes'] // 1024} KB each), "
               f"{n:,} recipients", f"{fast:,.0f} a second (MessageTemplate.compose)",
               f"build_message per recipient {slow:,.0f} a second", f"{fast / slow:.0f}×",
               _mb(runs), runs=_n(runs))
