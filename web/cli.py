"""Curator and operator commands: `flask data purge` (and the others as their parts land)."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask import Flask, current_app
from flask.cli import AppGroup

data = AppGroup("data", help="Stored data: retention.")


@data.command("purge")
@click.option("--days", type=int, default=None, help="Keep feedback this many days.")
def purge(days: int | None):
    """Remove expired conversations and feedback older than the retention period.

    Run it daily from cron, for example: 17 3 * * * cd /srv/lantern && .venv/bin/flask data purge
    """
    keep = days if days is not None else current_app.config["LANTERN_FEEDBACK_DAYS"]
    counts = current_app.extensions["lantern_store"].purge(datetime.now(UTC), keep)
    click.echo(", ".join(f"{name}: {n} removed" for name, n in counts.items()))


def register_commands(app: Flask) -> None:
    app.cli.add_command(data)
