"""SMTP transport: one connection reused for many messages, reconnect on drop, a throttle.

URL forms (`--smtp` or `[send] smtp`):
    smtp://host:port             plain SMTP (default port 25); STARTTLS when `?starttls=1`
    smtp+starttls://host:port    SMTP, upgraded with STARTTLS (default port 587); refused if
                                 the server does not offer it (never falls back to plain text)
    smtps://host:port            SMTP over TLS from the first byte (default port 465)
    smtp://user@host:port        AUTH as `user` (or `[send] username`); the password is read
                                 from the environment, DIGEST_SMTP_PASSWORD, and nowhere else.
                                 Over plain smtp:// only to this machine (localhost, 127.x,
                                 ::1): elsewhere AUTH needs smtp+starttls:// or smtps://
Query options: `cafile=PATH` trusts that CA (a private or self-signed server), `timeout=S`.
A password inside the URL is refused: a URL ends up in config files, shell history and logs.

A message goes in two steps so the caller can record its intent in between
(digest/deliver/sender.py): `begin` sends MAIL, RCPT, DATA and the body; `finish` sends the
end-of-data terminator and reads the server's reply. Between them, nothing the server holds is
a message yet. What a lost connection means depends on which side of the terminator it is
lost: before it (`begin` failing, or `finish` raising NotSent) the server holds no message and
it can go out again; after it (`finish` raising ConnectionLost) the server may or may not have
taken it: the outcome is unknown.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import select
import smtplib
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from digest.errors import ConfigError, DeliveryError

PASSWORD_ENV = "DIGEST_SMTP_PASSWORD"
_SCHEMES = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
_RECONNECT_DELAYS = (0.0, 0.5, 2.0)


@dataclass(frozen=True)
class SmtpUrl:
    scheme: str
    host: str
    port: int
    username: str | None = None
    starttls: bool = False
    cafile: str | None = None

    def __str__(self) -> str:  # safe to show: never holds a password
        user = f"{self.username}@" if self.username else ""
        return f"{self.scheme}://{user}{self.host}:{self.port}"


@dataclass(frozen=True)
class Reply:
    code: int
    text: str
    stage: str = "end"  # the command it answers: "mail", "rcpt", "data" or "end" (of data)

    @property
    def ok(self) -> bool:
        return 200 <= self.code < 300

    @property
    def temporary(self) -> bool:
        return 400 <= self.code < 500

    def __str__(self) -> str:
        return f"{self.code} {self.text}".strip()


class _Unreachable(DeliveryError):
    """Connecting failed (worth another try); AUTH or TLS refusals are not."""


class SetupError(DeliveryError):
    """The SMTP settings cannot work as given (no password, AUTH refused, no STARTTLS, TLS
    that does not match the server): a rerun will not help, so it is bad input (exit 2)."""

    exit_code = 2


class ConnectionLost(DeliveryError):
    """The connection dropped, or no reply came in time, after the end-of-data terminator had
    left: the server may or may not have taken the message."""


class NotSent(DeliveryError):
    """The connection was gone before the end-of-data terminator left: the server holds no
    message, and it can be sent again on a new connection."""


# poll() events that say the server hung up (POLLRDHUP: its FIN has arrived; Linux only).
_HUNG_UP = select.POLLHUP | select.POLLERR | select.POLLNVAL | getattr(select, "POLLRDHUP", 0)


def parse_smtp_url(url: str, username: str | None = None) -> SmtpUrl:
    where = "--smtp / [send] smtp"
    if any(ch in url for ch in "\r\n\0 "):
        raise ConfigError("spaces or control characters in the SMTP URL", where=where)
    parts = urlsplit(url)
    if parts.scheme not in _SCHEMES:
        raise ConfigError(f"unknown scheme {parts.scheme!r}; use smtp://, smtps:// or "
                          "smtp+starttls://", where=where)
    if parts.password is not None:
        raise ConfigError(f"a password in the URL; put it in ${PASSWORD_ENV} instead",
                          where=where)
    if not parts.hostname:
        raise ConfigError(f"no host in {url!r}", where=where)
    try:
        port = parts.port or _SCHEMES[parts.scheme]
    except ValueError:
        raise ConfigError(f"bad port in {url!r}", where=where) from None
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    unknown = set(query) - {"starttls", "cafile"}
    if unknown:
        raise ConfigError(f"unknown URL option(s) {', '.join(sorted(unknown))}", where=where)
    starttls = parts.scheme == "smtp+starttls" or query.get("starttls", "").lower() in (
        "1", "true", "yes")
    if starttls and parts.scheme == "smtps":
        raise ConfigError("smtps:// is TLS already; STARTTLS does not apply", where=where)
    user = unquote(parts.username) if parts.username else username
    if user and parts.scheme == "smtp" and not starttls and not _loopback(parts.hostname):
        # The password would cross the network in clear text (AUTH PLAIN is base64).
        raise ConfigError(f"AUTH as {user!r} over an unencrypted connection to "
                          f"{parts.hostname}; use smtp+starttls:// or smtps://", where=where)
    return SmtpUrl(parts.scheme, parts.hostname, port, user or None, starttls,
                   query.get("cafile"))


def _loopback(host: str) -> bool:
    """This machine: a password to it never leaves the host, TLS or not."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class SmtpSession:
    """One SMTP connection, opened lazily, reopened after a drop, throttled to `rate`/s."""

    def __init__(self, url: SmtpUrl, *, timeout: float = 30.0, rate: float = 0.0,
                 password: str | None = None) -> None:
        self.url = url
        self.timeout = timeout
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._password = password if password is not None else os.environ.get(PASSWORD_ENV)
        self._smtp: smtplib.SMTP | None = None
        self._next_start = 0.0
        self.connections = 0

    # -- connection ------------------------------------------------------------------------
    def open(self) -> None:
        if self._smtp is not None:
            return
        url = self.url
        if url.username and not self._password:
            raise SetupError(f"AUTH as {url.username!r} needs the password in the environment "
                             f"variable {PASSWORD_ENV} (it is empty or not set)", where=str(url))
        context = ssl.create_default_context(cafile=url.cafile)
        try:
            smtp: smtplib.SMTP
            if url.scheme == "smtps":
                smtp = smtplib.SMTP_SSL(url.host, url.port, timeout=self.timeout,
                                        context=context)
            else:
                smtp = smtplib.SMTP(url.host, url.port, timeout=self.timeout)
            try:
                smtp.ehlo()
                if url.starttls:
                    if not smtp.has_extn("starttls"):
                        raise SetupError("the server does not offer STARTTLS; refusing to "
                                         "send in plain text (use smtp:// for a server "
                                         "without TLS)", where=str(url))
                    smtp.starttls(context=context)
                    smtp.ehlo()
                if url.username:
                    smtp.login(url.username, self._password or "")
            except BaseException:
                smtp.close()
                raise
        except smtplib.SMTPAuthenticationError as exc:
            raise SetupError(f"AUTH as {url.username!r} refused: "
                             f"{_text(exc.smtp_code, exc.smtp_error)} (check "
                             f"{PASSWORD_ENV})", where=str(url)) from None
        except smtplib.SMTPNotSupportedError:
            raise SetupError("the server does not offer AUTH (drop the user from the URL and "
                             "[send] username)", where=str(url)) from None
        except ssl.SSLError as exc:  # a certificate or protocol problem: not transient
            hint = (" (is it a plain SMTP port? smtps:// wants TLS from the first byte)"
                    if url.scheme == "smtps" and "WRONG_VERSION" in str(exc) else
                    " (a private CA? add ?cafile=PATH to the URL)"
                    if "CERTIFICATE_VERIFY" in str(exc) else "")
            raise SetupError(f"cannot connect: {_describe(exc)}{hint}", where=str(url)
                             ) from None
        except smtplib.SMTPConnectError as exc:
            raise _Unreachable(f"the server refused the connection: "
                               f"{_text(exc.smtp_code, exc.smtp_error)}", where=str(url)
                               ) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise _Unreachable(f"cannot connect: {_describe(exc)}", where=str(url)) from None
        # The terminator goes in its own small write, right after the ledger commit; with
        # Nagle's algorithm it would wait for the ACK of the body (40 ms of delayed ACK).
        if smtp.sock is not None:
            with contextlib.suppress(OSError):
                smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._smtp = smtp
        self.connections += 1

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()

    def drop(self) -> None:
        """Close without QUIT: the way out of a DATA we must not finish."""
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            smtp.close()

    # -- one message -----------------------------------------------------------------------
    def begin(self, sender: str, recipient: str, body: bytes) -> Reply | None:
        """MAIL, RCPT, DATA, then `body` (dot-stuffed, CRLF-terminated). None: ready for
        `finish`. A Reply: the server refused before the data (nothing was sent)."""
        self._throttle()
        for attempt, delay in enumerate(_RECONNECT_DELAYS):
            if delay:
                time.sleep(delay)
            try:
                self.open()
                return self._begin(sender, recipient, body)
            except (smtplib.SMTPServerDisconnected, OSError) as exc:
                self.drop()  # nothing was accepted: safe to send again on a new connection
                if attempt == len(_RECONNECT_DELAYS) - 1:
                    raise DeliveryError(f"connection lost, {len(_RECONNECT_DELAYS)} tries: "
                                        f"{_describe(exc)}", where=str(self.url)) from None
            except _Unreachable as exc:
                if attempt == len(_RECONNECT_DELAYS) - 1:
                    raise DeliveryError(exc.message, where=exc.where) from None
        raise AssertionError("unreachable")

    def _begin(self, sender: str, recipient: str, body: bytes) -> Reply | None:
        assert self._smtp is not None
        smtp = self._smtp
        for command in (f"mail FROM:<{sender}>", f"rcpt TO:<{recipient}>", "data"):
            smtp.putcmd(command)
            code, text = smtp.getreply()
            if code == 421:  # the server is closing: reconnect and try again
                raise smtplib.SMTPServerDisconnected(_text(code, text))
            expected = 354 if command == "data" else 250
            if code != expected and not (command.startswith("rcpt") and code == 251):
                reply = Reply(code, _decode(text), command.split()[0])
                self._reset()
                return reply
        smtp.send(body)
        return None

    def finish(self, mark: Callable[[], object] | None = None,
               unmark: Callable[[], object] | None = None) -> Reply:
        """Send the end-of-data terminator and read the reply: the message is now out.

        `mark` is called right before the terminator's write (digest/deliver/journal.py):
        nothing but that call and the send() may stand between the two. `unmark`, when the
        write fails with not one byte of the terminator gone.
        Raises NotSent when the terminator could not leave (the server hung up during the
        data: nothing is delivered), ConnectionLost when it left and no reply came."""
        smtp = self._smtp
        assert smtp is not None and smtp.sock is not None
        sock = smtp.sock
        if _hung_up(sock):
            self.drop()
            raise NotSent("connection lost before the end of data", where=str(self.url))
        sent = 0
        try:
            if mark is not None:
                mark()
            sent = sock.send(b".\r\n")
            if sent < 3:  # a 3-byte send is whole in practice; finish it if not
                sock.sendall(b".\r\n"[sent:])
            code, text = smtp.getreply()
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self.drop()
            if not sent:  # no byte of the terminator left: the server holds no message
                if unmark is not None:
                    unmark()
                raise NotSent(f"connection lost before the end of data: {_describe(exc)}",
                              where=str(self.url)) from None
            raise ConnectionLost(f"no reply after the end of data: {_describe(exc)}",
                                 where=str(self.url)) from None
        if code == 421:
            self.drop()
        return Reply(code, _decode(text))

    def _reset(self) -> None:
        assert self._smtp is not None
        try:
            code, _ = self._smtp.rset()
        except (smtplib.SMTPException, OSError):
            code = 0
        if code != 250:
            self.drop()

    def _throttle(self) -> None:
        if not self.interval:
            return
        now = time.monotonic()
        if now < self._next_start:
            time.sleep(self._next_start - now)
            now = self._next_start
        self._next_start = now + self.interval


def _hung_up(sock: socket.socket) -> bool:
    """Whether the server hung up (or spoke out of turn) while we sent the data: it says
    nothing between 354 and the terminator, so any event now means the DATA cannot finish.
    One poll() with no wait, just before the terminator."""
    poller = select.poll()
    poller.register(sock, select.POLLIN | select.POLLPRI | getattr(select, "POLLRDHUP", 0))
    events = poller.poll(0)
    if not events:
        return False
    if events[0][1] & _HUNG_UP:
        return True
    # Readable only. Over TLS that may be a record the server sent long ago (a TLS 1.3
    # session ticket) that OpenSSL has not read yet: not a sign. In plain text it is the
    # server talking during DATA (a "421 … closing" before it hangs up, say).
    return not isinstance(sock, ssl.SSLSocket)


def _decode(text: bytes) -> str:
    return text.decode("utf-8", "replace").replace("\n", " ")


def _text(code: int, text: bytes | str) -> str:
    return f"{code} {_decode(text) if isinstance(text, bytes) else text}"


def _describe(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout) or (
            isinstance(exc, smtplib.SMTPServerDisconnected) and str(exc).endswith("timed out")):
        return "no answer from the server (timed out; [send] timeout)"
    if isinstance(exc, smtplib.SMTPResponseException):
        return _text(exc.smtp_code, exc.smtp_error)
    if isinstance(exc, ssl.SSLError):
        return f"TLS: {exc.reason or exc}"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__
