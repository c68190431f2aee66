"""Pages show the front-door number that is answered at the time they are read."""

from datetime import UTC, datetime

import pytest

MONDAY_NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
MONDAY_NIGHT = datetime(2026, 11, 23, 22, 0, tzinfo=UTC)
CHRISTMAS_NOON = datetime(2026, 12, 25, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("moment", [MONDAY_NOON, MONDAY_NIGHT, CHRISTMAS_NOON])
def test_inline_mash_number_follows_the_clock(app, client, moment):
    app.config["LANTERN_NOW"] = lambda: moment
    door = app.extensions["lantern"].directory.front_door_now("rotherham", moment)
    other = app.extensions["lantern"].directory.areas["rotherham"].front_door
    expected = door.tel_uri
    html = client.get("/families").get_data(as_text=True)
    intro = html[html.find("<article") : html.find('class="card"')]
    assert f'href="{expected}"' in intro
    wrong = other.out_of_hours if door is other.in_hours else other.in_hours
    assert f'href="{wrong.tel_uri}"' not in intro
    assert (door is other.in_hours) == (moment == MONDAY_NOON)
