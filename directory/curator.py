"""Curator commands as plain functions; web/ wraps them as `flask directory ...`."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from directory.loader import load_directory
from directory.model import Directory, DirectoryError, Service
from directory.openreferral import export
from directory.search import NO_TRANSLATIONS, Translations, build_index


@dataclass(frozen=True)
class CheckReport:
    """The outcome of `directory check`: an error, or counts and overdue listings."""

    error: DirectoryError | None = None
    services: int = 0
    areas: int = 0
    overdue: tuple[Service, ...] = field(default_factory=tuple)
    today: date | None = None

    @property
    def ok(self) -> bool:
        """Return whether the data is valid."""
        return self.error is None

    @property
    def exit_code(self) -> int:
        """Return the shell exit code: non-zero on invalid data."""
        return 0 if self.ok else 1

    def lines(self) -> list[str]:
        """Return the report as lines of text for a terminal."""
        if self.error is not None:
            return [f"INVALID {self.error}"]
        lines = [f"OK {self.services} services, {self.areas} areas"]
        if self.overdue:
            lines.append(f"{len(self.overdue)} listings are overdue for checking:")
            for service in self.overdue:
                checked = service.last_checked.isoformat() if service.last_checked else "undated"
                lines.append(
                    f"  {service.id}: source {checked}, review every {service.review_days} days"
                    f" ({service.path})"
                )
        else:
            lines.append("No listings are overdue for checking.")
        return lines


def check(content_dir: Path, today: date, published: Mapping | None = None) -> CheckReport:
    """Validate the content (with what the staff area published) and list what is overdue."""
    try:
        directory = load_directory(content_dir, published)
    except DirectoryError as error:
        return CheckReport(error=error, today=today)
    return CheckReport(
        services=len(directory.services),
        areas=len(directory.areas),
        overdue=directory.overdue(today),
        today=today,
    )


def export_json(directory: Directory, fmt: str = "openreferral") -> str:
    """Return the directory exported as JSON text in the given format."""
    if fmt != "openreferral":
        raise ValueError(f"unknown export format {fmt!r}; use openreferral")
    return json.dumps(export(directory), indent=2, ensure_ascii=False) + "\n"


def reindex(
    directory: Directory,
    index_dir: Path,
    pages: Iterable[Mapping[str, str]] = (),
    translations: Translations = NO_TRANSLATIONS,
) -> Path:
    """Rebuild the search index from scratch and return its folder."""
    return build_index(directory, index_dir, pages, translations)
