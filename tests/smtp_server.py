"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, an OS-chosen port, in a thread.

It records every message it accepts (`sink.messages`), and can be told to misbehave:
answer 4xx or 5xx for chosen recipients, drop the connection mid-batch, at a DATA command, in
the middle of DATA or after taking a message, take longer to answer the end of data than the
client waits, require AUTH, offer (and require) STARTTLS with a self-signed certificate made
here with `cryptography`.

One deliberate difference from stock aiosmtpd: when the client hangs up, stock aiosmtpd
cancels its handler at once and throws away a message whose end-of-data terminator is already
in its input buffer. Real MTAs (Postfix, Exim) read what the client sent before it left: a
DATA that ended with "." is a message. `_DrainingSMTP` does the same, so a sender killed right
after writing the terminator is judged the way a real server would judge it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import ipaddress
import logging
import os
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from digest.config import Config, load_config

# aiosmtpd logs a traceback for every client that hangs up mid-session: expected here.
logging.getLogger("mail.log").setLevel(logging.CRITICAL)


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    connection: int

    @property
    def message(self) -> EmailMessage:
        msg: EmailMessage = message_from_bytes(self.data, policy=policy.default)  # type: ignore[assignment]
        return msg


@dataclass
class Behaviour:
    temp_fail: dict[str, int] = field(default_factory=dict)  # address -> 4xx this many times
    perm_fail: set[str] = field(default_factory=set)  # address -> 550 at RCPT
    drop_before: set[int] = field(default_factory=set)  # close at MAIL of the n-th message
    drop_after_data: set[int] = field(default_factory=set)  # accept n-th, close without reply
    # By DATA command (1, 2, … over the server's life, `sink.data_commands`):
    drop_at_data: set[int] = field(default_factory=set)  # hang up at the n-th DATA, unanswered
    drop_in_data: set[int] = field(default_factory=set)  # n-th: answer 354, hang up before "."
    # n-th: after the end of data, wait this long (s) before taking the message and answering;
    # a client that hangs up first leaves nothing taken (the wait is cancelled).
    slow_reply: dict[int, float] = field(default_factory=dict)
    on_message: Callable[[int], None] | None = None  # called after each accepted message


class Sink:
    """The handler: records messages and applies the Behaviour."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.messages: list[Received] = []
        self.mail_commands = 0
        self.data_commands = 0
        self.connections = 0
        self.lock = threading.Lock()

    async def handle_MAIL(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, options: list[str]) -> str:
        self.mail_commands += 1
        if self.mail_commands in self.behaviour.drop_before and server.transport is not None:
            server.transport.abort()  # no reply: the connection just goes away
            return "421 4.3.0 gone"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, options: list[str]) -> str:
        key = address.lower()
        if key in self.behaviour.perm_fail:
            return "550 5.1.1 no such user here"
        if self.behaviour.temp_fail.get(key, 0) > 0:
            self.behaviour.temp_fail[key] -= 1
            return "451 4.7.1 greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        delay = self.behaviour.slow_reply.get(getattr(session, "digest_data", 0))
        if delay:
            await asyncio.sleep(delay)
        with self.lock:
            self.messages.append(Received(str(envelope.mail_from), list(envelope.rcpt_tos),
                                          bytes(envelope.original_content or b""),
                                          getattr(session, "digest_conn", 0)))
            count = len(self.messages)
        if self.behaviour.on_message is not None:
            self.behaviour.on_message(count)
        if count in self.behaviour.drop_after_data and server.transport is not None:
            server.transport.abort()
        return f"250 2.0.0 Ok: queued as {count}"

    def count_by_recipient(self) -> Counter[str]:
        with self.lock:
            return Counter(r.lower() for m in self.messages for r in m.rcpt_tos)


class _DrainingSMTP(SMTP):
    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        sink = self.event_handler
        sink.connections += 1
        assert self.session is not None
        self.session.digest_conn = sink.connections  # type: ignore[attr-defined]

    async def smtp_DATA(self, arg: str) -> None:
        sink = self.event_handler
        assert self.session is not None
        if self.envelope is None or not self.envelope.rcpt_tos or arg:
            await super().smtp_DATA(arg)  # refused as stock aiosmtpd refuses it
            return
        sink.data_commands += 1
        self.session.digest_data = sink.data_commands  # type: ignore[attr-defined]
        if sink.data_commands in sink.behaviour.drop_at_data:
            self._hang_up()
            return
        if sink.data_commands in sink.behaviour.drop_in_data:
            # The 354 and the FIN leave in one segment (TCP_CORK holds the 354 until the
            # shutdown): the client learns of the hang-up while it sends the data, whichever
            # thread the GIL favours, as it would from a server that went away mid-DATA.
            assert self.transport is not None
            self.transport.get_extra_info("socket").setsockopt(
                socket.IPPROTO_TCP, socket.TCP_CORK, 1)
            await self.push("354 End data with <CR><LF>.<CR><LF>")
            self._hang_up()
            return
        await super().smtp_DATA(arg)

    def _hang_up(self) -> None:
        """Go away now: shutdown() puts the FIN on the wire at once (abort() alone closes the
        socket on the event loop's next turn)."""
        assert self.transport is not None
        with contextlib.suppress(OSError):
            self.transport.get_extra_info("socket").shutdown(socket.SHUT_RDWR)
        self.transport.abort()

    def eof_received(self) -> bool | None:
        reader = self._reader
        reader.feed_eof()
        handler = self._handler_coroutine
        asyncio.get_running_loop().create_task(self._finish(handler))
        return True  # keep the transport until what was sent is processed

    async def _finish(self, handler: Any) -> None:
        for _ in range(2000):
            if handler is None or handler.done() or not self._reader._buffer:  # type: ignore[attr-defined]
                break
            await asyncio.sleep(0.001)
        await asyncio.sleep(0)
        if handler is not None:
            handler.cancel()
        if self.transport is not None:
            self.transport.close()


class _Controller(Controller):
    def __init__(self, sink: Sink, *, auth: tuple[str, str] | None,
                 tls: ssl.SSLContext | None) -> None:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(128)
        self._auth = auth
        self._tls = tls
        super().__init__(sink, hostname="127.0.0.1", port=self._sock.getsockname()[1])

    def _create_server(self) -> Any:
        return self.loop.create_server(self._factory_invoker, sock=self._sock)

    def factory(self) -> SMTP:
        kwargs: dict[str, Any] = {"hostname": "sink.test", "data_size_limit": 0}
        if self._auth is not None:
            kwargs.update(authenticator=self._check, auth_required=True,
                          auth_require_tls=self._tls is not None)
        if self._tls is not None:
            kwargs.update(tls_context=self._tls, require_starttls=True)
        with warnings.catch_warnings():  # AUTH without TLS is what the plain AUTH test wants
            warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS")
            return _DrainingSMTP(self.handler, **kwargs)

    def _check(self, server: SMTP, session: Session, envelope: Envelope, mechanism: str,
               auth_data: Any) -> AuthResult:
        ok = (isinstance(auth_data, LoginPassword) and self._auth is not None
              and auth_data.login.decode() == self._auth[0]
              and auth_data.password.decode() == self._auth[1])
        return AuthResult(success=ok, handled=False)


class SmtpServer:
    """`with SmtpServer(...) as server:` -> server.url, server.sink.messages."""

    def __init__(self, behaviour: Behaviour | None = None, *,
                 auth: tuple[str, str] | None = None, tls_dir: Path | None = None) -> None:
        self.sink = Sink(behaviour or Behaviour())
        self.cafile: Path | None = None
        tls = None
        if tls_dir is not None:
            cert, key = self_signed(tls_dir)
            tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            tls.load_cert_chain(cert, key)
            self.cafile = cert
        self.controller = _Controller(self.sink, auth=auth, tls=tls)

    @property
    def port(self) -> int:
        return int(self.controller.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def messages(self) -> list[Received]:
        return self.sink.messages

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A key and a self-signed certificate for 127.0.0.1 (also its own CA)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    folder.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


# --- helpers for the send tests: a built edition, a recipient CSV, a digest.toml ---------

ROOT = Path(__file__).resolve().parent.parent
# `digest` with the fast pre-send gate (tests/fast_digest.py): what send tests run.
DIGEST = [sys.executable, str(ROOT / "tests" / "fast_digest.py")]
# `digest` as installed, with the real gate (SpamAssassin, Node): for the few that keep it.
REAL_DIGEST = [sys.executable, "-m", "digest"]


def build_edition(outbox: Path) -> Path:
    """Build the seed's edition with the real pipeline (digest build) into `outbox`."""
    result = subprocess.run([sys.executable, "-m", "digest", "build", "--outbox", str(outbox)],
                            cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    return Path(result.stdout.strip().splitlines()[-1])


def copy_edition(source: Path, outbox: Path) -> Path:
    outbox.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copytree(source, outbox / source.name))


def write_csv(path: Path, rows: list[tuple[str, ...]], header: str = "email,name") -> Path:
    lines = [header] + [",".join(_cell(c) for c in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _cell(value: str) -> str:
    if any(ch in value for ch in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def write_config(folder: Path, *, smtp: str | None, to: Path, extra: str = "",
                 send_extra: str = "") -> Path:
    path = folder / "digest.toml"
    lines = [
        "[build]", f'outbox = "{folder / "outbox"}"',
        "[email]", 'from = "Digest <digest@example.org>"',
        "[send]", f'to = "{to}"', f'ledger = "{folder / "ledger.sqlite"}"',
        "retry_after = 0", "timeout = 10",
    ]
    if smtp:
        lines.append(f'smtp = "{smtp}"')
    path.write_text("\n".join(lines) + "\n" + send_extra + "\n" + extra, encoding="utf-8")
    return path


def config_at(path: Path) -> Config:
    return load_config(path)


def run_cli(*args: str, cwd: Path, env: dict[str, str] | None = None,
            timeout: float = 300, real_gate: bool = False) -> subprocess.CompletedProcess[str]:
    """`digest ARGS` in a subprocess; `digest send` there passes the fast gate unless
    `real_gate` (tests/gates.py)."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([*(REAL_DIGEST if real_gate else DIGEST), *args], cwd=cwd,
                          env=full_env,
                          capture_output=True, text=True, timeout=timeout, check=False)
