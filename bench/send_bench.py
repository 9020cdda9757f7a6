"""Benchmark `digest send`: messages per second into a loopback SMTP sink.

    python bench/send_bench.py [--recipients 10000] [--edition OUTBOX/EDITION]

Two runs against the same sink (a minimal asyncio SMTP server in its own process, so it
costs the sender nothing but the loopback round trips):
  ceiling  raw smtplib on one connection, sendmail() of ONE pre-built message in a loop;
  digest   digest.deliver.sender.deliver(): reads and validates the CSV, fills the ledger, then for
           each recipient merges a personal message, claims/commits in SQLite, and sends.
The checks (`digest check`, seconds of SpamAssassin) run once before the clock starts.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import multiprocessing as mp
import smtplib
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


# -- the sink --------------------------------------------------------------------------------

class _SinkProtocol(asyncio.Protocol):
    """A minimal SMTP server that says yes to everything: commands by line, DATA scanned in
    whole chunks for the terminator (per-line reading would make the sink the bottleneck)."""

    def __init__(self, counter: list[int]) -> None:
        self.counter = counter
        self.buffer = b""
        self.in_data = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(b"220 sink ESMTP\r\n")

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while self.buffer:
            if self.in_data:
                # the body starts after "354", so a terminator is always preceded by CRLF
                end = self.buffer.find(b"\r\n.\r\n")
                if end < 0:
                    self.buffer = self.buffer[-4:]  # keep only what may start a terminator
                    return
                self.buffer = self.buffer[end + 5:]
                self.in_data = False
                self.counter[0] += 1
                self.transport.write(b"250 2.0.0 queued\r\n")
                continue
            end = self.buffer.find(b"\r\n")
            if end < 0:
                return
            verb, self.buffer = self.buffer[:4].upper(), self.buffer[end + 2:]
            if verb in (b"EHLO", b"HELO"):
                self.transport.write(b"250-sink\r\n250-8BITMIME\r\n250 SIZE 0\r\n")
            elif verb == b"DATA":
                self.in_data = True
                self.buffer = b"\r\n" + self.buffer  # so an empty body still ends cleanly
                self.transport.write(b"354 go ahead\r\n")
            elif verb == b"QUIT":
                self.transport.write(b"221 bye\r\n")
                self.transport.close()
                return
            else:  # MAIL, RCPT, RSET, NOOP
                self.transport.write(b"250 ok\r\n")


def _sink(port_queue: Any, stop: Any) -> None:
    async def main() -> None:
        counter = [0]
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: _SinkProtocol(counter), "127.0.0.1", 0)
        port_queue.put(server.sockets[0].getsockname()[1])
        while not stop.is_set():
            await asyncio.sleep(0.05)
        server.close()
        port_queue.put(counter[0])

    asyncio.run(main())


# -- the two senders -------------------------------------------------------------------------

def ceiling(port: int, message: bytes, n: int) -> float:
    smtp = smtplib.SMTP("127.0.0.1", port)
    smtp.ehlo()
    start = time.perf_counter()
    for i in range(n):
        smtp.sendmail("digest@example.org", [f"r{i}@example.com"], message)
    elapsed = time.perf_counter() - start
    smtp.quit()
    return n / elapsed


def digest_rate(port: int, edition: Path, n: int, work: Path) -> tuple[float, float]:
    from digest.config import load_config
    from digest.deliver.sender import _gate, deliver

    csv = work / "recipients.csv"
    csv.write_text("email,name\n" + "".join(f"reader{i}@example.com,Reader {i}\n"
                                             for i in range(n)))
    toml = work / "digest.toml"
    toml.write_text(f'[build]\noutbox = "{edition.parent}"\n[email]\n'
                    f'from = "Digest <digest@example.org>"\n[send]\nto = "{csv}"\n'
                    f'smtp = "smtp://127.0.0.1:{port}"\nledger = "{work / "ledger.sqlite"}"\n')
    config = load_config(toml)
    _gate(config, edition, force=False)  # the checks, once, off the clock
    start = time.perf_counter()
    report = deliver(config, edition)
    elapsed = time.perf_counter() - start
    assert (report.sent, report.failed, report.retrying) == (n, 0, 0), report
    return n / elapsed, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--edition", type=Path, help="an edition folder (default: build one)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="alternate the two runs this many times; report the best of each")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        edition = args.edition
        if edition is None:
            out = subprocess.run([sys.executable, "-m", "digest", "build", "--outbox",
                                  str(work / "outbox")], cwd=ROOT, capture_output=True,
                                 text=True, check=True)
            edition = Path(out.stdout.strip().splitlines()[-1])
        from digest.config import load_config
        from digest.deliver.compose import MessageTemplate
        from digest.deliver.recipients import Recipient
        from digest.publish.outbox import read_edition, read_rendered

        template = MessageTemplate(read_edition(edition), read_rendered(edition),
                                   load_config(None).email, dt.datetime.now(dt.UTC))
        message = template.compose(Recipient("reader0@example.com", "Reader 0")).data
        ctx = mp.get_context("spawn")
        ports: Any = ctx.Queue()
        stop = ctx.Event()
        sink = ctx.Process(target=_sink, args=(ports, stop))
        sink.start()
        port = ports.get(timeout=30)
        tops: list[float] = []
        rates: list[tuple[float, float]] = []
        try:
            for round_ in range(args.rounds):  # alternated, so load from elsewhere hits both
                tops.append(ceiling(port, message, args.recipients))
                (work / str(round_)).mkdir()
                rates.append(digest_rate(port, edition, args.recipients, work / str(round_)))
        finally:
            stop.set()
            received = ports.get(timeout=30)
            sink.join()
    n = args.recipients
    top, (rate, elapsed) = max(tops), max(rates)
    print(f"message size        {len(message):,} bytes; best of {args.rounds} rounds")
    print(f"ceiling (smtplib)   {top:,.0f} msg/s  ({n:,} copies of one pre-built message)")
    print(f"digest deliver()    {rate:,.0f} msg/s  ({n:,} personal messages in {elapsed:.2f} s)")
    print(f"ratio               {rate / top:.0%} of the ceiling; sink received {received:,}")
    print("all rounds          ceiling " + ", ".join(f"{t:,.0f}" for t in tops)
          + " | digest " + ", ".join(f"{r:,.0f}" for r, _ in rates))


if __name__ == "__main__":
    main()
