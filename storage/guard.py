"""Every storage call ends in time: a dead or hung server costs a request half a second at most.

Each backend (Redis, SQL) sits behind its own `Guard`. A call runs on one of the guard's own
threads and is waited for `timeout` seconds; if it raises, or has not answered by then, the
caller gets `StorageUnavailable` and the backend is left alone for `cooldown` seconds, during
which calls fail at once instead of piling threads on a server that is not there. A call still
hung on a server that never answers holds only the guard's thread, never a request's.

Deletes that could not be done (quick exit and STOP while a server is down) are remembered in
memory, by key only, and done as soon as the backend answers again.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from storage.base import StorageUnavailable

log = logging.getLogger("lantern.storage")

IDLE_SECONDS = 10.0  # a thread with nothing to do for this long ends (and closes its connection)
PENDING_LIMIT = 10_000  # keys waiting to be forgotten, per process: ids only, never content


class Guard:
    """Run a backend's calls with a deadline and a cool-down after each failure."""

    def __init__(
        self,
        name: str,
        backend: Any,
        timeout: float = 0.5,
        cooldown: float = 2.0,
        threads: int = 4,
    ):
        self.name = name
        self.backend = backend
        self.timeout = timeout
        self.cooldown = cooldown
        self.threads = threads
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._running = 0
        self._idle = 0
        self._resting_until = 0.0  # time.monotonic(): a duration, not a moment of the app's day
        self._pending: OrderedDict[str, None] = OrderedDict()

    def _start_thread_if_needed(self) -> None:
        with self._lock:
            if self._jobs.qsize() <= self._idle or self._running >= self.threads:
                return
            self._running += 1
        # Daemon threads: one hung on a server that never answers must not stop the process.
        threading.Thread(target=self._work, name=f"lantern-{self.name}", daemon=True).start()

    def _work(self) -> None:
        try:
            while True:
                with self._lock:
                    self._idle += 1
                try:
                    future, fn, args = self._jobs.get(timeout=IDLE_SECONDS)
                except queue.Empty:
                    return
                finally:
                    with self._lock:
                        self._idle -= 1
                if not future.set_running_or_notify_cancel():
                    continue  # its caller gave up before it started
                try:
                    future.set_result(fn(*args))
                except BaseException as exc:  # handed to the caller, which decides
                    future.set_exception(exc)
        finally:
            with self._lock:
                self._running -= 1
            release = getattr(self.backend, "release_thread", None)
            if release is not None:
                release()  # close this thread's own connection

    @property
    def available(self) -> bool:
        """Return False while the backend rests after a failure."""
        return time.monotonic() >= self._resting_until

    def call(self, method: str, *args: Any) -> Any:
        """Call the backend's `method`, or raise StorageUnavailable within the timeout."""
        if not self.available:
            raise StorageUnavailable(f"{self.name} is resting after a failure")
        result = self._submit(getattr(self.backend, method), *args)
        if self._pending:
            self._flush_pending()
        return result

    def _submit(self, fn: Callable, *args: Any) -> Any:
        future: Future = Future()
        self._jobs.put((future, fn, args))
        self._start_thread_if_needed()
        try:
            return future.result(timeout=self.timeout)
        except FutureTimeout:
            future.cancel()
            self._fail(f"no answer within {self.timeout:.2f} s")
            raise StorageUnavailable(f"{self.name}: no answer in time") from None
        except StorageUnavailable:
            raise
        except Exception as exc:
            if not _is_outage(exc):
                raise
            self._fail(type(exc).__name__)
            raise StorageUnavailable(f"{self.name}: {type(exc).__name__}") from exc

    def _fail(self, why: str) -> None:
        with self._lock:
            first = self.available
            self._resting_until = time.monotonic() + self.cooldown
        if first:
            log.warning(
                "storage %s unavailable (%s): resting %.1f s", self.name, why, self.cooldown
            )

    def forget(self, key: str) -> None:
        """Delete every trace of `key`; if the backend is down, do it once it is back."""
        try:
            self.call("forget", key)
        except StorageUnavailable:
            self._pend([key])
            raise

    def forget_in_background(self, key: str) -> None:
        """Start deleting every trace of `key` without waiting; if it fails, retry once back."""
        if not self.available:
            self._pend([key])
            return
        future: Future = Future()
        future.add_done_callback(lambda done: done.exception() and self._pend([key]))
        self._jobs.put((future, self.backend.forget, (key,)))
        self._start_thread_if_needed()

    def _pend(self, keys: list[str]) -> None:
        with self._lock:
            for key in keys:
                self._pending[key] = None
            while len(self._pending) > PENDING_LIMIT:
                self._pending.popitem(last=False)

    def _flush_pending(self) -> None:
        with self._lock:
            keys = list(self._pending)
            self._pending.clear()
        for n, key in enumerate(keys):
            try:
                self._submit(self.backend.forget, key)
            except StorageUnavailable:
                self._pend(keys[n:])
                return

    @property
    def pending(self) -> int:
        return len(self._pending)

    def ping(self) -> bool:
        """Return whether the backend answers now (False at once while it rests)."""
        try:
            return bool(self.call("ping"))
        except StorageUnavailable:
            return False


def _is_outage(exc: Exception) -> bool:
    """Return whether `exc` says the server is unreachable or busy, rather than a bug."""
    import sqlite3

    if isinstance(exc, sqlite3.OperationalError | sqlite3.DatabaseError | OSError):
        return True
    module = type(exc).__module__ or ""
    if module.startswith("redis"):
        return True
    if module.startswith("psycopg"):
        import psycopg

        return isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError)
    return False
