"""A committed route list, so no URL that people or partners rely on vanishes unnoticed."""

import json
from pathlib import Path

ROUTES = Path(__file__).with_name("route-list.json")


def current_routes(app) -> list[str]:
    return sorted(
        f"{' '.join(sorted(rule.methods - {'HEAD', 'OPTIONS'}))} {rule.rule}"
        for rule in app.url_map.iter_rules()
    )


def test_routes_match_the_committed_list(app):
    """Has a route appeared or gone? Update route-list.json on purpose if so."""
    assert current_routes(app) == json.loads(ROUTES.read_text(encoding="utf-8"))
