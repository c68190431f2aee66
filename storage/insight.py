"""Insight counters: one row per day, metric, dimension and value, holding a count. No Flask here.

Nothing finer is ever kept: no message, query, phone hash, address or per-conversation row. Each
dimension is counted on its own (channel on one row, language on another), so no row joins up
what one person said. Requests add to an in-memory tally; a background thread writes it to SQL
every few seconds, so a slow or absent database never holds up a reply.
"""

from __future__ import annotations

import atexit
import logging
import os
import re
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from storage.sql import SQLStore

log = logging.getLogger("lantern.insight")

INSIGHT_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS insight_counts (
        day TEXT NOT NULL, metric TEXT NOT NULL, dimension TEXT NOT NULL, value TEXT NOT NULL,
        count INTEGER NOT NULL, PRIMARY KEY (day, metric, dimension, value))""",
)
# Values come from closed vocabularies (flow routes, area ids, page paths, numbers); anything
# else is refused, so free text can never reach the table even through a bug upstream.
NAME = re.compile(r"[a-z_]{1,20}")
# A value is one or more parts joined by "|": a word of the vocabularies (no spaces) or a
# phone number as the directory writes it ("01709 336080"): never words with spaces between.
_PART = r"(?:[A-Za-z0-9_./:+-]+|\+?[0-9][0-9 ]*[0-9])"
VALUE = re.compile(rf"{_PART}(?:\|{_PART})*")
MAX_KEYS = 20_000  # a tally that cannot be written is capped, never left to grow


@dataclass(frozen=True)
class Count:
    day: date
    metric: str
    dimension: str
    value: str
    count: int


Key = tuple[str, str, str, str]


def is_valid(metric: str, dimension: str, value: str) -> bool:
    return bool(
        NAME.fullmatch(metric)
        and NAME.fullmatch(dimension)
        and len(value) <= 80
        and VALUE.fullmatch(value)
    )


class InsightStore(SQLStore):
    """The SQL store plus the insight_counts table."""

    # Created with the SQL store's tables, under its schema lock, on the first connection.
    schema = (*SQLStore.schema, *INSIGHT_SCHEMA)

    def add_counts(self, counts: dict[Key, int]) -> None:
        for (day, metric, dimension, value), count in counts.items():
            self._run(
                "INSERT INTO insight_counts (day, metric, dimension, value, count) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (day, metric, dimension, value) "
                "DO UPDATE SET count = insight_counts.count + excluded.count",
                (day, metric, dimension, value, count),
            )

    def counts(self, start: date, end: date) -> list[Count]:
        """Return the counts of the days from `start` up to but not including `end`."""
        rows = self._run(
            "SELECT day, metric, dimension, value, count FROM insight_counts "
            "WHERE day >= ? AND day < ?",
            (start.isoformat(), end.isoformat()),
            True,
        )
        return [Count(date.fromisoformat(d), m, dim, v, int(c)) for d, m, dim, v, c in rows]


class Tally:
    """Counts kept in memory and written to the store by a background thread."""

    def __init__(self, store: InsightStore, interval: float = 5.0):
        self.store = store
        self.interval = interval
        self.pending: Counter[Key] = Counter()
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.thread: threading.Thread | None = None
        self.pid = 0

    def add(self, day: date, metric: str, pairs: Iterable[tuple[str, str]]) -> None:
        """Count one event: each (dimension, value) pair adds one to its own row."""
        stamp = day.isoformat()
        keys = [(stamp, metric, d, v) for d, v in pairs if is_valid(metric, d, v)]
        with self.lock:
            if len(self.pending) < MAX_KEYS:
                self.pending.update(keys)
        if self.interval > 0:
            self._ensure_thread()
        else:  # written at once: for tests and single-process tools
            self.flush()

    def flush(self) -> bool:
        """Write what is pending; on failure keep it for the next try. Return whether it worked."""
        with self.lock:
            pending, self.pending = self.pending, Counter()
        if not pending:
            return True
        try:
            self.store.add_counts(dict(pending))
        except Exception as exc:  # never the values: only that writing failed, and why
            log.warning("insight counters not written yet: %s", type(exc).__name__)
            with self.lock:
                if len(self.pending) < MAX_KEYS:
                    self.pending.update(pending)
            return False
        return True

    def _ensure_thread(self) -> None:
        # A forked worker does not inherit its parent's thread: start one per process.
        if self.thread is not None and self.pid == os.getpid() and self.thread.is_alive():
            return
        with self.lock:
            if self.thread is not None and self.pid == os.getpid() and self.thread.is_alive():
                return
            self.pid = os.getpid()
            self.thread = threading.Thread(target=self._loop, name="insight-tally", daemon=True)
            self.thread.start()
            atexit.register(self.flush)  # a worker that stops cleanly writes its last counts

    def _loop(self) -> None:
        while not self.wake.wait(self.interval):
            self.flush()
        self.flush()

    def close(self) -> None:
        """Stop the thread after one last write."""
        self.wake.set()
        if self.thread is not None and self.thread.is_alive():
            self.thread.join(timeout=10)
        self.flush()
