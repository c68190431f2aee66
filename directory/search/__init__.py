"""Full-text search over services and site pages; only `store` imports Whoosh.

`analysis` turns text into indexed words, `documents` listings and pages into index documents,
`store` keeps the index on disk, `query` reads a query and its filters, `rank` runs and orders
it, and `suggest` finds near words and what to offer when nothing matches.
"""

from directory.search.analysis import TRANSLATED, arabic_stem, english_stem, romanian_stem, truncate
from directory.search.documents import (
    NO_TRANSLATIONS,
    ListingText,
    SearchError,
    Translations,
    build_index,
    ensure_index,
    index_documents,
)
from directory.search.query import Filters, load_synonyms
from directory.search.rank import Hit, SearchResults, open_index

# The stem functions stay importable from here: an index built before this was a package
# pickled its analyzers with them as `directory.search.english_stem` and so on.
__all__ = [
    "NO_TRANSLATIONS",
    "TRANSLATED",
    "Filters",
    "Hit",
    "ListingText",
    "SearchError",
    "SearchResults",
    "Translations",
    "arabic_stem",
    "build_index",
    "english_stem",
    "ensure_index",
    "index_documents",
    "load_synonyms",
    "open_index",
    "romanian_stem",
    "truncate",
]
