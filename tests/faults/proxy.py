"""A TCP proxy on 127.0.0.1 in front of one server, which a test can cut, blackhole and restore.

The machine's PostgreSQL and Redis are shared with every other test run, so fault tests never
stop them: the app under test talks to them through this proxy, and only the proxy fails.

- `cut()`: every connection is closed and new ones are closed at once, as when a server stops.
- `blackhole()`: connections are accepted and held, and nothing is passed either way, as when a
  server hangs or a network drops packets.
- `restore()`: the held connections are closed and new ones are passed through again.
"""

from __future__ import annotations

import contextlib
import select
import socket
import struct
import threading
import time
from collections.abc import Iterator

OPEN, CUT, BLACKHOLE = "open", "cut", "blackhole"


class FaultProxy:
    def __init__(self, target_port: int, target_host: str = "127.0.0.1"):
        self.target = (target_host, target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.mode = OPEN
        self.accepted = 0
        self._pairs: set[tuple[socket.socket, ...]] = set()
        self._held: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, name="fault-proxy", daemon=True).start()

    def url(self, scheme_and_rest: str) -> str:
        """Return `scheme_and_rest` with {port} filled in by this proxy's port."""
        return scheme_and_rest.format(port=self.port)

    # -- faults -------------------------------------------------------------------------------

    def cut(self) -> None:
        self.mode = CUT
        self._close_all()

    def blackhole(self) -> None:
        self.mode = BLACKHOLE

    def restore(self) -> None:
        self._close_all()  # what was held is stale: its callers have given up
        self.mode = OPEN

    def close(self) -> None:
        self._closed = True
        self._close_all()
        self.listener.close()

    # -- plumbing -----------------------------------------------------------------------------

    def _close_all(self) -> None:
        with self._lock:
            pairs, held = list(self._pairs), list(self._held)
            self._pairs.clear()
            self._held.clear()
        for sock in [s for pair in pairs for s in pair] + held:
            _close(sock)

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self.accepted += 1
            if self.mode == CUT:
                _close(client, reset=True)
            elif self.mode == BLACKHOLE:
                with self._lock:
                    self._held.add(client)
            else:
                threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self.target, timeout=2)
        except OSError:
            _close(client)
            return
        pair = (client, upstream)
        with self._lock:
            self._pairs.add(pair)
        try:
            while pair in self._pairs:
                if self.mode != OPEN:
                    time.sleep(0.02)  # held: nothing passes either way
                    continue
                ready, _, _ = select.select(pair, [], [], 0.05)
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    (upstream if sock is client else client).sendall(data)
        except (OSError, ValueError):
            return
        finally:
            with self._lock:
                self._pairs.discard(pair)
            _close(client)
            _close(upstream)


def _close(sock: socket.socket, reset: bool = False) -> None:
    with contextlib.suppress(OSError):
        if reset:  # an RST, as a closed port gives, rather than a polite FIN
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        else:
            sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()


@contextlib.contextmanager
def fault_proxy(target_port: int) -> Iterator[FaultProxy]:
    proxy = FaultProxy(target_port)
    try:
        yield proxy
    finally:
        proxy.close()
