"""Save these numbers: a contact card download and a printable card, from the directory data."""

import pytest

from tests.helpers import check_html


def tel(app, service_id):
    return app.extensions["lantern"].directory.get(service_id).phone


@pytest.mark.parametrize(
    ("audience", "expected"),
    [
        ("home", ["emergency-999", "childline", "nspcc-helpline"]),
        ("young-people", ["emergency-999", "childline"]),
        ("adult-survivors", ["emergency-999", "rape-crisis-247", "napac"]),
    ],
)
def test_card_lists_999_then_the_audiences_lines(app, client, audience, expected):
    """Does the card give 999 first, then the lines for the reader, with tap-to-call links?"""
    response = client.get(f"/save-numbers?for={audience}")
    check_html(response)
    html = response.get_data(as_text=True)
    card = html[html.index('class="keep-card"') :]
    positions = [card.index(f'href="{tel(app, sid).tel_uri}"') for sid in expected]
    assert positions == sorted(positions)
    assert "anyone who uses or checks it can see them" in html  # what saving leaves behind


def test_front_door_card_gives_both_of_its_lines(client):
    """Does the families' card keep Rotherham's any-time line and the 2015 daytime line?"""
    html = client.get("/save-numbers?for=families").get_data(as_text=True)
    assert 'href="tel:+441709336080"' in html and 'href="tel:+441709823987"' in html


def test_vcard_download(app, client):
    """Is the download a vCard per number that a phone can import, never kept by caches?"""
    response = client.get("/save-numbers/numbers.vcf?for=young-people")
    assert response.mimetype == "text/vcard"
    assert response.headers["Content-Disposition"] == 'attachment; filename="numbers.vcf"'
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_data(as_text=True)
    assert body.count("BEGIN:VCARD") == body.count("END:VCARD") == 2
    assert "\r\n" in body and "\n" not in body.replace("\r\n", "")
    assert f"TEL;TYPE=VOICE:{tel(app, 'childline').value}" in body
    assert f"TEL;TYPE=VOICE:{tel(app, 'emergency-999').value}" in body


def test_unknown_audience_falls_back_to_home(client):
    assert client.get("/save-numbers?for=nobody").status_code == 200


def test_vcard_text_is_escaped():
    from web.keep import _escape

    assert _escape("a, b; c\\d\ne") == "a\\, b\\; c\\\\d\\ne"


def test_talk_now_links_to_the_card(client):
    html = client.get("/young-people").get_data(as_text=True)
    assert 'href="/save-numbers?for=young-people"' in html
