"""Pages show the front-door number to call now: Rotherham's any-time line, whatever the hour."""

from datetime import UTC, datetime

import pytest

MONDAY_NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
MONDAY_NIGHT = datetime(2026, 11, 23, 22, 0, tzinfo=UTC)
CHRISTMAS_NOON = datetime(2026, 12, 25, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("moment", [MONDAY_NOON, MONDAY_NIGHT, CHRISTMAS_NOON])
def test_inline_mash_number_is_the_any_time_line(app, client, moment):
    """Does the page name 01709 336080 at every hour, never the unconfirmed 2015 daytime line?"""
    app.config["LANTERN_NOW"] = lambda: moment
    html = client.get("/families").get_data(as_text=True)
    intro = html[html.find("<article") : html.find('class="card"')]
    assert 'href="tel:+441709336080"' in intro
    assert 'href="tel:+441709823987"' not in intro
