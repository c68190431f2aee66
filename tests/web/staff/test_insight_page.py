"""/staff/insight: who may see it, and what it shows after some traffic."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from tests.web.staff.helpers import ADMIN, CURATOR, add_staff, signed_in

BOARD = "bea@partnership.test"


@pytest.fixture
def app(app):
    app.config["SECRETS"][BOARD] = add_staff(app, BOARD, "board")
    store = app.extensions["lantern_insight"].store
    store.add_counts(
        {
            ("2026-10-05", "answer", "all", "all"): 31,
            ("2026-10-05", "answer", "channel", "sms"): 20,
            ("2026-10-05", "answer", "channel", "chat"): 8,
            ("2026-10-05", "answer", "channel", "voice"): 3,
            ("2026-10-05", "answer", "audience", "worried"): 31,
            ("2026-10-05", "answer", "language", "en"): 25,
            ("2026-10-05", "answer", "language", "pl"): 6,
            ("2026-10-05", "answer", "hour", "10"): 31,
            ("2026-10-05", "answer", "front_door", "01709 336080|in-hours"): 31,
            ("2026-10-05", "search", "all", "all"): 12,
            ("2026-10-05", "search", "need", "counselling"): 9,
            ("2026-10-05", "feedback", "page", "young-people|no"): 7,
            ("2026-07-06", "answer", "all", "all"): 12,
            ("2026-07-06", "answer", "channel", "sms"): 12,
        }
    )
    app.config["LANTERN_NOW"].moment = datetime(2026, 11, 2, 12, tzinfo=UTC)
    return app


def test_only_the_board_and_administrators_see_insight(app):
    assert signed_in(app, BOARD).get("/staff/insight/").status_code == 200
    assert signed_in(app, ADMIN).get("/staff/insight/").status_code == 200
    assert signed_in(app, CURATOR).get("/staff/insight/").status_code == 403
    response = app.test_client().get("/staff/insight/")
    assert response.status_code == 302 and "/staff/sign-in" in response.headers["Location"]


def test_the_page_shows_this_quarter_against_the_last_with_small_numbers_withheld(app):
    page = signed_in(app, BOARD).get("/staff/insight/").get_data(as_text=True)
    assert "2026Q4" in page and "2026Q3" in page
    channel = page[page.index('id="channel-caption"') :]
    channel = channel[: channel.index("</table>")]
    # sms 20, chat 8, voice 3 (withheld) and chat with it: 8 is the next smallest.
    assert "<td>20</td>" in channel and "<td>8</td>" not in channel
    assert channel.count("fewer than 5") >= 2
    assert "<td>31</td>" in channel  # the quarter's total
    assert '<svg class="chart"' in page and 'role="img"' in page
    assert re.search(r'aria-labelledby="channel-title channel-desc"', page)
    assert "<script" not in page
    assert "Counselling" in page  # a need that found nothing, by its name
    assert "<td>7</td>" in page[page.index('id="feedback-caption"') :]
    assert 'href="/staff/insight/"' in page  # in the staff menu


def test_a_quarter_can_be_chosen_and_nonsense_is_not_found(app):
    client = signed_in(app, BOARD)
    page = client.get("/staff/insight/?quarter=2026Q3").get_data(as_text=True)
    assert "2026Q3 against 2026Q2" in page
    assert client.get("/staff/insight/?quarter=Q9").status_code == 404


def test_the_page_speaks_the_staff_members_language(app):
    client = signed_in(app, BOARD)
    page = client.get("/ur/staff/insight/").get_data(as_text=True)
    assert '<html lang="ur" dir="rtl">' in page
    assert "fewer than 5" not in page and "People who reached an answer" not in page
    assert "جائزہ" in page and "5 سے کم" in page  # "Insight", "fewer than 5"
