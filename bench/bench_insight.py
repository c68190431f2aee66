"""What the insight counters add to a request: `python -m bench.bench_insight`.

1. Each counting hook called in a request context, as the views call it (microseconds per call);
2. the background write, per event, which no request waits for;
3. the SMS webhook and a kept page in process with the counters on and off, interleaved.

The budget (issue 16): the counters add no more than 1 ms to a request.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from twilio.request_validator import RequestValidator

BUDGET_MS = 1.0
TOKEN = "bench-twilio-token"


def _timed(fn, rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def _figures(times: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(times, n=100)
    return statistics.median(times), cuts[94], cuts[98]


def main() -> int:
    from app import create_app
    from chatbot.channels.common import run
    from directory.search import Filters
    from web import insight
    from web.directory import _need as need

    workdir = Path(tempfile.mkdtemp(prefix="lantern-bench-insight-"))
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "TWILIO_AUTH_TOKEN": TOKEN,
            "RATELIMIT_ENABLED": False,
            "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
            "LANTERN_INDEX_DIR": str(workdir / "index"),
            "LANTERN_INSIGHT_FLUSH_SECONDS": 5,
        }
    )
    rows = []
    with app.test_request_context("/chat"):
        state, reply = run(None, "my daughter is being groomed in Maltby", "en")
        assert reply.kind == "answer"
        results = app.extensions["lantern"].search.search("xyzzy", Filters())
        hooks = {
            "count_reply (an answer)": lambda: insight.count_reply("chat", None, state, reply),
            "count_search (found nothing)": lambda: insight.count_search(
                results, Filters(), "counselling", "en"
            ),
            # The view reads the need into a search that found nothing before counting it.
            "reading the need of an empty search": lambda: need(
                "my landlord wont fix the boiler", Filters(), results
            ),
            "count_page": lambda: insight.count_page("young-people", "en"),
            "count_kept_page (page cache)": lambda: insight.count_kept_page(
                app, ("young-people", "en")
            ),
            "count_feedback": lambda: insight.count_feedback("young-people", False),
        }
        for name, hook in hooks.items():
            _timed(hook, 200)  # warm up
            rows.append((name, *_figures(_timed(hook, 5000))))

    tally = app.extensions["lantern_insight"]
    tally.wake.set()  # stop the background thread; write by hand to time it
    if tally.thread is not None:
        tally.thread.join()
    events = 2000
    for i in range(events):
        tally.add(date(2026, 10, 1 + i % 28), "answer", [("hour", str(i % 24)), ("route", "x")])
    start = time.perf_counter()
    tally.flush()
    per_event = (time.perf_counter() - start) * 1000 / events

    # End to end: the SMS webhook and a kept page, counters on and off, interleaved.
    client = app.test_client()
    form = {"From": "+447700900000", "Body": "my son is being groomed in Maltby", "MessageSid": ""}

    def sms(i: int) -> None:
        data = {**form, "From": f"+4477009{i % 100000:05d}"}
        signature = RequestValidator(TOKEN).compute_signature("http://localhost/sms", data)
        client.post("/sms", data=data, headers={"X-Twilio-Signature": signature})

    def page(_: int) -> None:
        client.get("/young-people")

    on_off = {}
    for name, request in (("SMS webhook", sms), ("kept page", page)):
        times: dict[bool, list[float]] = {True: [], False: []}
        for i in range(1200):
            enabled = i % 2 == 0
            app.extensions["lantern_insight"] = tally if enabled else None
            start = time.perf_counter()
            request(i)
            if i >= 200:  # after warming up
                times[enabled].append((time.perf_counter() - start) * 1000)
        app.extensions["lantern_insight"] = tally
        on_off[name] = (statistics.median(times[True]), statistics.median(times[False]))

    print("## Insight counters: cost per request\n")
    print("| hook | p50 ms | p95 ms | p99 ms | budget |")
    print("|---|---|---|---|---|")
    worst = 0.0
    for name, p50, p95, p99 in rows:
        worst = max(worst, p99)
        print(f"| {name} | {p50:.4f} | {p95:.4f} | {p99:.4f} | ≤ {BUDGET_MS} ms |")
    print(f"\nBackground write (no request waits for it): {per_event:.4f} ms per event.\n")
    print("| in process, median | counters on ms | counters off ms | difference ms |")
    print("|---|---|---|---|")
    for name, (on, off) in on_off.items():
        print(f"| {name} | {on:.3f} | {off:.3f} | {on - off:+.3f} |")
    ok = worst <= BUDGET_MS
    print(f"\nWorst hook p99: {worst:.4f} ms — {'within' if ok else 'OVER'} the 1 ms budget.")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
