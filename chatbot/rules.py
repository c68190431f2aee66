"""Routing rules: conditions on facts, evaluated first-match-wins; operators in one table."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


def _number(value: Any) -> float | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _less_than(fact: Any, value: Any) -> bool:
    number = _number(fact)
    return number is not None and number < value


def _at_least(fact: Any, value: Any) -> bool:
    number = _number(fact)
    return number is not None and number >= value


OPERATORS: Mapping[str, Callable[[Any, Any], bool]] = {
    "equals": lambda fact, value: fact == value,
    "not_equals": lambda fact, value: fact != value,
    "in": lambda fact, value: fact in value,
    "is_set": lambda fact, value: fact is not None,
    "is_unset": lambda fact, value: fact is None,
    "less_than": _less_than,
    "at_least": _at_least,
}
# Operators that take no value.
UNARY = frozenset({"is_set", "is_unset"})


@dataclass(frozen=True)
class Condition:
    """One test of one fact."""

    fact: str
    op: str
    value: Any = None

    def holds(self, facts: Mapping[str, Any]) -> bool:
        """Return whether the condition holds for these facts."""
        return OPERATORS[self.op](facts.get(self.fact), self.value)


def all_hold(conditions: Sequence[Condition], facts: Mapping[str, Any]) -> bool:
    """Return whether every condition holds (an empty list always holds)."""
    return all(condition.holds(facts) for condition in conditions)


@dataclass(frozen=True)
class Route:
    """Ask a question or give an answer when all conditions hold."""

    when: tuple[Condition, ...]
    ask: str | None = None
    answer: str | None = None


def first_match(routes: Sequence[Route], facts: Mapping[str, Any]) -> Route:
    """Return the first route whose conditions hold; the flow ends with one that always does."""
    return next(route for route in routes if all_hold(route.when, facts))
