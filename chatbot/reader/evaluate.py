"""Measure the reader and engine on labelled messages they did not learn from.

`flask chat evaluate` prints it.

Each message is sent as the first message of a new conversation, as a texter would, and judged
on what the person sees: whether the reply opens with 999, who the engine took the writer to be,
and which language it answered in. Scripted conversations are judged turn by turn.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chatbot.engine import step
from chatbot.reader.corpus import FORMS, WHO, Conversation, Example
from chatbot.reader.language import locale_of

# What the engine's facts say about who is writing, in the corpus's labels.
FRONT_DOOR = "front-door"


def engine_who(facts: dict) -> str:
    """Return the corpus label for the engine's idea of who is writing."""
    who = facts.get("who")
    if who == "other" and facts.get("topic") == "thoughts":
        return "thoughts"
    if who in WHO:
        return who
    return "unknown"


@dataclass
class FormResult:
    """Figures for one language form."""

    messages: int = 0
    danger: int = 0
    caught: int = 0  # danger messages whose reply opened with 999
    sure: int = 0  # ... with the full danger answer, not just the one unsure line
    calm: int = 0
    alarms: int = 0  # non-danger messages whose reply opened with 999
    who_right: int = 0
    language_right: int = 0
    missed: list[tuple[float, str]] = field(default_factory=list)
    false_alarms: list[tuple[float, str]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.caught / self.danger if self.danger else float("nan")

    @property
    def precision(self) -> float:
        flagged = self.caught + self.alarms
        return self.caught / flagged if flagged else float("nan")

    @property
    def alarm_rate(self) -> float:
        return self.alarms / self.calm if self.calm else float("nan")

    @property
    def who(self) -> float:
        return self.who_right / self.messages if self.messages else float("nan")

    @property
    def language(self) -> float:
        return self.language_right / self.messages if self.messages else float("nan")


@dataclass
class Report:
    """Everything `flask chat evaluate` prints."""

    forms: dict[str, FormResult]
    confusion: Counter  # (label, engine's who) -> count
    conversations: int = 0
    turns_right: int = 0
    turns: int = 0
    ends_right: int = 0
    failed_conversations: list[str] = field(default_factory=list)

    @property
    def total(self) -> FormResult:
        out = FormResult()
        for result in self.forms.values():
            for name in (
                "messages",
                "danger",
                "caught",
                "sure",
                "calm",
                "alarms",
                "who_right",
                "language_right",
            ):
                setattr(out, name, getattr(out, name) + getattr(result, name))
        return out


def evaluate(
    examples: Sequence[Example],
    conversations: Sequence[Conversation],
    *,
    flow: Any,
    directory: Any,
    translate: Callable[[str, str], str],
    now: datetime,
    locale: str = "en",
) -> Report:
    """Send each message as a first message, and each conversation in turn; count the results."""
    forms: dict[str, FormResult] = defaultdict(FormResult)
    confusion: Counter = Counter()
    for example in examples:
        state, reply = step(
            None, example.text, locale, now, directory=directory, flow=flow, translate=translate
        )
        result = forms[example.form]
        result.messages += 1
        p = flow.model.scores(example.text).danger if flow.model is not None else 0.0
        if example.danger:
            result.danger += 1
            if reply.leads_with_999:
                result.caught += 1
                result.sure += bool(reply.danger)
            else:
                result.missed.append((p, example.text))
        else:
            result.calm += 1
            if reply.leads_with_999:
                result.alarms += 1
                result.false_alarms.append((p, example.text))
        said = engine_who(state.facts)
        confusion[(example.who, said)] += 1
        result.who_right += said == example.who
        result.language_right += reply.locale == locale_of(example.form)
    report = Report({form: forms[form] for form in FORMS if form in forms}, confusion)
    for conversation in conversations:
        _conversation(report, conversation, flow, directory, translate, now, locale)
    return report


def _conversation(
    report: Report, conversation: Conversation, flow, directory, translate, now, locale
) -> None:
    state, reply, ok = None, None, True
    for text, danger in zip(conversation.turns, conversation.danger, strict=True):
        state, reply = step(
            state, text, locale, now, directory=directory, flow=flow, translate=translate
        )
        report.turns += 1
        right = reply.leads_with_999 == danger
        report.turns_right += right
        ok = ok and right
    named = set(reply.contacts) if reply else set()
    named |= {FRONT_DOOR} if any(c.endswith("-mash") for c in named) else set()
    end = conversation.expect <= named
    report.conversations += 1
    report.ends_right += end
    if not (ok and end):
        missing = ", ".join(sorted(conversation.expect - named)) or "-"
        report.failed_conversations.append(
            f"[{conversation.form}] {' | '.join(conversation.turns)} -> "
            f"{reply.route if reply else '-'}; missing {missing}"
        )


def lines(report: Report, worst: int = 5) -> list[str]:
    """Return the report as printable lines."""
    out = [
        "form      msgs  danger  recall  sure   precision  999 on calm  who    language",
    ]
    rows = [*report.forms.items(), ("all", report.total)]
    for form, r in rows:
        out.append(
            f"{form:<9} {r.messages:>4}  {r.danger:>6}  {r.recall:6.1%}  "
            f"{r.sure / r.danger if r.danger else 0:5.1%}"
            f"  {r.precision:9.1%}  {r.alarm_rate:11.1%}  {r.who:5.1%}  {r.language:6.1%}"
        )
    out += ["", "who is writing (rows: label, columns: engine)"]
    labels = list(WHO)
    out.append(" " * 13 + "".join(f"{label[:8]:>9}" for label in labels))
    for label in labels:
        out.append(
            f"{label:<13}" + "".join(f"{report.confusion[(label, said)]:>9}" for said in labels)
        )
    if report.conversations:
        out += [
            "",
            f"conversations: {report.ends_right}/{report.conversations} ended naming every "
            f"expected contact; {report.turns_right}/{report.turns} turns opened (or not) with "
            "999 as expected",
        ]
    out += ["", "worst misses (danger not led with 999; the model's danger probability):"]
    for form, r in report.forms.items():
        for p, text in sorted(r.missed)[:worst]:
            out.append(f"  [{form}] {p:.2f} {text[:110]}")
    out += ["", "worst false alarms (999 on a message without danger):"]
    for form, r in report.forms.items():
        for p, text in sorted(r.false_alarms, reverse=True)[:worst]:
            out.append(f"  [{form}] {p:.2f} {text[:110]}")
    if report.failed_conversations:
        out += ["", "conversations that went wrong:"]
        out += [f"  {line[:200]}" for line in report.failed_conversations[: worst * 4]]
    return out
