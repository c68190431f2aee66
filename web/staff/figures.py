"""The board's figures from the insight counters: quarters, tables and small-number suppression.

Plain Python (no Flask), shared by /staff/insight and `flask insight report`. Every number that
leaves here has been through `suppress`: a cell under 5 becomes None ("fewer than 5"), and
whenever a row or column would let a total give a suppressed cell away, the next smallest cell
of that row or column is suppressed too (secondary suppression), until no line has exactly one.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from storage.insight import Count

THRESHOLD = 5
_QUARTER = re.compile(r"(\d{4})Q([1-4])")


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        found = _QUARTER.fullmatch(text.strip().upper())
        if not found:
            raise ValueError(f"{text!r} is not a quarter such as 2026Q4")
        return cls(int(found.group(1)), int(found.group(2)))

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        """The first day after the quarter."""
        return self.next().start

    def next(self) -> Quarter:
        if self.number == 4:
            return Quarter(self.year + 1, 1)
        return Quarter(self.year, self.number + 1)

    def previous(self) -> Quarter:
        if self.number == 1:
            return Quarter(self.year - 1, 4)
        return Quarter(self.year, self.number - 1)

    def weeks(self) -> list[date]:
        """Return the Mondays of the weeks that overlap the quarter."""
        monday = self.start - timedelta(days=self.start.weekday())
        return [monday + timedelta(weeks=n) for n in range((self.end - monday).days // 7 + 1)]

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"


@dataclass(frozen=True)
class Table:
    """A table of counts with its row and column totals, suppressed: None reads "fewer than 5".

    `cells[i][j]`, `row_totals[i]`, `column_totals[j]` and `total`, each an int or None.
    """

    key: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: tuple[tuple[int | None, ...], ...]
    row_totals: tuple[int | None, ...]
    column_totals: tuple[int | None, ...]
    total: int | None

    @property
    def suppressed(self) -> int:
        """Return how many numbers the table withholds."""
        every = [*self.row_totals, *self.column_totals, self.total]
        every += [c for row in self.cells for c in row]
        return sum(1 for c in every if c is None)


def suppress(grid: Sequence[Sequence[int]]) -> list[list[bool]]:
    """Return which cells of a grid to withhold; its last row and column are the totals.

    Primary: every cell under THRESHOLD. Secondary: each row and each column is one sum (its
    cells add up to its last cell), so a line with exactly one withheld member would give it
    away: withhold the smallest other cell of that line (the total only if no cell is left).
    Repeat until no line has exactly one.
    """
    height, width = len(grid), len(grid[0])
    hidden = [[grid[i][j] < THRESHOLD for j in range(width)] for i in range(height)]
    lines = [[(i, j) for j in range(width)] for i in range(height)]
    lines += [[(i, j) for i in range(height)] for j in range(width)]
    changed = True
    while changed:
        changed = False
        for line in lines:
            withheld = [p for p in line if hidden[p[0]][p[1]]]
            if len(withheld) != 1:
                continue
            cells, total = line[:-1], line[-1]
            shown = [p for p in cells if not hidden[p[0]][p[1]]]
            choice = min(shown, key=lambda p: (grid[p[0]][p[1]], p)) if shown else total
            if not hidden[choice[0]][choice[1]]:  # a line of the total alone has nothing to add
                hidden[choice[0]][choice[1]] = True
                changed = True
    return hidden


def make_table(
    key: str,
    counts: dict[tuple[str, str], int],
    rows: Iterable[str],
    columns: Iterable[str],
    total: int | None = None,
) -> Table:
    """Build a suppressed table from counts by (row, column); `total` overrides the grand total
    (for a list whose values may not cover every event)."""
    rows, columns = tuple(rows), tuple(columns)
    grid = [[counts.get((r, c), 0) for c in columns] for r in rows]
    row_totals = [sum(line) for line in grid]
    column_totals = [sum(grid[i][j] for i in range(len(rows))) for j in range(len(columns))]
    grand = sum(row_totals) if total is None else total
    if total is not None and len(columns) == 1 and rows:
        # A list whose values leave some events out: the missing ones form a hidden row, so
        # the shown total cannot be used to work a withheld value out either.
        rest = max(total - column_totals[0], 0)
        if rest:
            grid.append([rest])
            row_totals.append(rest)
            column_totals = [total]
    full = [[*line, t] for line, t in zip(grid, row_totals, strict=True)]
    full.append([*column_totals, grand])
    hidden = suppress(full) if full and full[0] else []

    def shown(i: int, j: int) -> int | None:
        return None if hidden[i][j] else full[i][j]

    n, m = len(rows), len(columns)
    last = len(full) - 1
    return Table(
        key=key,
        rows=rows,
        columns=columns,
        cells=tuple(tuple(shown(i, j) for j in range(m)) for i in range(n)),
        row_totals=tuple(shown(i, m) for i in range(n)),
        column_totals=tuple(shown(last, j) for j in range(m)),
        total=shown(last, m),
    )


class Counts:
    """The counters of one quarter, summed over its days."""

    def __init__(self, quarter: Quarter, rows: Iterable[Count]):
        self.quarter = quarter
        self.total: dict[tuple[str, str, str], int] = defaultdict(int)
        self.by_day: dict[tuple[date, str, str, str], int] = defaultdict(int)
        for r in rows:
            if quarter.start <= r.day < quarter.end:
                self.total[r.metric, r.dimension, r.value] += r.count
                self.by_day[r.day, r.metric, r.dimension, r.value] += r.count

    def values(self, metric: str, dimension: str) -> dict[str, int]:
        return {v: n for (m, d, v), n in self.total.items() if m == metric and d == dimension}

    def of(self, metric: str) -> int:
        return self.total.get((metric, "all", "all"), 0)


def compare(
    key: str, metric: str, dimension: str, now: Counts, before: Counts, order: Sequence[str] = ()
) -> Table:
    """Return a table of one dimension's values: this quarter and the last, each suppressed on
    its own (each column adds up to its quarter's total)."""
    this, last = now.values(metric, dimension), before.values(metric, dimension)
    seen = [v for v in order if v in this or v in last]
    seen += sorted((set(this) | set(last)) - set(seen), key=lambda v: (-this.get(v, 0), v))
    tables = [
        make_table(key, {(v, "n"): counts.get(v, 0) for v in seen}, seen, ["n"], total)
        for counts, total in ((this, now.of(metric)), (last, before.of(metric)))
    ]
    return Table(
        key=key,
        rows=tuple(seen),
        columns=(str(now.quarter), str(before.quarter)),
        cells=tuple((tables[0].cells[i][0], tables[1].cells[i][0]) for i in range(len(seen))),
        row_totals=tuple(None for _ in seen),  # a row across two quarters is no total
        column_totals=(tables[0].total, tables[1].total),
        total=None,
    )


def hour_by_weekday(counts: Counts, metric: str = "answer") -> Table:
    """Return an hour × weekday table of a quarter (London time), with its totals."""
    cells: dict[tuple[str, str], int] = defaultdict(int)
    for (day, m, dimension, value), n in counts.by_day.items():
        if m == metric and dimension == "hour":
            cells[value, str(day.weekday())] += n
    return make_table("hours", cells, [str(h) for h in range(24)], [str(d) for d in range(7)])


def weekly(counts: Counts, metric: str = "answer") -> Table:
    """Return a quarter's counts week by week (weeks begin on Monday)."""
    cells: dict[tuple[str, str], int] = defaultdict(int)
    for (day, m, dimension, _), n in counts.by_day.items():
        if m == metric and dimension == "all":
            cells[(day - timedelta(days=day.weekday())).isoformat(), "n"] += n
    weeks = [w.isoformat() for w in counts.quarter.weeks()]
    return make_table("weeks", cells, weeks, ["n"])


def split(counts: Counts, metric: str, dimension: str, columns: Sequence[str], key: str) -> Table:
    """Return a table of values written "row|column" (front-door number|hours, page|answer)."""
    cells: dict[tuple[str, str], int] = defaultdict(int)
    for value, n in counts.values(metric, dimension).items():
        row, _, column = value.rpartition("|")
        if column in columns:
            cells[row, column] += n
    rows = sorted({r for r, _ in cells}, key=lambda r: (-sum(cells[r, c] for c in columns), r))
    return make_table(key, cells, rows, columns)
