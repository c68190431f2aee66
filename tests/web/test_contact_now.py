"""Pages show the front-door number that is answered at the time they are read."""

from datetime import UTC, datetime

import pytest

MONDAY_NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
MONDAY_NIGHT = datetime(2026, 11, 23, 22, 0, tzinfo=UTC)
CHRISTMAS_NOON = datetime(2026, 12, 25, 12, 0, tzinfo=UTC)
# content/areas/rotherham.yaml: the MASH daytime line, Mon-Fri 08:30-17:30 except bank holidays,
# and the line for evenings, weekends and bank holidays. Written out, not looked up.
DAYTIME = "tel:+441709823987"
OUT_OF_HOURS = "tel:+441709336080"


@pytest.mark.parametrize(
    "moment, answered, not_answered",
    [
        (MONDAY_NOON, DAYTIME, OUT_OF_HOURS),
        (MONDAY_NIGHT, OUT_OF_HOURS, DAYTIME),
        (CHRISTMAS_NOON, OUT_OF_HOURS, DAYTIME),
    ],
)
def test_inline_mash_number_follows_the_clock(app, client, moment, answered, not_answered):
    """Does the families page's own text give the line answered now, and not the other?"""
    app.config["LANTERN_NOW"] = lambda: moment
    html = client.get("/families").get_data(as_text=True)
    intro = html[html.find("<article") : html.find('class="card"')]
    assert f'href="{answered}"' in intro
    assert f'href="{not_answered}"' not in intro
