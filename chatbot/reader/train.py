"""Fit the reader's classifier with scikit-learn and compare approaches (`flask chat train`).

Only training imports scikit-learn (a development dependency); serving reads the weights with
numpy (chatbot/reader/model.py). Training is deterministic: the same corpus gives the same file.
docs/triage.md records the comparison that chose these settings.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import roc_auc_score
from sklearn.naive_bayes import ComplementNB
from sklearn.preprocessing import normalize

from chatbot.reader.corpus import (
    DANGER,
    FORMS,
    TOPICS,
    WHO,
    Example,
    digest,
    load_examples,
    training,
)
from chatbot.reader.features import BUCKETS, featurise
from chatbot.reader.model import Model, quantise, save_model

C_DANGER = 50.0  # the danger head: NB-weighted logistic regression (best on the dev set)
NB_ALPHA = 0.5  # smoothing of the naive Bayes ratios
C_WHO = 50.0  # who is writing: one NB-weighted logistic regression per label
C_OTHER = 20.0  # kinds, topic, language: plain logistic regression
RECALL_TARGET = 0.98  # the unsure threshold keeps this share of the dev set's danger
SURE_ALARMS = 0.05  # the sure threshold lets at most this share of calm dev messages through


def binary(examples: Sequence[Example], features: str = "char+word") -> csr_matrix:
    """Return which buckets each message lights up (0 or 1)."""
    rows, cols = [], []
    for i, example in enumerate(examples):
        found = featurise(example.text, features)
        rows.extend([i] * len(found))
        cols.extend(found)
    return csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(examples), BUCKETS), dtype=np.float64
    )


def nb_ratio(x: csr_matrix, y: np.ndarray, alpha: float = NB_ALPHA) -> np.ndarray:
    """Return each bucket's log ratio of how often it comes with danger and without."""
    with_danger = np.asarray(x[y].sum(axis=0)).ravel() + alpha
    without = np.asarray(x[~y].sum(axis=0)).ravel() + alpha
    return np.log((with_danger / with_danger.sum()) / (without / without.sum()))


def _logistic(c: float = C_OTHER, multi: bool = False) -> LogisticRegression:
    return LogisticRegression(C=c, max_iter=3000, solver="lbfgs" if multi else "liblinear")


def _columns(model, labels: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Return (weights, bias) of a fitted linear model for `labels`, one column each."""
    classes = list(model.classes_)
    coef = model.coef_
    if coef.shape[0] == 1:  # binary: one column for the True class
        return coef[0][:, None], model.intercept_[:1]
    weights = np.zeros((coef.shape[1], len(labels)))
    bias = np.full(len(labels), -30.0)  # a label the corpus never uses is never chosen
    for j, label in enumerate(labels):
        if label in classes:
            k = classes.index(label)
            weights[:, j], bias[j] = coef[k], model.intercept_[k]
    return weights, bias


@dataclass(frozen=True)
class Fitted:
    """Float weights before quantising, and the naive Bayes ratios of the NB columns."""

    weights: np.ndarray
    bias: np.ndarray
    ratios: np.ndarray  # (BUCKETS, len(nb_columns))
    nb_columns: tuple[int, ...]


def _nb_logistic(
    x: csr_matrix, target: np.ndarray, c: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fit NB-weighted logistic regression; return weights (ratios folded in), bias and ratios."""
    ratio = nb_ratio(x, target)
    model = _logistic(c).fit(normalize(csr_matrix(x.multiply(ratio))), target)
    weights, bias = _columns(model, ["yes"])
    return weights * ratio[:, None], bias, ratio


def fit(examples: Sequence[Example]) -> Fitted:
    """Fit every head on the corpus, in the column order of chatbot.reader.model.HEADS."""
    x = binary(examples)
    plain = normalize(x)  # each message's buckets at 1/sqrt(n), as the model reads them
    parts: list[tuple[np.ndarray, np.ndarray]] = []
    ratios: list[np.ndarray] = []
    nb_columns: list[int] = []

    def nb(target: np.ndarray, c: float) -> None:
        weights, bias, ratio = _nb_logistic(x, target, c)
        nb_columns.append(sum(w.shape[1] for w, _ in parts))
        parts.append((weights, bias))
        ratios.append(ratio)

    nb(np.array([bool(e.danger) for e in examples]), C_DANGER)
    for kind in DANGER:
        target = np.array([kind in e.danger for e in examples])
        parts.append(_columns(_logistic().fit(plain, target), ["yes"]))
    for label in WHO:
        nb(np.array([e.who == label for e in examples]), C_WHO)
    for head, labels in (("topic", TOPICS), ("form", FORMS)):
        target = np.array([getattr(e, head) for e in examples])
        parts.append(_columns(_logistic(multi=True).fit(plain, target), labels))
    weights = np.hstack([w for w, _ in parts]).astype(np.float32)
    bias = np.concatenate([b for _, b in parts]).astype(np.float32)
    return Fitted(weights, bias, np.vstack(ratios).T.astype(np.float32), tuple(nb_columns))


def thresholds(probability: np.ndarray, danger: np.ndarray) -> dict[str, float]:
    """Choose the unsure threshold for RECALL_TARGET of danger, the sure one for SURE_ALARMS."""
    found = np.sort(probability[danger])
    unsure = float(found[math.floor((1 - RECALL_TARGET) * len(found))])
    calm = np.sort(probability[~danger])
    sure = float(calm[min(len(calm) - 1, math.ceil((1 - SURE_ALARMS) * len(calm)))])
    return {"unsure": round(unsure, 4), "sure": round(max(sure, unsure), 4)}


def train(flows_dir: Path, dev_dir: Path, output: Path) -> Model:
    """Fit on the training sets, choose thresholds on the dev set, and write the model file."""
    fitted = fit(training(flows_dir))
    quantised, scale = quantise(fitted.weights)
    model = Model(
        weights=quantised,
        scale=scale,
        bias=fitted.bias,
        ratio2=(fitted.ratios**2).astype(np.float32),
        nb_columns=fitted.nb_columns,
        columns={
            "danger": ("danger",),
            "kinds": DANGER,
            "who": WHO,
            "topic": TOPICS,
            "form": FORMS,
        },
        features="char+word",
        corpus=digest(flows_dir),
        thresholds={"unsure": 0.5, "sure": 0.5},
    )
    dev = load_examples(dev_dir)
    probability = np.array([model.scores(e.text).danger for e in dev])
    model = Model(
        **{
            **model.__dict__,
            "thresholds": thresholds(probability, np.array([bool(e.danger) for e in dev])),
        }
    )
    save_model(output, model)
    return model


@dataclass(frozen=True)
class Trial:
    """One approach measured on a set it was not trained on."""

    name: str
    danger_auc: float
    recall_at_10: float  # danger recall when 10% of calm messages may open with 999
    alarms_at_98: float  # calm messages opening with 999 when 98% of danger does
    who: float
    form: float


def _curve(truth: np.ndarray, score: np.ndarray) -> tuple[float, float, float]:
    calm, danger = np.sort(score[~truth]), np.sort(score[truth])
    at_10 = float((score[truth] > calm[int(0.9 * len(calm))]).mean())
    at_98 = float((score[~truth] >= danger[int(0.02 * len(danger))]).mean())
    return float(roc_auc_score(truth, score)), at_10, at_98


def _danger_scores(
    features: str, x_train: csr_matrix, x_test: csr_matrix, y: np.ndarray
) -> dict[str, np.ndarray]:
    """Return each approach's danger scores for the test messages, fitted on the training ones."""
    plain_train, plain_test = normalize(x_train), normalize(x_test)
    ratio = nb_ratio(x_train, y)
    weighted_train = normalize(csr_matrix(x_train.multiply(ratio)))
    weighted_test = normalize(csr_matrix(x_test.multiply(ratio)))
    scores = {
        "logistic regression": _logistic(C_DANGER)
        .fit(plain_train, y)
        .predict_proba(plain_test)[:, 1],
        "NB-weighted logistic regression (NBSVM)": _logistic(C_DANGER)
        .fit(weighted_train, y)
        .predict_proba(weighted_test)[:, 1],
    }
    if features == "char+word":
        svm = SGDClassifier(loss="modified_huber", alpha=1e-4, random_state=7, max_iter=50)
        scores["linear SVM (SGD, modified Huber)"] = svm.fit(plain_train, y).decision_function(
            plain_test
        )
        scores["complement naive Bayes"] = (
            ComplementNB(alpha=0.3).fit(x_train, y).predict_proba(x_test)[:, 1]
        )
    return scores


def _accuracy(
    x_train: csr_matrix, x_test: csr_matrix, train: Sequence[str], test: Sequence[str]
) -> float:
    fitted = _logistic(multi=True).fit(normalize(x_train), list(train))
    return float(np.mean(fitted.predict(normalize(x_test)) == np.array(list(test))))


def compare(train_set: Sequence[Example], test_set: Sequence[Example]) -> list[Trial]:
    """Fit each approach on `train_set` and measure it on `test_set` (threshold-free figures)."""
    truth = np.array([bool(e.danger) for e in test_set])
    y = np.array([bool(e.danger) for e in train_set])
    trials = []
    for features in ("char", "word", "char+word"):
        x_train, x_test = binary(train_set, features), binary(test_set, features)
        who = _accuracy(x_train, x_test, [e.who for e in train_set], [e.who for e in test_set])
        form = _accuracy(x_train, x_test, [e.form for e in train_set], [e.form for e in test_set])
        for name, score in _danger_scores(features, x_train, x_test, y).items():
            auc, at_10, at_98 = _curve(truth, score)
            trials.append(Trial(f"{features}: {name}", auc, at_10, at_98, who, form))
    return trials


def main() -> None:
    """Train from the command line without the app (`python -m chatbot.reader.train`)."""
    import argparse

    from chatbot.flow import MODEL_DIR
    from chatbot.reader.corpus import DEV_DIR
    from chatbot.reader.model import MODEL_FILE

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--flows", type=Path, default=Path("content/flows"))
    flows = parser.parse_args().flows
    output = flows / MODEL_DIR / MODEL_FILE
    model = train(flows, flows / DEV_DIR, output)
    print(f"trained on corpus {model.corpus[:12]}; thresholds {model.thresholds}; {output}")


if __name__ == "__main__":
    main()
