"""What the triage reader costs: start-up, memory and time per message (DESIGN.md §6).

Budget: the reader (rules + classifier) adds at most 5 ms p95 per message, 100 MB per worker and
10 s of start-up. Messages are the dev set's, written the way people text.
"""

from __future__ import annotations

import resource
import statistics
import time
from dataclasses import replace
from pathlib import Path

from chatbot.flow import MODEL_DIR, load_flow
from chatbot.reader import read
from chatbot.reader.corpus import DEV_DIR, load_examples
from chatbot.reader.model import MODEL_FILE, load_model
from directory import load_directory


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def run(content: Path, repeats: int = 3) -> None:
    """Print the reader's start-up time, memory and time per message, with and without the model."""
    flows = content / "flows"
    directory = load_directory(content)
    before = _rss_mb()
    started = time.perf_counter()
    model = load_model(flows / MODEL_DIR / MODEL_FILE)
    load_seconds = time.perf_counter() - started
    arrays = sum(a.nbytes for a in (model.weights, model.scale, model.bias, model.ratio2)) / 2**20
    flow = load_flow(flows, directory)
    rules_only = replace(flow, model=None)
    texts = [e.text for e in load_examples(flows / DEV_DIR)]
    for text in texts[:20]:  # warm caches
        read(flow, text)
    with_model, without = [], []
    for _ in range(repeats):
        for text in texts:
            t0 = time.perf_counter()
            read(rules_only, text)
            t1 = time.perf_counter()
            read(flow, text)
            t2 = time.perf_counter()
            without.append((t1 - t0) * 1000)
            with_model.append((t2 - t1) * 1000)
    added = [a - b for a, b in zip(with_model, without, strict=True)]
    print(f"model load: {load_seconds:.2f} s (budget 10 s added at start-up)")
    print(
        f"model in memory: {arrays:.1f} MB of arrays; peak RSS grew {_rss_mb() - before:.1f} MB "
        "while loading content and the model (budget 100 MB per worker)"
    )
    print(
        f"per message, {len(with_model)} reads of {len(texts)} dev messages: rules only p50 "
        f"{_p(without, 50):.2f} ms p95 {_p(without, 95):.2f} ms; rules + classifier p50 "
        f"{_p(with_model, 50):.2f} ms p95 {_p(with_model, 95):.2f} ms; the classifier adds p95 "
        f"{_p(added, 95):.2f} ms (budget 5 ms)"
    )


if __name__ == "__main__":
    run(Path(__file__).resolve().parents[1] / "content")
