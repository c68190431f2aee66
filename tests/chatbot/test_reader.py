"""The reader: its corpus and held-out set, the model's freshness, slots, and what it reads."""

from __future__ import annotations

import hashlib

import pytest

from chatbot import read
from chatbot.engine import places_for
from chatbot.flow import MODEL_DIR
from chatbot.reader.corpus import (
    DANGER,
    DEV_DIR,
    FORMS,
    HELDOUT_DIR,
    WHO,
    by_form,
    digest,
    load_conversations,
    load_examples,
    training,
)
from chatbot.reader.model import MODEL_FILE, load_model
from chatbot.reader.normalise import fold

from .conftest import ROOT

FLOWS = ROOT / "content" / "flows"
# The held-out set is frozen: nobody tunes against it. Changing it changes this digest; a set
# that has been tuned against is spent and must be replaced by a fresh one (docs/triage.md).
FROZEN = FLOWS / HELDOUT_DIR / "FROZEN"


@pytest.fixture(scope="module")
def corpus():
    return training(FLOWS)


@pytest.fixture(scope="module")
def heldout():
    return load_examples(FLOWS / HELDOUT_DIR)


def _key(text: str) -> str | None:
    """Return a message's comparable form; greetings of one or two words are shared by all."""
    words = fold(text).split()
    return " ".join(words) if len(words) > 2 else None


def test_corpus_covers_every_language_form_and_label(corpus):
    """Has the training data 4,000 messages, 300 per language form, every label in every form?"""
    assert len(corpus) >= 4000
    for form, items in by_form(corpus).items():
        assert len(items) >= 300, form
        kinds = {k for e in items for k in e.danger}
        assert kinds == set(DANGER), form
        assert {e.who for e in items} == set(WHO), form
    assert set(by_form(corpus)) == set(FORMS)


def test_heldout_is_apart_large_and_frozen(corpus, heldout):
    """Is the held-out set 15% of the corpus, in every form, sharing no message, and unchanged?"""
    assert len(heldout) >= 0.15 * len(load_examples(FLOWS / "corpus"))
    assert set(by_form(heldout)) == set(FORMS)
    seen = {_key(e.text) for e in corpus} - {None}
    shared = [e.text for e in heldout if _key(e.text) in seen]
    assert len(shared) <= 0.005 * len(heldout), shared  # a few sentences anyone would write
    files = sorted((FLOWS / HELDOUT_DIR).glob("*.yaml"))
    hasher = hashlib.sha256()
    for path in files:
        hasher.update(path.name.encode() + b"\0" + path.read_bytes())
    assert FROZEN.read_text().split()[0] == hasher.hexdigest()
    assert load_conversations(FLOWS / HELDOUT_DIR)


def test_dev_set_is_apart_from_both(corpus, heldout):
    """Does the dev set (which may be looked at) share nothing with the corpus or held-out set?"""
    dev = load_examples(FLOWS / DEV_DIR)
    assert dev
    others = {_key(e.text) for e in (*corpus, *heldout)} - {None}
    assert not [e.text for e in dev if _key(e.text) in others]


def test_model_is_trained_on_the_shipped_corpus(flow):
    """Was the shipped model trained on the corpus as it is now (`flask chat train`)?"""
    model = load_model(FLOWS / MODEL_DIR / MODEL_FILE)
    assert model.corpus == digest(FLOWS)
    assert flow.model is not None
    assert 0 < model.thresholds["unsure"] <= model.thresholds["sure"] <= 1


@pytest.mark.parametrize(
    ("text", "age", "past"),
    [
        ("im 14", 14, False),
        ("I'm 35 now, when I was 9 my uncle touched me", 35, False),
        ("when i was 12 my coach abused me", None, True),
        ("back when i was 10 it started", None, True),
        ("jab main 10 saal ki thi mere chacha ne", None, True),
        ("meri umar 15 saal hai", 15, False),
        ("kiedy miałam 9 lat wujek mnie dotykał", None, True),
        ("mam 15 lat", 15, False),
        ("když mi bylo 8 let", None, True),
        ("cand aveam 11 ani", None, True),
        ("my daughter is 13 years old", 13, False),
    ],
)
def test_age_keeps_its_tense(flow, text, age, past):
    """Is an age in the past read as when it happened, not as the writer's age now?"""
    reading = read(flow, text)
    assert reading.age == age
    assert reading.past is past


@pytest.mark.parametrize(
    "text",
    [
        "we live in Rotherham",
        "i live in rotheram",
        "mieszkam w Rotherhamie",
        "bydlíme v Rotherhamu",
        "locuim in Rotherham-ul",
        "میں روتھرہم میں رہتی ہوں",
        "أعيش في روذرهام",
        "near rawmash",
        "S65 2AB",
        "s60",
    ],
)
def test_places_in_every_script_and_spelling(flow, directory, text):
    """Is Rotherham found however and in whatever script it is written?"""
    assert read(flow, text, places_for(directory)).area == "rotherham"


@pytest.mark.parametrize("text", ["i love london", "my brother is here", "the weather is bad"])
def test_no_place_is_invented(flow, directory, text):
    """Do ordinary words never turn into a place?"""
    assert read(flow, text, places_for(directory)).area is None


# What the frozen held-out set (v2) measured when it was first run, rounded down. These are
# floors against regressions, not the targets: DESIGN.md §6 asks for danger recall of 98% in
# every form with at most 10% of calm first messages opened with 999, and 95% who-is-writing.
# docs/triage.md §8 reports the figures and the gap.
RECALL_FLOOR = 0.95  # measured 95.0-97.4% per form
ALARM_CEILING = 0.34  # measured 25.0-33.3% per form
WHO_FLOOR = 0.83  # measured 83.5% overall
LANGUAGE_FLOOR = 0.97  # measured 97-100% per form


@pytest.fixture(scope="module")
def heldout_report(flow, directory):
    from chatbot.reader.evaluate import evaluate

    from .conftest import WEEKDAY, identity

    return evaluate(
        load_examples(FLOWS / HELDOUT_DIR),
        load_conversations(FLOWS / HELDOUT_DIR),
        flow=flow,
        directory=directory,
        translate=identity,
        now=WEEKDAY,
    )


@pytest.mark.parametrize("form", FORMS)
def test_heldout_danger_recall_does_not_drop(heldout_report, form):
    """On the frozen held-out set, does 999 still lead the replies to danger in this form?"""
    result = heldout_report.forms[form]
    # Counts only: the held-out messages stay unread by whoever runs the tests.
    assert result.recall >= RECALL_FLOOR, f"{result.caught} of {result.danger}"
    assert result.alarm_rate <= ALARM_CEILING
    assert result.language >= LANGUAGE_FLOOR


def test_heldout_who_is_writing_does_not_drop(heldout_report):
    """On the frozen held-out set, is who is writing still read as well as when first measured?"""
    assert heldout_report.total.who >= WHO_FLOOR
