"""Curator and operator commands: `flask data purge` (and the others as their parts land)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from web.content import content, page_documents

data = AppGroup("data", help="Stored data: retention.")
directory_cli = AppGroup("directory", help="The support directory: check, export, reindex.")


@directory_cli.command("check")
def directory_check():
    """Validate every listing and area; list the listings overdue for checking."""
    import yaml

    from directory.curator import check

    store = current_app.extensions.get("lantern_staff")
    published = {k: yaml.safe_load(v) for k, v in store.published().items()} if store else {}
    report = check(
        Path(current_app.config["LANTERN_CONTENT_DIR"]), datetime.now(UTC).date(), published
    )
    for line in report.lines():
        click.echo(line)
    raise SystemExit(report.exit_code)


@directory_cli.command("export")
@click.option("--format", "fmt", default="openreferral", show_default=True)
def directory_export(fmt: str):
    """Write the directory as Open Referral UK JSON to standard output."""
    from directory.curator import export_json

    click.echo(export_json(content().directory, fmt), nl=False)


@directory_cli.command("reindex")
def directory_reindex():
    """Rebuild the search index from the content files."""
    from directory.curator import reindex

    folder = reindex(
        content().directory,
        Path(current_app.config["LANTERN_INDEX_DIR"]),
        page_documents(content().pages),
        content().search.translations,
    )
    click.echo(f"index rebuilt in {folder}")


@data.command("purge")
@click.option("--days", type=int, default=None, help="Keep feedback this many days.")
def purge(days: int | None):
    """Remove expired conversations and feedback older than the retention period.

    Run it daily from cron, for example: 17 3 * * * cd /srv/lantern && .venv/bin/flask data purge
    """
    keep = days if days is not None else current_app.config["LANTERN_FEEDBACK_DAYS"]
    counts = current_app.extensions["lantern_store"].purge(datetime.now(UTC), keep)
    click.echo(", ".join(f"{name}: {n} removed" for name, n in counts.items()))


chat_cli = AppGroup("chat", help="The triage conversation.")


@chat_cli.command("simulate")
@click.option("--lang", default="en", show_default=True, help="Language to start in.")
def chat_simulate(lang: str):
    """Hold a conversation with the triage engine in the terminal."""
    import sys

    from chatbot.channels.common import translate
    from chatbot.simulate import run

    run(content().directory, content().flow, translate, sys.stdin, sys.stdout, locale=lang)


def register_commands(app: Flask) -> None:
    app.cli.add_command(data)
    app.cli.add_command(directory_cli)
    app.cli.add_command(chat_cli)
