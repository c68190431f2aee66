"""Full-text search over services and site pages; the only module that imports Whoosh."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import itertools
import json
import os
import shutil
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

import yaml
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StemmingAnalyzer,
    StopFilter,
)
from whoosh.fields import BOOLEAN, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.lang import stemmer_for_language
from whoosh.lang.porter import stem as porter_stem
from whoosh.support.charset import accent_map

from directory.hours import Schedule, to_london
from directory.model import AUDIENCES, CATEGORIES, CHANNELS, NATIONAL, Directory, Service

# Bump when the schema or the way documents are built changes, so old indexes count as stale.
SCHEMA_VERSION = "7"
SERVICE, PAGE = "service", "page"
PAGE_KEYS = ("id", "url", "title", "summary", "body", "lang")
# The lines shown when nothing matches (DESIGN.md §2: no dead ends).
CRISIS_SERVICES = ("emergency-999", "childline", "nspcc-helpline", "samaritans")
DEFAULT_SUGGESTIONS = ("helpline", "sexual-violence", "counselling")
# Field boosts: a word in a name or category says more than one in a description.
# "tags" holds the categories and keywords; "text" the description and everything else.
BOOSTS: Mapping[str, float] = MappingProxyType({"name": 4.0, "tags": 3.0, "text": 1.0})
FUZZY_BOOST = 0.4
MIN_TYPO_LENGTH = 5  # shorter words have too many neighbours to guess a typo
MAX_CORRECTIONS = 4
# A word in more than this share of listings (and at least COMMON_MIN_DOCS) counts as common.
COMMON_SHARE = 0.08
COMMON_MIN_DOCS = 200
# Totals past this are reported as "more than": counting every match of a broad query is slow.
COUNT_CAP = 1000
STALE_INDEX_SECONDS = 24 * 60 * 60
SUGGESTION_KEYWORDS = 40  # keywords per category used to suggest categories
FILTER_CACHE_SIZE = 256  # distinct filter combinations kept as document sets
SYNONYM_BOOST = 0.8
COMMON_BONUS = 1.0  # added to a listing's score for each common word it also has
# Words people type that carry no meaning for search, on top of Whoosh's own stop list.
QUERY_STOP_WORDS = frozenset({
    "i", "im", "i'm", "me", "my", "was", "were", "am", "he", "she", "his", "her", "him",
    "they", "them", "their", "what", "how", "who", "do", "does", "did", "get", "got", "been",
    "about", "there", "want", "need", "someone", "somebody", "please", "has", "had",
})  # fmt: skip

# Languages read in their own fields (English text lives in name, tags and text), each with the
# words too common to search for. Whoosh has stemmers for Arabic and Romanian. Polish, Czech and
# Slovak change a word's ending for every case ("dziecko", "dziecka", "dzieci"), so their words are
# cut to their first letters, which matches the forms of a word far better than typo tolerance
# alone (which still applies to every language). Urdu has typo tolerance and synonyms.
TRANSLATED = ("ur", "ar", "pl", "sk", "cs", "ro")
TRUNCATED = frozenset({"pl", "cs", "sk"})
TRUNCATE_AT = 5


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


LANGUAGE_STOP_WORDS: Mapping[str, frozenset[str]] = MappingProxyType({
    "ur": _wordset(
        "اور کا کی کے میں سے کو ہے ہیں تھا تھی تھے یہ وہ نے پر بھی کہ ہو جو مجھے میرا میری میرے "
        "ہم آپ تم کیا کیسے"
    ),
    "ar": _wordset(
        "في من الى إلى على عن و او أو ان أن إن هذا هذه ذلك التي الذي مع كان لا ما هو هي انا أنا "
        "لي كيف ماذا"
    ),
    "pl": _wordset(
        "a aby ale bo by co czy dla do i ich jak jest jestem jego jej już lub ma mam mi mnie "
        "mój moja moje na nie o od po przez się są sprawie ta tak te ten to tym w we z za ze że"
    ),
    "cs": _wordset(
        "a aby ale by co do i jak je jeho její jsem jsou k ke mi mě mně můj moje na ne nebo o "
        "od po pro s se si ta tak ten to v ve z za ze že"
    ),
    "sk": _wordset(
        "a aby ale alebo by čo do i ja je jeho jej k ku ma mi mňa môj moja na nie o od po pre s "
        "sa si so som sú ta tak ten to v vo z za zo že"
    ),
    "ro": _wordset(
        "a al ale am ar are că ce cu de din e este eu în la mai mă mi nu o pe pentru sau se să "
        "și sunt un una unei unui"
    ),
})  # fmt: skip
# Marks that sit on a letter (combining accents, Arabic and Urdu vowel marks and shadda) and the
# invisible joiners: part of a word, never a break in it, and dropped when folding.
MARKS = "\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u200c\u200d\u0640"
WORD = f"[\\w{MARKS}]+"
# Letters folded for matching: accents (so "zgloszenie" finds "zgłoszenie"), the Arabic and Urdu
# forms of the same letter that either keyboard may type, and the marks above.
FOLD: dict[int, str] = {  # a dict: the index pickles its analyzers
    **accent_map,
    **{ord(c): "ا" for c in "أإآٱ"},
    **{ord(c): "ي" for c in "یى"},
    ord("ک"): "ك",
    **{ord(c): "ه" for c in "ہھۂۀ"},
    ord("ۓ"): "ے",
    ord("ں"): "ن",  # "میں" is often typed "مین"
    **{code: "" for code in (
        *range(0x0300, 0x0370), *range(0x0610, 0x061B), *range(0x064B, 0x0660), 0x0670,
        *range(0x06D6, 0x06EE), 0x200C, 0x200D, 0x0640,
    )},
}  # fmt: skip


def _fold(text: str) -> str:
    return text.translate(FOLD)


def english_analyzer() -> Analyzer:
    """Return the analyzer of the English fields: stop words out, stemmed, accents folded."""
    return StemmingAnalyzer(stemfn=english_stem, cachesize=None) | CharsetFilter(FOLD)


def language_analyzer(lang: str) -> Analyzer:
    """Return the analyzer of one translated language's fields."""
    # Folding comes first, at indexing and in queries alike, so that a word typed without its
    # accents is stemmed the same way as the word in the text.
    stop = frozenset(_fold(word) for word in LANGUAGE_STOP_WORDS.get(lang, ()))
    chain = (
        RegexTokenizer(WORD)
        | LowercaseFilter()
        | CharsetFilter(FOLD)
        | StopFilter(stoplist=stop, minsize=1)
    )
    # No cache in the filter: Whoosh's is not safe across threads; the stem functions keep their
    # own (functools.lru_cache is).
    if lang == "ar":
        return chain | StemFilter(stemfn=arabic_stem, cachesize=None)
    if lang == "ro":
        return chain | StemFilter(stemfn=romanian_stem, cachesize=None)
    if lang in TRUNCATED:
        return chain | StemFilter(stemfn=truncate, cachesize=None)
    return chain


def truncate(word: str) -> str:
    """Return a word's first letters, the stem used for Polish, Czech and Slovak."""
    return word[:TRUNCATE_AT]


# Whoosh's Arabic and Romanian stemmers keep working state on the stemmer object, so each
# thread (gunicorn's gthread workers run four) has its own.
_stemmers = threading.local()


def _stemmer(lang: str) -> Callable[[str], str]:
    found = getattr(_stemmers, lang, None)
    if found is None:
        found = stemmer_for_language(lang)
        setattr(_stemmers, lang, found)
    return found


@lru_cache(maxsize=50_000)
def english_stem(word: str) -> str:
    """Return the Porter stem of an English word."""
    return porter_stem(word)


@lru_cache(maxsize=50_000)
def arabic_stem(word: str) -> str:
    """Return the root Whoosh's ISRI stemmer finds for an Arabic word."""
    return _stemmer("ar")(word)


@lru_cache(maxsize=50_000)
def romanian_stem(word: str) -> str:
    """Return the Snowball stem of a Romanian word."""
    return _stemmer("ro")(word)


def language_fields(lang: str) -> dict[str, float]:
    """Return one translated language's fields and their boosts, as BOOSTS for English."""
    return {f"{name}_{lang}": boost for name, boost in BOOSTS.items()}


_stem = english_analyzer()
_plain = RegexTokenizer(f"[\\w'{MARKS}]+") | LowercaseFilter() | CharsetFilter(FOLD)
_local = {lang: language_analyzer(lang) for lang in TRANSLATED}


def _schema() -> Schema:
    stemmed = english_analyzer()
    translated = {
        name: TEXT(analyzer=language_analyzer(lang))
        for lang in TRANSLATED
        for name in language_fields(lang)
    }
    return Schema(
        **translated,
        id=ID(stored=True, unique=True),
        kind=ID(stored=True),
        lang=ID(stored=True),
        url=STORED,
        title=STORED,
        summary=STORED,
        sort_name=ID(sortable=True),
        # Three text fields, not one per listing field: fewer posting lists per word keeps a
        # query fast at 100,000 listings, and the boosts below still rank names first.
        name=TEXT(analyzer=stemmed),
        tags=TEXT(analyzer=stemmed),
        text=TEXT(analyzer=stemmed),
        # Unstemmed words for typo matching: "missin" is one edit from "missing".
        fuzzy=TEXT(
            analyzer=RegexTokenizer(r"\w+") | LowercaseFilter() | CharsetFilter(FOLD), phrase=False
        ),
        audience=KEYWORD(commas=True),
        category=KEYWORD(commas=True),
        area=KEYWORD(commas=True),
        channel=KEYWORD(commas=True),
        language=KEYWORD(commas=True),
        free=BOOLEAN,
        always_open=BOOLEAN,
        # Which opening hours the listing keeps, so "open now" is worked out once per distinct
        # set of hours rather than once per listing.
        hours=ID,
    )


class SearchError(ValueError):
    """A page document or filter that cannot be indexed or applied."""


@dataclass(frozen=True)
class PageDocument:
    """A site page to search alongside the services."""

    id: str
    url: str
    title: str
    summary: str
    body: str
    lang: str


def index_documents(pages: Iterable[Mapping[str, str]]) -> tuple[PageDocument, ...]:
    """Turn page dicts {id, url, title, summary, body, lang} into searchable documents."""
    documents = []
    for page in pages:
        missing = [key for key in PAGE_KEYS if not isinstance(page.get(key), str)]
        if missing:
            raise SearchError(f"page {page.get('id', '?')!r}: missing {', '.join(missing)}")
        documents.append(PageDocument(**{key: page[key] for key in PAGE_KEYS}))
    return tuple(documents)


@dataclass(frozen=True)
class ListingText:
    """A listing's reader-facing text in one other language."""

    name: str = ""
    text: str = ""


@dataclass(frozen=True)
class Translations:
    """What the index holds beside the English: listing text and category names per language."""

    listings: Mapping[str, Mapping[str, ListingText]] = field(default_factory=dict)
    categories: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def languages(self) -> list[str]:
        """Return the translated languages this holds something for, in TRANSLATED order."""
        return [lang for lang in TRANSLATED if lang in self.listings or lang in self.categories]


NO_TRANSLATIONS = Translations()


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


@dataclass(frozen=True)
class Hit:
    """One result: a service listing or a site page."""

    kind: str
    id: str
    score: float
    service: Service | None = None
    url: str = ""
    title: str = ""
    summary: str = ""


@dataclass(frozen=True)
class SearchResults:
    """A page of results; when empty it carries categories and crisis lines to offer instead."""

    hits: tuple[Hit, ...]
    total: int
    page: int
    per_page: int
    suggested_categories: tuple[str, ...] = ()
    crisis_services: tuple[Service, ...] = ()
    broadened: bool = False  # no listing had every word, so any word was enough

    @property
    def capped(self) -> bool:
        """Return whether total stopped counting at the cap, so there may be more."""
        return self.total >= COUNT_CAP

    @property
    def empty(self) -> bool:
        """Return whether nothing matched."""
        return self.total == 0

    @property
    def pages(self) -> int:
        """Return how many pages of results there are."""
        return max(1, -(-self.total // self.per_page))


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
        table[" ".join(_words(key))] = tuple(str(v) for v in values)
    return MappingProxyType(table)


def _words(text: str) -> list[str]:
    return [t.text for t in _plain(text)]


def _stems(text: str) -> list[str]:
    return [t.text for t in _stem(text)]


def _analyse(analyzer: Analyzer, text: str) -> list[str]:
    return [t.text for t in analyzer(text)]


def _service_document(service: Service, translations: Translations) -> dict[str, object]:
    categories = " ".join(f"{c.replace('-', ' ')} {CATEGORIES[c]}" for c in service.categories)
    description = " ".join(
        (service.description, service.what_happens, service.organisation, service.alert)
    )
    keywords = " ".join(service.keywords)
    languages = list(service.languages) + (["interpreters"] if service.interpreters else [])
    return {
        "id": service.id,
        "kind": SERVICE,
        "lang": "",
        "sort_name": service.name.lower(),
        "name": service.name,
        "tags": f"{categories} {keywords}",
        # Audiences are left out: they are filters, and in nearly every listing's text they
        # would make "young" or "families" match half the directory.
        "text": description,
        "fuzzy": " ".join((service.name, categories, keywords, service.description)),
        "audience": ",".join(service.audiences),
        "category": ",".join(service.categories),
        "area": ",".join(service.areas),
        "channel": ",".join(service.channels),
        "language": ",".join(languages),
        "free": service.free,
        "always_open": service.always_open,
        "hours": hours_key(service),
        **_translated_fields(service, translations),
    }


def _translated_fields(service: Service, translations: Translations) -> dict[str, str]:
    fields: dict[str, str] = {}
    for lang in translations.languages():
        listing = translations.listings.get(lang, {}).get(service.id, ListingText())
        labels = translations.categories.get(lang, {})
        name, tags, text = language_fields(lang)
        fields[name] = listing.name
        fields[tags] = " ".join(labels.get(c, "") for c in service.categories)
        fields[text] = listing.text
    return {key: value for key, value in fields.items() if value.strip()}


def _live_schedules(service: Service) -> tuple[Schedule, ...]:
    return tuple(c.known_hours for c in service.live_contacts if c.known_hours is not None)


def hours_key(service: Service) -> str:
    """Return a short key shared by every listing with the same live opening hours."""
    schedules = _live_schedules(service)
    if not schedules:
        return "unknown"
    return hashlib.sha256(repr(sorted(map(repr, schedules))).encode()).hexdigest()[:16]


def _page_document(page: PageDocument) -> dict[str, object]:
    words: dict[str, str] = {
        "name": page.title,
        "tags": "",
        "text": f"{page.summary} {page.body}",
        "fuzzy": f"{page.title} {page.summary}",
    }
    if page.lang in TRANSLATED:  # read in the page's own language, not stemmed as English
        name, _, text = language_fields(page.lang)
        words = {name: page.title, text: words["text"]}
    return {
        "id": f"page:{page.lang}:{page.id}",
        "kind": PAGE,
        "lang": page.lang,
        "url": page.url,
        "title": page.title,
        "summary": page.summary,
        "sort_name": page.title.lower(),
        **words,
        "audience": "",
        "category": "",
        "area": "",
        "channel": "",
        "language": "",
        "free": False,
        "always_open": False,
        "hours": "unknown",
    }


def _documents(
    directory: Directory, pages: Sequence[PageDocument], translations: Translations
) -> list[dict[str, object]]:
    docs = [_service_document(s, translations) for s in directory.services.values()]
    docs.extend(_page_document(p) for p in pages)
    return docs


def fingerprint(documents: Sequence[Mapping[str, object]]) -> str:
    """Return a hash of everything indexed, so a changed listing makes the index stale."""
    digest = hashlib.sha256(SCHEMA_VERSION.encode())
    for doc in documents:
        digest.update(json.dumps(doc, sort_keys=True).encode())
    return digest.hexdigest()[:20]


@contextlib.contextmanager
def _locked(index_dir: Path) -> Iterator[None]:
    # Whoosh allows one writer: workers starting together queue here, and all but the first
    # find the finished index when they get the lock.
    with open(index_dir / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _write(target: Path, documents: Sequence[Mapping[str, object]]) -> None:
    building = Path(tempfile.mkdtemp(prefix=".build-", dir=target.parent))
    try:
        ix = whoosh_index.create_in(str(building), _schema())
        writer = ix.writer(limitmb=256)
        for doc in documents:
            writer.add_document(**doc)
        writer.commit()
        os.rename(building, target)  # atomic: readers never see a half-built index
    finally:
        if building.exists():
            shutil.rmtree(building)


def _remove_others(index_dir: Path, keep: str, older_than: float = 0.0) -> None:
    """Remove other index folders; at start-up only old ones, which no running worker uses."""
    cutoff = time.time() - older_than
    for old in index_dir.iterdir():
        if old.is_dir() and old.name != keep and old.stat().st_mtime <= cutoff:
            shutil.rmtree(old, ignore_errors=True)


def build_index(
    directory: Directory,
    index_dir: Path,
    pages: Iterable[Mapping[str, str]] = (),
    translations: Translations = NO_TRANSLATIONS,
) -> Path:
    """Build the index from scratch (the reindex command) and return its folder."""
    documents = _documents(directory, index_documents(pages), translations)
    index_dir.mkdir(parents=True, exist_ok=True)
    key = fingerprint(documents)
    with _locked(index_dir):
        target = index_dir / key
        if target.exists():
            # Set the old copy aside rather than delete it: running workers may be reading it.
            retired = index_dir / f".retired-{key}-{time.time_ns()}"
            os.rename(target, retired)
            os.utime(retired)
        _write(target, documents)
        _remove_others(index_dir, key, older_than=STALE_INDEX_SECONDS)
    return target


def ensure_index(
    directory: Directory,
    index_dir: Path,
    pages: Iterable[Mapping[str, str]] = (),
    translations: Translations = NO_TRANSLATIONS,
) -> tuple[Path, bool]:
    """Build the index if it is missing or stale; return its folder and whether it was built."""
    documents = _documents(directory, index_documents(pages), translations)
    index_dir.mkdir(parents=True, exist_ok=True)
    key = fingerprint(documents)
    target = index_dir / key
    if target.exists():
        return target, False
    with _locked(index_dir):
        if target.exists():
            return target, False
        _write(target, documents)
        # Workers of the previous release may still be reading their index during a rollout.
        _remove_others(index_dir, key, older_than=STALE_INDEX_SECONDS)
    return target, True


def open_index(
    directory: Directory,
    index_dir: Path,
    pages: Iterable[Mapping[str, str]] = (),
    synonyms: Mapping[str, tuple[str, ...]] | Path | None = None,
    translations: Translations = NO_TRANSLATIONS,
) -> SearchIndex:
    """Open the index read-only, building it first if it is missing or stale."""
    pages = tuple(pages)
    folder, _ = ensure_index(directory, index_dir, pages, translations)
    if isinstance(synonyms, Path):
        synonyms = load_synonyms(synonyms)
    return SearchIndex(directory, folder, synonyms or {}, translations)


@dataclass(frozen=True)
class _Plan:
    """How to run one query."""

    every: wq.Query | None  # every word must match
    anyword: wq.Query | None  # any word may match, when no listing has every word
    common: list[wq.Query] | None = None  # every word is common: match as document sets
    complete: bool = True  # every word matched something in the index
    optional: tuple[wq.Query, ...] = ()  # common words beside rare ones: they only rank


@dataclass
class SearchIndex:
    """A read-only search index over a directory's services and the site's pages."""

    directory: Directory
    folder: Path
    synonyms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    translations: Translations = NO_TRANSLATIONS

    def __post_init__(self) -> None:
        self._index = whoosh_index.open_dir(str(self.folder), readonly=True)
        self._local = threading.local()
        self._phrases = sorted((k for k in self.synonyms if " " in k), key=len, reverse=True)
        # Synonyms found by a word's stem in the reader's language too: "الاعتداء" by "اعتداء".
        self._local_synonyms: dict[str, dict[str, tuple[str, ...]]] = {}
        for lang, analyzer in _local.items():
            table: dict[str, tuple[str, ...]] = {}
            for key, values in self.synonyms.items():
                stems = _analyse(analyzer, key)
                if len(stems) == 1:
                    table[stems[0]] = tuple(dict.fromkeys((*table.get(stems[0], ()), *values)))
            self._local_synonyms[lang] = table
        self._vocabulary = self._category_vocabulary()
        self._near_words = self._near_table()
        self._filter_cache: dict[tuple[Filters, bool, str], tuple[object, object]] = {}
        self._common_cache: dict[str, set[int]] = {}
        self._cache_lock = threading.Lock()  # a worker's threads share the caches
        self._typos = self._typo_table()
        self._hours: dict[str, tuple[Schedule, ...]] = {
            hours_key(s): _live_schedules(s) for s in self.directory.services.values()
        }
        self._hours.pop("unknown", None)
        self._open_cache: tuple[datetime, set[int]] | None = None
        self._service_docs: set[int] | None = None

    def _searcher(self):
        searcher = getattr(self._local, "searcher", None)
        if searcher is None:
            searcher = self._local.searcher = self._index.searcher()
        return searcher

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close this thread's searcher and the index."""
        searcher = getattr(self._local, "searcher", None)
        if searcher is not None:
            searcher.close()
            self._local.searcher = None
        self._index.close()

    # Query building

    def _groups(self, text: str, lang: str = "en") -> list[list[str]]:
        """Split a query into word groups; a group is a word or phrase plus its synonyms."""
        # Phrases first, before stop words go: "when i was a kid" is mostly stop words.
        words = " ".join(_words(text))
        groups: list[list[str]] = []
        for phrase in self._phrases:
            if f" {phrase} " in f" {words} ":
                groups.append([phrase, *self.synonyms[phrase]])
                words = f" {words} ".replace(f" {phrase} ", " ").strip()
        local = _local.get(lang)
        for word in words.split():
            if word in QUERY_STOP_WORDS:
                continue
            stems = _stems(word)
            expansions = self.synonyms.get(word, ()) or (
                self.synonyms.get(stems[0], ()) if stems else ()
            )
            # A word either language drops carries no meaning: "the", and in Polish "w".
            meaningful = bool(stems)
            if local is not None:
                own = _analyse(local, word)
                meaningful = meaningful and bool(own)
                if own and not expansions:
                    expansions = self._local_synonyms[lang].get(own[0], ())
            if meaningful or expansions:
                groups.append([word, *expansions])
        return groups

    def _terms(self, word: str, lang: str, reader) -> tuple[list[wq.Query], int]:
        """Return the term queries for one word in English and the reader's language."""
        found: list[tuple[str, str, float]] = []
        for stem in _stems(word)[:1]:
            found += [(f, stem, boost) for f, boost in BOOSTS.items()]
        if lang in _local:
            for token in _analyse(_local[lang], word)[:1]:
                found += [(f, token, boost) for f, boost in language_fields(lang).items()]
        # Only fields that hold the word: empty branches still cost time on every match.
        counted = [(f, text, boost, reader.doc_frequency(f, text)) for f, text, boost in found]
        terms = [wq.Term(f, text, boost=boost) for f, text, boost, n in counted if n]
        return terms, max((n for *_, n in counted), default=0)

    def _word_query(
        self, word: str, reader, cutoff: float, *, typos: bool, lang: str = "en"
    ) -> tuple[wq.Query | None, int]:
        """Return the query for one word or phrase and how many documents it can match."""
        local = _local.get(lang)
        words = [
            w
            for w in _words(word)
            if w not in QUERY_STOP_WORDS and _stems(w) and (local is None or _analyse(local, w))
        ]
        if not words:
            return None, 0
        if len(words) > 1:  # a phrase such as "children's services": all its words
            parts = [self._word_query(w, reader, cutoff, typos=False, lang=lang) for w in words]
            if any(q is None for q, _ in parts):
                return None, 0
            return wq.And([q for q, _ in parts]), min(df for _, df in parts)
        terms, count = self._terms(words[0], lang, reader)
        if not terms and typos:
            # An unknown word is probably a typo: use the indexed words one or two edits away.
            corrected = self._corrections(words[0], reader, lang)
            if corrected:
                count = max(reader.doc_frequency(t.fieldname, t.text) for t in corrected)
                return wq.Or(corrected, boost=FUZZY_BOOST), count
        if not terms:
            return None, 0
        return (terms[0] if len(terms) == 1 else wq.Or(terms)), count

    def _typo_table(self) -> dict[str, list[tuple[str, str]]]:
        """Map each word with one letter deleted to the indexed words it came from."""
        # Symmetric deletes (as in SymSpell): a typo and the word it was meant to be meet when
        # one letter is dropped from either, which finds them without scanning the vocabulary.
        # Each word is kept with where it came from: "fuzzy", "stem" (English) or a language.
        table: dict[str, list[tuple[str, str]]] = defaultdict(list)
        reader = self._searcher().reader()
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
                for variant in {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}:
                    if entry not in table[variant]:
                        table[variant].append(entry)
        return dict(table)

    def _corrections(self, word: str, reader, lang: str = "en") -> list[wq.Query]:
        """Return queries for the indexed words closest to a misspelt one."""
        if len(word) < MIN_TYPO_LENGTH:
            return []
        # The misspelt word as each kind of field would have indexed it.
        forms = {"fuzzy": word, "stem": (_stems(word) or [word])[0]}
        if lang in _local:
            forms[lang] = (_analyse(_local[lang], word) or [word])[0]
        candidates: set[tuple[str, str]] = set()
        for text in set(forms.values()):
            for variant in {text, *(text[:i] + text[i + 1 :] for i in range(len(text)))}:
                candidates.update(e for e in self._typos.get(variant, ()) if e[0] in forms)
        close = sorted((_distance(forms[kind], found), kind, found) for kind, found in candidates)
        queries: list[wq.Query] = []
        for distance, kind, found in close[:MAX_CORRECTIONS]:
            if distance > 2:
                break
            if kind == "fuzzy":
                queries.append(wq.Term("fuzzy", found))
                continue
            fields = BOOSTS if kind == "stem" else language_fields(kind)
            queries.extend(
                wq.Term(f, found, boost=b)
                for f, b in fields.items()
                if reader.doc_frequency(f, found)
            )
        return queries

    def _group_query(
        self, group: list[str], reader, cutoff: float, lang: str
    ) -> tuple[wq.Query | None, int]:
        first, *others = group
        query, count = self._word_query(first, reader, cutoff, typos=True, lang=lang)
        parts = [query] if query is not None else []
        for other in others:
            sub, sub_count = self._word_query(other, reader, cutoff, typos=False, lang=lang)
            # A synonym found in most listings adds time and no precision.
            if sub is not None and sub_count <= cutoff:
                parts.append(wq.Or([sub], boost=SYNONYM_BOOST))
                count = max(count, sub_count)
        if not parts:
            return None, 0
        return (parts[0] if len(parts) == 1 else wq.Or(parts)), count

    def _plan(self, groups: list[list[str]], reader, lang: str = "en") -> _Plan:
        """Decide how to run a query: scored by Whoosh, or as sets when every word is common."""
        cutoff = max(COMMON_MIN_DOCS, COMMON_SHARE * reader.doc_count())
        built = [self._group_query(g, reader, cutoff, lang) for g in groups]
        found = sorted(((n, q) for q, n in built if q is not None), key=lambda item: item[0])
        if not found:
            return _Plan(None, None)
        complete = len(found) == len(built)
        rare = [q for n, q in found if n <= cutoff]
        common = [q for n, q in found if n > cutoff]
        if not rare:
            # Only words found in a large share of listings ("help", a category's name): BM25
            # would score them all alike, so match them as cached sets instead of walking
            # thousands of postings on every query.
            return _Plan(None, None, common=common, complete=complete)
        # Common words only rank the results; the rarer words decide what matches.
        every: wq.Query = wq.And(rare) if len(rare) > 1 else rare[0]
        anyword: wq.Query = wq.Or(rare) if len(rare) > 1 else rare[0]
        return _Plan(
            every if complete else None,
            anyword if len(groups) > 1 else None,
            optional=tuple(common),
        )

    def _common_docs(self, query: wq.Query) -> set[int]:
        """Return the documents matching a common word's query, cached per process."""
        key = repr(query)
        docs = self._common_cache.get(key)
        if docs is None:
            docs = set(self._searcher().docs_for_query(query))
            _keep(self._common_cache, key, docs, self._cache_lock)
        return docs

    def _search_sets(
        self, plan: _Plan, allow: set[int] | None, mask: set[int] | None
    ) -> tuple[list[tuple[int, float]], bool]:
        """Match common words as document sets; return ordered documents and if broadened."""
        sets = [self._common_docs(q) for q in plan.common or ()]
        docs = set.intersection(*sets) if plan.complete else set()
        broadened = False
        if not docs and len(sets) > 1:
            docs, broadened = set.union(*sets), True
        if allow is not None:
            docs &= allow
        if mask:
            docs -= mask
        # Listings with a word in their name first, then in index order.
        names = [
            wq.Term("name", text)
            for q in plan.common or ()
            for f, text in q.iter_all_terms()
            if f == "name"
        ]
        named = docs & self._common_docs(wq.Or(names)) if names else set()
        return [(d, 0.0) for d in (*sorted(named), *sorted(docs - named))], broadened

    def _restriction(self, filters: Filters, lang: str) -> tuple[object, object]:
        """Return (allow, mask) document sets for the filters, computed once and cached."""
        # Open now is checked per result, but it still keeps pages out of the results.
        key = (replace(filters, open_now=False), filters.services_only, lang)
        cached = self._filter_cache.get(key)
        if cached is not None:
            return cached
        searcher = self._searcher()
        if filters.services_only:
            allow = set(searcher.docs_for_query(self._filter(filters)))
            cached = (allow, None)
        else:
            # No filter: everything except pages written in other languages.
            pages = wq.And([wq.Term("kind", PAGE), wq.Not(wq.Term("lang", lang))])
            cached = (None, set(searcher.docs_for_query(pages)) or None)
        _keep(self._filter_cache, key, cached, self._cache_lock)
        return cached

    def _filter(self, filters: Filters) -> wq.Query:
        terms: list[wq.Query] = [wq.Term("kind", SERVICE)]
        for name in ("audience", "category", "channel"):
            value = getattr(filters, name)
            if value:
                terms.append(wq.Term(name, value))
        if filters.area:
            terms.append(wq.Or([wq.Term("area", filters.area), wq.Term("area", NATIONAL)]))
        if filters.language:
            terms.append(
                wq.Or([wq.Term("language", filters.language), wq.Term("language", "interpreters")])
            )
        if filters.free:
            terms.append(wq.Term("free", True))
        if filters.always_open:
            terms.append(wq.Term("always_open", True))
        return wq.And(terms)

    # Searching

    def search(
        self,
        text: str = "",
        filters: Filters | None = None,
        *,
        now: datetime | None = None,
        page: int = 1,
        per_page: int = 10,
        lang: str = "en",
        pages: bool = True,
    ) -> SearchResults:
        """Search services (and pages in lang, unless pages=False); never log the query text."""
        filters = filters or Filters()
        if filters.open_now and now is None:
            raise SearchError("the open-now filter needs the current time")
        page, per_page = max(1, page), max(1, min(per_page, 100))
        groups = self._groups(text, lang)
        searcher = self._searcher()
        allow, mask = self._restriction(filters, lang)
        if not pages and allow is None:
            allow, mask = self._services_only(), None
        if filters.open_now:
            assert now is not None
            allow = (allow if allow is not None else self._services_only()) & self._open_docs(now)
        broadened = False
        if not groups:
            # Nothing typed: list the services alone, by name; pages need words to match.
            services = allow if allow is not None else self._services_only()
            results = searcher.search(
                wq.Every(), filter=services, limit=page * per_page, sortedby="sort_name"
            )
        else:
            plan = self._plan(groups, searcher.reader(), lang)
            results = None
            if plan.common is not None:
                docs, broadened = self._search_sets(plan, allow, mask)
                results = docs
            if plan.every is not None:
                results = self._run(
                    searcher, plan.every, allow, mask, plan.optional, page, per_page
                )
            if plan.anyword is not None and _nothing(results):
                broadened = True
                results = self._run(
                    searcher, plan.anyword, allow, mask, plan.optional, page, per_page
                )
        hits, total = self._page(results, page, per_page) if results else ((), 0)
        if total:
            return SearchResults(hits, total, page, per_page, broadened=broadened)
        return SearchResults(
            (),
            0,
            page,
            per_page,
            suggested_categories=self.suggest_categories(text),
            crisis_services=self.crisis_services(),
        )

    def _open_docs(self, now: datetime) -> set[int]:
        """Return the listings open now, worked out once a minute per set of opening hours."""
        minute = to_london(now).replace(second=0, microsecond=0)
        cached = self._open_cache
        if cached is not None and cached[0] == minute:
            return cached[1]
        open_keys = [
            key
            for key, schedules in self._hours.items()
            if any(schedule.open_at(minute) for schedule in schedules)
        ]
        query = wq.Or([wq.Term("hours", key) for key in open_keys])
        docs = set(self._searcher().docs_for_query(query)) if open_keys else set()
        self._open_cache = (minute, docs)
        return docs

    def _services_only(self) -> set[int]:
        # Whoosh takes a set of document numbers as a filter; the cached sets are never changed.
        if self._service_docs is None:
            searcher = self._searcher()
            self._service_docs = set(searcher.docs_for_query(wq.Term("kind", SERVICE)))
        return self._service_docs

    def _run(self, searcher, query, allow, mask, optional, page: int, per_page: int):
        """Return a Whoosh result, or (document, score) pairs when common words add to ranks."""
        # Block-quality skipping is off: with few postings per word it costs more than it
        # saves, and without it Whoosh counts the matches in the same pass.
        if not optional:
            limit = page * per_page
            return searcher.search(
                query, filter=allow, mask=mask, limit=limit, terms=False, optimize=False
            )
        # The rare words decide the matches; each common word a listing also has adds a little
        # to its rank. Scoring the common words through Whoosh (AndMaybe) walks their long
        # posting lists for every match; their cached document sets cost a lookup each.
        found = searcher.search(
            query, filter=allow, mask=mask, limit=None, terms=False, optimize=False
        )
        sets = [self._common_docs(q) for q in optional]
        ranked = [
            (hit.docnum, _score(hit) + COMMON_BONUS * sum(hit.docnum in docs for docs in sets))
            for hit in found
        ]
        ranked.sort(key=lambda pair: -pair[1])  # stable: ties keep Whoosh's order
        return ranked

    @staticmethod
    def _count(results) -> int:
        """Return how many documents matched, counting no further than COUNT_CAP."""
        if results.has_exact_length():
            return len(results)
        return sum(1 for _ in itertools.islice(results.collector.all_ids(), COUNT_CAP))

    def _page(self, results, page: int, per_page: int) -> tuple[tuple[Hit, ...], int]:
        services = self.directory.services
        start, stop = (page - 1) * per_page, page * per_page
        searcher = self._searcher()
        window: list[tuple[Mapping[str, str], float]]
        if isinstance(results, list):  # (document number, score) pairs, in order
            total = len(results)
            window = [(searcher.stored_fields(d), score) for d, score in results[start:stop]]
        else:
            total = self._count(results)
            window = [(r.fields(), _score(r)) for r in list(results)[start:stop]]
        hits = []
        for fields, score in window:
            if fields["kind"] == SERVICE:
                hits.append(Hit(SERVICE, fields["id"], score, service=services[fields["id"]]))
            else:
                doc_id = fields["id"].split(":", 2)[2]
                hits.append(
                    Hit(
                        PAGE,
                        doc_id,
                        score,
                        url=fields["url"],
                        title=fields["title"],
                        summary=fields["summary"],
                    )
                )
        return tuple(hits), total

    # When nothing matches

    def _category_vocabulary(self) -> dict[str, tuple[set[str], set[str]]]:
        # A category's own label counts for more than the keywords of services filed under it;
        # only its most used keywords are kept, so suggesting stays quick in a big directory.
        counts: dict[str, Counter[str]] = {category: Counter() for category in CATEGORIES}
        for service in self.directory.services.values():
            stems = set(_stems(" ".join(service.keywords)))
            for category in service.categories:
                counts[category].update(stems)
        return {
            category: (
                set(_stems(f"{category.replace('-', ' ')} {label}")),
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
                for key in _near_keys(word):
                    table[key].add(word)
        return dict(table)

    def _near(self, stem: str) -> set[str]:
        """Return the category words within one edit of `stem` or sharing its first five letters."""
        candidates = set().union(*(self._near_words.get(key, ()) for key in _near_keys(stem)))
        return {word for word in candidates if _close(stem, word)}

    def suggest_categories(self, text: str, limit: int = 3, pad: bool = True) -> tuple[str, ...]:
        """Return the categories whose words come closest to the query, best first; unless
        `pad` is False, common categories fill the list up to `limit`."""
        stems: list[str] = []
        for group in self._groups(text):
            for word in group:
                stems.extend(_stems(word))
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


def _keep(cache: dict, key, value, lock: threading.Lock) -> None:
    """Put a value in a bounded cache, dropping the oldest entry when it is full."""
    with lock:
        if key not in cache and len(cache) >= FILTER_CACHE_SIZE:
            cache.pop(next(iter(cache)))
        cache[key] = value


def _nothing(results) -> bool:
    """Return whether a search found nothing, whichever shape its results have."""
    if results is None or isinstance(results, list):
        return not results
    return results.is_empty()


def _score(result) -> float:
    """Return a Whoosh hit's score; sorted listings carry a sort key there instead."""
    return float(result.score) if isinstance(result.score, int | float) else 0.0


def _distance(a: str, b: str) -> int:
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


def _near_keys(word: str) -> set[str]:
    """Return the keys under which two words within one edit of each other, or sharing their
    first five letters, always meet (symmetric deletes, as in the typo table)."""
    keys = {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}
    if len(word) >= 5:
        keys.add(f"{word[:5]}*")
    return keys


def _close(a: str, b: str) -> bool:
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
