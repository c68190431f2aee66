"""Routing rules: every operator, and first-match-wins."""

from __future__ import annotations

import pytest

from chatbot.rules import OPERATORS, Condition, Route, first_match


@pytest.mark.parametrize(
    ("op", "fact", "value", "expected"),
    [
        ("equals", "young", "young", True),
        ("equals", None, "young", False),
        ("not_equals", None, "young", True),
        ("in", "worried", ("worried", "professional"), True),
        ("in", None, ("worried",), False),
        ("is_set", 0, None, True),
        ("is_unset", None, None, True),
        ("less_than", 14, 18, True),
        ("less_than", None, 18, False),
        ("less_than", True, 18, False),
        ("at_least", 18, 18, True),
        ("at_least", "18", 18, False),
    ],
)
def test_operators(op, fact, value, expected):
    """Does each operator in the table do what its name says, even on missing facts?"""
    assert Condition("x", op, value).holds({"x": fact}) is expected


def test_every_operator_is_tested():
    """Is every operator in the table covered above?"""
    assert set(OPERATORS) == {
        "equals",
        "not_equals",
        "in",
        "is_set",
        "is_unset",
        "less_than",
        "at_least",
    }


def test_first_match_wins():
    """Is the first route whose conditions hold chosen, the fallback last?"""
    routes = [
        Route((Condition("who", "equals", "young"),), answer="young"),
        Route((Condition("age", "less_than", 18),), answer="also-young"),
        Route((), answer="fallback"),
    ]
    assert first_match(routes, {"who": "young", "age": 10}).answer == "young"
    assert first_match(routes, {"age": 10}).answer == "also-young"
    assert first_match(routes, {}).answer == "fallback"
