"""`flask insight report`: a PDF and a CSV of the quarter, suppressed, with its note."""

from __future__ import annotations

import csv
from datetime import UTC, datetime

import pytest

from web.staff.report import NOTE


@pytest.fixture
def app(app):
    store = app.extensions["lantern_insight"].store
    store.add_counts(
        {
            ("2026-10-05", "answer", "all", "all"): 31,
            ("2026-10-05", "answer", "channel", "sms"): 20,
            ("2026-10-05", "answer", "channel", "chat"): 8,
            ("2026-10-05", "answer", "channel", "voice"): 3,
            ("2026-10-05", "answer", "route", "worried_local"): 31,
            ("2026-10-05", "answer", "area", "rotherham"): 31,
            ("2026-10-05", "feedback", "page", "young-people|no"): 7,
            ("2026-10-05", "feedback", "page", "=cmd|' /C calc'!A0|no"): 9,
        }
    )
    app.config["LANTERN_NOW"].moment = datetime(2026, 12, 1, 12, tzinfo=UTC)
    return app


def test_the_report_writes_a_pdf_and_the_same_as_csv(app, tmp_path):
    result = app.test_cli_runner().invoke(
        args=["insight", "report", "--quarter", "2026Q4", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    pdf = tmp_path / "lantern-insight-2026Q4.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")
    text = (tmp_path / "lantern-insight-2026Q4.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(text.splitlines()))
    assert rows[0] == ["section", "row", "column", "value"]
    assert [r[1] for r in rows if r[0] == "note"] == list(NOTE)
    channel = {(r[1], r[2]): r[3] for r in rows if r[0] == "How they reached us"}
    assert channel["Text message", "2026Q4"] == "20"
    assert channel["Phone call", "2026Q4"] == "fewer than 5"
    assert channel["Web chat", "2026Q4"] == "fewer than 5"  # secondary suppression
    assert channel["Total", "2026Q4"] == "31"
    areas = {(r[1], r[2]): r[3] for r in rows if r[0] == "Areas"}
    assert areas["Rotherham", "2026Q4"] == "31"


def test_no_cell_of_the_csv_can_run_as_a_formula(app, tmp_path):
    app.test_cli_runner().invoke(
        args=["insight", "report", "--quarter", "2026Q4", "--out", str(tmp_path)]
    )
    text = (tmp_path / "lantern-insight-2026Q4.csv").read_text(encoding="utf-8")
    for row in csv.reader(text.splitlines()):
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell


def test_a_wrong_quarter_is_refused(app, tmp_path):
    result = app.test_cli_runner().invoke(
        args=["insight", "report", "--quarter", "2026Q5", "--out", str(tmp_path)]
    )
    assert result.exit_code != 0 and "2026Q4" in result.output
