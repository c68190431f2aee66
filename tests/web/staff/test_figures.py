"""Small-number suppression and quarters for the board's figures."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storage.insight import Count
from web.staff.figures import Counts, Quarter, compare, hour_by_weekday, make_table, weekly


def test_a_list_with_one_small_value_hides_the_next_smallest_too():
    """Is a cell under 5 withheld, and the next smallest with it, so the total cannot tell?"""
    table = make_table(
        "t", {("a", "n"): 20, ("b", "n"): 3, ("c", "n"): 9, ("d", "n"): 12}, "abcd", "n"
    )
    assert [row[0] for row in table.cells] == [20, None, None, 12]
    assert table.total == 44


def test_two_small_values_protect_each_other():
    table = make_table("t", {("a", "n"): 20, ("b", "n"): 3, ("c", "n"): 1}, "abc", "n")
    assert [row[0] for row in table.cells] == [20, None, None]
    assert table.total == 24


def test_zero_is_under_five_too():
    table = make_table("t", {("a", "n"): 20, ("b", "n"): 0, ("c", "n"): 7}, "abc", "n")
    assert [row[0] for row in table.cells] == [20, None, None]


def test_a_total_under_five_is_withheld_with_its_cells():
    table = make_table("t", {("a", "n"): 2, ("b", "n"): 1}, "ab", "n")
    assert table.cells == ((None,), (None,)) and table.total is None


def test_rows_and_columns_both_protect_a_small_cell():
    """In a two-way table, can neither a row total nor a column total give a cell away?"""
    counts = {("x", "in"): 30, ("x", "out"): 2, ("y", "in"): 40, ("y", "out"): 25}
    table = make_table("t", counts, ["x", "y"], ["in", "out"])
    assert table.cells[0] == (None, None)  # 2 withheld; 30 with it (row x)
    assert table.cells[1][1] is None  # column "out": 25 withheld with the 2
    assert table.cells[1][0] is None  # then row y and column "in" need a second cell: 40


def test_a_list_whose_values_miss_some_events_keeps_the_rest_hidden():
    """When values do not cover the total, is the remainder treated as a withheld row?"""
    table = make_table("t", {("a", "n"): 30, ("b", "n"): 3}, "ab", "n", total=36)
    assert [row[0] for row in table.cells] == [30, None]
    assert table.total == 36  # 36 - 30 = 6 = b + the 3 unlisted: b cannot be worked out


def unknowns_are_determined(grid, hidden) -> bool:
    """Return whether any withheld cell is fixed by the shown numbers (a line with one)."""
    height, width = len(grid), len(grid[0])
    lines = [[(i, j) for j in range(width)] for i in range(height)]
    lines += [[(i, j) for i in range(height)] for j in range(width)]
    return any(sum(hidden[i][j] for i, j in line) == 1 for line in lines)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda n: st.lists(
            st.lists(st.integers(0, 30), min_size=n, max_size=n), min_size=1, max_size=5
        )
    )
)
def test_no_row_or_column_ever_has_exactly_one_withheld_number(grid):
    """Whatever the counts, does every line have none or at least two numbers withheld, and is
    every shown number at least 5?"""
    rows = [str(i) for i in range(len(grid))]
    columns = [str(j) for j in range(len(grid[0]))]
    counts = {
        (r, c): grid[i][j]
        for (i, r), (j, c) in itertools.product(enumerate(rows), enumerate(columns))
    }
    table = make_table("t", counts, rows, columns)
    full = [[*table.cells[i], table.row_totals[i]] for i in range(len(rows))]
    full.append([*table.column_totals, table.total])
    hidden = [[value is None for value in line] for line in full]
    assert not unknowns_are_determined(full, hidden)
    for line in full:
        assert all(v is None or v >= 5 for v in line)


def test_quarters():
    q = Quarter.parse("2026q4")
    assert (q.start, q.end) == (date(2026, 10, 1), date(2027, 1, 1))
    assert str(q.previous()) == "2026Q3" and str(Quarter.parse("2027Q1").previous()) == "2026Q4"
    assert Quarter.of(date(2026, 12, 1)) == q
    assert q.weeks()[0] == date(2026, 9, 28) and q.weeks()[-1] == date(2026, 12, 28)
    with pytest.raises(ValueError):
        Quarter.parse("2026Q5")


def rows(day: date, metric: str, dimension: str, value: str, n: int) -> Count:
    return Count(day, metric, dimension, value, n)


def test_this_quarter_against_the_last_is_suppressed_per_quarter():
    now, before = Quarter.parse("2026Q4"), Quarter.parse("2026Q3")
    data = [
        rows(date(2026, 10, 5), "answer", "all", "all", 30),
        rows(date(2026, 10, 5), "answer", "channel", "sms", 27),
        rows(date(2026, 10, 5), "answer", "channel", "chat", 3),
        rows(date(2026, 8, 5), "answer", "all", "all", 40),
        rows(date(2026, 8, 5), "answer", "channel", "sms", 20),
        rows(date(2026, 8, 5), "answer", "channel", "chat", 20),
    ]
    table = compare("channel", "answer", "channel", Counts(now, data), Counts(before, data))
    assert table.rows == ("sms", "chat")
    assert table.cells == ((None, 20), (None, 20))
    assert table.column_totals == (30, 40)


def test_hours_are_shown_over_the_quarter_by_weekday_never_for_one_day():
    q = Quarter.parse("2026Q4")
    data = [
        rows(
            date(2026, 10, 5) + (date(2026, 10, 12) - date(2026, 10, 5)) * w,
            "answer",
            "hour",
            "10",
            2,
        )
        for w in range(4)
    ]
    table = hour_by_weekday(Counts(q, data))
    assert table.rows[10] == "10" and table.cells[10][0] == 8  # four Mondays of two
    assert table.column_totals[0] == 8 and table.row_totals[10] == 8
    assert weekly(Counts(q, [rows(date(2026, 10, 6), "answer", "all", "all", 7)])).cells[1] == (7,)


def test_an_empty_table_is_all_withheld_and_ends():
    table = make_table("t", {}, [], ["in", "out"])
    assert table.column_totals == (None, None) and table.total is None
