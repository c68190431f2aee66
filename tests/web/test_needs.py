"""Search reads a sentence for needs (web/needs.py), on a small fixture directory.

The listings and needs here are made up for the tests, so the ranking rules are tested apart from
the shipped listings; the sentences go through the shipped reader (content/flows).
"""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest

from chatbot import load_flow
from chatbot.reader.slots import Places
from directory import DirectoryError, load_directory
from directory.search import Filters, open_index
from web import needs

ROOT = Path(__file__).resolve().parents[2]
MONDAY_NIGHT = datetime(2026, 11, 23, 22, 0, tzinfo=UTC)  # 10pm in London
MONDAY_NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

SOURCE = """\
source:
  - fact: all of it
    url: https://example.org/
    date: 2026-01-01
assured_date: 2026-11-23
source_date: 2026-01-01
"""


def service(
    sid,
    name,
    description,
    *,
    areas="[national]",
    schedule=None,
    categories="[helpline]",
    audiences="[families]",
    number="0808 157 0000",
    keywords="[]",
):
    lines = [
        f"id: {sid}",
        f"name: {name}",
        f"organisation: {name}",
        f"description: {description}",
        f"audiences: {audiences}",
        f"categories: {categories}",
        f"areas: {areas}",
        f"keywords: {keywords}",
        "contacts:",
        "  - channel: phone",
        f"    number: {number}",
    ]
    if schedule:
        lines.append(f"    schedule: {schedule}")
    return "\n".join(lines) + "\n" + SOURCE


def area(aid, name, places, districts):
    return (
        textwrap.dedent(f"""\
        id: {aid}
        name: {name}
        council: {name} Council
        postcode_districts: {districts}
        places: {places}
        front_door:
          name: {name} children's front door
          in_hours:
            number: 0113 496 0001
            schedule: {{open: Mon-Fri 09:00-17:00, bank_holidays: closed}}
          out_of_hours:
            number: 0113 496 0002
          description: {name} Council's children's front door, if you are worried about a child.
          source:
            - fact: numbers
              document: a strategy
              date: 2015-07-22
          source_date: 2015-07-22
        """)
        + SOURCE
    )


SERVICES = {
    "emergency-999": service(
        "emergency-999",
        "Emergency services",
        "Police and ambulance.",
        number="999",
        schedule="24/7",
        categories="[crisis]",
    ),
    "childline": service(
        "childline",
        "Childline",
        "For anyone under 19.",
        schedule="24/7",
        audiences="[young-people]",
        number="0808 157 0001",
    ),
    "samaritans": service(
        "samaritans",
        "Samaritans",
        "Someone to talk to, day or night.",
        schedule="24/7",
        categories="[crisis]",
        number="0808 157 0002",
    ),
    "nspcc-helpline": service(
        "nspcc-helpline",
        "NSPCC Helpline",
        "For adults worried about a child.",
        number="0808 157 0003",
    ),
    "daytime-line": service(
        "daytime-line",
        "Daytime talk line",
        "Someone to talk to in the day.",
        schedule="Mon-Fri 09:00-17:00",
        number="0808 157 0004",
    ),
    "report-to-council": service(
        "report-to-council",
        "Report to your council",
        "Find any council's children's services.",
        categories="[local-authority]",
        number="0808 157 0005",
    ),
    "mens-line": service(
        "mens-line",
        "Men's line",
        "A line for men, older men and young men.",
        audiences="[adult-survivors]",
        number="0808 157 0006",
        keywords="[men, money]",
    ),
    "testshire-counselling": service(
        "testshire-counselling",
        "Testshire counselling",
        "Counselling in Testshire.",
        areas="[testshire]",
        categories="[counselling]",
        number="0808 157 0007",
    ),
    "otherton-counselling": service(
        "otherton-counselling",
        "Otherton counselling",
        "Counselling in Otherton.",
        areas="[otherton]",
        categories="[counselling]",
        number="0808 157 0008",
    ),
}
AREAS = {
    "testshire": area("testshire", "Testshire", "[Testville]", "[TS1]"),
    "otherton": area("otherton", "Otherton", "[Otherville]", "[OT1]"),
}
NEEDS_YAML = """\
leads:
  danger: [emergency-999]
  suicide: [samaritans]
  young: [childline]
  worried: [front-door, nspcc-helpline]
  local: [front-door]
  talk: [daytime-line, childline, samaritans]
  crisis: [childline, samaritans]
phrases:
  talk: [someone to talk to, porozmawiac*]
  local: [mash, social services]
"""
PAGES = [
    {
        "id": "money",
        "url": "/money",
        "title": "Money from older men",
        "summary": "A page about gifts and money.",
        "body": "Older men giving money.",
        "lang": "en",
    },
]


@pytest.fixture(scope="module")
def flow():
    return load_flow(ROOT / "content" / "flows")


@pytest.fixture(scope="module")
def tree(tmp_path_factory, flow):
    root = tmp_path_factory.mktemp("needs")
    for folder, files in (("services", SERVICES), ("areas", AREAS)):
        (root / folder).mkdir()
        for name, text in files.items():
            (root / folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    (root / "needs.yaml").write_text(NEEDS_YAML, encoding="utf-8")
    directory = load_directory(root)
    rules = needs.load_need_rules(root / "needs.yaml", directory, flow.normaliser)
    index = open_index(directory, root / "index", PAGES)
    yield directory, rules, index
    index.close()


def find(tree, flow, text, moment=MONDAY_NIGHT, home="testshire", filters=None):
    directory, rules, index = tree
    results, need = needs.search(
        index,
        flow,
        rules,
        text,
        filters or Filters(),
        now=moment,
        page=1,
        per_page=10,
        lang="en",
        home_area=home,
        places=Places(directory.areas),
    )
    return [hit.id for hit in results.hits], need


def test_crisis_sentence_puts_999_then_the_crisis_lines_first(tree, flow):
    """Does a sentence that shows danger lead with 999, then the lines for suicide?"""
    ids, need = find(tree, flow, "i want to kill myself tonight")
    assert need.danger
    assert ids[:2] == ["emergency-999", "samaritans"]


def test_talk_to_someone_brings_lines_open_now(tree, flow):
    """Does "someone to talk to" bring lines open now first, and a closed line only after?"""
    directory, rules, _ = tree
    talk = needs.Need(talk=True)
    at_night = needs.leading_services(talk, rules, directory, "testshire", MONDAY_NIGHT)
    assert [s.id for s in at_night] == ["childline", "samaritans"]  # the daytime line is shut
    night, _ = find(tree, flow, "i need someone to talk to", MONDAY_NIGHT)
    assert night[:2] == ["childline", "samaritans"]
    noon, _ = find(tree, flow, "i need someone to talk to", MONDAY_NOON)
    assert noon[0] == "daytime-line"


def test_local_need_brings_the_readers_own_front_door_above_the_national_route(tree, flow):
    ids, _ = find(tree, flow, "mash out of hours")
    assert ids[0] == "testshire-mash"
    assert "otherton-mash" not in ids
    if "report-to-council" in ids:
        assert ids.index("testshire-mash") < ids.index("report-to-council")


def test_place_named_in_the_sentence_is_the_area(tree, flow):
    """Does a worried parent in Otherville get Otherton's front door, not the site's own?"""
    ids, need = find(tree, flow, "my daughter is being groomed, we live in Otherville")
    assert need.area == "otherton"
    assert ids[0] == "otherton-mash"
    assert "testshire-mash" not in ids


def test_areas_not_asked_for_are_not_offered(tree, flow):
    """Is another area's listing left out unless the reader asks for that area?"""
    ids, _ = find(tree, flow, "counselling")
    assert "testshire-counselling" in ids and "otherton-counselling" not in ids
    asked, _ = find(tree, flow, "counselling", filters=Filters(area="otherton"))
    assert "otherton-counselling" in asked


def test_services_rank_above_pages_for_a_need(tree, flow):
    """For a worried parent, are the lines first and the page after them?"""
    ids, need = find(tree, flow, "my son is getting money from older men")
    assert need.found
    assert ids[0] == "testshire-mash"
    first_page = ids.index("money") if "money" in ids else len(ids)
    assert all(i < first_page for i in range(len(ids)) if ids[i] != "money")


def test_without_a_need_the_index_order_stands(tree, flow):
    """With nothing read from the sentence, is the index's order kept (less other areas)?"""
    _, _, index = tree
    plain = [hit.id for hit in index.search("counselling", Filters(), per_page=10).hits]
    ids, need = find(tree, flow, "counselling")
    assert not need.found
    assert ids == [i for i in plain if i != "otherton-counselling"]


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("leads: {nonsense: [childline]}", "leads.nonsense"),
        ("leads: {young: [no-such-line]}", "leads.young"),
        ("leads: {young: childline}", "leads.young"),
        ("phrases: {talk: talk}", "phrases.talk"),
    ],
)
def test_bad_needs_file_names_the_field(tree, flow, tmp_path, text, field):
    directory, _, _ = tree
    path = tmp_path / "needs.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DirectoryError, match=field.replace(".", r"\.")):
        needs.load_need_rules(path, directory, flow.normaliser)


def test_shipped_needs_file_loads(app):
    """Do the shipped needs name only listings the shipped directory has?"""
    assert app.extensions["lantern_needs"] is not None


def test_only_other_areas_found_is_nothing_found(tree, flow):
    """When every match is in an area the reader is not in, are they offered help instead?"""
    _, rules, index = tree
    results, need = needs.search(
        index,
        flow,
        rules,
        "otherton counselling",
        Filters(),
        now=MONDAY_NIGHT,
        page=1,
        per_page=10,
        lang="en",
        home_area="testshire",
        places=None,
    )
    assert need.area is None  # no place read, so the reader is in Testshire
    assert [hit.id for hit in index.search("otherton counselling").hits] == ["otherton-counselling"]
    assert results.empty and results.crisis_services  # not Otherton's listing: help instead
