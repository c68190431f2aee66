"""The search index on disk: building, opening and reading it. The only module importing Whoosh."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

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

# Besides the index itself, Whoosh's language tools (its stemmers and accent table), from which
# the analysis module builds its stemmers and folding.
__all__ = [
    "SCHEMA_VERSION",
    "Analyzer",
    "Query",
    "accent_map",
    "all_of",
    "any_of",
    "build",
    "ensure",
    "everything",
    "fingerprint",
    "none_of",
    "open_folder",
    "porter_stem",
    "schema",
    "stemmer_for_language",
    "stemming_analyzer",
    "term",
    "word_analyzer",
]

Query = wq.Query

# Bump when the schema or the way documents are built changes, so old indexes count as stale.
# 8: the analyzers' stem functions are pickled as directory.search.analysis.*, which an older
# release could not load; its own index (directory.search.*) still loads here.
SCHEMA_VERSION = "8"
STALE_INDEX_SECONDS = 24 * 60 * 60


# Analyzers


def stemming_analyzer(stemfn: Callable[[str], str], fold: dict[int, str]) -> Analyzer:
    """Return Whoosh's stemming analyzer (its stop words out) with letters folded after it."""
    return StemmingAnalyzer(stemfn=stemfn, cachesize=None) | CharsetFilter(fold)


def word_analyzer(
    pattern: str,
    fold: dict[int, str],
    stop: frozenset[str] | None = None,
    stemfn: Callable[[str], str] | None = None,
) -> Analyzer:
    """Return an analyzer that splits on a pattern, lowercases, folds, then drops and stems."""
    chain = RegexTokenizer(pattern) | LowercaseFilter() | CharsetFilter(fold)
    if stop is not None:
        chain = chain | StopFilter(stoplist=stop, minsize=1)
    # No cache in the filter: Whoosh's is not safe across threads; the stem functions keep their
    # own (functools.lru_cache is).
    if stemfn is not None:
        chain = chain | StemFilter(stemfn=stemfn, cachesize=None)
    return chain


# Queries


def term(fieldname: str, text: object, boost: float = 1.0) -> Query:
    """Return a query for one indexed word (or value) in one field."""
    return wq.Term(fieldname, text, boost=boost)


def all_of(queries: Sequence[Query]) -> Query:
    """Return a query matching documents that match every one of the queries."""
    return wq.And(queries)


def any_of(queries: Sequence[Query], boost: float = 1.0) -> Query:
    """Return a query matching documents that match any of the queries."""
    return wq.Or(queries, boost=boost)


def none_of(query: Query) -> Query:
    """Return a query matching documents that do not match the query."""
    return wq.Not(query)


def everything() -> Query:
    """Return a query matching every document."""
    return wq.Every()


# Building


def schema(english: Analyzer, fuzzy: Analyzer, translated: Mapping[str, Analyzer]) -> Schema:
    """Return the index's fields, given the analyzers of the English, typo and language fields."""
    return Schema(
        **{name: TEXT(analyzer=analyzer) for name, analyzer in translated.items()},
        id=ID(stored=True, unique=True),
        kind=ID(stored=True),
        lang=ID(stored=True),
        url=STORED,
        title=STORED,
        summary=STORED,
        sort_name=ID(sortable=True),
        # Three text fields, not one per listing field: fewer posting lists per word keeps a
        # query fast at 100,000 listings, and the boosts below still rank names first.
        name=TEXT(analyzer=english),
        tags=TEXT(analyzer=english),
        text=TEXT(analyzer=english),
        # Unstemmed words for typo matching: "missin" is one edit from "missing".
        fuzzy=TEXT(analyzer=fuzzy, phrase=False),
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
    with os.fdopen(os.open(index_dir / ".lock", os.O_CREAT | os.O_WRONLY, 0o600), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _write(
    target: Path, documents: Sequence[Mapping[str, object]], make_schema: Callable[[], Schema]
) -> None:
    building = Path(tempfile.mkdtemp(prefix=".build-", dir=target.parent))
    try:
        ix = whoosh_index.create_in(str(building), make_schema())
        writer = ix.writer(limitmb=256)
        for doc in documents:
            writer.add_document(**doc)
        writer.commit()
        for file in building.iterdir():  # instance files are the owner's alone
            file.chmod(0o600)
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


def _prepare(index_dir: Path, documents: Sequence[Mapping[str, object]]) -> str:
    """Make the index folder if need be and return the key of these documents' index."""
    # The folder holding the index (instance/ by default) is private too when made here.
    index_dir.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    index_dir.mkdir(mode=0o700, exist_ok=True)
    return fingerprint(documents)


def build(
    index_dir: Path,
    documents: Sequence[Mapping[str, object]],
    make_schema: Callable[[], Schema],
) -> Path:
    """Write the documents' index from scratch and return its folder."""
    key = _prepare(index_dir, documents)
    with _locked(index_dir):
        target = index_dir / key
        if target.exists():
            # Set the old copy aside rather than delete it: running workers may be reading it.
            retired = index_dir / f".retired-{key}-{time.time_ns()}"
            os.rename(target, retired)
            os.utime(retired)
        _write(target, documents, make_schema)
        _remove_others(index_dir, key, older_than=STALE_INDEX_SECONDS)
    return target


def ensure(
    index_dir: Path,
    documents: Sequence[Mapping[str, object]],
    make_schema: Callable[[], Schema],
) -> tuple[Path, bool]:
    """Write the documents' index if it is missing or stale; return its folder and if written."""
    key = _prepare(index_dir, documents)
    target = index_dir / key
    if target.exists():
        return target, False
    with _locked(index_dir):
        if target.exists():
            return target, False
        _write(target, documents, make_schema)
        # Workers of the previous release may still be reading their index during a rollout.
        _remove_others(index_dir, key, older_than=STALE_INDEX_SECONDS)
    return target, True


# Reading


def open_folder(folder: Path):
    """Open an index folder read-only; its searchers read it."""
    return whoosh_index.open_dir(str(folder), readonly=True)
