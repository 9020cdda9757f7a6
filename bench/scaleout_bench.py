"""Benchmark scale-out: 1 sender against 4 sharing one edition on one PostgreSQL ledger.

    python bench/scaleout_bench.py [--recipients 4000] [--senders 1,4] [--rounds 3]

Each sender is its own process running digest.deliver.sender.deliver() (what `digest send`
runs) against the same ledger and the same loopback SMTP sink (send_bench.py's, in a process
of its own). The clock runs from the moment every sender has started and loaded its config
to the moment the last one is done, and the sink must have received each recipient once.
The checks (`digest check`) run once, off the clock; the timed senders pass an empty gate.

PostgreSQL: the server in $DIGEST_TEST_POSTGRES (tests/run.sh exports one), else a throwaway
one started here (Debian's postgresql package; as the `postgres` user when run as root).
Each run gets a fresh database. On this 2-core machine the senders, the sink and the server
share the cores, so the gain is bounded by them, not by the ledger.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import multiprocessing as mp
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from send_bench import _sink  # noqa: E402  (the sink: a minimal asyncio SMTP server)


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """A PostgreSQL server URL (to its `postgres` database): given, or started for the run."""
    given = os.environ.get("DIGEST_TEST_POSTGRES")
    if given:
        yield given
        return
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        sys.exit("scaleout_bench: no PostgreSQL server (apt-get install postgresql)")
    bindir = Path(found[-1]).parent
    folder = Path(tempfile.mkdtemp(prefix="digest-bench-pg-"))
    as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_pg:
        shutil.chown(folder, "postgres")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    subprocess.run([*as_pg, str(bindir / "initdb"), "-D", str(folder / "data"), "-A", "trust",
                    "-U", "digest"], check=True, capture_output=True)
    # fsync stays on: a ledger commit per message is part of what is measured.
    subprocess.run([*as_pg, str(bindir / "pg_ctl"), "-D", str(folder / "data"), "-w", "-l",
                    str(folder / "log"), "-o",
                    f"-p {port} -k {folder} -c listen_addresses=127.0.0.1", "start"],
                   check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg://digest@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_pg, str(bindir / "pg_ctl"), "-D", str(folder / "data"), "-m",
                        "fast", "stop"], capture_output=True, check=False)
        shutil.rmtree(folder, ignore_errors=True)


def new_database(server: str) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"digest_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def _sender(toml: str, edition: str, ready: Any, go: Any, results: Any) -> None:
    from digest.check.gate import CheckGate
    from digest.config import load_config
    from digest.deliver.sender import deliver

    config = load_config(Path(toml))
    ready.put(os.getpid())
    go.wait()
    report = deliver(config, Path(edition), gate=CheckGate(()))  # checked once, off the clock
    results.put(report.sent_now)


def run(senders: int, toml: Path, edition: Path) -> float:
    """Seconds for `senders` processes to send the edition to every recipient."""
    ctx = mp.get_context("spawn")
    ready, results, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    procs = [ctx.Process(target=_sender, args=(str(toml), str(edition), ready, go, results))
             for _ in range(senders)]
    for proc in procs:
        proc.start()
    for _ in procs:
        ready.get(timeout=120)
    start = time.perf_counter()
    go.set()
    for proc in procs:
        proc.join(timeout=600)
    elapsed = time.perf_counter() - start
    sent = [results.get(timeout=10) for _ in procs]
    assert all(p.exitcode == 0 for p in procs), [p.exitcode for p in procs]
    print(f"  {senders} sender(s): {elapsed:6.2f} s, each sent {sorted(sent)}", flush=True)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=4000)
    parser.add_argument("--senders", default="1,4", help="sender counts to compare")
    parser.add_argument("--rounds", type=int, default=3,
                        help="alternate the counts this many times; report the median of each")
    args = parser.parse_args()
    counts = [int(n) for n in args.senders.split(",")]
    n = args.recipients
    with tempfile.TemporaryDirectory() as tmp, postgres_server() as server:
        work = Path(tmp)
        out = subprocess.run([sys.executable, "-m", "digest", "build", "--outbox",
                              str(work / "outbox")], cwd=ROOT, capture_output=True, text=True,
                             check=True)
        edition = Path(out.stdout.strip().splitlines()[-1])
        csv = work / "recipients.csv"
        csv.write_text("email,name\n" + "".join(f"reader{i}@example.com,Reader {i}\n"
                                                 for i in range(n)))
        ctx = mp.get_context("spawn")
        ports: Any = ctx.Queue()
        stop = ctx.Event()
        sink = ctx.Process(target=_sink, args=(ports, stop))
        sink.start()
        port = ports.get(timeout=30)
        times: dict[int, list[float]] = {c: [] for c in counts}
        try:
            from digest.config import load_config
            from digest.deliver.sender import _gate

            for round_ in range(args.rounds):  # alternated, so load from elsewhere hits all
                for senders in counts:
                    toml = work / f"digest-{round_}-{senders}.toml"
                    toml.write_text(
                        f'[build]\noutbox = "{edition.parent}"\n[email]\n'
                        f'from = "Digest <digest@example.org>"\n[send]\nto = "{csv}"\n'
                        f'smtp = "smtp://127.0.0.1:{port}"\nrate = 0\n'
                        f'ledger = "{new_database(server)}"\n')
                    if round_ == 0 and senders == counts[0]:
                        _gate(load_config(toml), edition, force=False)  # the real checks, once
                    times[senders].append(run(senders, toml, edition))
        finally:
            stop.set()
            received = ports.get(timeout=30)
            sink.join()
    expected = n * args.rounds * len(counts)
    print(f"{n:,} recipients, median of {args.rounds} rounds; sink received {received:,} "
          f"of {expected:,} messages")
    base = None
    for senders in counts:
        median = sorted(times[senders])[len(times[senders]) // 2]
        rate = n / median
        base = base or rate
        print(f"{senders} sender(s)  {rate:7,.0f} msg/s  ({median:.2f} s)  "
              f"x{rate / base:.2f} of {counts[0]}")
    if received != expected:
        sys.exit("scaleout_bench: the sink did not receive every message once")


if __name__ == "__main__":
    main()
