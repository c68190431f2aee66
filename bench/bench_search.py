"""Search benchmark: index build time and p50/p95 query latency at 10,000 and 100,000 listings.

python -m bench.bench_search [--sizes 10000 100000]
Budget (DESIGN.md §6): p95 <= 10 ms at 10,000 listings.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.generate_listings import ROOT, generate
from directory import load_directory
from directory.search import Filters, build_index, open_index

QUERIES = (
    "counselling",
    "counsling",
    "missin",
    "groomed",
    "nudes",
    "social services",
    "suicidal",
    "signs of grooming",
    "rape crisis",
    "domestic abuse helpline",
    "i was abused when i was a kid",
    "my daughter has an older boyfriend",
    "someone to talk to tonight",
    "police report",
    "childline",
    "samaritans",
    "free text service",
    "zqxj wvvv",
)
FILTERS = (
    Filters(),
    Filters(),
    Filters(area="rotherham"),
    Filters(audience="young-people"),
    Filters(category="counselling", free=True),
    Filters(channel="text"),
    Filters(always_open=True),
    Filters(language="ur"),
)
PAGES = [
    {
        "id": "families/signs-of-grooming",
        "url": "/families/signs-of-grooming",
        "title": "Signs of grooming",
        "summary": "What to look out for.",
        "body": "Grooming signs: gifts, secrecy, older friends.",
        "lang": "en",
    }
]


def percentile(values: list[float], share: float) -> float:
    """Return the value below which the given share of values fall."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run(size: int, repeats: int, workdir: Path) -> None:
    """Generate, load, index and query one size, printing the figures."""
    content = generate(size, workdir / f"listings-{size}")
    started = time.perf_counter()
    directory = load_directory(content)
    loaded = time.perf_counter() - started
    index_dir = workdir / f"index-{size}"
    started = time.perf_counter()
    build_index(directory, index_dir, PAGES)
    built = time.perf_counter() - started
    started = time.perf_counter()
    index = open_index(directory, index_dir, PAGES, ROOT / "content" / "search" / "synonyms.yaml")
    opened = time.perf_counter() - started

    rng = random.Random(3)
    cases = [(q, f) for q in QUERIES for f in FILTERS]
    for query, filters in cases:  # warm the caches once, as a running worker would be
        index.search(query, filters)
    timings: list[float] = []
    cpu: list[float] = []
    for _ in range(repeats):
        rng.shuffle(cases)
        for query, filters in cases:
            began, began_cpu = time.perf_counter(), time.process_time()
            index.search(query, filters)
            timings.append((time.perf_counter() - began) * 1000)
            cpu.append((time.process_time() - began_cpu) * 1000)
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    # Which listings are open is worked out once a minute; time that apart from the searches.
    began = time.perf_counter()
    index.search("", Filters(open_now=True), now=now)
    refresh = (time.perf_counter() - began) * 1000
    open_now: list[float] = []
    for query in QUERIES * repeats:
        began = time.perf_counter()
        index.search(query, Filters(open_now=True), now=now)
        open_now.append((time.perf_counter() - began) * 1000)
    # The search page reads the sentence for needs first (web/needs.py): the reader, then the
    # index for up to 100 hits, arranged around the need.
    from chatbot import load_flow
    from chatbot.reader.slots import Places
    from web import needs

    flow = load_flow(ROOT / "content" / "flows")
    rules = needs.load_need_rules(
        ROOT / "content" / "search" / "needs.yaml", directory, flow.normaliser
    )
    places = Places(directory.areas)
    sentences: list[float] = []
    for query in QUERIES * (repeats + 1):
        began = time.perf_counter()
        needs.search(
            index,
            flow,
            rules,
            query,
            Filters(),
            now=now,
            page=1,
            per_page=10,
            lang="en",
            home_area="rotherham",
            places=places,
        )
        sentences.append((time.perf_counter() - began) * 1000)
    del sentences[: len(QUERIES)]  # the first round warms the reader's caches
    index.close()

    print(f"\n{len(directory.services):,} listings ({size:,} synthetic), {os.cpu_count()} CPUs,")
    print(f"  load average {os.getloadavg()[0]:.1f} when finished")
    print(f"  load + validate      {loaded:8.1f} s")
    print(f"  index build          {built:8.1f} s")
    print(f"  open (fingerprint)   {opened:8.2f} s")
    print(f"  search p50           {statistics.median(timings):8.2f} ms  ({len(timings)} searches)")
    print(f"  search p95           {percentile(timings, 0.95):8.2f} ms")
    print(f"  search max           {max(timings):8.2f} ms")
    # CPU time is what one search costs a worker; wall time also counts other processes.
    print(f"  search CPU p50       {statistics.median(cpu):8.2f} ms")
    print(f"  search CPU p95       {percentile(cpu, 0.95):8.2f} ms")
    print(f"  open-now refresh     {refresh:8.2f} ms  (once a minute per worker)")
    print(f"  open-now filter p50  {statistics.median(open_now):8.2f} ms")
    print(f"  open-now filter p95  {percentile(open_now, 0.95):8.2f} ms")
    print(f"  sentence (needs) p50 {statistics.median(sentences):8.2f} ms  (reader + arrange)")
    print(f"  sentence (needs) p95 {percentile(sentences, 0.95):8.2f} ms")


def main() -> None:
    """Parse arguments and run each size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lantern-bench-") as work:
        for size in args.sizes:
            run(size, args.repeats, Path(work))


if __name__ == "__main__":
    main()
