"""Loading validates every listing and stops with the file and the field named."""

from __future__ import annotations

import pytest

from directory import DirectoryError, load_directory

GOOD = """\
id: example
name: Example line
organisation: Example
description: A line used in tests.
audiences: [young-people]
categories: [helpline]
areas: [testshire]
contacts:
  - channel: phone
    number: 0800 1111
    schedule: 24/7
source:
  - fact: number
    url: https://example.org/
    date: 2024-01-01
assured_date: 2026-11-23
source_date: 2024-01-01
"""


def with_change(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new)


def test_good_listing_loads(content_tree):
    """Does a well-formed listing load, with its contact parsed?"""
    directory = load_directory(content_tree({"example.yaml": GOOD}))
    service = directory.get("example")
    assert service.phone.value == "+448001111"
    assert service.phone.tel_uri == "tel:+448001111"
    assert service.always_open
    assert "testshire-mash" in directory.services


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        (with_change("[helpline]", "[helplines]"), "categories", "unknown value 'helplines'"),
        (with_change("[young-people]", "[teens]"), "audiences", "unknown value 'teens'"),
        (
            with_change("channel: phone", "channel: pigeon"),
            "contacts[0].channel",
            "unknown channel",
        ),
        (with_change("0800 1111", "0800 11"), "contacts[0].number", "not a valid UK phone number"),
        (with_change("0800 1111", "+1 212 555 0100"), "contacts[0].number", "not a valid UK phone"),
        (with_change("0800 1111", "call us"), "contacts[0].number", "not a phone number"),
        (
            with_change("schedule: 24/7", "schedule: Mon-Fri 9-5"),
            "contacts[0].schedule",
            "does not parse",
        ),
        (
            with_change("schedule: 24/7", "schedule: Mon-Fry 09:00-17:00"),
            "contacts[0].schedule",
            "not a day",
        ),
        (
            with_change("schedule: 24/7", "schedule: Mon 09:00-25:00"),
            "contacts[0].schedule",
            "not a time",
        ),
        (
            GOOD.split("source:")[0] + "assured_date: 2026-11-23\nsource_date: 2024-01-01\n",
            "source",
            "missing",
        ),
        (with_change("assured_date: 2026-11-23\n", ""), "assured_date", "missing"),
        (
            with_change("source_date: 2024-01-01", "source_date: last year"),
            "source_date",
            "not a date",
        ),
        (with_change("    url: https://example.org/\n", ""), "source[0].url", "missing"),
        (with_change("[testshire]", "[atlantis]"), "areas", "unknown area 'atlantis'"),
        (with_change("name: Example line\n", ""), "name", "missing"),
        (
            with_change("name: Example line", "name: Example line\ncolour: red"),
            "colour",
            "unknown field",
        ),
        (with_change("id: example", "id: Example Line"), "id", "lower-case"),
    ],
)
def test_bad_data_names_file_and_field(content_tree, text, field, words):
    """Does each kind of bad data stop loading with the file and field in the message?"""
    root = content_tree({"example.yaml": text})
    with pytest.raises(DirectoryError) as caught:
        load_directory(root)
    error = caught.value
    assert error.path == root / "services" / "example.yaml"
    assert error.field == field
    assert words in error.message
    assert str(root / "services" / "example.yaml") in str(error)
    assert f": {field}: " in str(error)


def test_duplicate_id_is_refused(content_tree):
    """Does a second listing with the same id stop loading, naming both files?"""
    root = content_tree({"a.yaml": GOOD, "b.yaml": GOOD})
    with pytest.raises(DirectoryError) as caught:
        load_directory(root)
    assert caught.value.path.name == "b.yaml"
    assert caught.value.field == "id"
    assert "duplicate id 'example'" in caught.value.message
    assert "a.yaml" in caught.value.message


def test_duplicate_of_generated_front_door_is_refused(content_tree):
    """Can a file take the id of a listing generated from an area's front door?"""
    root = content_tree({"a.yaml": GOOD.replace("id: example", "id: testshire-mash")})
    with pytest.raises(DirectoryError, match="duplicate id 'testshire-mash'"):
        load_directory(root)


def test_bad_area_file_names_field(content_tree):
    """Does a bad number in an area's front door name the area file and the nested field?"""
    from tests.directory.conftest import AREA

    root = content_tree(areas={"testshire.yaml": AREA.replace("01709 336080", "01709 33")})
    with pytest.raises(DirectoryError) as caught:
        load_directory(root)
    assert caught.value.path.name == "testshire.yaml"
    assert caught.value.field == "front_door.out_of_hours.number"


def test_invalid_yaml_is_reported(content_tree):
    """Is a file that is not YAML reported with its name?"""
    root = content_tree({"broken.yaml": "id: [unclosed\n"})
    with pytest.raises(DirectoryError) as caught:
        load_directory(root)
    assert caught.value.path.name == "broken.yaml"
    assert "not valid YAML" in caught.value.message


def test_listing_without_contacts_must_say_why(content_tree):
    """Is a listing with no contacts refused unless its alert explains the gap?"""
    bare = GOOD.split("contacts:")[0] + "contacts: []\n" + "source:" + GOOD.split("source:")[1]
    with pytest.raises(DirectoryError, match="contacts: none given"):
        load_directory(content_tree({"example.yaml": bare}))
    explained = bare.replace("contacts: []", "contacts: []\nalert: Details not checked yet.")
    assert load_directory(content_tree({"example.yaml": explained})).get("example").contacts == ()


def test_short_numbers_and_text_keywords(content_tree):
    """Do short numbers and SMS keywords become working tel: and sms: links?"""
    text = with_change(
        "  - channel: phone\n    number: 0800 1111\n",
        '  - channel: phone\n    number: "999"\n  - channel: text\n    number: "85258"\n'
        "    keyword: SHOUT\n",
    )
    service = load_directory(content_tree({"example.yaml": text})).get("example")
    assert service.phone.tel_uri == "tel:999"
    assert service.contacts[1].tel_uri == "sms:85258?body=SHOUT"
    assert service.contacts[1].schedule is not None


@pytest.mark.parametrize(
    "document",
    ["a strategy, via reference/contacts.md §9", "seeds/002_18f37c87aa4e859e.txt", "notes.txt"],
)
def test_internal_notes_never_name_a_source(content_tree, document):
    """Is a source titled with an internal file or note refused, so readers never see it?"""
    from tests.directory.conftest import AREA

    area = AREA.replace("document: a strategy", f'document: "{document}"', 1)
    with pytest.raises(DirectoryError) as caught:
        load_directory(content_tree(areas={"testshire.yaml": area}))
    assert caught.value.field.endswith("document")
