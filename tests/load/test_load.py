"""Load through the front server: 200 visitors for a minute without an error; then again through
a worker crash, a PostgreSQL restart and a Redis restart (through proxies: the shared servers are
never stopped), every text and chat answered and no accepted feedback lost. In `make test`;
`make load` alone."""

from __future__ import annotations

import asyncio
import os
import random
import re
import secrets
import signal
from pathlib import Path

import pytest

from tests.faults.proxy import fault_proxy
from tests.load.visitors import run_load
from tests.servers import front_server, gunicorn
from tests.services import clear_redis, postgres_database, require_services

pytestmark = [pytest.mark.load, pytest.mark.services]

CLIENTS = 200
SECONDS = float(os.environ.get("LANTERN_LOAD_SECONDS", "60"))
OUT = Path(__file__).resolve().parents[2] / "bench" / "out"


def in_own_thread(coroutine):
    """Run a coroutine in a fresh thread: the browser tests' Playwright loop owns this one."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _stored_comments(database_url: str) -> set[str]:
    import psycopg

    with psycopg.connect(database_url) as conn:
        return {row[0] for row in conn.execute("SELECT comment FROM feedback")}


def _save(name: str, text: str) -> None:
    OUT.mkdir(exist_ok=True)
    (OUT / name).write_text(text + "\n", encoding="utf-8")
    print(f"\n{text}")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_services()

    redis_url = f"redis://127.0.0.1:6379/{8 + secrets.randbelow(8)}"
    workdir = tmp_path_factory.mktemp("load")
    # The app reaches PostgreSQL through a proxy the test can cut: the machine's server is
    # shared with other runs and is never stopped.
    with postgres_database() as database_url, fault_proxy(5432) as pg, fault_proxy(6379) as rd:
        proxied = re.sub(r"@[^/]+/", f"@127.0.0.1:{pg.port}/", database_url)
        redis_url = redis_url.replace(":6379/", f":{rd.port}/")
        env = {"DATABASE_URL": proxied, "REDIS_URL": redis_url, "LANTERN_PROXY_HOPS": "1"}
        # Visitors come through the front server, as people do; it takes each visitor's
        # address from X-Forwarded-For as it would from a load balancer in front of it.
        with (
            gunicorn(workdir, env) as instance,
            front_server(workdir, instance.port, balancers=("127.0.0.1",)) as base,
        ):
            yield instance, database_url, (pg, rd), int(base.rsplit(":", 1)[1])
    clear_redis(redis_url.replace(f":{rd.port}/", ":6379/"))


def test_two_hundred_visitors_for_a_minute_without_an_error(server):
    """Do 200 people reading, searching, chatting, texting and rating pages all get answers?"""
    _, database_url, _, port = server
    report = in_own_thread(run_load(port, CLIENTS, SECONDS))
    _save(
        "load-steady.txt",
        f"Steady load, {CLIENTS} visitors, {SECONDS:.0f} s\n" + report.table(SECONDS),
    )
    assert report.failures == []
    assert {"page", "search", "chat", "sms", "feedback"} <= set(report.kinds)
    assert set(report.accepted_feedback) <= _stored_comments(database_url)


def test_no_accepted_feedback_is_lost_through_a_crash_and_a_database_restart(server):
    """If a worker dies and PostgreSQL restarts under load, is every accepted answer kept?"""
    instance, database_url, (pg, redis), port = server

    async def kill_a_worker() -> None:
        os.kill(random.choice(instance.worker_pids()), signal.SIGKILL)

    async def restart_postgres() -> None:
        # As a restart looks to the app: every connection dropped, then refused for a while.
        pg.cut()
        await asyncio.sleep(2)
        pg.restore()

    async def restart_redis() -> None:
        redis.cut()
        await asyncio.sleep(2)
        redis.restore()

    faults = (
        (SECONDS / 4, "SIGKILL one gunicorn worker", kill_a_worker),
        (SECONDS / 2, "restart PostgreSQL", restart_postgres),
        (SECONDS * 3 / 4, "restart Redis", restart_redis),
    )
    report = in_own_thread(run_load(port, CLIENTS, SECONDS, faults=faults))
    _save(
        "load-faults.txt",
        f"Load with faults, {CLIENTS} visitors, {SECONDS:.0f} s\n" + report.table(SECONDS),
    )
    assert len(report.events) == 3
    # Through both restarts, everyone who texted, chatted, read or searched got an answer. The
    # one exception is the killed worker's requests in flight, which nginx reports as 502 (and
    # a chat page that therefore had no form).
    others = [f for f in report.failures if f.startswith(("sms", "chat", "page", "search"))]
    crash = [f for f in others if f.endswith(": 502") or f == "chat: no chat form on /chat"]
    assert others == crash, others
    assert len(crash) <= 50, crash  # what one worker held when it was killed, no more
    assert report.accepted_feedback, "some feedback should have been accepted"
    missing = set(report.accepted_feedback) - _stored_comments(database_url)
    assert not missing, f"{len(missing)} accepted feedback entries were lost"
    # The instance recovered: it is healthy and serving again.
    assert len(instance.worker_pids()) >= 1
