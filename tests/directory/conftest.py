"""Fixtures for the directory library: the shipped content and tiny hand-made content trees."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from directory import Directory, load_directory

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "content"
SYNONYMS = CONTENT / "search" / "synonyms.yaml"

NSPCC = """\
id: nspcc-helpline
name: NSPCC Helpline
organisation: NSPCC
description: Advice for adults worried about a child.
audiences: [families]
categories: [helpline]
contacts:
  - channel: phone
    number: 0808 800 5000
source:
  - fact: number
    url: https://www.nspcc.org.uk/
    date: 2020-05-13
assured_date: 2026-11-23
source_date: 2020-05-13
"""

AREA = """\
id: testshire
name: Testshire
council: Testshire Council
postcode_districts: [S60]
places: [Testville, Kiveton Park]
front_door:
  name: Front door
  in_hours:
    number: 01709 823987
    schedule: {open: Mon-Fri 08:30-17:30, bank_holidays: closed}
  out_of_hours:
    number: 01709 336080
  description: The council's children's front door.
  source:
    - fact: numbers
      document: a strategy
      date: 2015-07-22
  source_date: 2015-07-22
source:
  - fact: council
    document: a strategy
    date: 2015-07-22
assured_date: 2026-11-23
source_date: 2015-07-22
"""


@pytest.fixture(scope="session")
def shipped() -> Directory:
    return load_directory(CONTENT)


@pytest.fixture
def content_tree(tmp_path) -> Callable[..., Path]:
    """Write a content tree: NSPCC and one area, plus whatever files the test gives."""

    def write(services: dict[str, str] | None = None, areas: dict[str, str] | None = None) -> Path:
        (tmp_path / "services").mkdir(exist_ok=True)
        (tmp_path / "areas").mkdir(exist_ok=True)
        files = {"services/nspcc-helpline.yaml": NSPCC, "areas/testshire.yaml": AREA}
        files.update({f"services/{k}": v for k, v in (services or {}).items()})
        files.update({f"areas/{k}": v for k, v in (areas or {}).items()})
        for name, text in files.items():
            (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")
        return tmp_path

    return write
