"""Near words: typo corrections, and the categories to offer when nothing matches."""

from __future__ import annotations

from collections import Counter, defaultdict

from directory.model import CATEGORIES, Directory, Service
from directory.search import store
from directory.search.analysis import (
    BOOSTS,
    LOCAL,
    TRANSLATED,
    analyse,
    english_stems,
    language_fields,
)

# The lines shown when nothing matches (DESIGN.md §2: no dead ends).
CRISIS_SERVICES = ("emergency-999", "childline", "nspcc-helpline", "samaritans")
DEFAULT_SUGGESTIONS = ("helpline", "sexual-violence", "counselling")
MIN_TYPO_LENGTH = 5  # shorter words have too many neighbours to guess a typo
MAX_CORRECTIONS = 4
SUGGESTION_KEYWORDS = 40  # keywords per category used to suggest categories


# Edit distance


def deletes(word: str) -> set[str]:
    """Return a word and each way of dropping one of its letters."""
    return {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}


def distance(a: str, b: str) -> int:
    """Return the edit distance between two words, counting a swap of neighbours as one."""
    rows = [list(range(len(b) + 1))]
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            cost = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, rows[-2][j - 2] + 1)
            row.append(cost)
        rows.append(row)
    return rows[-1][-1]


def near_keys(word: str) -> set[str]:
    """Return the keys under which two words within one edit of each other, or sharing their
    first five letters, always meet (symmetric deletes, as in the typo table)."""
    keys = deletes(word)
    if len(word) >= 5:
        keys.add(f"{word[:5]}*")
    return keys


def close(a: str, b: str) -> bool:
    """Return whether two words are within one edit of each other, or share a 5-letter start."""
    if a[:5] == b[:5] and min(len(a), len(b)) >= 5:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1] <= 1


# Typos


class Typos:
    """The index's words by their one-letter deletions, to find what a misspelt word meant."""

    def __init__(self, reader) -> None:
        self._table = self._typo_table(reader)

    @staticmethod
    def _typo_table(reader) -> dict[str, list[tuple[str, str]]]:
        """Map each word with one letter deleted to the indexed words it came from."""
        # Symmetric deletes (as in SymSpell): a typo and the word it was meant to be meet when
        # one letter is dropped from either, which finds them without scanning the vocabulary.
        # Each word is kept with where it came from: "fuzzy", "stem" (English) or a language.
        table: dict[str, list[tuple[str, str]]] = defaultdict(list)
        sources = [("fuzzy", "fuzzy"), *((f, "stem") for f in BOOSTS)]
        sources += [(f, lang) for lang in TRANSLATED for f in language_fields(lang)]
        indexed = set(reader.indexed_field_names())
        for fieldname, kind in sources:
            if fieldname not in indexed:
                continue
            for raw in reader.lexicon(fieldname):
                word = raw.decode("utf-8") if isinstance(raw, bytes) else raw
                if len(word) < MIN_TYPO_LENGTH - 1 or not word.isalpha():
                    continue
                entry = (kind, word)
                for variant in deletes(word):
                    if entry not in table[variant]:
                        table[variant].append(entry)
        return dict(table)

    def corrections(self, word: str, reader, lang: str = "en") -> list[store.Query]:
        """Return queries for the indexed words closest to a misspelt one."""
        if len(word) < MIN_TYPO_LENGTH:
            return []
        # The misspelt word as each kind of field would have indexed it.
        forms = {"fuzzy": word, "stem": (english_stems(word) or [word])[0]}
        if lang in LOCAL:
            forms[lang] = (analyse(LOCAL[lang], word) or [word])[0]
        candidates: set[tuple[str, str]] = set()
        for text in set(forms.values()):
            for variant in deletes(text):
                candidates.update(e for e in self._table.get(variant, ()) if e[0] in forms)
        near = sorted((distance(forms[kind], found), kind, found) for kind, found in candidates)
        queries: list[store.Query] = []
        for edits, kind, found in near[:MAX_CORRECTIONS]:
            if edits > 2:
                break
            if kind == "fuzzy":
                queries.append(store.term("fuzzy", found))
                continue
            fields = BOOSTS if kind == "stem" else language_fields(kind)
            queries.extend(
                store.term(f, found, boost=b)
                for f, b in fields.items()
                if reader.doc_frequency(f, found)
            )
        return queries


# When nothing matches


class Suggestions:
    """The categories and crisis lines a directory offers when a search finds nothing."""

    def __init__(self, directory: Directory) -> None:
        self.directory = directory
        self._vocabulary = self._category_vocabulary()
        self._near_words = self._near_table()

    def _category_vocabulary(self) -> dict[str, tuple[set[str], set[str]]]:
        # A category's own label counts for more than the keywords of services filed under it;
        # only its most used keywords are kept, so suggesting stays quick in a big directory.
        counts: dict[str, Counter[str]] = {category: Counter() for category in CATEGORIES}
        for service in self.directory.services.values():
            stems = set(english_stems(" ".join(service.keywords)))
            for category in service.categories:
                counts[category].update(stems)
        return {
            category: (
                set(english_stems(f"{category.replace('-', ' ')} {label}")),
                {stem for stem, _ in counts[category].most_common(SUGGESTION_KEYWORDS)},
            )
            for category, label in CATEGORIES.items()
        }

    def _near_table(self) -> dict[str, set[str]]:
        """Map each category word, each with one letter dropped and its first five letters, to
        the words it came from: the few candidates a query word is then compared with."""
        table: dict[str, set[str]] = defaultdict(set)
        for label, keywords in self._vocabulary.values():
            for word in label | keywords:
                for key in near_keys(word):
                    table[key].add(word)
        return dict(table)

    def _near(self, stem: str) -> set[str]:
        """Return the category words within one edit of `stem` or sharing its first five letters."""
        candidates = set().union(*(self._near_words.get(key, ()) for key in near_keys(stem)))
        return {word for word in candidates if close(stem, word)}

    def categories(
        self, groups: list[list[str]], limit: int = 3, pad: bool = True
    ) -> tuple[str, ...]:
        """Return the categories whose words come closest to the query's groups, best first."""
        stems: list[str] = []
        for group in groups:
            for word in group:
                stems.extend(english_stems(word))
        near = {stem: self._near(stem) if len(stem) >= 4 else set() for stem in stems}
        scores: dict[str, float] = {}
        for category, (label, keywords) in self._vocabulary.items():
            score = 0.0
            for stem in stems:
                for words, weight in ((label, 2.0), (keywords, 0.5)):
                    if stem in words:
                        score += weight
                    elif near[stem] & words:
                        score += weight / 2
            if score:
                scores[category] = score
        ranked = sorted(scores, key=lambda c: (-scores[c], list(CATEGORIES).index(c)))
        for default in DEFAULT_SUGGESTIONS if pad else ():
            if len(ranked) >= limit:
                break
            if default not in ranked:
                ranked.append(default)
        return tuple(ranked[:limit])

    def crisis_services(self) -> tuple[Service, ...]:
        """Return the crisis lines offered when nothing matches."""
        services = self.directory.services
        return tuple(services[s] for s in CRISIS_SERVICES if s in services)
