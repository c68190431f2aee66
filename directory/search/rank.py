"""Running a query: matching, scoring and ordering, and the one shape results come back in."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from directory.hours import Schedule, to_london
from directory.model import Directory, Service
from directory.search import store
from directory.search.documents import (
    NO_TRANSLATIONS,
    PAGE,
    SERVICE,
    SearchError,
    Translations,
    ensure_index,
    hours_key,
    live_schedules,
)
from directory.search.query import Filters, Plan, QueryParser, filter_query, load_synonyms
from directory.search.suggest import Suggestions, Typos

# Totals past this are reported as "more than": counting every match of a broad query is slow.
COUNT_CAP = 1000
FILTER_CACHE_SIZE = 256  # distinct filter combinations kept as document sets
COMMON_BONUS = 1.0  # added to a listing's score for each common word it also has


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


@dataclass
class SearchIndex:
    """A read-only search index over a directory's services and the site's pages."""

    directory: Directory
    folder: Path
    synonyms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    translations: Translations = NO_TRANSLATIONS

    def __post_init__(self) -> None:
        self._index = store.open_folder(self.folder)
        self._local = threading.local()
        self._suggestions = Suggestions(self.directory)
        self._filter_cache: dict[tuple[Filters, bool, str], tuple[object, object]] = {}
        self._common_cache: dict[str, set[int]] = {}
        self._cache_lock = threading.Lock()  # a worker's threads share the caches
        self._query = QueryParser(self.synonyms, Typos(self._searcher().reader()))
        self._hours: dict[str, tuple[Schedule, ...]] = {
            hours_key(s): live_schedules(s) for s in self.directory.services.values()
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

    # Matching

    def _common_docs(self, query: store.Query) -> set[int]:
        """Return the documents matching a common word's query, cached per process."""
        key = repr(query)
        docs = self._common_cache.get(key)
        if docs is None:
            docs = set(self._searcher().docs_for_query(query))
            _keep(self._common_cache, key, docs, self._cache_lock)
        return docs

    def _search_sets(
        self, plan: Plan, allow: set[int] | None, mask: set[int] | None
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
            store.term("name", text)
            for q in plan.common or ()
            for f, text in q.iter_all_terms()
            if f == "name"
        ]
        named = docs & self._common_docs(store.any_of(names)) if names else set()
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
            allow = set(searcher.docs_for_query(filter_query(filters)))
            cached = (allow, None)
        else:
            # No filter: everything except pages written in other languages.
            pages = store.all_of(
                [store.term("kind", PAGE), store.none_of(store.term("lang", lang))]
            )
            cached = (None, set(searcher.docs_for_query(pages)) or None)
        _keep(self._filter_cache, key, cached, self._cache_lock)
        return cached

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
        groups = self._query.groups(text, lang)
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
                store.everything(), filter=services, limit=page * per_page, sortedby="sort_name"
            )
        else:
            plan = self._query.plan(groups, searcher.reader(), lang)
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
        query = store.any_of([store.term("hours", key) for key in open_keys])
        docs = set(self._searcher().docs_for_query(query)) if open_keys else set()
        self._open_cache = (minute, docs)
        return docs

    def _services_only(self) -> set[int]:
        # Whoosh takes a set of document numbers as a filter; the cached sets are never changed.
        if self._service_docs is None:
            searcher = self._searcher()
            self._service_docs = set(searcher.docs_for_query(store.term("kind", SERVICE)))
        return self._service_docs

    # Scoring and ordering

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

    def suggest_categories(self, text: str, limit: int = 3, pad: bool = True) -> tuple[str, ...]:
        """Return the categories whose words come closest to the query, best first; unless
        `pad` is False, common categories fill the list up to `limit`."""
        return self._suggestions.categories(self._query.groups(text), limit, pad)

    def crisis_services(self) -> tuple[Service, ...]:
        """Return the crisis lines offered when nothing matches."""
        return self._suggestions.crisis_services()


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
