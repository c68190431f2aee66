"""Imports into the review queue: an Open Referral UK feed served by a local server, and the CSV
template. Clear errors naming the record or row and column; nothing half-imported."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from directory import load_directory
from directory.imports import csv_template
from directory.openreferral import service_page, service_record
from tests.directory.test_openreferral import SERVICE, SUMMARY
from tests.web.staff.helpers import ROOT_CONTENT


def generated_records(count: int) -> list[dict]:
    """Make schema-valid ORUK records for services Lantern does not list."""
    shipped = load_directory(ROOT_CONTENT)
    base = shipped.get("galop")
    records = []
    for number in range(count):
        service = replace(
            base,
            id=f"generated-{number}",
            name=f"Generated Support Line {number}",
            organisation=f"Generated Charity {number}",
            description=f"Generated description {number}.",
        )
        record = service_record(service, shipped)
        errors = list(SERVICE.iter_errors(record))
        assert not errors, errors[0]
        records.append(record)
    return records


@pytest.fixture
def oruk_server():
    """Serve an ORUK API on localhost: /services paged, /services/{id} in full."""
    state = {"records": generated_records(7), "broken": None}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep test output clean
            pass

        def do_GET(self):
            parts = urlsplit(self.path)
            records = {r["id"]: r for r in state["records"]}
            if parts.path == "/services":
                query = parse_qs(parts.query)
                page, per_page = int(query["page"][0]), int(query["per_page"][0])
                per_page = min(per_page, 3)  # the server pages in threes, whatever is asked
                start = (page - 1) * per_page
                items = [service_summary_of(r) for r in state["records"][start : start + per_page]]
                for item in items:
                    assert not list(SUMMARY.iter_errors(item))
                body = service_page(items, total=len(records), page=page, per_page=per_page)
            elif parts.path.startswith("/services/") and parts.path[10:] in records:
                body = records[parts.path[10:]]
                if state["broken"] == body["id"]:
                    body = {**body, "name": ""}
            else:
                self.send_response(404)
                self.end_headers()
                return
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", state
    server.shutdown()
    server.server_close()


def service_summary_of(record: dict) -> dict:
    keep = ("id", "name", "description", "url", "email", "status", "organization")
    return {k: record[k] for k in keep if k in record}


def queued(app):
    with app.app_context():
        return app.extensions["lantern_staff"].changes()


def test_oruk_feed_goes_into_the_review_queue(app, oruk_server):
    """Are all seven services of a three-a-page feed queued for review, none published?"""
    url, _ = oruk_server
    result = app.test_cli_runner().invoke(
        args=["directory", "import-oruk", url, "--area", "rotherham"]
    )
    assert result.exit_code == 0, result.output
    changes = queued(app)
    assert len(changes) == 7
    assert all(c.status == "pending" and c.source == "oruk" for c in changes)
    assert "generated-support-line-6" in changes[-1].key
    assert "0800 999 5428" in changes[0].after
    html = app.test_client().get("/services/generated-support-line-0")
    assert html.status_code == 404  # nothing published unreviewed


def test_a_malformed_feed_imports_nothing_and_names_the_record(app, oruk_server):
    url, state = oruk_server
    state["broken"] = state["records"][4]["id"]
    result = app.test_cli_runner().invoke(args=["directory", "import-oruk", url])
    assert result.exit_code != 0
    assert f"service {state['broken']}: name: missing" in result.output
    assert queued(app) == []


def test_a_feed_record_the_loader_refuses_names_the_record_and_field(app, tmp_path):
    record = generated_records(2)
    record[1]["contacts"][0]["phones"][0]["number"] = "0800 99"
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(service_page(record, total=2, page=1, per_page=2)))
    result = app.test_cli_runner().invoke(args=["directory", "import-oruk", str(path)])
    assert result.exit_code != 0
    assert f"service {record[1]['id']} (generated-support-line-1)" in result.output
    assert "].number: '0800 99' is not a valid UK phone number" in result.output
    assert queued(app) == []


def test_a_file_that_is_not_json_is_refused(app, tmp_path):
    path = tmp_path / "feed.json"
    path.write_text("<html>not a feed</html>")
    result = app.test_cli_runner().invoke(args=["directory", "import-oruk", str(path)])
    assert result.exit_code != 0 and "not JSON" in result.output


def test_the_csv_template_imports_into_the_queue(app, tmp_path):
    path = tmp_path / "services.csv"
    path.write_text(csv_template())
    result = app.test_cli_runner().invoke(args=["directory", "import-csv", str(path)])
    assert result.exit_code == 0, result.output
    (change,) = queued(app)
    assert change.key == "service:example-service" and change.status == "pending"
    assert "0114 496 0000" in change.after


@pytest.mark.parametrize(
    ("edit", "where"),
    [
        (lambda rows: rows[2].replace("0114 496 0000", "0114 49"), "row 3, column value"),
        (lambda rows: rows[1].replace("adult-survivors", "aliens"), "row 2, column audiences"),
        (lambda rows: rows[1].replace("https://example.org/contact", ""), "row 2, column source"),
        (lambda rows: rows[2].replace("contact,example-service", "contact,nobody"), "row 3"),
        (lambda rows: rows[2].replace(",phone,", ",pigeon,"), "row 3, column channel"),
    ],
)
def test_csv_errors_name_row_and_column_and_import_nothing(app, tmp_path, edit, where):
    rows = csv_template().splitlines()
    bad = list(rows)
    index = 2 if "row 3" in where else 1
    bad[index] = edit(rows)
    path = tmp_path / "services.csv"
    path.write_text("\n".join(bad) + "\n")
    result = app.test_cli_runner().invoke(args=["directory", "import-csv", str(path)])
    assert result.exit_code != 0
    assert where in result.output, result.output
    assert queued(app) == []
