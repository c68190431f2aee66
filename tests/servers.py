"""Start real gunicorn instances of Lantern on loopback, for the scale and load tests and bench/."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
APP = "app:create_app()"
TWILIO_TOKEN = "test-twilio-token"
SECRETS = {
    "SECRET_KEY": "scale-test-secret",
    "LANTERN_HMAC_KEY": "scale-test-hmac",
    "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Instance:
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        """Return the pids of this instance's gunicorn workers (children of the master)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]


def wait_until_up(
    base: str, process: subprocess.Popen, log: Path, health: str, workers: int, timeout: float = 120
) -> None:
    """Wait until every worker has built the app (gunicorn.conf.py logs it) and one answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and log.read_text().count("Worker ready") < workers:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited early:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{base}{health}", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {timeout}s:\n{log.read_text()[-3000:]}")


@contextlib.contextmanager
def gunicorn(
    workdir: Path,
    env: dict[str, str],
    app: str | None = None,
    workers: int | None = None,
    extra: tuple[str, ...] = (),
    health: str = "/healthz",
) -> Iterator[Instance]:
    """Run `app` under gunicorn.conf.py on a free loopback port until the block ends."""
    port = free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / f"gunicorn-{port}.log"
    environment = {
        # Nothing of the caller's Lantern settings leaks in, except which content to serve.
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("LANTERN_", "GUNICORN")) or k == "LANTERN_CONTENT_DIR"
        },
        "LANTERN_ENV": "development",
        "LANTERN_INSTANCE_DIR": str(workdir / "instance"),
        "LANTERN_INDEX_DIR": str(workdir / "index"),
        **SECRETS,
        **env,
    }
    command = [GUNICORN, "--config", str(ROOT / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}"]
    if workers is not None:
        command += ["--workers", str(workers)]
    command += [*extra, app or APP]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        expected = workers or multiprocessing.cpu_count() * 2 + 1  # as gunicorn.conf.py has it
        wait_until_up(f"http://127.0.0.1:{port}", process, log, health, expected)
        yield Instance(port, process, log)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def signed_sms(base: str, sender: str, body: str, sid: str) -> tuple[dict, dict]:
    """Return Twilio's form fields for one text and headers carrying its valid signature."""
    params = {"From": sender, "To": "+447700900000", "Body": body, "MessageSid": sid}
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(f"{base}/sms", params)
    return params, {"X-Twilio-Signature": signature}


@contextlib.contextmanager
def front_server(workdir: Path, upstream: int, balancers: tuple[str, ...] = ()) -> Iterator[str]:
    """Run deploy/nginx.conf in front of `upstream` on a free port; yield its base URL."""
    import shutil

    sys.path.insert(0, str(ROOT / "deploy"))
    try:
        import nginx as front
    finally:
        sys.path.remove(str(ROOT / "deploy"))
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        raise RuntimeError("nginx is missing: `make nginx` installs Debian's nginx-light")
    listen = free_port()
    conf = front.render(listen, upstream, workdir / "nginx", balancers)
    with (workdir / "nginx.log").open("wb") as log:
        process = subprocess.Popen(front.command(conf), stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError((workdir / "nginx.log").read_text())
            try:
                socket.create_connection(("127.0.0.1", listen), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{listen}"
    finally:
        process.terminate()
        process.wait(timeout=10)
