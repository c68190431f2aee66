"""Curator and operator commands: `flask data purge` (and the others as their parts land)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from web.clock import now
from web.content import content, page_documents

data = AppGroup("data", help="Stored data: retention.")
directory_cli = AppGroup("directory", help="The support directory: check, export, reindex.")


@directory_cli.command("check")
def directory_check():
    """Validate every listing, area and labelled message; list what is overdue or stale."""
    import yaml

    from chatbot.reader.corpus import check as check_corpus
    from directory.curator import check

    store = current_app.extensions.get("lantern_staff")
    published = {k: yaml.safe_load(v) for k, v in store.published().items()} if store else {}
    report = check(Path(current_app.config["LANTERN_CONTENT_DIR"]), now().date(), published)
    for line in report.lines():
        click.echo(line)
    model = content().flow.model if content().flow is not None else None
    problems = check_corpus(_flows_dir(), model.corpus if model is not None else None)
    for line in problems:
        click.echo(line)
    raise SystemExit(report.exit_code or (1 if problems else 0))


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
    counts = current_app.extensions["lantern_store"].purge(now(), keep)
    click.echo(", ".join(f"{name}: {n} removed" for name, n in counts.items()))


chat_cli = AppGroup("chat", help="The triage conversation.")


@chat_cli.command("simulate")
@click.option("--lang", default="en", show_default=True, help="Language to start in.")
def chat_simulate(lang: str):
    """Hold a conversation with the triage engine in the terminal."""
    import sys

    from chatbot.simulate import run
    from web.locale import translate

    run(content().directory, content().flow, translate, sys.stdin, sys.stdout, locale=lang)


def _flows_dir() -> Path:
    return Path(current_app.config["LANTERN_CONTENT_DIR"]) / "flows"


@chat_cli.command("train")
def chat_train():
    """Fit the reader's classifier on the corpus, set its thresholds on the dev set, save it."""
    from chatbot.flow import MODEL_DIR
    from chatbot.reader.corpus import DEV_DIR
    from chatbot.reader.model import MODEL_FILE
    from chatbot.reader.train import train

    flows = _flows_dir()
    model = train(flows, flows / DEV_DIR, flows / MODEL_DIR / MODEL_FILE)
    size = (flows / MODEL_DIR / MODEL_FILE).stat().st_size
    click.echo(
        f"trained on corpus {model.corpus[:12]}; thresholds {model.thresholds}; {size:,} bytes"
    )


@chat_cli.command("compare")
def chat_compare():
    """Compare classifier approaches: trained on the corpus, measured on the dev set."""
    from chatbot.reader.corpus import DEV_DIR, load_examples, training
    from chatbot.reader.train import compare

    flows = _flows_dir()
    trials = compare(training(flows), load_examples(flows / DEV_DIR))
    click.echo(
        "| features: approach | danger AUC | recall, 10% of calm with 999 "
        "| calm with 999, 98% recall | who | language |"
    )
    click.echo("|---|---|---|---|---|---|")
    for t in trials:
        click.echo(
            f"| {t.name} | {t.danger_auc:.3f} | {t.recall_at_10:.1%} | {t.alarms_at_98:.1%} "
            f"| {t.who:.1%} | {t.form:.1%} |"
        )


@chat_cli.command("evaluate")
@click.option(
    "--set",
    "which",
    type=click.Choice(["heldout", "dev", "spent"]),
    default="heldout",
    show_default=True,
    help="heldout: the frozen set nobody tunes against; dev: the set thresholds are chosen on; "
    "spent: an earlier held-out set, measured once, now trained on.",
)
@click.option("--worst", default=5, show_default=True, help="Misses to list per language form.")
def chat_evaluate(which: str, worst: int):
    """Print danger recall and precision per language, who-is-writing accuracy and the misses."""
    from chatbot.reader.corpus import load_conversations, load_examples
    from chatbot.reader.evaluate import evaluate, lines
    from web.locale import translate

    folder = _flows_dir() / which
    loaded = content()
    report = evaluate(
        load_examples(folder),
        load_conversations(folder),
        flow=loaded.flow,
        directory=loaded.directory,
        translate=translate,
        now=now(),
    )
    for line in lines(report, worst):
        click.echo(line)


def register_commands(app: Flask) -> None:
    app.cli.add_command(data)
    app.cli.add_command(directory_cli)
    app.cli.add_command(chat_cli)
