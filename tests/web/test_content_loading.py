"""Bad content stops start-up with the file and the field named."""

from pathlib import Path

import pytest

from web.content import ContentError, load_page

KNOWN = {"childline"}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "en" / "families" / "x.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "text, field",
    [
        ("no front matter", "front matter"),
        ("---\ntitle: A: b: c\n---\n", "front matter"),
        ("---\nsummary: s\nupdated: 2026-01-01\naudience: families\n---\n", "title"),
        ("---\ntitle: t\nsummary: s\nupdated: 2026-01-01\naudience: aliens\n---\n", "audience"),
        ("---\ntitle: t\nsummary: s\nupdated: soon\naudience: families\n---\n", "updated"),
        (
            "---\ntitle: t\nsummary: s\nupdated: 2026-01-01\naudience: families\n---\n"
            "[[call:nope]]",
            "services",
        ),
    ],
)
def test_bad_page_names_file_and_field(tmp_path, text, field):
    path = write(tmp_path, text)
    with pytest.raises(ContentError) as error:
        load_page(path, tmp_path, KNOWN)
    assert error.value.field == field
    assert str(path) in str(error.value)


def test_good_page(tmp_path):
    path = write(
        tmp_path,
        "---\ntitle: T\nsummary: S\nupdated: 2026-01-01\naudience: families\n"
        "services: [childline]\n---\nCall [[call:childline]].\n",
    )
    page = load_page(path, tmp_path, KNOWN)
    assert (page.path, page.lang, page.services) == ("families/x", "en", ("childline",))
