"""The labelled messages the reader learns from and is measured on (docs/corpus.md).

content/flows/corpus/<form>.yaml trains the classifier; content/flows/heldout/ is the frozen set
it is judged on and content/flows/dev/ a second set people may look at while improving it.
Every file is validated here, naming the file, the message and the field that is wrong.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from directory import DirectoryError

FORMS = ("en", "ur", "ur-Latn", "ar", "pl", "sk", "cs", "ro")
DANGER = ("now", "suicide", "assault", "meeting", "held", "missing")
WHO = ("young", "worried", "professional", "survivor", "thoughts", "accused", "unknown")
TOPICS = ("images", "criminal", "missing", "forced_marriage", "info", "thoughts", "abuse", "other")
AREAS = ("rotherham", "havering")
SERVICES = (
    "emergency-999",
    "childline",
    "nspcc-helpline",
    "front-door",
    "report-to-council",
    "napac",
    "rape-crisis-247",
    "survivors-trust",
    "police-101",
    "missing-people",
    "crimestoppers",
    "stop-it-now",
    "samaritans",
    "report-remove",
    "ceop",
)
CORPUS_DIR, HELDOUT_DIR, DEV_DIR = "corpus", "heldout", "dev"
# A held-out set that has been looked at and tuned against is spent: it joins the training data
# and a fresh one takes its place (DESIGN.md §2.7). Training reads both folders.
SPENT_DIR = "spent"
TRAINING_DIRS = (CORPUS_DIR, SPENT_DIR)


class CorpusError(DirectoryError):
    """A bad labelled message, naming the file and the field."""


@dataclass(frozen=True)
class Example:
    """One labelled message."""

    form: str
    text: str
    danger: frozenset[str]
    who: str
    topic: str
    age: int | None = None
    area: str | None = None


@dataclass(frozen=True)
class Conversation:
    """A few messages in a row, what each reply must do and what the last must name."""

    form: str
    turns: tuple[str, ...]
    danger: tuple[bool, ...]
    expect: frozenset[str]


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader when there is one


def _load(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
        return yaml.load(text, Loader=_LOADER)  # noqa: S506  # nosec B506 - safe loaders only
    except (OSError, yaml.YAMLError) as error:
        raise CorpusError(path, "file", str(error)) from error


def _example(path: Path, form: str, index: int, item: Any) -> Example:
    where = f"messages[{index}]"
    if not isinstance(item, dict):
        raise CorpusError(path, where, "must be a mapping")
    text = item.get("text")
    if not isinstance(text, str) or not text.strip():
        raise CorpusError(path, f"{where}.text", "must be non-empty text")
    danger = item.get("danger")
    if not isinstance(danger, list) or any(d not in DANGER for d in danger):
        raise CorpusError(path, f"{where}.danger", f"must be a list of {', '.join(DANGER)}")
    for field, allowed in (("who", WHO), ("topic", TOPICS)):
        if item.get(field) not in allowed:
            raise CorpusError(path, f"{where}.{field}", f"must be one of {', '.join(allowed)}")
    age = item.get("age")
    if age is not None and (
        isinstance(age, bool) or not isinstance(age, int) or not 5 <= age <= 110
    ):
        raise CorpusError(path, f"{where}.age", "must be a whole number from 5 to 110")
    area = item.get("area")
    if area is not None and area not in AREAS:
        raise CorpusError(path, f"{where}.area", f"must be one of {', '.join(AREAS)}")
    unknown = set(item) - {"text", "danger", "who", "topic", "age", "area"}
    if unknown:
        raise CorpusError(path, where, f"unknown keys: {', '.join(sorted(unknown))}")
    return Example(form, text, frozenset(danger), item["who"], item["topic"], age, area)


def load_examples(folder: Path) -> tuple[Example, ...]:
    """Return every labelled message in a folder's <form>.yaml files."""
    out: list[Example] = []
    for form in FORMS:
        path = folder / f"{form}.yaml"
        if not path.exists():
            continue
        data = _load(path)
        if not isinstance(data, dict) or data.get("form") != form:
            raise CorpusError(path, "form", f"must be {form}")
        messages = data.get("messages")
        if not isinstance(messages, list):
            raise CorpusError(path, "messages", "must be a list")
        out.extend(_example(path, form, i, item) for i, item in enumerate(messages))
    return tuple(out)


def load_conversations(folder: Path) -> tuple[Conversation, ...]:
    """Return the scripted conversations in a folder's conversations*.yaml files."""
    out: list[Conversation] = []
    for path in sorted(folder.glob("conversations*.yaml")):
        data = _load(path)
        items = data.get("conversations") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise CorpusError(path, "conversations", "must be a list")
        for i, item in enumerate(items):
            where = f"conversations[{i}]"
            turns, danger = item.get("turns"), item.get("danger")
            expect = item.get("expect") or []
            if item.get("form") not in FORMS:
                raise CorpusError(path, f"{where}.form", f"must be one of {', '.join(FORMS)}")
            if (
                not isinstance(turns, list)
                or not turns
                or not all(isinstance(t, str) for t in turns)
            ):
                raise CorpusError(path, f"{where}.turns", "must be a list of messages")
            if not isinstance(danger, list) or len(danger) != len(turns):
                raise CorpusError(path, f"{where}.danger", "must give true or false per turn")
            if any(s not in SERVICES for s in expect):
                raise CorpusError(path, f"{where}.expect", f"must name only {', '.join(SERVICES)}")
            out.append(
                Conversation(
                    item["form"], tuple(turns), tuple(bool(d) for d in danger), frozenset(expect)
                )
            )
    return tuple(out)


def digest(flows_dir: Path) -> str:
    """Return a digest of the training files, to tell whether a model is stale."""
    hasher = hashlib.sha256()
    for name in TRAINING_DIRS:
        for form in FORMS:
            path = flows_dir / name / f"{form}.yaml"
            if path.exists():
                hasher.update(f"{name}/{form}".encode() + b"\0" + path.read_bytes() + b"\0")
    return hasher.hexdigest()


def training(flows_dir: Path) -> tuple[Example, ...]:
    """Return every message the classifier learns from."""
    return tuple(e for name in TRAINING_DIRS for e in load_examples(flows_dir / name))


def by_form(examples: Sequence[Example]) -> dict[str, list[Example]]:
    """Group examples by language form, in the order of FORMS."""
    out: dict[str, list[Example]] = {form: [] for form in FORMS}
    for example in examples:
        out[example.form].append(example)
    return {form: items for form, items in out.items() if items}


def check(flows_dir: Path, model_corpus: str | None) -> list[str]:
    """Return what is wrong with the labelled sets and the model: bad data, or a stale model."""
    problems = []
    sizes = {}
    for name in (*TRAINING_DIRS, HELDOUT_DIR, DEV_DIR):
        try:
            sizes[name] = len(load_examples(flows_dir / name))
            load_conversations(flows_dir / name)
        except CorpusError as error:
            problems.append(str(error))
    if model_corpus is None:
        problems.append(f"{flows_dir}: no reader model; run `make model`")
    elif model_corpus != digest(flows_dir):
        problems.append(
            f"{flows_dir}: the reader model was trained on another corpus; run `make model`"
        )
    return problems
