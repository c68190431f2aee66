"""The shipped directory content loads and follows the facts rules."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
from pathlib import Path

from tests.directory.conftest import CONTENT, ROOT

REQUIRED_IDS = [
    "emergency-999",
    "emergency-sms",
    "police-101",
    "nspcc-helpline",
    "childline",
    "report-remove",
    "ceop",
    "napac",
    "rape-crisis-247",
    "survivors-trust",
    "samaritans",
    "shout",
    "papyrus",
    "mind-infoline",
    "missing-people",
    "runaway-helpline",
    "crimestoppers",
    "victim-support",
    "stop-it-now",
    "national-domestic-abuse-helpline",
    "karma-nirvana",
    "galop",
    "report-to-council",
    "rotherham-mash",
    "south-yorkshire-police",
    "rotherham-safeguarding-partnership",
    "rothacs",
    "grow-rotherham",
    "hopian",
    "swinton-lock",
    "apna-haq",
    "rdash-trauma-resilience",
    "south-yorkshire-sarc",
]
ASSURED = date(2026, 11, 23)


def test_all_content_loads_with_the_ids_others_use(shipped):
    """Does the shipped content load, with at least 35 listings and every agreed id?"""
    assert len(shipped.services) >= 35
    assert set(REQUIRED_IDS) <= set(shipped.services)
    assert set(shipped.areas) == {"rotherham", "havering"}


def test_every_listing_has_sources_and_dates(shipped):
    """Does every listing say where its facts came from and when?"""
    for service in shipped.services.values():
        assert service.source, service.id
        assert service.assured_date == ASSURED, service.id
        assert all(s.url or s.document for s in service.source), service.id
        if service.source_date is not None:
            assert service.source_date <= ASSURED


def test_file_names_match_ids():
    """Is each service file named after the id inside it, so curators can find it?"""
    for path in (CONTENT / "services").glob("*.yaml"):
        assert re.search(rf"^id: {re.escape(path.stem)}$", path.read_text(), re.M), path.name


def test_numbers_that_contacts_md_rules_out_are_absent():
    """Are numbers marked weak, outdated or possibly discontinued left out of the data?"""
    text = " ".join(p.read_text() for p in CONTENT.rglob("*.yaml"))
    for number in (
        "0300 123 3393",  # Mind phone: weak
        "01708 433222",  # Havering MASH: weak
        "01708 433999",  # Havering EDT: weak
        "88858",  # NSPCC text: possibly discontinued
        "0800 7319 256",  # Rotherham CSE helpline: not confirmed live
        "08457 90 90 90",  # old Samaritans
        "0800 085 3330",  # old NAPAC
        "0500 700 700",  # old Missing People
        "07860 039967",  # old PAPYRUS text
        "0808 802 9999",  # old Rape Crisis
    ):
        assert number not in text, number


def test_old_sources_are_flagged_for_readers(shipped):
    """Is the MASH listing flagged as needing a check, with its newest source's date?"""
    mash = shipped.get("rotherham-mash")
    assert mash.last_checked == date(2021, 11, 15)
    assert mash.review_days == 30  # front doors are checked monthly
    assert mash.needs_check(ASSURED)
    papyrus = shipped.get("papyrus")
    assert papyrus.review_days == 30  # a crisis line is checked monthly
    assert not papyrus.needs_check(date(2025, 3, 1))
    assert papyrus.needs_check(date(2025, 3, 20))
    assert shipped.get("ceop").last_checked is None and shipped.get("ceop").needs_check(ASSURED)


def test_conflicting_hours_have_no_schedule(shipped):
    """Are lines whose sources disagree on hours shown without hours and with a warning?"""
    for service_id in ("nspcc-helpline", "missing-people", "karma-nirvana"):
        phone = shipped.get(service_id).phone
        assert phone.schedule is None
        assert "check before calling" in phone.hours_note.lower()


def test_area_lookup(shipped):
    """Do towns, villages and postcodes find Rotherham, and shared or unknown ones nothing?"""
    for text in ("Maltby", "kiveton park", "I live in Wath", "S60 2TH", "s66", "S252AB", "Romford"):
        assert shipped.area_for_place(text) is not None, text
    assert shipped.area_for_place("Wickersley").id == "rotherham"
    assert shipped.area_for_place("Romford").id == "havering"
    for text in ("", "S6 1AA", "S64", "London", "park"):
        assert shipped.area_for_place(text) is None, text


def test_directory_imports_neither_flask_nor_twilio():
    """Can the directory library be used without Flask or Twilio being imported?"""
    code = (
        "import sys, directory, directory.search, directory.openreferral, directory.curator;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('flask', 'twilio')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    for path in Path(ROOT / "directory").rglob("*.py"):
        source = path.read_text()
        assert not re.search(r"^\s*(from|import)\s+(flask|twilio)\b", source, re.M), path.name


def test_whoosh_stays_behind_one_module():
    """Is Whoosh imported only by directory/search/store.py, so it can be replaced?"""
    for path in ROOT.glob("**/*.py"):
        if ".venv" in path.parts or path == ROOT / "directory" / "search" / "store.py":
            continue
        if "tests" in path.parts:
            continue
        assert not re.search(r"^\s*(from|import)\s+whoosh\b", path.read_text(), re.M), path
