"""Print Lantern's figures against the budgets of DESIGN.md §6: `python -m bench`.

1. gzip bytes of every page in every language, and of a whole first visit;
2. pages, search and the SMS webhook per second under gunicorn, as a ratio to a bare Flask
   "hello world" under the same gunicorn settings in the same run, with p50/p95/p99;
3. the same endpoints in process (no HTTP), and the directory's search benchmark;
4. what the insight counters add to a request (bench/bench_insight.py).

Everything runs on loopback. Seconds per measurement: `python -m bench --seconds 5`.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import itertools
import re
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from twilio.request_validator import RequestValidator

from bench.http import Tally, hammer
from chatbot.reader.corpus import load_examples

ROOT = Path(__file__).resolve().parent.parent
LANGS = ("en", "ur", "ar", "pl", "sk", "cs", "ro")
PAGE_BUDGET = 14 * 1024
VISIT_BUDGET = 30 * 1024
SEARCHES = (
    "grooming",
    "groomed",
    "nudes",
    "childline",
    "counselling",
    "rotherham",
    "police",
    "helpline",
    "adult survivor",
    "missing",
    "abuse",
    "text",
    "free",
    "S60",
    "groomin",
)
TOKEN = "bench-twilio-token"
SETTINGS = {
    "SECRET_KEY": "bench-secret",
    "LANTERN_HMAC_KEY": "bench-hmac",
    "TWILIO_AUTH_TOKEN": TOKEN,
}
LANTERN_APP = "bench.apps:lantern()"
SKIP_ENDPOINTS = {"static", "pages.exit_site", "pages.healthz"}


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def kb(n: float) -> str:
    return f"{n / 1024:.1f}"


def table(headers: list[str], rows: list[list]) -> str:
    cells = [[str(c) for c in row] for row in [headers, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        "  ".join(
            c.rjust(w) if i else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def title(text: str) -> None:
    print(f"\n## {text}\n", flush=True)


# -- 1. page weight ----------------------------------------------------------------------------


def page_paths(app) -> list[str]:
    """Return every HTML page's path (unprefixed): routes without arguments, pages, listings."""
    from flask import url_for

    from web.content import content

    paths = {"/"}
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if (
                "GET" in rule.methods
                and not rule.arguments
                and rule.endpoint not in SKIP_ENDPOINTS
                and not rule.rule.startswith("/api/")
            ):
                paths.add(rule.rule)
        for lang, path in content().pages.pages:
            if lang == "en":
                paths.add(f"/{path}")
        if "directory.listing" in app.view_functions:
            for sid in content().directory.services:
                paths.add(url_for("directory.listing", service_id=sid))
    return sorted(paths, key=lambda p: (p.count("/"), p))


def page_weights(app) -> list[str]:
    """Print gzip KB of every page in every language; return the URLs of all HTML pages."""
    client = app.test_client()
    rows, over, everything = [], [], []
    for path in page_paths(app):
        row, html = [path], False
        for lang in LANGS:
            url = path if lang == "en" else f"/{lang}{path}"
            response = client.get(url)
            if response.status_code != 200 or response.mimetype != "text/html":
                row.append(f"({response.status_code})")
                continue
            html = True
            size = gz(response.data)
            row.append(kb(size) + ("!" if size > PAGE_BUDGET else ""))
            everything.append(url)
            if size > PAGE_BUDGET:
                over.append(url)
        if html:
            rows.append(row)
    title(f"Page weight: gzip KB (level 6) of every page; budget {kb(PAGE_BUDGET)} KB, ! = over")
    print(table(["page", *LANGS], rows))
    sizes = [float(c.rstrip("!")) for row in rows for c in row[1:] if not c.startswith("(")]
    print(
        f"\n{len(sizes)} pages; largest {max(sizes):.1f} KB, median "
        f"{statistics.median(sizes):.1f} KB; over budget: {', '.join(over) or 'none'}"
    )
    return everything


SUBRESOURCE = re.compile(r"""<(?:link|script|img)\b[^>]*?\b(?:href|src)="([^"]+)\"""", re.I)
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)""")


def first_visit(app) -> None:
    """Print the gzip weight of a first visit to the home page: HTML and all it pulls in."""
    client = app.test_client()
    rows, notes = [], set()
    for lang in LANGS:
        home = "/" if lang == "en" else f"/{lang}/"
        html = client.get(home)
        seen, queue, total, parts, third_party = set(), [], gz(html.data), 1, []
        queue += SUBRESOURCE.findall(html.get_data(as_text=True))
        if not re.search(r'rel="[^"]*icon', html.get_data(as_text=True)):
            queue.append("/favicon.ico")  # without a declared icon, browsers ask for this one
        while queue:
            url = queue.pop(0).replace("&amp;", "&")
            if url in seen or url.startswith(("data:", "#", "tel:", "sms:", "mailto:")):
                continue
            seen.add(url)
            split = urlsplit(url)
            if split.netloc:
                third_party.append(url)
                continue
            response = client.get(url)
            if url == "/favicon.ico" and response.status_code != 200:
                total += gz(response.data)  # the browser downloads the error page all the same
                parts += 1
                notes.add(f"/favicon.ico answers {response.status_code}")
                continue
            if response.status_code != 200:
                continue
            if not url.endswith((".css", ".js", ".svg", ".ico", ".png", ".webmanifest", ".json")):
                continue  # a link to another page, not something the browser downloads now
            total += gz(response.data)
            parts += 1
            if response.mimetype == "text/css":
                base = url.rsplit("/", 1)[0]
                queue += [
                    u if u.startswith("/") else f"{base}/{u}"
                    for u in CSS_URL.findall(response.get_data(as_text=True))
                ]
        ok = "yes" if total <= VISIT_BUDGET and not third_party else "NO"
        rows.append([home, parts, kb(total), len(third_party), ok])
    title(f"First visit: the home page and every sub-resource, gzip KB; budget {kb(VISIT_BUDGET)}")
    print(table(["page", "files", "KB", "third-party", "in budget"], rows))
    for note in sorted(notes):
        print(f"\nNote: {note} (declare an icon, or serve a tiny one, to save that download).")


# -- 2. throughput under gunicorn --------------------------------------------------------------


def _get(path: str):
    return ("GET", path, b"", {})


def sms_requests(port: int):
    """Yield signed Twilio posts: many texters, each starting a conversation and answering."""
    validator = RequestValidator(TOKEN)
    url = f"http://127.0.0.1:{port}/sms"
    prepared = []
    for n in range(600):
        sender = f"+44770090{n:04d}"
        for body in ("hello", "2", "0"):
            params = {
                "From": sender,
                "To": "+447700900000",
                "Body": body,
                "MessageSid": f"SM{secrets.token_hex(16)}",
            }
            headers = {
                "X-Twilio-Signature": validator.compute_signature(url, params),
                "Content-Type": "application/x-www-form-urlencoded",
            }
            prepared.append(("POST", "/sms", urlencode(params).encode(), headers))
    # Replaying a MessageSid is a Twilio retry (answered from the store): the dedupe path counts.
    return itertools.cycle(prepared)


def search_path(query: str) -> str:
    return f"/services?{urlencode({'q': query})}"


def throughput(
    workdir: Path,
    seconds: float,
    concurrency: int,
    pages: list[str],
    has_search: bool,
    has_sms: bool,
) -> None:
    from tests.servers import gunicorn

    env = {
        **SETTINGS,
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "LANTERN_INDEX_DIR": str(workdir / "index"),
    }
    results: list[tuple[str, Tally]] = []

    def run(port: int, requests, warm: float = 1.0) -> Tally:
        asyncio.run(hammer(port, requests, concurrency, warm))  # warm every worker up
        return asyncio.run(hammer(port, requests, concurrency, seconds))

    with gunicorn(workdir / "hello", env, app="bench.apps:hello()", health="/") as hello:
        results.append(("hello world", run(hello.port, itertools.repeat(_get("/")))))
    with gunicorn(workdir / "lantern", env, app=LANTERN_APP) as lantern:
        page_requests = [_get(p) for p in pages]
        # Long enough for every worker to have rendered every page once: the steady state of
        # a site people are reading. The uncached row below shows the cost of each first render.
        warm = max(1.0, seconds)
        results.append(("pages", run(lantern.port, itertools.cycle(page_requests), warm)))
        if has_search:
            searches = itertools.cycle([_get(search_path(q)) for q in SEARCHES])
            results.append(("search", run(lantern.port, searches)))
        if has_sms:
            results.append(("SMS webhook", run(lantern.port, sms_requests(lantern.port))))
    # The same pages with the page cache off: what rendering every request costs.
    uncached = {**env, "LANTERN_PAGE_CACHE": "0"}
    with gunicorn(workdir / "uncached", uncached, app=LANTERN_APP) as plain:
        results.append(("pages, uncached", run(plain.port, itertools.cycle(page_requests))))
    base = results[0][1].rate
    rows = []
    for name, tally in results:
        errors = sum(n for s, n in tally.statuses.items() if s >= 400) + len(tally.failures)
        rows.append(
            [
                name,
                f"{tally.rate:.0f}",
                f"{tally.rate / base:.2f}",
                f"{tally.percentile(50):.1f}",
                f"{tally.percentile(95):.1f}",
                f"{tally.percentile(99):.1f}",
                len(tally.latencies),
                errors,
                ("yes" if tally.rate / base >= 0.5 else "NO") if name == "pages" else "",
            ]
        )
    import multiprocessing

    title(
        f"Under gunicorn (gunicorn.conf.py: {multiprocessing.cpu_count() * 2 + 1} gthread "
        f"workers x 4 threads), {concurrency} keep-alive connections, {seconds:.0f} s each; "
        f"budget: pages >= 0.50 x hello world"
    )
    print(
        table(
            [
                "what",
                "req/s",
                "x hello",
                "p50 ms",
                "p95 ms",
                "p99 ms",
                "requests",
                "errors",
                "in budget",
            ],
            rows,
        )
    )
    print("\nThe client shares the machine's cores with the server, so req/s are lower bounds.")


# -- 3. in process -----------------------------------------------------------------------------


# Texts as people send them (the dev set's, in every language), so the reader does real work.
SMS_BODIES = [
    e.text for e in load_examples(Path(__file__).resolve().parents[1] / "content" / "flows" / "dev")
][::7] or ["hello"]


def in_process(app, has_search: bool, has_sms: bool, count: int) -> None:
    client = app.test_client()
    rows = []

    def measure(name, budget_ms, send):
        times = []
        for n in range(count):
            started = time.perf_counter()
            status = send(n)
            times.append(time.perf_counter() - started)
            if status >= 400:
                raise RuntimeError(f"{name}: status {status}")
        tally = Tally(latencies=times, seconds=sum(times))
        rows.append(
            [
                name,
                f"{tally.percentile(50):.2f}",
                f"{tally.percentile(95):.2f}",
                f"{tally.percentile(99):.2f}",
                f"p95 <= {budget_ms}: " + ("yes" if tally.percentile(95) <= budget_ms else "NO")
                if budget_ms
                else "",
            ]
        )

    measure("home page", None, lambda n: client.get("/").status_code)
    if has_search:
        measure(
            "search page", None, lambda n: client.get(search_path(SEARCHES[n % 15])).status_code
        )
    if has_sms:
        validator = RequestValidator(TOKEN)

        def text(n):
            params = {
                "From": f"+44770091{n // 3:04d}",
                "To": "+447700900000",
                "Body": SMS_BODIES[n % len(SMS_BODIES)],
                "MessageSid": f"SM{n:032x}",
            }
            signature = validator.compute_signature("http://localhost/sms", params)
            return client.post(
                "/sms", data=params, headers={"X-Twilio-Signature": signature}
            ).status_code

        measure("SMS webhook", 20, text)
    title(f"In process (Flask test client, no HTTP), {count} requests each, ms")
    print(table(["what", "p50", "p95", "p99", "budget"], rows))


def reader() -> None:
    """Run the triage reader's own benchmark and show what it prints."""
    title("Triage reader (bench/bench_reader.py)")
    from bench import bench_reader

    bench_reader.run(Path(__file__).resolve().parents[1] / "content")


def directory_search(workdir: Path, sizes: list[int]) -> None:
    """Run the directory's own search benchmark and show what it prints."""
    title("Search at scale (bench/bench_search.py); budget p95 <= 10 ms at 10,000 services")
    from bench import bench_search

    for size in sizes:
        bench_search.run(size, repeats=3, workdir=workdir)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="per throughput measurement")
    parser.add_argument("--concurrency", type=int, default=16, help="keep-alive connections")
    parser.add_argument("--count", type=int, default=300, help="in-process requests per endpoint")
    parser.add_argument("--skip-gunicorn", action="store_true", help="only in-process figures")
    parser.add_argument(
        "--search-sizes",
        type=int,
        nargs="*",
        default=[10_000],
        help="listings for the directory search benchmark (none to skip)",
    )
    args = parser.parse_args(argv)

    from app import create_app

    with tempfile.TemporaryDirectory(prefix="lantern-bench-") as tmp:
        workdir = Path(tmp)
        app = create_app(
            {
                **SETTINGS,
                "TESTING": True,
                "RATELIMIT_ENABLED": False,
                "DATABASE_URL": f"sqlite:///{workdir / 'in-process.sqlite3'}",
                "LANTERN_INDEX_DIR": str(workdir / "index"),
            }
        )
        endpoints = set(app.view_functions)
        has_search = "directory.search" in endpoints
        has_sms = any(rule.rule == "/sms" for rule in app.url_map.iter_rules())
        print(
            f"# Lantern benchmarks, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
            f"Python {sys.version.split()[0]}"
        )
        everything = page_weights(app)
        first_visit(app)
        in_process(app, has_search, has_sms, args.count)
        reader()
        if not args.skip_gunicorn:
            pages = [p for p in everything if "?" not in p]
            throughput(workdir, args.seconds, args.concurrency, pages, has_search, has_sms)
        directory_search(workdir, args.search_sizes)
    from bench import bench_insight

    print()
    return bench_insight.main()


if __name__ == "__main__":
    sys.exit(main())
