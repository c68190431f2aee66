"""What a query asks for: its words and phrases, their synonyms, and the filters around it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import yaml

from directory.model import AUDIENCES, CATEGORIES, CHANNELS, NATIONAL
from directory.search import store
from directory.search.analysis import (
    BOOSTS,
    LOCAL,
    QUERY_STOP_WORDS,
    analyse,
    english_stems,
    language_fields,
    plain_words,
)
from directory.search.documents import SERVICE, SearchError
from directory.search.suggest import Typos

FUZZY_BOOST = 0.4
# A word in more than this share of listings (and at least COMMON_MIN_DOCS) counts as common.
COMMON_SHARE = 0.08
COMMON_MIN_DOCS = 200
SYNONYM_BOOST = 0.8


@dataclass(frozen=True)
class Filters:
    """What to narrow a search to; None or False means no filter."""

    audience: str | None = None
    category: str | None = None
    area: str | None = None
    channel: str | None = None
    language: str | None = None
    open_now: bool = False
    free: bool = False
    always_open: bool = False

    def __post_init__(self) -> None:
        for name, allowed in (
            ("audience", AUDIENCES),
            ("category", CATEGORIES),
            ("channel", CHANNELS),
        ):
            value = getattr(self, name)
            if value is not None and value not in allowed:
                raise SearchError(f"unknown {name} {value!r}")

    @property
    def services_only(self) -> bool:
        """Return whether a filter applies only to services, so pages drop out."""
        return any(
            (
                self.audience,
                self.category,
                self.area,
                self.channel,
                self.language,
                self.open_now,
                self.free,
                self.always_open,
            )
        )


def filter_query(filters: Filters) -> store.Query:
    """Return the query matching the services the filters keep (open now aside)."""
    terms: list[store.Query] = [store.term("kind", SERVICE)]
    for name in ("audience", "category", "channel"):
        value = getattr(filters, name)
        if value:
            terms.append(store.term(name, value))
    if filters.area:
        terms.append(store.any_of([store.term("area", filters.area), store.term("area", NATIONAL)]))
    if filters.language:
        terms.append(
            store.any_of(
                [store.term("language", filters.language), store.term("language", "interpreters")]
            )
        )
    if filters.free:
        terms.append(store.term("free", True))
    if filters.always_open:
        terms.append(store.term("always_open", True))
    return store.all_of(terms)


def load_synonyms(path: Path) -> Mapping[str, tuple[str, ...]]:
    """Read the synonyms file: a mapping of word or phrase to what it should also find."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, Mapping):
        raise SearchError(f"{path}: expected a mapping of word: [other words]")
    table: dict[str, tuple[str, ...]] = {}
    for key, values in data.items():
        if isinstance(values, str):
            values = [values]
        if not isinstance(key, str) or not isinstance(values, list):
            raise SearchError(f"{path}: {key!r}: expected a list of words")
        table[" ".join(plain_words(key))] = tuple(str(v) for v in values)
    return MappingProxyType(table)


@dataclass(frozen=True)
class Plan:
    """How to run one query."""

    every: store.Query | None  # every word must match
    anyword: store.Query | None  # any word may match, when no listing has every word
    common: list[store.Query] | None = None  # every word is common: match as document sets
    complete: bool = True  # every word matched something in the index
    optional: tuple[store.Query, ...] = ()  # common words beside rare ones: they only rank


class QueryParser:
    """Turns what a reader typed into word groups, and word groups into a plan to run."""

    def __init__(self, synonyms: Mapping[str, tuple[str, ...]], typos: Typos) -> None:
        self.synonyms = synonyms
        self._typos = typos
        self._phrases = sorted((k for k in self.synonyms if " " in k), key=len, reverse=True)
        # Synonyms found by a word's stem in the reader's language too: "الاعتداء" by "اعتداء".
        self._local_synonyms: dict[str, dict[str, tuple[str, ...]]] = {}
        for lang, analyzer in LOCAL.items():
            table: dict[str, tuple[str, ...]] = {}
            for key, values in self.synonyms.items():
                stems = analyse(analyzer, key)
                if len(stems) == 1:
                    table[stems[0]] = tuple(dict.fromkeys((*table.get(stems[0], ()), *values)))
            self._local_synonyms[lang] = table

    def groups(self, text: str, lang: str = "en") -> list[list[str]]:
        """Split a query into word groups; a group is a word or phrase plus its synonyms."""
        # Phrases first, before stop words go: "when i was a kid" is mostly stop words.
        words = " ".join(plain_words(text))
        groups: list[list[str]] = []
        for phrase in self._phrases:
            if f" {phrase} " in f" {words} ":
                groups.append([phrase, *self.synonyms[phrase]])
                words = f" {words} ".replace(f" {phrase} ", " ").strip()
        local = LOCAL.get(lang)
        for word in words.split():
            if word in QUERY_STOP_WORDS:
                continue
            stems = english_stems(word)
            expansions = self.synonyms.get(word, ()) or (
                self.synonyms.get(stems[0], ()) if stems else ()
            )
            # A word either language drops carries no meaning: "the", and in Polish "w".
            meaningful = bool(stems)
            if local is not None:
                own = analyse(local, word)
                meaningful = meaningful and bool(own)
                if own and not expansions:
                    expansions = self._local_synonyms[lang].get(own[0], ())
            if meaningful or expansions:
                groups.append([word, *expansions])
        return groups

    def _terms(self, word: str, lang: str, reader) -> tuple[list[store.Query], int]:
        """Return the term queries for one word in English and the reader's language."""
        found: list[tuple[str, str, float]] = []
        for stem in english_stems(word)[:1]:
            found += [(f, stem, boost) for f, boost in BOOSTS.items()]
        if lang in LOCAL:
            for token in analyse(LOCAL[lang], word)[:1]:
                found += [(f, token, boost) for f, boost in language_fields(lang).items()]
        # Only fields that hold the word: empty branches still cost time on every match.
        counted = [(f, text, boost, reader.doc_frequency(f, text)) for f, text, boost in found]
        terms = [store.term(f, text, boost=boost) for f, text, boost, n in counted if n]
        return terms, max((n for *_, n in counted), default=0)

    def _word_query(
        self, word: str, reader, cutoff: float, *, typos: bool, lang: str = "en"
    ) -> tuple[store.Query | None, int]:
        """Return the query for one word or phrase and how many documents it can match."""
        local = LOCAL.get(lang)
        words = [
            w
            for w in plain_words(word)
            if w not in QUERY_STOP_WORDS
            and english_stems(w)
            and (local is None or analyse(local, w))
        ]
        if not words:
            return None, 0
        if len(words) > 1:  # a phrase such as "children's services": all its words
            parts = [self._word_query(w, reader, cutoff, typos=False, lang=lang) for w in words]
            if any(q is None for q, _ in parts):
                return None, 0
            return store.all_of([q for q, _ in parts]), min(df for _, df in parts)
        terms, count = self._terms(words[0], lang, reader)
        if not terms and typos:
            # An unknown word is probably a typo: use the indexed words one or two edits away.
            corrected = self._typos.corrections(words[0], reader, lang)
            if corrected:
                count = max(reader.doc_frequency(t.fieldname, t.text) for t in corrected)
                return store.any_of(corrected, boost=FUZZY_BOOST), count
        if not terms:
            return None, 0
        return (terms[0] if len(terms) == 1 else store.any_of(terms)), count

    def _group_query(
        self, group: list[str], reader, cutoff: float, lang: str
    ) -> tuple[store.Query | None, int]:
        first, *others = group
        query, count = self._word_query(first, reader, cutoff, typos=True, lang=lang)
        parts = [query] if query is not None else []
        for other in others:
            sub, sub_count = self._word_query(other, reader, cutoff, typos=False, lang=lang)
            # A synonym found in most listings adds time and no precision.
            if sub is not None and sub_count <= cutoff:
                parts.append(store.any_of([sub], boost=SYNONYM_BOOST))
                count = max(count, sub_count)
        if not parts:
            return None, 0
        return (parts[0] if len(parts) == 1 else store.any_of(parts)), count

    def plan(self, groups: list[list[str]], reader, lang: str = "en") -> Plan:
        """Decide how to run a query: scored by Whoosh, or as sets when every word is common."""
        cutoff = max(COMMON_MIN_DOCS, COMMON_SHARE * reader.doc_count())
        built = [self._group_query(g, reader, cutoff, lang) for g in groups]
        found = sorted(((n, q) for q, n in built if q is not None), key=lambda item: item[0])
        if not found:
            return Plan(None, None)
        complete = len(found) == len(built)
        rare = [q for n, q in found if n <= cutoff]
        common = [q for n, q in found if n > cutoff]
        if not rare:
            # Only words found in a large share of listings ("help", a category's name): BM25
            # would score them all alike, so match them as cached sets instead of walking
            # thousands of postings on every query.
            return Plan(None, None, common=common, complete=complete)
        # Common words only rank the results; the rarer words decide what matches.
        every: store.Query = store.all_of(rare) if len(rare) > 1 else rare[0]
        anyword: store.Query = store.any_of(rare) if len(rare) > 1 else rare[0]
        return Plan(
            every if complete else None,
            anyword if len(groups) > 1 else None,
            optional=tuple(common),
        )
