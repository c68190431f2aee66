"""The Find support pages and the Open Referral UK API."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from directory.openreferral import service_uuid
from tests.helpers import check_html, parse

SCHEMA = Path(__file__).parents[1] / "directory" / "schema"
MONDAY_MORNING = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
SATURDAY = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


@pytest.fixture
def app(app):
    if "directory" not in app.blueprints:  # until app.py registers it
        from web import directory

        app.register_blueprint(directory.bp)
    app.config["LANTERN_NOW"] = lambda: MONDAY_MORNING
    app.config["RATELIMIT_ENABLED"] = False
    return app


def validator(name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMA / name).read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=FormatChecker())


def test_search_page_without_a_query_lists_services(client):
    """Does /services show the form and every listing, with tap-to-call links?"""
    response = client.get("/services")
    page = check_html(response)
    html = response.get_data(as_text=True)
    assert 'name="q"' in html and 'method="get"' in html
    assert "tel:+448001111" in page.urls  # Childline, on the first page by name
    assert "/services/childline" in page.urls
    assert 'rel="next"' in html
    texts = parse(client.get("/services?channel=text").get_data(as_text=True))
    assert "sms:85258?body=SHOUT" in texts.urls  # Shout


def test_search_finds_typos_and_shows_badges(client):
    """Does a misspelt search find the service and say whether it is open now?"""
    response = client.get("/services?q=samaritns")
    check_html(response)
    html = response.get_data(as_text=True)
    assert "/services/samaritans" in html
    assert "Open 24 hours" in html


@pytest.mark.parametrize("moment", [SATURDAY, MONDAY_MORNING])
def test_rotherham_front_door_reads_as_contacts_md_says(client, app, moment):
    """Is 01709 336080 the number to call at any time, and 01709 823987 only the 2015 daytime
    number, with no "open now" or "closed now" on hours no source gives?"""
    app.config["LANTERN_NOW"] = lambda: moment
    html = client.get("/services?q=social+services&area=rotherham").get_data(as_text=True)
    assert "/services/rotherham-mash" in html
    card = html[html.find('href="/services/rotherham-mash"') :]
    card = card[: card.find("</div>")]
    assert card.index("tel:+441709336080") < card.index("tel:+441709823987")
    assert "Call at any time" in card and "Daytime number from" in card
    assert "Open now" not in card and "Closed now" not in card


def test_filters_work_from_the_query_string(client):
    """Do GET filters narrow the results without any JavaScript?"""
    html = client.get("/services?channel=text&category=crisis").get_data(as_text=True)
    assert "/services/shout" in html
    assert "/services/samaritans" not in html
    place = client.get("/services?place=Maltby&category=counselling").get_data(as_text=True)
    assert "/services/rothacs" in place
    assert 'value="rotherham" selected' in place


def test_unknown_filter_values_are_ignored(client):
    """Does a tampered filter value fall back to no filter rather than an error?"""
    response = client.get("/services?category=astrology&page=abc&audience=%3Cscript%3E")
    check_html(response)


def test_empty_search_offers_categories_and_crisis_lines(client):
    """When nothing matches, is the page still useful: categories and lines to call now?"""
    response = client.get("/services?q=zqxjwv+vvkq")
    page = check_html(response)
    html = response.get_data(as_text=True)
    assert "Nothing matched your search" in html
    assert any(url.startswith("/services?category=") for url in page.urls)
    assert "tel:+448001111" in page.urls and "tel:116123" in page.urls


def test_listing_page_has_everything_to_decide_and_act(client):
    """Does a listing show what happens, cost, who it is for, last checked and a report form?"""
    response = client.get("/services/rotherham-mash")
    page = check_html(response)
    html = response.get_data(as_text=True)
    assert "tel:+441709336080" in page.urls and "tel:+441709823987" in page.urls
    assert "Details as given by a source dated 15 November 2021." in html
    for internal in ("reference/", "contacts.md", "seeds/", ".txt", "Nobody has yet rung"):
        assert internal not in html
    assert ">thestar.co.uk</a>" in html
    assert "What happens when you get in touch" in html
    assert "Report a problem with this listing" in html
    assert 'name="kind" value="listing"' in html
    assert 'name="target" value="rotherham-mash"' in html


def test_listing_without_contacts_says_so(client):
    """Does a listing with no contacts say, once and under "How to get in touch", how to reach
    it?"""
    html = client.get("/services/rothacs").get_data(as_text=True)
    reach = html[html.find("How to get in touch") :]
    assert "Ask your GP or the other services listed here how to be referred." in reach
    assert html.count("Ask your GP") == 1


def test_unknown_listing_is_404(client):
    assert client.get("/services/no-such-service").status_code == 404


def test_problem_report_is_stored_for_curators(client, app):
    """Does 'report a problem' post to the feedback store with the listing named?"""
    html = client.get("/services/childline").get_data(as_text=True)
    start = html.index('name="csrf_token" value="') + len('name="csrf_token" value="')
    csrf = html[start : html.index('"', start)]
    response = client.post(
        "/feedback",
        data={"csrf_token": csrf, "kind": "listing", "target": "childline", "comment": "No answer"},
    )
    assert response.status_code == 303
    assert "/services/childline" in response.headers["Location"]
    stored = app.extensions["lantern_store"].list_feedback()
    assert [(f.kind, f.target, f.comment) for f in stored] == [
        ("listing", "childline", "No answer")
    ]


def test_api_list_is_an_open_referral_page(client):
    """Does /api/services return the paginated shape, services only, readable from any site?"""
    response = client.get("/api/services?search=counselling&per_page=2")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    data = response.get_json()
    assert data["page_number"] == 1 and data["size"] == len(data["contents"]) <= 2
    assert data["total_items"] >= 2 and not data["empty"]
    summary = validator("compiled_service_list.json")
    for item in data["contents"]:
        assert not list(summary.iter_errors(item))
        uuid.UUID(item["id"])


def test_api_list_filters_and_pages(client):
    """Do filters and pages work on the API as on the search page?"""
    first = client.get("/api/services?per_page=5&page=1&category=helpline").get_json()
    second = client.get("/api/services?per_page=5&page=2&category=helpline").get_json()
    assert first["total_items"] == second["total_items"]
    assert not {i["id"] for i in first["contents"]} & {i["id"] for i in second["contents"]}
    empty = client.get("/api/services?search=zqxjwv").get_json()
    assert empty["empty"] and empty["contents"] == []


def test_every_api_service_validates(client, app):
    """Does every /api/services/<id> pass compiled_service.json, by UUID or listing id?"""
    schema = validator("compiled_service.json")
    for service_id in app.extensions["lantern"].directory.services:
        by_uuid = client.get(f"/api/services/{service_uuid(service_id)}")
        assert by_uuid.status_code == 200
        assert by_uuid.headers["Access-Control-Allow-Origin"] == "*"
        record = by_uuid.get_json()
        assert not list(schema.iter_errors(record)), service_id
        assert client.get(f"/api/services/{service_id}").get_json() == record
    missing = client.get(f"/api/services/{uuid.uuid4()}")
    assert missing.status_code == 404 and missing.get_json() == {"error": "not found"}


def test_curator_commands(app):
    """Do `flask directory check|export|reindex` report, export and rebuild?"""
    runner = app.test_cli_runner()
    checked = runner.invoke(args=["directory", "check"])
    assert checked.exit_code == 0, checked.output
    assert checked.output.startswith("OK ")
    assert "rotherham-mash: source 2021-11-15" in checked.output
    exported = runner.invoke(args=["directory", "export", "--format", "openreferral"])
    data = json.loads(exported.output)
    assert data["total_items"] == len(app.extensions["lantern"].directory.services)
    assert runner.invoke(args=["directory", "reindex"]).exit_code == 0


def test_check_fails_on_bad_data(app, tmp_path):
    """Does `flask directory check` exit non-zero, naming the file, when the data is bad?"""
    import shutil

    shutil.copytree(Path(app.config["LANTERN_CONTENT_DIR"]) / "areas", tmp_path / "areas")
    (tmp_path / "services").mkdir()
    (tmp_path / "services" / "broken.yaml").write_text("id: broken\n", encoding="utf-8")
    app.config["LANTERN_CONTENT_DIR"] = str(tmp_path)
    result = app.test_cli_runner().invoke(args=["directory", "check"])
    assert result.exit_code == 1
    assert "broken.yaml" in result.output


def test_a_service_without_contacts_is_no_card_on_pages(client):
    """Is a service readers cannot reach shown as a link to its listing, never as a card?"""
    html = client.get("/adult-survivors/counselling").get_data(as_text=True)
    assert 'href="/services/rothacs"' in html
    assert '<h3 class="card-title"><a href="/services/rothacs">' not in html
    assert '<h3 class="card-title"><a href="/services/napac">' in html
