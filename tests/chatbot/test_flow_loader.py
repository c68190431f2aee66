"""Loading the flow: bad data stops start-up naming the file and the field."""

from __future__ import annotations

import shutil

import pytest
import yaml

from chatbot import FlowError, load_flow

from .conftest import FIXTURES


@pytest.fixture
def flows(tmp_path):
    target = tmp_path / "flows"
    shutil.copytree(FIXTURES / "flows", target)
    return target


def _edit(path, change):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def _fail(flows, filename, change, directory=None) -> FlowError:
    _edit(flows / filename, change)
    with pytest.raises(FlowError) as caught:
        load_flow(flows, directory=directory)
    return caught.value


def test_fixture_flow_loads(flows):
    """Does the fixture flow load as it is?"""
    assert load_flow(flows).start == "who"


def test_unknown_operator(flows):
    """Is a misspelt operator reported with its place?"""

    def change(data):
        data["routes"][0]["when"][0]["op"] = "equalz"

    error = _fail(flows, "triage.yaml", change)
    assert error.path.name == "triage.yaml"
    assert error.field == "routes[0].when[0].op"


def test_routes_must_end_with_an_unconditional_answer(flows):
    """Is a flow without a fallback refused, so no message can reach a dead end?"""
    error = _fail(flows, "triage.yaml", lambda data: data["routes"].pop())
    assert error.field == "routes"


def test_route_to_unknown_node(flows):
    """Is a route asking a question that does not exist refused?"""

    def change(data):
        data["routes"][2]["ask"] = "nowhere"

    assert _fail(flows, "triage.yaml", change).field == "routes[2].ask"


def test_number_placeholder_needs_a_contact(flows):
    """Is %(number)s in a line without a contact refused (no numbers typed in the flow)?"""

    def change(data):
        data["answers"]["young"][0]["say"] = "Call %(number)s"

    assert _fail(flows, "triage.yaml", change).field == "answers.young[0].say"


def test_each_language_needs_danger_phrases(flows):
    """Is a language without danger phrases refused?"""

    def change(data):
        del data["danger"][0]["phrases"]["pl"]

    error = _fail(flows, "safety.yaml", change)
    assert (error.path.name, error.field) == ("safety.yaml", "danger")


def test_unknown_service(flows, tiny_directory):
    """With the directory, is a service id it does not have refused?"""

    def change(data):
        data["answers"]["young"][1]["service"] = "no-such-line"

    error = _fail(flows, "triage.yaml", change, directory=tiny_directory)
    assert "no-such-line" in error.message


def test_unknown_fact_in_option(flows):
    """Is an option setting a fact the engine does not know refused?"""

    def change(data):
        data["nodes"]["who"]["options"][0]["set"] = {"mood": "sad"}

    assert _fail(flows, "triage.yaml", change).field == "nodes.who.options[0].set"


def test_not_yaml(flows):
    """Is a broken file reported as such?"""
    (flows / "lexicon.yaml").write_text("a: [b", encoding="utf-8")
    with pytest.raises(FlowError) as caught:
        load_flow(flows)
    assert caught.value.field == "(file)"


def test_shipped_flow_loads_against_the_shipped_directory(flow, directory):
    """Does content/flows/ load, naming only services the directory has?"""
    assert flow.service_ids() <= set(directory.services)
    assert set(flow.languages) == {"en", "ur", "ar", "pl", "sk", "cs", "ro"}
