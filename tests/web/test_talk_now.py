"""Talk to someone now: the right line for each audience, from the data, with chat and search."""

from datetime import UTC, datetime

import pytest

from tests.helpers import check_html

MONDAY_NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SUNDAY_NIGHT = datetime(2026, 11, 22, 23, 0, tzinfo=UTC)


def talk_box(html: str) -> str:
    start = html.index('<section class="talk"')
    return html[start : html.index("</form>", start)]


def tel(app, service_id: str) -> str:
    return app.extensions["lantern"].directory.get(service_id).phone.tel_uri


@pytest.mark.parametrize(
    ("path", "lines", "not_lines"),
    [
        ("/", ["childline", "nspcc-helpline"], ["napac"]),
        ("/young-people", ["childline"], ["nspcc-helpline", "napac"]),
        ("/families", ["nspcc-helpline"], ["childline"]),
        ("/adult-survivors", ["rape-crisis-247", "napac"], ["childline"]),
        ("/professionals", ["nspcc-helpline"], ["childline"]),
    ],
)
def test_each_audience_gets_its_own_lines(app, client, path, lines, not_lines):
    """Does each page offer tap-to-call for the lines right for its readers, and no others?"""
    app.config["LANTERN_NOW"] = lambda: MONDAY_NOON
    response = client.get(path)
    check_html(response)
    box = talk_box(response.get_data(as_text=True))
    for service_id in lines:
        assert f'href="{tel(app, service_id)}"' in box, service_id
    for service_id in not_lines:
        assert f'href="{tel(app, service_id)}"' not in box, service_id
    assert 'href="/chat"' in box  # the Lantern chat, whoever is reading
    assert 'action="/services"' in box and 'name="q"' in box  # a search box for a sentence


@pytest.mark.parametrize("moment", [MONDAY_NOON, SUNDAY_NIGHT])
@pytest.mark.parametrize("path", ["/families", "/professionals"])
def test_front_door_line_is_the_one_to_call_at_any_time(app, client, path, moment):
    """Do families and professionals get Rotherham's any-time line, day and night, before the
    NSPCC, and never the unconfirmed 2015 daytime line?"""
    app.config["LANTERN_NOW"] = lambda: moment
    box = talk_box(client.get(path).get_data(as_text=True))
    assert 'href="tel:+441709336080"' in box
    assert 'href="tel:+441709823987"' not in box
    assert box.index("tel:+441709336080") < box.index(tel(app, "nspcc-helpline"))


def test_line_open_for_sure_comes_first(app, client):
    """For adult survivors, is the 24-hour line first, above the line whose hours are unknown?"""
    box = talk_box(client.get("/adult-survivors").get_data(as_text=True))
    assert box.index(tel(app, "rape-crisis-247")) < box.index(tel(app, "napac"))
    assert "Open 24 hours" in box


def test_closed_line_is_left_out(app, monkeypatch):
    """Is a line known to be closed now left out of "Talk to someone now", and kept when open?"""
    from web import pages

    # Galop's hate crime line has sourced hours, Monday to Friday 10:00-16:00.
    monkeypatch.setitem(pages.TALK_NOW, "families", ("galop-hate-crime", "nspcc-helpline"))
    with app.test_request_context("/"):
        night = [line.service.id for line in pages.talk_now("families", SUNDAY_NIGHT)]
        noon = [line.service.id for line in pages.talk_now("families", MONDAY_NOON)]
    assert "galop-hate-crime" not in night and "nspcc-helpline" in night
    assert "galop-hate-crime" in noon


def test_no_front_door_falls_back_to_national_lines(app, client):
    """In an area with no data, are the national lines still offered?"""
    app.config["LANTERN_AREA"] = "nowhere"
    box = talk_box(client.get("/families").get_data(as_text=True))
    assert f'href="{tel(app, "nspcc-helpline")}"' in box


@pytest.mark.parametrize("lang", ["ur", "ar", "pl", "sk", "cs", "ro"])
def test_talk_now_in_every_language(client, lang):
    """Is the box translated, with the numbers kept left to right?"""
    html = client.get(f"/{lang}/").get_data(as_text=True)
    box = talk_box(html)
    assert "Talk to someone now" not in box
    assert '<bdi dir="ltr">' in box
    assert f'action="/{lang}/services"' in box
