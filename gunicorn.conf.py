"""Production settings for gunicorn, used by `make serve` and by the scale and load tests.

Lantern's own settings are environment variables read by app.py (see the README). Override any
of these per machine on the command line (`--bind 0.0.0.0:8000`, `--workers 9`) or with
GUNICORN_CMD_ARGS; the values here are what the benchmarks and the load test use.
"""

import logging
import multiprocessing
import re

from gunicorn.glogging import Logger

bind = "127.0.0.1:8000"

# Threads let a worker keep serving while another request waits on PostgreSQL, Redis or a slow
# phone connection; processes use every core.
worker_class = "gthread"
workers = multiprocessing.cpu_count() * 2 + 1
threads = 4

# Each worker builds the app itself. Preloading in the master would share its database sockets
# and the in-memory rate-limit timer thread with every forked worker, and neither survives fork.
preload_app = False

# A stuck request is ended (and its worker replaced) well before a phone browser gives up.
timeout = 30
graceful_timeout = 20
keepalive = 5

# Replace workers now and then, staggered, so a slow leak cannot grow without bound.
max_requests = 5000
max_requests_jitter = 500

# Same caps as MAX_CONTENT_LENGTH: nothing Lantern receives needs long lines or many headers.
limit_request_line = 4094
limit_request_fields = 50
limit_request_field_size = 8190

# Access logs would record paths and query strings, which can hold what someone searched for.
accesslog = None
errorlog = "-"
loglevel = "info"

# gunicorn's own error log quotes malformed request lines ("GET /services?q=my uncle ...") and the
# client's address; neither may be kept. A line with an address loses it, and what a client sent
# is replaced by what kind of problem it was.
IP_ADDRESS = re.compile(
    r"(?<![\w.:])(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7})(?![\w.:])", re.I
)
CLIENT_TEXT = re.compile(r"(Invalid request from ip=).*|(Error handling request) .*", re.S)


class RedactClients(logging.Filter):
    """Take client addresses, request lines and URLs out of gunicorn's error log."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = CLIENT_TEXT.sub(
            lambda m: (
                "Invalid request (client and request line not logged)"
                if m.group(1)
                else "Error handling a request (URL not logged)"
            ),
            message,
        )
        cleaned = IP_ADDRESS.sub("[address]", cleaned)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


class PrivateLogger(Logger):
    """gunicorn's logger with RedactClients on its error log."""

    def setup(self, cfg):
        super().setup(cfg)
        if not any(isinstance(f, RedactClients) for f in self.error_log.filters):
            self.error_log.addFilter(RedactClients())


logger_class = PrivateLogger

# gunicorn 23+ opens a management socket at one fixed path per user, so a second instance on
# the same machine would take over the first one's; Lantern is managed with signals instead.
control_socket_disable = True

# Behind a load balancer, set LANTERN_PROXY_HOPS (read by app.py) rather than trusting headers here.
forwarded_allow_ips = "127.0.0.1"


def post_worker_init(worker):
    """Say when a worker has built the app: tests and benchmarks wait for every worker."""
    worker.log.info("Worker ready (pid: %s)", worker.pid)
