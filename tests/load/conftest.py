"""The load test takes minutes: it runs with `make load` (pytest -m load), not in `make test`."""

import pytest


def pytest_configure(config):
    config.addinivalue_line("markers", "load: minutes of load on real gunicorn, PostgreSQL, Redis")


def pytest_collection_modifyitems(config, items):
    if "load" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="minutes long: run with `make load`")
    for item in items:
        if "load" in item.keywords:
            item.add_marker(skip)
