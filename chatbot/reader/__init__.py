"""The reader: what a message says, however it is written (one module for every channel).

Phrase rules (content/flows/safety.yaml, lexicon.yaml) are the precise first layer; a classifier
trained on the labelled corpus (content/flows/corpus/) catches what they miss and arbitrates
negation and reassurance; slots (age with its tense, places) come from data. Plain Python: no
Flask, no Twilio. The engine, the voice menu and directory search all read through `read`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from chatbot.reader.language import ROMAN_URDU, evidence, marker_probs
from chatbot.reader.model import Scores
from chatbot.reader.phrases import MAX_CHARS, find_age, first_kind, rule_danger, rule_matches

WHO_WORDS = 3  # words a message needs before the classifier says who is writing
WHO_MAYBE = 0.3  # the classifier's "who" is used from here (dev set: 76% right), else the rules
TOPIC_SURE = 0.5
# Labels of the classifier and the facts of the flow they set.
WHO_FACT = {
    "young": ("young", None),
    "worried": ("worried", None),
    "professional": ("professional", None),
    "survivor": ("survivor", None),
    "thoughts": ("other", "thoughts"),
    "accused": ("accused", None),
}
TOPIC_FACT = {
    "images": "images",
    "missing": "missing",
    "info": "info",
    "thoughts": "thoughts",
    "criminal": "criminal",
    "forced_marriage": "forced_marriage",
}


@dataclass(frozen=True)
class Reading:
    """What one message says, as far as the reader can tell."""

    tokens: tuple[str, ...]
    danger: frozenset[str]  # kinds of danger found for sure: the reply leads with 999
    unsure: bool  # danger possible but not sure: the reply opens with one 999 line
    word: str | None  # menu, help or stop, when the whole message is one
    switch_to: str | None  # a language, when the whole message is its name
    who: str | None
    topic: str | None
    age: int | None
    own_age: bool  # the age is the writer's own, now
    past: bool  # the message speaks of the writer's childhood ("when I was 9")
    number: int | None  # the message is just a number
    area: str | None = None
    safe: bool = False  # says the danger is over or not there ("i'm safe now, he's gone")
    form: Mapping[str, float] = field(default_factory=dict)  # log-evidence per language form
    scores: Scores | None = None


def read(flow, text: str, places=None) -> Reading:
    """Return what the message says; `places` finds areas (chatbot.reader.slots.Places)."""
    text = (text or "")[:MAX_CHARS]
    tokens = tuple(flow.normaliser.tokens(text))
    matches = rule_matches(flow, tokens)
    joined = " ".join(tokens)
    number = int(joined) if joined.isdigit() and len(joined) <= 3 else None
    model = flow.model
    scores = model.scores(text) if model is not None and tokens and number is None else None
    danger, unsure = _danger(flow, tokens, matches, scores)
    safe = not danger and first_kind(flow.reassurance, tokens, matches) is not None
    if safe:
        unsure = False  # "i'm safe now, he's gone": not sure of danger, and told it is over
    age = find_age(flow, tokens, matches)
    who = _who(flow, tokens, matches, scores, age)
    topic = _topic(flow, tokens, matches, scores)
    if who is not None and WHO_FACT.get(who, (None, None))[1] and topic is None:
        topic = WHO_FACT[who][1]
    return Reading(
        tokens=tokens,
        danger=danger,
        unsure=unsure,
        word=flow.global_words.get(joined),
        switch_to=flow.language_names.get(joined),
        who=WHO_FACT[who][0] if who in WHO_FACT else None,
        topic=topic,
        age=age.years if age and not age.past else None,
        own_age=bool(age and age.own and not age.past),
        past=bool(age and age.past),
        number=number,
        area=places.find(text) if places is not None and tokens else None,
        safe=safe,
        form=evidence(text, scores.form if scores else marker_probs(flow, text, tokens))
        if number is None
        else {},
        scores=scores,
    )


def danger_kinds(flow, text: str) -> frozenset[str]:
    """Return the kinds of danger a text shows, sure or not (voice, search, feedback)."""
    reading = read(flow, text)
    return reading.danger or (frozenset({"now"}) if reading.unsure else frozenset())


def _danger(flow, tokens, matches, scores: Scores | None) -> tuple[frozenset[str], bool]:
    """Return the sure kinds of danger and whether danger is possible but unsure."""
    ruled = rule_danger(flow, tokens, matches)
    if scores is None:
        return ruled, False
    sure, unsure = flow.model.thresholds.get("sure", 0.5), flow.model.thresholds.get("unsure", 0.2)
    p = scores.danger
    if ruled and p < flow.veto and first_kind(flow.not_danger, tokens, matches) is not None:
        # "This exam is killing me", "I'm safe now, he's gone": a phrase matched, but words
        # around it say otherwise and the classifier, reading them, is all but sure there is no
        # danger. Without such words a phrase always counts.
        ruled = frozenset()
    kinds = set(ruled)
    if p >= sure:
        # Kinds the classifier is sure of add their own lines (Samaritans, Missing People...);
        # danger of no clear kind is answered as danger now: 999 and nothing that may not fit.
        kinds |= {k for k, v in scores.kinds.items() if v >= 0.5} or {"now"}
    return frozenset(kinds), not kinds and p >= unsure


def _who(flow, tokens, matches, scores: Scores | None, age) -> str | None:
    """Return who is writing: the classifier's view when it has one, else the phrase rules."""
    ruled = first_kind(flow.who, tokens, matches)
    adult = age is not None and age.own and not age.past and age.years >= 18
    if ruled == "young" and adult:
        ruled = None
    if age is not None and age.own and not age.past and age.years < 18:
        return "young"  # whoever they write about, a child writing gets a child's answer
    if scores is None or len(tokens) < WHO_WORDS:
        return ruled  # one or two words say too little for the classifier to guess who
    ranked = sorted(scores.who.items(), key=lambda item: item[1], reverse=True)
    if adult:  # someone who says they are an adult now is not writing as a child
        ranked = [(label, p) for label, p in ranked if label != "young"]
    label, p = ranked[0]
    if p < WHO_MAYBE:
        return ruled
    if label == "unknown":
        # Nothing says who is writing; an age in the past says it happened in childhood.
        return "survivor" if age is not None and age.past and not ruled else ruled
    return label


def _topic(flow, tokens, matches, scores: Scores | None) -> str | None:
    ruled = first_kind(flow.topics, tokens, matches)
    if ruled is not None or scores is None:
        return ruled
    label, p = scores.best("topic")
    return TOPIC_FACT.get(label) if p >= TOPIC_SURE else None


__all__ = ["ROMAN_URDU", "Reading", "danger_kinds", "read"]
