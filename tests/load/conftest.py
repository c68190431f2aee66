"""The load test: part of `make test` (about three minutes); `make load` runs it alone."""


def pytest_configure(config):
    config.addinivalue_line("markers", "load: minutes of load on real gunicorn, PostgreSQL, Redis")
