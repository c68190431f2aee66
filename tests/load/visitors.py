"""Simulated visitors for the load test: each reads pages, searches, chats, texts and rates a page.

Each visitor has its own address (X-Forwarded-For, trusted through LANTERN_PROXY_HOPS=1), so the
per-client rate limits apply as they would to real people; visitors pause between steps as
people do, and every texter is a new phone number.
"""

from __future__ import annotations

import asyncio
import random
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import urlencode, urlsplit

from bench.http import Connection, Reply, Tally
from tests.fuzz.crawl import forms_on
from tests.servers import signed_sms

SEARCHES = ("grooming", "nudes", "counselling", "rotherham", "police", "helpline", "missing")
CHAT = ("hello", "I'm worried about my niece", "2", "0", "rotherham")
LINK = re.compile(r'href="(/[^"#?]*)"')


@dataclass
class Report:
    kinds: dict[str, Tally] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    accepted_feedback: list[str] = field(default_factory=list)
    visits: int = 0
    events: list[str] = field(default_factory=list)

    def record(self, kind: str, status: int, latency: float) -> None:
        self.kinds.setdefault(kind, Tally()).add(status, latency)

    def table(self, seconds: float) -> str:
        rows = [
            f"{'kind':<10}{'requests':>9}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}"
            f"{'p99 ms':>9}  statuses"
        ]
        for kind, tally in sorted(self.kinds.items()):
            statuses = " ".join(f"{s}x{n}" for s, n in sorted(tally.statuses.items()))
            rows.append(
                f"{kind:<10}{len(tally.latencies):>9}{len(tally.latencies) / seconds:>8.1f}"
                f"{tally.percentile(50):>9.1f}{tally.percentile(95):>9.1f}"
                f"{tally.percentile(99):>9.1f}  {statuses}"
            )
        total = sum(len(t.latencies) for t in self.kinds.values())
        rows.append(
            f"{total} requests in {self.visits} visits, {total / seconds:.0f} req/s; "
            f"{len(self.failures)} failures; {len(self.accepted_feedback)} feedback "
            "accepted"
        )
        rows += [f"  event: {e}" for e in self.events]
        rows += [f"  failure: {f}" for f in self.failures[:20]]
        return "\n".join(rows)


class Visitor:
    def __init__(self, number: int, port: int, report: Report, deadline: float, think: float):
        self.rng = random.Random(number)
        self.connection = Connection(port, timeout=30)
        self.port = port
        self.report = report
        self.deadline = deadline
        self.think = think
        # 10.0.0.0/8 gives every visitor an address of its own for the rate limits.
        self.address = f"10.{number // 250 % 250}.{number % 250}.{1 + self.rng.randrange(250)}"

    async def _send(
        self,
        kind: str,
        method: str,
        path: str,
        form=None,
        headers=None,
        expect: Callable[[Reply], bool] = lambda r: r.status == 200,
    ) -> Reply | None:
        started = time.perf_counter()
        try:
            reply = await self.connection.request(
                method,
                path,
                form=form,
                headers={"X-Forwarded-For": self.address, **(headers or {})},
            )
        except (OSError, TimeoutError, asyncio.IncompleteReadError) as exc:
            self.report.failures.append(f"{kind} {method} {path}: {exc!r}")
            await self.connection.close()
            return None
        self.report.record(kind, reply.status, time.perf_counter() - started)
        if not expect(reply):
            self.report.failures.append(f"{kind} {method} {path}: {reply.status}")
        return reply

    async def pause(self) -> bool:
        """Wait as a reader does; return False once the run is over."""
        await asyncio.sleep(self.rng.uniform(0.4, 1.6) * self.think)
        return time.monotonic() < self.deadline

    async def visit(self) -> None:
        home = await self._send("page", "GET", "/")
        if home is None or not await self.pause():
            return
        links = [u for u in LINK.findall(home.text) if not u.startswith(("/static", "/exit"))]
        page_path = self.rng.choice(links) if links else "/"
        page = await self._send("page", "GET", page_path)
        if page is None or not await self.pause():
            return
        query = urlencode({"q": self.rng.choice(SEARCHES)})
        await self._send("search", "GET", f"/services?{query}")
        if not await self.pause():
            return
        if self.rng.random() < 0.5:
            await self.feedback(page_path, page)
            if not await self.pause():
                return
        await self.chat()
        if not await self.pause():
            return
        await self.text()

    async def feedback(self, path: str, page: Reply) -> None:
        forms = [f for f in forms_on(page.text, path) if f.action.endswith("/feedback")]
        if not forms:
            return
        mark = f"load-{secrets.token_hex(8)}"
        fields = {**forms[0].fields, "helpful": "yes", "comment": mark}

        def thanked(reply: Reply) -> bool:
            location = reply.headers.get("location", "")
            # Saved: thanks, or (for a comment) the help that opens the next page.
            return reply.status == 303 and (
                "feedback=thanks" in location or "feedback=sent" in location
            )

        reply = await self._send(
            "feedback", "POST", urlsplit(forms[0].action).path, form=fields, expect=thanked
        )
        if reply is not None and thanked(reply):
            self.report.accepted_feedback.append(mark)

    async def chat(self) -> None:
        page = await self._send("chat", "GET", "/chat")
        for message in self.rng.sample(CHAT, 2):
            if page is None or not await self.pause():
                return
            forms = [f for f in forms_on(page.text, "/chat") if "/chat" in f.action]
            if not forms:
                self.report.failures.append("chat: no chat form on /chat")
                return
            form = forms[0]
            typed = [n for n in form.fields if n not in form.hidden and not form.choices.get(n)]
            fields = {**form.fields, **{name: message for name in typed[:1]}}
            page = await self._send(
                "chat",
                "POST",
                urlsplit(unescape(form.action)).path,
                form=fields,
                expect=lambda r: r.status in (200, 303),
            )
            if page is not None and page.status == 303:
                page = await self._send("chat", "GET", urlsplit(page.headers["location"]).path)

    async def text(self) -> None:
        sender = f"+4477009{self.rng.randrange(10**5):05d}"
        base = f"http://127.0.0.1:{self.port}"
        for body in ("hello", "2", "0"):
            params, headers = signed_sms(base, sender, body, f"SM{secrets.token_hex(16)}")
            await self._send(
                "sms",
                "POST",
                "/sms",
                form=params,
                headers=headers,
                expect=lambda r: r.status == 200 and b"<Response" in r.body,
            )
            if not await self.pause():
                return

    async def run(self) -> None:
        try:
            # Arrivals spread over the first seconds, as a crowd does.
            await asyncio.sleep(self.rng.uniform(0, 3))
            while time.monotonic() < self.deadline:
                await self.visit()
                self.report.visits += 1
        finally:
            await self.connection.close()


async def run_load(
    port: int,
    clients: int,
    seconds: float,
    think: float = 1.0,
    faults: tuple[tuple[float, str, Callable[[], Awaitable[None]]], ...] = (),
) -> Report:
    """Run `clients` visitors for `seconds`, firing each fault (at, name, action) on time."""
    report = Report()
    deadline = time.monotonic() + seconds

    async def fault(at: float, name: str, action) -> None:
        await asyncio.sleep(at)
        started = time.monotonic()
        await action()
        report.events.append(f"{name} at {at:.0f} s (took {time.monotonic() - started:.1f} s)")

    visitors = [Visitor(n, port, report, deadline, think) for n in range(clients)]
    await asyncio.gather(*(v.run() for v in visitors), *(fault(*f) for f in faults))
    return report
