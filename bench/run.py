"""Issue 13's table, measured: start-up, scale, stage times and sending, each row beside its
anchor or floor from the same run, with its target.

    python bench/run.py            # the issue's sizes; several minutes
    python bench/run.py --quick    # small inputs, few runs: every row, in seconds

Prints one table and writes it, with how it was measured, to bench/RESULTS.md (--results PATH
elsewhere). The MJML CLI is installed from npm into bench/node on first use (--no-mjml-cli
leaves that row out; --quick installs nothing and uses it only if already there).

How: every measured run is its own process (bench/measure.py: wall, CPU and peak RSS from
os.wait4), alternated with its anchor (A B A B …) so load on a shared machine hits both alike;
medians. Bytecode cache on: the children run without PYTHONDONTWRITEBYTECODE, after one
untimed warm-up run of each start-up command. Their cache folder (DIGEST_CACHE_DIR) is the
bench's own. Inputs are made by bench/inputs.py, seeded, so every run reads the same bytes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import BenchError, child_env
from rows import (
    Bench,
    Row,
    compose_row,
    due_row,
    help_row,
    jsonl_row,
    roundup_row,
    rss_rows,
    seed_rows,
    stage_rows,
)

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
COLUMNS = ("what", "digest", "anchor / floor", "ratio", "peak RSS", "target", "met", "runs")


def table(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for r in rows:
        cells = (r.what, r.digest, r.anchor, r.ratio, r.rss, r.target, r.met, r.runs)
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def machine() -> str:
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{platform.node()}, {os.cpu_count()} cores, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}; load average {load}")


def measure(bench: Bench, only: set[str] | None = None) -> list[Row]:
    steps = [
        ("seed build", seed_rows),
        ("--help", lambda b: [help_row(b)]),
        ("send --due", lambda b: [due_row(b)]),
        ("10k roundup", lambda b: [roundup_row(b, 10_000, 1.5, None)]),
        ("100k roundup", lambda b: [roundup_row(b, 100_000, 15, 300)]),
        ("JSONL", lambda b: [jsonl_row(b)]),
        ("RSS", rss_rows),
        ("stages", stage_rows),
        ("personalised messages", lambda b: [compose_row(b)]),
    ]
    rows: list[Row] = []
    for name, step in steps:
        if only is not None and not any(word in name for word in only):
            continue
        started = time.perf_counter()
        print(f"bench: {name} …", file=sys.stderr, flush=True)
        try:
            rows.extend(step(bench))
        except BenchError as exc:  # one broken row is reported, the others still run
            rows.append(Row(name, "FAILED", met="failed", notes=[f"{name}: {exc}"]))
        print(f"bench: {name} done in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return rows


def results(rows: list[Row], *, quick: bool, started: dt.datetime, seconds: float,
            before: str, after: str) -> str:
    notes = [n for r in rows for n in r.notes]
    mode = "small inputs: rows at reduced size are not judged" if quick else "the issue's sizes"
    return "\n".join([
        "# Bench results (issue 13)",
        "",
        f"`python bench/run.py{' --quick' if quick else ''}` ({mode}), started "
        f"{started:%Y-%m-%d %H:%M} UTC, {seconds:.0f} s in all.",
        "",
        f"Machine: {before} at the start; load {after.rsplit('load average ', 1)[-1]} at the "
        "end. The machine is shared: other work ran beside the bench, so absolute times are "
        "noisy; each ratio compares runs that took turns with each other.",
        "",
        "Medians of alternated runs (digest, anchor, digest, anchor, …); each run its own "
        "process. Wall time unless a row says CPU (user + system, from os.wait4). Peak RSS: "
        "the largest ru_maxrss among the row's digest runs. Bytecode cache on "
        "(PYTHONDONTWRITEBYTECODE unset for the children; one untimed warm-up run of each "
        "start-up command). Floors are timed inside their process, without its imports. "
        "Inputs: bench/inputs.py, seeded. Runs: digest + anchor runs. A target's \"was\" is "
        "issue 13's own measure. Stage times are inside one build process; the first call of "
        "a stage pays for its imports (inline: premailer's).",
        "",
        table(rows),
        "",
        "## Notes",
        "",
        *[f"- {n}" for n in notes],
        "",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small inputs, few runs")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where to write")
    parser.add_argument("--no-mjml-cli", action="store_true",
                        help="skip the MJML CLI comparison (no npm needed)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--only", help="only the rows whose step names hold one of these "
                        "comma-separated words (seed, help, due, roundup, JSONL, RSS, …)")
    args = parser.parse_args(argv)
    # SIGTERM ends the run as Ctrl-C does: the running child is killed, the work folder removed.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    started = dt.datetime.now(dt.UTC)
    clock = time.perf_counter()
    before = machine()
    work = Path(tempfile.mkdtemp(prefix="digest-bench-"))
    bench = Bench(work=work, env=child_env(DIGEST_CACHE_DIR=str(work / "cache")),
                  quick=args.quick, install_mjml=not args.quick, use_mjml=not args.no_mjml_cli)
    try:
        rows = measure(bench, set(args.only.split(",")) if args.only else None)
    finally:
        if args.keep:
            print(f"bench: work folder kept: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    text = table(rows)
    print(text)
    args.results.write_text(results(rows, quick=args.quick, started=started,
                                    seconds=time.perf_counter() - clock, before=before,
                                    after=machine()), encoding="utf-8")
    print(f"bench: wrote {args.results}", file=sys.stderr)
    return 1 if any(r.met == "failed" for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
