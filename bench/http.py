"""A small HTTP/1.1 keep-alive client on asyncio, light enough to measure a server on loopback.

Used by the benchmarks and the load test. It speaks just what gunicorn answers with: a status
line, headers and a Content-Length body.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    cookies: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Connection:
    """One keep-alive connection to 127.0.0.1:port, reopened when the server closes it.

    It keeps the cookies it is sent (name and value only), like a browser on one site.
    """

    def __init__(self, port: int, timeout: float = 30):
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except (ConnectionError, OSError):
                self.writer = None
            self.reader = self.writer = None

    async def request(
        self,
        method: str,
        path: str,
        form: dict | None = None,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
    ) -> Reply:
        """Send one request (a form is url-encoded) and return the reply; retry a stale socket."""
        body = raw if raw is not None else (urlencode(form).encode() if form is not None else b"")
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
        if form is not None:
            lines.append("Content-Type: application/x-www-form-urlencoded")
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        payload = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        for attempt in (1, 2):
            fresh = self.writer is None
            if fresh:
                await self._open()
            try:
                return await asyncio.wait_for(self._exchange(payload), self.timeout)
            except (ConnectionError, asyncio.IncompleteReadError):
                await self.close()
                # A keep-alive socket the server had already closed: try once on a new one.
                if fresh or attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _exchange(self, payload: bytes) -> Reply:
        self.writer.write(payload)
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        headers: dict[str, str] = {}
        cookies: dict[str, str] = {}
        for line in header_lines:
            if ":" in line:
                name, value = line.split(":", 1)
                name, value = name.strip().lower(), value.strip()
                headers[name] = value
                if name == "set-cookie":
                    cookie, _, attributes = value.partition(";")
                    gone = re.search(r"max-age=0|expires=thu, 01 jan 1970", attributes, re.I)
                    cookie_name, _, cookie_value = cookie.partition("=")
                    cookies[cookie_name.strip()] = "" if gone else cookie_value
        if "chunked" in headers.get("transfer-encoding", ""):
            raise ConnectionError("chunked replies are not expected from Lantern")
        body = await self.reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            await self.close()
        for name, value in cookies.items():
            if value:
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        return Reply(status, headers, body, cookies)


@dataclass
class Tally:
    """Latencies (seconds) and outcomes of one measured run."""

    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, status: int, latency: float) -> None:
        self.latencies.append(latency)
        self.statuses[status] = self.statuses.get(status, 0) + 1

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """Return the p-th percentile latency in milliseconds (nearest rank)."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
        return ordered[rank] * 1000


async def hammer(port: int, requests, concurrency: int, seconds: float) -> Tally:
    """Send requests from `requests` (an iterator of (method, path, raw body, headers)) as fast
    as `concurrency` keep-alive connections allow, for `seconds`."""
    tally = Tally()
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        connection = Connection(port)
        try:
            while time.perf_counter() < deadline:
                method, path, raw, headers = next(requests)
                started = time.perf_counter()
                try:
                    reply = await connection.request(method, path, headers=headers, raw=raw)
                except (TimeoutError, OSError, asyncio.IncompleteReadError) as exc:
                    tally.failures.append(f"{path}: {exc!r}")
                    await connection.close()
                    continue
                tally.add(reply.status, time.perf_counter() - started)
        finally:
            await connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    tally.seconds = time.perf_counter() - started
    return tally
