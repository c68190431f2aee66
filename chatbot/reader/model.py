"""The trained classifier: one weight matrix over hashed features, read with numpy alone.

`flask chat train` fits it with scikit-learn (chatbot/reader/train.py) and writes
content/flows/reader/model.npz; serving only needs numpy. Heads share the features:
`danger` (any danger, one probability), `kinds` (each kind of danger, independently), `who`,
`topic` and `form` (the language form, for language identification), each a softmax over its
labels.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from chatbot.reader.features import BUCKETS, featurise

MODEL_FILE = "model.npz"
BINARY = ("danger",)
MULTILABEL = ("kinds",)
ONE_VS_REST = ("who",)  # one binary model per label, normalised into a distribution
MULTICLASS = ("topic", "form")
HEADS = BINARY + MULTILABEL + ONE_VS_REST + MULTICLASS


class ModelError(ValueError):
    """A model file that cannot be used, saying why."""


@dataclass(frozen=True)
class Scores:
    """What the classifier thinks of one message: probabilities per head."""

    danger: float
    kinds: Mapping[str, float]
    who: Mapping[str, float]
    topic: Mapping[str, float]
    form: Mapping[str, float]

    def best(self, head: str) -> tuple[str, float]:
        """Return the most likely label of a multiclass head and its probability."""
        probs: Mapping[str, float] = getattr(self, head)
        label = max(probs, key=probs.__getitem__)
        return label, probs[label]


@dataclass(frozen=True)
class Model:
    """Weights, biases and what each column means."""

    weights: np.ndarray  # (BUCKETS, columns), int8
    scale: np.ndarray  # (columns,), float32: weight = int8 * scale
    bias: np.ndarray  # (columns,), float32
    # The danger and who heads read features weighted by how much more often each comes with
    # their label (naive Bayes log-count ratios, as in NBSVM); their scores are divided by the
    # length of that weighted vector, so the squared ratios are kept here, one column per
    # weight column in `nb_columns`. The other heads divide by sqrt(n).
    ratio2: np.ndarray  # (BUCKETS, len(nb_columns)), float32
    columns: Mapping[str, tuple[str, ...]]  # head -> labels, in column order
    features: str
    corpus: str  # digest of the corpus it was trained on
    thresholds: Mapping[str, float]
    nb_columns: tuple[int, ...] = (0,)

    def _slices(self) -> dict[str, slice]:
        out, start = {}, 0
        for head in HEADS:
            size = len(self.columns[head])
            out[head] = slice(start, start + size)
            start += size
        return out

    def raw(self, text: str) -> np.ndarray:
        """Return the linear score of every column for a message."""
        found = featurise(text, self.features)
        if not found:
            return self.bias.copy()
        total = self.weights[found].sum(axis=0, dtype=np.float32) * self.scale
        plain = total / math.sqrt(len(found))
        lengths = np.sqrt(self.ratio2[found].sum(axis=0))
        columns = list(self.nb_columns)
        plain[columns] = np.where(lengths > 0, total[columns] / np.maximum(lengths, 1e-9), 0.0)
        return plain + self.bias

    def scores(self, text: str) -> Scores:
        """Return the probabilities of every head for a message."""
        raw = self.raw(text)
        parts = self._slices()
        out: dict[str, Any] = {}
        for head, part in parts.items():
            values = raw[part].astype(np.float64)
            labels = self.columns[head]
            if head in MULTICLASS:
                values = np.exp(values - values.max())
                values /= values.sum()
            else:
                values = 1.0 / (1.0 + np.exp(-values))
                if head in ONE_VS_REST:
                    values /= values.sum()
            out[head] = dict(zip(labels, (float(v) for v in values), strict=True))
        out["danger"] = out["danger"]["danger"]
        return Scores(**out)


def save_model(path: Path, model: Model) -> None:
    """Write a model file (used by training)."""
    meta = {
        "columns": {head: list(model.columns[head]) for head in HEADS},
        "features": model.features,
        "buckets": BUCKETS,
        "corpus": model.corpus,
        "thresholds": dict(model.thresholds),
        "nb_columns": list(model.nb_columns),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        np.savez_compressed(
            handle,
            weights=model.weights,
            scale=model.scale,
            bias=model.bias,
            ratio2=model.ratio2.astype(np.float16),
            meta=np.frombuffer(json.dumps(meta, sort_keys=True).encode(), dtype=np.uint8),
        )


def quantise(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Store float weights as int8 with one scale per column (a quarter of the size)."""
    peak = np.abs(weights).max(axis=0)
    scale = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
    return np.round(weights / scale).astype(np.int8), scale


def load_model(path: Path) -> Model:
    """Read a model file, checking its shape; raise ModelError naming what is wrong."""
    try:
        with np.load(path, allow_pickle=False) as data:
            weights, scale, bias = data["weights"], data["scale"], data["bias"]
            ratio2 = data["ratio2"]
            meta = json.loads(bytes(data["meta"]).decode())
    except (OSError, KeyError, ValueError) as error:
        raise ModelError(f"{path}: cannot be read ({error})") from error
    columns = {head: tuple(meta.get("columns", {}).get(head, ())) for head in HEADS}
    width = sum(len(labels) for labels in columns.values())
    if meta.get("buckets") != BUCKETS or weights.shape != (BUCKETS, width):
        raise ModelError(f"{path}: weights do not match the features; run `flask chat train`")
    if any(not columns[head] for head in HEADS):
        raise ModelError(f"{path}: columns: a head has no labels")
    nb_columns = tuple(int(c) for c in meta.get("nb_columns", [0]))
    if (
        scale.shape != (width,)
        or bias.shape != (width,)
        or ratio2.shape != (BUCKETS, len(nb_columns))
    ):
        raise ModelError(f"{path}: scale or bias does not match the columns")
    return Model(
        weights=weights,
        scale=scale.astype(np.float32),
        bias=bias.astype(np.float32),
        ratio2=ratio2.astype(np.float32),
        columns=columns,
        features=str(meta.get("features", "char+word")),
        corpus=str(meta.get("corpus", "")),
        thresholds={k: float(v) for k, v in meta.get("thresholds", {}).items()},
        nb_columns=nb_columns,
    )
