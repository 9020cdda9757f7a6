"""A deliberately bad http server on 127.0.0.1 for the fault tests: it answers with a body cut
short of its Content-Length, or drips the body a byte at a time, or is well behaved. Raw
sockets, so the faults are exactly what goes over the wire. Bounded: one thread per
connection, closed when the test ends."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

JSONL = b"".join(
    b'{"author": "A%d", "handle": "a%d", "date": "2024-08-13", "text": "Post %d of six."}\n'
    % (i, i, i) for i in range(1, 7))


def _serve(conn: socket.socket, mode: str, body: bytes, stop: threading.Event) -> None:
    with conn:
        conn.settimeout(5)
        try:
            conn.recv(65536)  # the request: one small GET
            head = (b"HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\n"
                    b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body))
            conn.sendall(head)
            if mode == "short":  # two of six posts, then the connection drops
                conn.sendall(body[: body.index(b"\n", body.index(b"\n") + 1) + 1])
            elif mode == "drip":  # a byte at a time, never done before the client gives up
                for byte in body * 1000:
                    if stop.wait(0.3):
                        return
                    conn.sendall(bytes([byte]))
            else:
                conn.sendall(body)
        except OSError:
            pass  # the client gave up: what the test wants


@contextmanager
def bad_http(mode: str, body: bytes = JSONL) -> Iterator[str]:
    """The URL of a server on 127.0.0.1 that answers every GET in `mode` ("short", "drip" or
    "ok")."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()
    workers: list[threading.Thread] = []

    def accept() -> None:
        while not stop.is_set() and len(workers) < 20:
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            worker = threading.Thread(target=_serve, args=(conn, mode, body, stop), daemon=True)
            workers.append(worker)
            worker.start()

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/posts.jsonl"
    finally:
        stop.set()
        acceptor.join(5)
        listener.close()
        for worker in workers:
            worker.join(5)
        time.sleep(0)
