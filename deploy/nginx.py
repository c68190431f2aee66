"""Fill in deploy/nginx.conf and run nginx in the foreground: `make serve-proxy` and the tests.

python deploy/nginx.py --listen 8080 --upstream 8000 [--prefix instance/nginx]
"""

from __future__ import annotations

import argparse
import os
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "nginx.conf"


def render(listen: int, upstream: int, prefix: Path, balancers: tuple[str, ...] = ()) -> Path:
    """Write the filled-in configuration under `prefix` and return its path."""
    prefix = prefix.resolve()
    prefix.mkdir(mode=0o700, parents=True, exist_ok=True)
    text = TEMPLATE.read_text(encoding="utf-8")
    real_ip = "".join(f"set_real_ip_from {b};\n    " for b in balancers)
    if real_ip:
        real_ip += "real_ip_header X-Forwarded-For;"
    values = {"LISTEN": listen, "UPSTREAM": upstream, "PREFIX": prefix, "REAL_IP": real_ip}
    for name, value in values.items():
        text = text.replace(f"@{name}@", str(value))
    conf = prefix / "nginx.conf"
    conf.write_text(text, encoding="utf-8")
    return conf


def command(conf: Path) -> list[str]:
    """Return the command that runs nginx on `conf` in the foreground."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    return [nginx, "-p", str(conf.parent), "-c", str(conf), "-e", "stderr", "-g", "daemon off;"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", type=int, default=8080)
    parser.add_argument("--upstream", type=int, default=8000)
    parser.add_argument("--prefix", type=Path, default=HERE.parent / "instance" / "nginx")
    parser.add_argument(
        "--trust-balancer",
        action="append",
        default=[],
        metavar="ADDRESS",
        help="a load balancer in front (address or CIDR) whose X-Forwarded-For names the client",
    )
    args = parser.parse_args()
    argv = command(render(args.listen, args.upstream, args.prefix, tuple(args.trust_balancer)))
    # A fixed program with our own arguments.
    os.execv(argv[0], argv)  # noqa: S606  # nosec B606


if __name__ == "__main__":
    main()
