"""The triage engine: one message in, the next state and a reply out. Pure and deterministic."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from chatbot.flow import DEFAULT_CHANNELS, Entry, Flow, Node
from chatbot.reader import Reading, read
from chatbot.reader.language import add, best, locale_of
from chatbot.reader.slots import Places
from chatbot.rules import all_hold, first_match
from chatbot.segments import fits

Translate = Callable[[str, str], str]
STATE_VERSION = 2
MAX_NUMBERS = 4  # numbers a person can take in from one reply
MAX_CHARS = 2000  # longer messages are cut before reading; SMS bodies stop at 1600
EMPTY_FACTS: Mapping[str, Any] = {
    "who": None,
    "age": None,
    "area": None,
    "area_kind": None,
    "topic": None,
    "want": None,
    "asked": 0,
}
NO_AREA = "none"
ADULT_ROLES = frozenset({"worried", "professional", "survivor", "accused"})


class Kind(StrEnum):
    """What a reply is."""

    QUESTION = "question"
    ANSWER = "answer"
    HELP = "help"
    STOP = "stop"
    AFTER = "after"


@dataclass(frozen=True)
class Line:
    """One line of a reply, and the contact it names, if any."""

    text: str
    service: str | None = None
    contact: Any = None  # directory.Contact
    priority: int = 50  # when a reply is too long, the lowest goes first
    shown: str = ""  # how the contact is written in `text`, for channels that link it
    typed: bool = False  # asks people to type a word (MENU): SMS says it, web chat shows buttons

    @property
    def is_number(self) -> bool:
        return self.contact is not None and self.contact.is_number


@dataclass(frozen=True)
class Reply:
    """What to say back: lines, numbered options, then footer lines (the 999 line)."""

    locale: str
    kind: Kind
    route: str  # the node asked or the answer given
    lines: tuple[Line, ...] = ()
    options: tuple[tuple[str, str], ...] = ()
    footer: tuple[Line, ...] = ()
    danger: frozenset[str] = field(default_factory=frozenset)
    forget: bool = False
    unsure: bool = False  # danger possible: the reply opens with one 999 line
    more: tuple[tuple[str, str], ...] = ()  # what the person can ask next, after an answer
    more_in_text: bool = True  # whether `more` fits the SMS allowance (web chat always shows it)

    @property
    def all_lines(self) -> tuple[Line, ...]:
        return self.lines + self.footer

    @property
    def contacts(self) -> tuple[str, ...]:
        """Return the directory ids the reply names, in order."""
        return tuple(dict.fromkeys(line.service for line in self.all_lines if line.service))

    @property
    def numbers(self) -> int:
        return sum(1 for line in self.all_lines if line.is_number)

    @property
    def leads_with_999(self) -> bool:
        """Return whether the first line names 999 (a danger or unsure reply)."""
        return bool(self.lines) and self.lines[0].service == "emergency-999"

    def text(self) -> str:
        """Return the reply as one message: lines, then options, then the footer."""
        more = self.more if self.more_in_text else ()
        return _text(self.lines, self.options + more, self.footer)


@dataclass
class State:
    """Where a conversation stands: what is known, what was asked, which language."""

    v: int = STATE_VERSION
    locale: str | None = None
    chosen: bool = False  # the person picked the language themselves: no more guessing
    form: str | None = None  # the language form read so far ("ur-Latn" for Roman Urdu)
    langs: dict[str, float] = field(default_factory=dict)  # evidence per language form
    node: str | None = None
    answer: str | None = None
    facts: dict[str, Any] = field(default_factory=lambda: dict(EMPTY_FACTS))
    alert: bool = (
        False  # danger was raised: every reply opens with 999 until they say they are safe
    )

    def to_dict(self) -> dict:
        """Return the state as plain data for a store."""
        return asdict(self)

    @classmethod
    def load(cls, data: Any, flow: Flow, directory: Any) -> State:
        """Return a valid state from stored data; anything odd starts over."""
        if isinstance(data, State):
            data = data.to_dict()
        fresh = cls()
        if not isinstance(data, Mapping) or data.get("v") != STATE_VERSION:
            return fresh
        if data.get("locale") in flow.languages:
            fresh.locale = data["locale"]
        fresh.chosen = data.get("chosen") is True
        fresh.alert = data.get("alert") is True
        if isinstance(data.get("form"), str) and len(data["form"]) <= 8:
            fresh.form = data["form"]
        langs = data.get("langs")
        if isinstance(langs, Mapping):
            fresh.langs = {
                str(k)[:8]: float(v)
                for k, v in list(langs.items())[:12]
                if isinstance(v, int | float) and not isinstance(v, bool) and abs(v) < 1e6
            }
        if data.get("node") in flow.nodes:
            fresh.node = data["node"]
        if data.get("answer") in flow.answers:
            fresh.answer = data["answer"]
        facts = data.get("facts")
        if isinstance(facts, Mapping):
            for key in ("who", "topic", "want"):
                if isinstance(facts.get(key), str) and len(facts[key]) <= 40:
                    fresh.facts[key] = facts[key]
            for key, limit in (("age", 130), ("asked", 100)):
                value = facts.get(key)
                if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= limit:
                    fresh.facts[key] = value
            area = facts.get("area")
            if area == NO_AREA or (isinstance(area, str) and area in directory.areas):
                fresh.facts["area"] = area
                fresh.facts["area_kind"] = _area_kind(directory, area)
        return fresh


def new_state() -> dict:
    """Return the state of a conversation that has not started, as stored."""
    return State().to_dict()


def _area_kind(directory: Any, area_id: str) -> str:
    area = directory.areas.get(area_id) if area_id != NO_AREA else None
    return "local" if area is not None and area.front_door is not None else "national"


def _say(translate: Translate, msgid: str, locale: str, params: Mapping[str, str]) -> str:
    """Translate and fill placeholders; a translation with broken placeholders falls back."""
    text = translate(msgid, locale) or msgid
    try:
        return text % params if "%(" in text else text
    except (KeyError, ValueError, TypeError):
        return msgid % params if "%(" in msgid else msgid


class _Composer:
    """Turn flow entries into lines with real contacts, keeping to MAX_NUMBERS."""

    def __init__(
        self,
        flow: Flow,
        directory: Any,
        translate: Translate,
        locale: str,
        now: datetime,
        facts: Mapping[str, Any],
    ):
        self.flow, self.directory, self.translate = flow, directory, translate
        self.locale, self.now, self.facts = locale, now, facts
        self.services: set[tuple[str, str]] = set()  # (service, channel) already named
        self.numbers = 0

    def _contact(self, entry: Entry) -> tuple[str | None, Any, str]:
        if entry.front_door:
            area_id = self.facts.get("area")
            area = self.directory.areas.get(area_id) if area_id else None
            contact = self.directory.front_door_now(area.id if area else None, self.now)
            service_id = area.front_door_service_id if area and area.front_door else None
            return service_id or "front-door", contact, area.name if area else ""
        service = None
        if entry.service:
            service = self.directory.services.get(entry.service)
        elif entry.local:
            service = self._local(*entry.local)
        if service is None:
            return None, None, ""
        for channel in entry.channels:
            contact = next((c for c in service.contacts if c.channel == channel), None)
            if contact is not None:
                return service.id, contact, service.name
        return service.id, None, service.name

    def _local(self, category: str, audience: str) -> Any:
        area = self.facts.get("area")
        if not area or area == NO_AREA:
            return None
        found = [
            s
            for s in self.directory.services.values()
            if area in s.areas
            and category in s.categories
            and audience in s.audiences
            and s.status == "active"
        ]
        return min(found, key=lambda s: s.id) if found else None

    def lines(self, entries: Sequence[Entry], priority: int) -> list[Line]:
        """Render entries; `priority` ranks them against other parts of the reply."""
        out = []
        for entry in entries:
            rank = priority - len(out)
            if entry.when and not all_hold(entry.when, self.facts):
                continue
            names_contact = bool(entry.service or entry.front_door or entry.local)
            if not names_contact:
                text = _say(self.translate, entry.say, self.locale, {})
                out.append(
                    Line(text, priority=rank if entry.keep else rank - 30, typed=entry.typed)
                )
                continue
            service_id, contact, name = self._contact(entry)
            # A service is named once, unless a line offers another way to reach it (chat).
            if (
                contact is None
                or (service_id, contact.channel) in self.services
                or (
                    service_id in {s for s, _ in self.services}
                    and entry.channels == DEFAULT_CHANNELS
                )
            ):
                continue
            if contact.is_number and self.numbers >= MAX_NUMBERS:
                continue
            self.services.add((service_id, contact.channel))
            self.numbers += contact.is_number
            shown = _display(contact)
            params = {"number": shown, "keyword": contact.keyword, "name": name}
            text = _say(self.translate, entry.say, self.locale, params)
            out.append(
                Line(
                    text,
                    service_id,
                    contact,
                    priority=rank if contact.is_number else rank - 20,
                    shown=shown,
                )
            )
        return out


def _display(contact: Any) -> str:
    """Return how to write a contact in a short message: web addresses without the scheme."""
    display = contact.display
    for prefix in ("https://", "http://", "www."):
        display = display.removeprefix(prefix)
    return display.rstrip("/") if display != contact.display else display


def _trim(reply: Reply, flow: Flow) -> Reply:
    """Drop the least needed lines until the reply fits the flow's SMS allowance."""
    gsm7, ucs2 = flow.limits
    lines, footer = list(reply.lines), list(reply.footer)
    more_in_text = fits(_text(lines, reply.options + reply.more, footer), gsm7, ucs2)
    # What to ask next is the first thing a short message does without (web chat keeps it).
    while not fits(_text(lines, reply.options, footer), gsm7, ucs2):
        candidates = [(line.priority, -i, i, "lines") for i, line in enumerate(lines[1:], 1)]
        candidates += [(line.priority, -i - 1000, i, "footer") for i, line in enumerate(footer)]
        if not candidates:
            break
        _, _, index, where = min(candidates)
        (lines if where == "lines" else footer).pop(index)
    return replace(reply, lines=tuple(lines), footer=tuple(footer), more_in_text=more_in_text)


def _text(lines: Sequence[Line], options: Sequence[tuple[str, str]], footer: Sequence[Line]) -> str:
    parts = [line.text for line in lines]
    parts.extend(f"{key} {label}" for key, label in options)
    parts.extend(line.text for line in footer)
    return "\n".join(parts)


def _options(composer: _Composer, node: Node) -> tuple[tuple[str, str], ...]:
    """Return a node's options as (key, translated label)."""
    return tuple(
        (o.key, _say(composer.translate, o.label, composer.locale, {})) for o in node.options
    )


def _question(composer: _Composer, node: Node) -> tuple[list[Line], tuple[tuple[str, str], ...]]:
    ask = _say(composer.translate, node.ask, composer.locale, {})
    return [Line(ask, priority=90)], _options(composer, node)


def _learn(state: State, reading: Reading, flow: Flow, directory: Any) -> None:
    """Update the facts from the message, and from the option it picked if it picked one."""
    facts = state.facts
    # Before anything is asked, a number answers the first question (posters can say "text 1").
    current = state.node or (None if state.answer else flow.start)
    node = flow.nodes.get(current) if current else None
    chosen = None
    if node is not None and reading.number is not None:
        chosen = next((o for o in node.options if o.key == str(reading.number)), None)
    if chosen is not None:
        facts.update(chosen.sets)
    if reading.who is not None and not (reading.who == "young" and _adult(facts)):
        facts["who"] = reading.who
    # "14 years old" from a parent is the child's age; only "I'm 14" says who is writing.
    if (
        chosen is None
        and reading.age is not None
        and (reading.own_age or facts["who"] not in ADULT_ROLES)
    ):
        facts["age"] = reading.age
        if reading.own_age and reading.age >= 18 and facts["who"] in (None, "young"):
            facts["who"] = None  # an adult now: not a young person, so ask
    if reading.topic is not None:
        facts["topic"] = reading.topic
    if chosen is None and reading.tokens:
        if reading.area is not None:
            facts["area"] = reading.area
        elif node is not None and node.place:
            facts["area"] = NO_AREA
    if facts.get("area"):
        facts["area_kind"] = _area_kind(directory, facts["area"])


def _adult(facts: Mapping[str, Any]) -> bool:
    age = facts.get("age")
    return isinstance(age, int) and age >= 18 and facts.get("who") != "worried"


_PLACES: dict[int, tuple[Any, Places]] = {}


def places_for(directory: Any) -> Places:
    """Return the place finder for a directory, built once."""
    kept = _PLACES.get(id(directory))
    if kept is None or kept[0] is not directory:
        if len(_PLACES) > 8:
            _PLACES.clear()
        kept = _PLACES[id(directory)] = (directory, Places(directory.areas))
    return kept[1]


def _language(state: State, reading: Reading, locale: str, flow: Flow) -> bool:
    """Update the conversation's language; return whether Roman Urdu was first seen now."""
    if state.locale is None:
        state.locale = locale if locale in flow.languages else flow.languages[0]
    if reading.switch_to in flow.languages:
        state.locale, state.chosen, state.form = reading.switch_to, True, reading.switch_to
        return False
    if state.chosen or not reading.form or reading.word:
        return False
    state.langs = add(state.langs, reading.form)
    form = best(state.langs, prior=locale)
    if form is None or locale_of(form) not in flow.languages:
        return False
    was = state.form
    state.form, state.locale = form, locale_of(form)
    return form == flow.roman_urdu and was != form and flow.roman_urdu_note is not None


def step(
    state: Mapping[str, Any] | State | None,
    text: str,
    locale: str,
    now: datetime,
    *,
    directory: Any,
    flow: Flow,
    translate: Translate,
    sms: bool = True,
) -> tuple[State, Reply]:
    """Read one message and return the next state and the reply.

    With `sms`, the reply is shortened to the flow's SMS allowance (least needed lines first);
    web chat has room for every line.
    """
    state = State.load(state, flow, directory)
    text = (text or "")[:MAX_CHARS]
    reading = read(flow, text, places_for(directory))
    roman_urdu = _language(state, reading, locale, flow)

    comp = _Composer(flow, directory, translate, state.locale, now, state.facts)
    lead: list[Line] = []
    if reading.danger:
        state.alert = True
    elif reading.safe or reading.word in ("menu", "stop"):
        state.alert = False
    if reading.danger:
        lead = comp.lines(flow.danger_replies["now"], 100)
        for kind in ("suicide", "assault", "missing"):
            if kind in reading.danger and kind in flow.danger_replies:
                lead += comp.lines(flow.danger_replies[kind], 98)
    elif reading.unsure or state.alert:
        # Unsure, or danger earlier in this conversation that nobody has said is over.
        lead = comp.lines(flow.danger_replies.get("unsure") or flow.danger_replies["now"], 100)
    if roman_urdu:
        lead.append(Line(flow.roman_urdu_note, priority=95, typed=True))

    kind, route = _respond(state, reading, flow, directory)
    if kind == Kind.STOP:  # forget everything but the language, so the confirmation reads right
        state = State(locale=state.locale, chosen=True, form=state.form)
    comp.facts = state.facts  # MENU and STOP replace the facts
    options: tuple[tuple[str, str], ...] = ()
    more: tuple[tuple[str, str], ...] = ()
    footer: list[Line] = []
    if kind == Kind.QUESTION:
        body, options = _question(comp, flow.nodes[route])
        footer = comp.lines(flow.replies["footer"], 80)
    elif kind == Kind.ANSWER:
        body = comp.lines(flow.answers[route], 70) + comp.lines(flow.replies["closing"], 10)
        more = _more(comp, flow, route, state)
    else:
        body = comp.lines(flow.replies[kind], 70)
        if kind == Kind.AFTER and state.answer:
            more = _more(comp, flow, state.answer, state)
    reply = Reply(
        locale=state.locale,
        kind=kind,
        route=route,
        lines=tuple(lead + body),
        options=options,
        footer=tuple(footer),
        danger=reading.danger,
        forget=kind == Kind.STOP,
        unsure=reading.unsure and not reading.danger,
        more=more,
    )
    return state, _trim(reply, flow) if sms else reply


def _more(comp: _Composer, flow: Flow, answer: str, state: State) -> tuple[tuple[str, str], ...]:
    """Offer what the person can ask next after an answer, and listen for their pick."""
    node_id = flow.follow_up.get(answer)
    if node_id is None:
        return ()
    state.node = node_id
    return _options(comp, flow.nodes[node_id])


def _respond(state: State, reading: Reading, flow: Flow, directory: Any) -> tuple[Kind, str]:
    """Decide what kind of reply this is, updating the state: (kind, node or answer or word)."""
    if reading.switch_to or not reading.tokens:
        return _repeat(state, flow)
    if reading.word == "stop":
        return Kind.STOP, "stop"
    if reading.word == "help":
        return Kind.HELP, "help"
    if reading.word == "menu":
        state.facts = dict(EMPTY_FACTS)
        state.answer = None
        state.node = None
        return _route(state, flow)
    before = dict(state.facts)
    _learn(state, reading, flow, directory)
    learnt = state.facts != before
    if state.answer and not learnt:
        return Kind.AFTER, "after"
    return _route(state, flow)


def _route(state: State, flow: Flow) -> tuple[Kind, str]:
    route = first_match(flow.routes, state.facts)
    if route.ask is not None:
        state.node = route.ask
        state.facts["asked"] += 1
        return Kind.QUESTION, route.ask
    state.node = None
    state.answer = route.answer
    state.facts["want"] = None  # a follow-up pick is answered once
    return Kind.ANSWER, route.answer


def _repeat(state: State, flow: Flow) -> tuple[Kind, str]:
    """Say again what was last said (after a language switch or an empty message)."""
    if state.node and state.node not in flow.follow_up.values():
        return Kind.QUESTION, state.node
    if state.answer:
        return Kind.ANSWER, state.answer
    return _route(state, flow)
