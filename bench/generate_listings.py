"""Write synthetic directory listings into a folder usable as LANTERN_CONTENT_DIR.

python -m bench.generate_listings --count 10000 --out bench/out/listings-10000
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
from pathlib import Path

import yaml

from directory.model import AUDIENCES, CATEGORIES

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"
PER_FILE = 1000  # many listings per file keeps 100,000 listings to 100 files
SCHEDULES = (
    "24/7",
    "Mon-Fri 09:00-17:00",
    {"open": "Mon-Fri 08:30-17:30", "bank_holidays": "closed"},
    "Mon-Thu 10:00-20:30; Fri 10:00-16:30",
    "Mon-Sun 18:00-02:00",
    None,
)


def vocabulary() -> tuple[list[str], list[float]]:
    """Return real words from the shipped listings plus made-up ones, and Zipf weights."""
    text = " ".join(p.read_text(encoding="utf-8") for p in (CONTENT / "services").glob("*.yaml"))
    real = sorted({w for w in re.findall(r"[a-z]{4,}", text.lower())})
    rng = random.Random(7)
    syllables = ["ka", "lo", "mi", "ren", "sto", "vel", "dar", "quin", "bre", "tho", "sal", "ump"]
    made_up = sorted({"".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(12000)})
    words = real + made_up
    rng.shuffle(words)  # real words land at every rank, common and rare
    # Zipf's law (s = 1): the word of rank r turns up in proportion to 1/r, as in real text.
    cumulative, total = [], 0.0
    for rank in range(1, len(words) + 1):
        total += 1.0 / rank
        cumulative.append(total)
    return words, cumulative


def listing(
    number: int, rng: random.Random, words: list[str], cumulative: list[float]
) -> dict[str, object]:
    """Return one synthetic listing as the loader expects it."""

    def sentence(low: int, high: int) -> str:
        picks = rng.choices(words, cum_weights=cumulative, k=rng.randint(low, high))
        return " ".join(picks).capitalize() + "."

    channel = rng.choice(["phone", "phone", "phone", "text", "webchat", "email", "website"])
    contact: dict[str, object] = {"channel": channel}
    if channel in ("phone", "text"):
        contact["number"] = f"01709 8{number % 100000:05d}"
    elif channel == "email":
        contact["email"] = f"help{number}@example.org"
    else:
        contact["url"] = f"https://example.org/{number}"
    schedule = rng.choice(SCHEDULES)
    if schedule is not None:
        contact["schedule"] = schedule
    return {
        "id": f"synthetic-{number}",
        "name": sentence(2, 4).rstrip("."),
        "organisation": sentence(1, 3).rstrip("."),
        "description": sentence(12, 30),
        "what_happens": sentence(10, 20),
        "audiences": rng.sample(list(AUDIENCES), rng.randint(1, 3)),
        "categories": rng.sample(list(CATEGORIES), rng.randint(1, 3)),
        "areas": [rng.choice(["national", "rotherham", "rotherham", "havering"])],
        "contacts": [contact],
        "languages": rng.sample(["en", "ur", "pl", "ar", "sk", "cs", "ro"], rng.randint(1, 2)),
        "free": rng.random() < 0.7,
        "keywords": [sentence(1, 2).rstrip(".").lower() for _ in range(rng.randint(0, 4))],
        "source": [{"fact": "synthetic", "document": "bench/generate_listings.py", "date": "2026"}],
        "assured_date": "2026-11-23",
        "source_date": "2026-01-01",
    }


def generate(count: int, out: Path, seed: int = 1) -> Path:
    """Write the shipped content plus count synthetic listings into out; return out."""
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(CONTENT, out)
    rng = random.Random(seed)
    words, cumulative = vocabulary()
    for start in range(0, count, PER_FILE):
        batch = [
            listing(n, rng, words, cumulative) for n in range(start, min(count, start + PER_FILE))
        ]
        path = out / "services" / f"synthetic-{start // PER_FILE:04d}.yaml"
        text = yaml.dump(batch, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper))
        path.write_text(text, encoding="utf-8")
    return out


def main() -> None:
    """Parse arguments and write the listings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    out = args.out or ROOT / "bench" / "out" / f"listings-{args.count}"
    generate(args.count, out)
    print(f"wrote {args.count} synthetic listings (plus the shipped ones) to {out}")


if __name__ == "__main__":
    main()
