"""Commands for the staff area and the published directory.

`flask staff add` is the only way an account is made. `flask directory overdue` lists what is
due for a check (for a scheduled job); `export-yaml` and `import-yaml` carry the directory as it
is published to and from YAML files shaped like content/.
"""

from __future__ import annotations

from pathlib import Path

import click
import pyotp
from flask import Flask, current_app
from flask.cli import AppGroup

from directory import DirectoryError
from storage.staff import ROLES
from web.cli import directory_cli
from web.clock import now
from web.content import content, refresh_content
from web.staff import publishing
from web.staff.auth import create_account, staff_store

staff_cli = AppGroup("staff", help="Staff accounts.")


@staff_cli.command("add")
@click.argument("email")
@click.option("--name", required=True, help="The person's name, as colleagues know them.")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.password_option(help="At least 12 characters; asked for when not given.")
def staff_add(email: str, name: str, role: str, password: str):
    """Create a staff account; print its authenticator secret and recovery codes once."""
    store = staff_store()
    if store.user_by_email(email) is not None:
        raise click.ClickException(f"an account for {email} exists already")
    try:
        secret, codes = create_account(store, email, name, role, password)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    store.audit("command line", "account created", f"staff:{email.lower()}", "", role)
    uri = pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name="Lantern staff")
    click.echo(f"Created {role} {email}.")
    click.echo(f"Authenticator app secret: {secret}")
    click.echo(f"or this link as a QR code: {uri}")
    click.echo("Recovery codes (each works once; keep them somewhere safe):")
    for code in codes:
        click.echo(f"  {code}")


@staff_cli.command("reset-second-factor")
@click.argument("email")
def staff_reset_second_factor(email: str):
    """Issue a new authenticator secret and recovery codes (a lost phone); ends its sessions."""
    from web.staff.auth import new_recovery_codes

    store = staff_store()
    user = store.user_by_email(email)
    if user is None:
        raise click.ClickException(f"no account for {email}")
    secret = pyotp.random_base32()
    codes, hashes = new_recovery_codes()
    store.set_second_factor(user.id, secret, hashes)
    store.audit("command line", "second factor reset", f"staff:{user.email}")
    click.echo(f"Authenticator app secret: {secret}")
    click.echo(pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name="Lantern staff"))
    click.echo("Recovery codes (each works once):")
    for code in codes:
        click.echo(f"  {code}")


@directory_cli.command("overdue")
def directory_overdue():
    """List the listings due for a check, most overdue first; exit 1 if any (for cron)."""
    refresh_content(current_app, force=True)
    due = content().directory.overdue(now().date())
    for service in due:
        checked = service.last_checked.isoformat() if service.last_checked else "never"
        click.echo(f"{service.id}: last confirmed {checked}, every {service.review_days} days")
    if not due:
        click.echo("Nothing is overdue.")
    raise SystemExit(1 if due else 0)


@directory_cli.command("export-yaml")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def directory_export_yaml(folder: Path):
    """Write every listing as published now, one YAML file each, shaped like content/."""
    documents = publishing.current_documents(
        Path(current_app.config["LANTERN_CONTENT_DIR"]), staff_store()
    )
    for key, document in sorted(documents.items()):
        kind, _, item_id = key.partition(":")
        target = folder / ("areas" if kind == "area" else "services") / f"{item_id}.yaml"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(publishing.dump(document), encoding="utf-8")
    click.echo(f"{len(documents)} listings written to {folder}")


@directory_cli.command("import-yaml")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--by", "actor", default="import", show_default=True, help="Who the changes are by.")
@click.option("--why", default="imported from YAML", show_default=True)
def directory_import_yaml(folder: Path, actor: str, why: str):
    """Bring listings from YAML files; changes to numbers, addresses or hours wait for review.

    Every file is validated with the whole directory before anything is recorded, so a bad
    file leaves nothing half-imported.
    """
    content_dir = Path(current_app.config["LANTERN_CONTENT_DIR"])
    store = staff_store()
    current = publishing.current_documents(content_dir, store)
    incoming: dict[str, dict] = {}
    for kind, sub in (("area", "areas"), ("service", "services")):
        for path in sorted((folder / sub).glob("*.yaml")):
            try:
                document = publishing.parse(path.read_text(encoding="utf-8"), str(path))
            except DirectoryError as error:
                raise click.ClickException(str(error)) from None
            incoming[f"{kind}:{document.get('id')}"] = document
    changed = {
        k: v
        for k, v in incoming.items()
        if publishing.dump(v) != publishing.dump(current.get(k) or {})
    }
    try:
        publishing.validate(content_dir, store, changed)
    except DirectoryError as error:
        raise click.ClickException(f"nothing imported: {error}") from None
    results = [
        publishing.propose(content_dir, store, key, document, why, actor, source="import")
        for key, document in sorted(changed.items())
    ]
    waiting = sum(1 for change in results if change.status == "pending")
    click.echo(
        f"{len(incoming)} listings read, {len(changed)} changed: "
        f"{len(changed) - waiting} published, {waiting} waiting for a reviewer"
    )


def _import(
    documents: list[dict],
    source: str,
    actor: str,
    why: str,
    locate,
) -> None:
    """Queue imported listings for review: all validated first, so none or all are queued."""
    content_dir = Path(current_app.config["LANTERN_CONTENT_DIR"])
    store = staff_store()
    seen: set[str] = set()
    for document in documents:
        if document["id"] in seen:
            raise click.ClickException(
                f"nothing imported: {locate(document['id'], 'id')}: appears twice"
            )
        seen.add(document["id"])
    current = publishing.current_documents(content_dir, store)
    changed = {
        f"service:{d['id']}": d
        for d in documents
        if publishing.dump(d) != publishing.dump(current.get(f"service:{d['id']}") or {})
    }
    try:
        publishing.validate(content_dir, store, changed)
    except DirectoryError as error:
        item_id = Path(str(error.path)).name if str(error.path).startswith("published") else ""
        raise click.ClickException(
            f"nothing imported: {locate(item_id, error.field)}: {error.message}"
        ) from None
    for key, document in sorted(changed.items()):
        publishing.propose(
            content_dir, store, key, document, why, actor, source=source, always_review=True
        )
    click.echo(
        f"{len(documents)} listings read, {len(changed)} new or changed, all waiting for a "
        "reviewer in the staff area"
    )


@directory_cli.command("import-oruk")
@click.argument("source")
@click.option("--area", default="national", show_default=True, help="Area the services cover.")
@click.option("--audience", default="families", show_default=True, help="When a record has none.")
@click.option("--category", default="advocacy", show_default=True, help="When a record has none.")
@click.option("--by", "actor", default="import (Open Referral UK)", show_default=True)
def directory_import_oruk(source: str, area: str, audience: str, category: str, actor: str):
    """Read an Open Referral UK feed (URL, paged) or file into the review queue."""
    from directory.imports import ImportProblem, oruk_document, read_oruk

    try:
        records, label = read_oruk(source)
        url = source if source.startswith(("http://", "https://")) else None
        documents = [
            oruk_document(
                record,
                f"service {record['id']}",
                label,
                url,
                area,
                now().date(),
                audience,
                category,
            )
            for record in records
        ]
    except (ImportProblem, OSError) as error:
        raise click.ClickException(f"nothing imported: {error}") from None
    by_slug = {d["id"]: r["id"] for d, r in zip(documents, records, strict=True)}

    def locate(item_id: str, field: str) -> str:
        return f"service {by_slug.get(item_id, item_id)} ({item_id}), field {field}"

    _import(documents, "oruk", actor, f"imported from Open Referral UK: {label}", locate)


@directory_cli.command("import-csv")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--by", "actor", default="import (CSV)", show_default=True)
def directory_import_csv(path: Path, actor: str):
    """Read the spreadsheet template (one row per service, one per contact) into the queue."""
    from directory.imports import ImportProblem, csv_location, read_csv

    try:
        documents, origins = read_csv(path.read_text(encoding="utf-8-sig"), now().date())
    except ImportProblem as error:
        raise click.ClickException(
            f"nothing imported: {error.where}, column {error.field}: {error.message}"
        ) from None

    def locate(item_id: str, field: str) -> str:
        return csv_location(origins, item_id, field)

    _import(documents, "csv", actor, f"imported from {path.name}", locate)


@directory_cli.command("csv-template")
def directory_csv_template():
    """Print the CSV template a council fills in."""
    from directory.imports import csv_template

    click.echo(csv_template(), nl=False)


def register_staff_commands(app: Flask) -> None:
    app.cli.add_command(staff_cli)
