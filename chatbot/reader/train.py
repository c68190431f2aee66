"""Fit the reader's classifier with scikit-learn and compare approaches (`flask chat train`).

Only training imports scikit-learn (a development dependency); serving reads the weights with
numpy (chatbot/reader/model.py). Training is deterministic: the same corpus gives the same file.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.model_selection import StratifiedKFold
from sklearn.naive_bayes import ComplementNB

from chatbot.reader.corpus import DANGER, FORMS, TOPICS, WHO, Example, by_form, digest
from chatbot.reader.features import BUCKETS, featurise
from chatbot.reader.model import HEADS, Model, quantise, save_model

C = 20.0  # little regularisation: the features are normalised and the corpus is varied
RECALL_TARGET = 0.99  # the unsure threshold keeps this much of the corpus's danger, per form
FOLDS = 5


def matrix(examples: Sequence[Example], features: str) -> csr_matrix:
    """Return the feature matrix: each row's buckets at 1/sqrt(n), as the model reads them."""
    rows, cols, vals = [], [], []
    for i, example in enumerate(examples):
        found = featurise(example.text, features)
        rows.extend([i] * len(found))
        cols.extend(found)
        vals.extend([1 / math.sqrt(len(found))] * len(found) if found else [])
    return csr_matrix((vals, (rows, cols)), shape=(len(examples), BUCKETS), dtype=np.float64)


def _targets(examples: Sequence[Example]) -> dict[str, np.ndarray]:
    return {
        "danger": np.array([bool(e.danger) for e in examples]),
        **{f"kind:{k}": np.array([k in e.danger for e in examples]) for k in DANGER},
        "who": np.array([e.who for e in examples]),
        "topic": np.array([e.topic for e in examples]),
        "form": np.array([e.form for e in examples]),
    }


def _logistic() -> LogisticRegression:
    return LogisticRegression(C=C, max_iter=2000, solver="lbfgs")


def _columns(model, labels: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Return (weights, bias) of a fitted linear model for `labels`, one column each."""
    classes = list(model.classes_)
    coef = model.coef_
    if len(classes) == 2 and coef.shape[0] == 1:  # binary: one column for the True class
        return coef[0][:, None], model.intercept_[:1]
    weights = np.zeros((coef.shape[1], len(labels)))
    bias = np.full(len(labels), -30.0)  # a label the corpus never uses is never chosen
    for j, label in enumerate(labels):
        if label in classes:
            k = classes.index(label)
            weights[:, j], bias[j] = coef[k], model.intercept_[k]
    return weights, bias


def fit(examples: Sequence[Example], features: str = "char+word") -> tuple[np.ndarray, np.ndarray]:
    """Fit every head; return the weight matrix (BUCKETS, columns) and the biases."""
    x = matrix(examples, features)
    targets = _targets(examples)
    parts: list[tuple[np.ndarray, np.ndarray]] = []
    for head in HEADS:
        if head == "danger":
            parts.append(_columns(_logistic().fit(x, targets["danger"]), ["danger"]))
        elif head == "kinds":
            for kind in DANGER:
                parts.append(_columns(_logistic().fit(x, targets[f"kind:{kind}"]), ["yes"]))
        else:
            labels = {"who": WHO, "topic": TOPICS, "form": FORMS}[head]
            parts.append(_columns(_logistic().fit(x, targets[head]), labels))
    weights = np.hstack([w for w, _ in parts]).astype(np.float32)
    bias = np.concatenate([b for _, b in parts]).astype(np.float32)
    return weights, bias


def out_of_fold(
    examples: Sequence[Example], predict: Callable[[Sequence[Example], Sequence[Example]], np.ndarray]
) -> np.ndarray:
    """Return each example's danger probability from a model that did not see it."""
    out = np.zeros(len(examples))
    labels = [f"{e.form}:{bool(e.danger)}" for e in examples]
    for train, test in StratifiedKFold(FOLDS, shuffle=True, random_state=7).split(examples, labels):
        out[test] = predict([examples[i] for i in train], [examples[i] for i in test])
    return out


def _danger_probability(features: str) -> Callable:
    def predict(train: Sequence[Example], test: Sequence[Example]) -> np.ndarray:
        model = _logistic().fit(matrix(train, features), [bool(e.danger) for e in train])
        return model.predict_proba(matrix(test, features))[:, 1]

    return predict


def thresholds(examples: Sequence[Example], probability: np.ndarray) -> dict[str, float]:
    """Choose the unsure threshold keeping RECALL_TARGET of danger in every form, out of fold."""
    unsure = 0.5
    for form, items in by_form(examples).items():
        index = [i for i, e in enumerate(examples) if e.form == form and e.danger]
        if not index:
            continue
        found = np.sort(probability[index])
        cut = found[int(math.floor((1 - RECALL_TARGET) * len(found)))]
        unsure = min(unsure, float(cut))
        del items
    return {"unsure": round(max(unsure, 0.02), 4), "sure": 0.5}


def train(corpus_dir: Path, output: Path, features: str = "char+word") -> Model:
    """Fit the model on the corpus, choose thresholds out of fold, and write the model file."""
    from chatbot.reader.corpus import load_examples

    examples = load_examples(corpus_dir)
    weights, bias = fit(examples, features)
    quantised, scale = quantise(weights)
    probability = out_of_fold(examples, _danger_probability(features))
    model = Model(
        weights=quantised,
        scale=scale,
        bias=bias,
        columns={
            "danger": ("danger",),
            "kinds": DANGER,
            "who": WHO,
            "topic": TOPICS,
            "form": FORMS,
        },
        features=features,
        corpus=digest(corpus_dir),
        thresholds=thresholds(examples, probability),
    )
    save_model(output, model)
    return model


@dataclass(frozen=True)
class Trial:
    """One approach measured on a set it was not trained on."""

    name: str
    danger_auc: float
    danger_recall: float  # at the threshold that keeps 99% of training danger out of fold
    false_alarms: float  # share of non-danger messages over that threshold
    who: float
    form: float


def _auc(labels: np.ndarray, scores: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(labels, scores)) if len(set(labels)) == 2 else float("nan")


def compare(train_set: Sequence[Example], test_set: Sequence[Example]) -> list[Trial]:
    """Fit each approach on `train_set` and measure it on `test_set`."""
    approaches = {
        "char n-grams, logistic regression": ("char", _logistic),
        "word n-grams, logistic regression": ("word", _logistic),
        "char + word n-grams, logistic regression": ("char+word", _logistic),
        "char + word n-grams, linear SVM (modified Huber SGD)": (
            "char+word",
            lambda: SGDClassifier(loss="modified_huber", alpha=1e-5, random_state=7, max_iter=50),
        ),
        "char + word n-grams, complement naive Bayes": ("char+word", lambda: ComplementNB(alpha=0.3)),
    }
    truth = np.array([bool(e.danger) for e in test_set])
    trials = []
    for name, (features, make) in approaches.items():
        x_train, x_test = matrix(train_set, features), matrix(test_set, features)

        def predict(tr: Sequence[Example], te: Sequence[Example], make=make, features=features):
            fitted = make().fit(matrix(tr, features), [bool(e.danger) for e in tr])
            return fitted.predict_proba(matrix(te, features))[:, 1]

        cut = thresholds(train_set, out_of_fold(train_set, predict))["unsure"]
        danger = make().fit(x_train, [bool(e.danger) for e in train_set])
        p = danger.predict_proba(x_test)[:, 1]
        who = make().fit(x_train, [e.who for e in train_set]).predict(x_test)
        form = make().fit(x_train, [e.form for e in train_set]).predict(x_test)
        trials.append(
            Trial(
                name,
                _auc(truth, p),
                float((p[truth] >= cut).mean()) if truth.any() else float("nan"),
                float((p[~truth] >= cut).mean()) if (~truth).any() else float("nan"),
                float(np.mean(who == np.array([e.who for e in test_set]))),
                float(np.mean(form == np.array([e.form for e in test_set]))),
            )
        )
    return trials
