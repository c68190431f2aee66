"""Which language a conversation is in, from everything the person has written so far.

Each message adds evidence: the classifier's `form` head (trained on the corpus, Roman Urdu
included), weighted by how much the message says, plus the script it is written in, which rules
out half the forms at once. Evidence adds up over the conversation, so "hi" after three Polish
messages stays Polish, and a page's language is a prior on web chat.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from chatbot.reader.corpus import FORMS

ROMAN_URDU = "ur-Latn"
_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_LATIN = re.compile(r"[a-zA-Z\u00c0-\u024f]")
ARABIC_FORMS = frozenset({"ur", "ar"})
PRIOR = math.log(6.0)  # how much the page's language counts for, against one clear message
MAX_WEIGHT = 3.0  # a long message counts for at most this many short ones
FLOOR = 1e-4


def marker_probs(flow, text: str, tokens) -> dict[str, float]:
    """Return a rough distribution over forms from the lexicon's marker words and letters."""
    lowered, words = text.lower(), set(tokens)
    scores = {}
    for form in FORMS:
        info = flow.language_info.get(form)
        if info is None:
            scores[form] = 0.0
            continue
        scores[form] = (
            2 * len(words & info.markers)
            + len(words & info.vocabulary)
            + 3 * sum(lowered.count(c) for c in info.letters)
        )
    top = max(scores.values()) if scores else 0
    weights = {form: math.exp(min(score - top, 0)) for form, score in scores.items()}
    total = sum(weights.values())
    return {form: w / total for form, w in weights.items()}


def locale_of(form: str) -> str:
    """Return the site language a form is answered in (Roman Urdu is answered as Urdu)."""
    return "ur" if form == ROMAN_URDU else form


def evidence(text: str, form_probs: Mapping[str, float] | None) -> dict[str, float]:
    """Return one message's log-evidence per form: the model's view, held to the script used."""
    arabic, latin = len(_ARABIC_SCRIPT.findall(text)), len(_LATIN.findall(text))
    letters = arabic + latin
    if letters < 2:
        return {}
    weight = min(MAX_WEIGHT, letters / 12)
    allowed = ARABIC_FORMS if arabic > latin else frozenset(FORMS) - ARABIC_FORMS
    probs = form_probs or {form: 1.0 for form in FORMS}
    total = sum(probs.get(form, 0.0) for form in allowed) or 1.0
    return {
        form: weight * math.log(max(FLOOR, probs.get(form, 0.0) / total))
        if form in allowed
        else weight * math.log(FLOOR)
        for form in FORMS
    }


def add(so_far: Mapping[str, float], more: Mapping[str, float]) -> dict[str, float]:
    """Return the evidence of a conversation with one more message."""
    return {
        form: so_far.get(form, 0.0) + more.get(form, 0.0)
        for form in FORMS
        if more or form in so_far
    }


def best(so_far: Mapping[str, float], prior: str | None) -> str | None:
    """Return the most likely form of the conversation, or None with no evidence yet."""
    if not so_far:
        return None
    scored = {
        form: value + (PRIOR if prior is not None and locale_of(form) == prior else 0.0)
        for form, value in so_far.items()
    }
    return max(scored, key=scored.__getitem__)
