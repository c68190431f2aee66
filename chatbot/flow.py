"""Load and validate the flow files in content/flows/ into one frozen Flow."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from chatbot.reader.model import MODEL_FILE, Model, ModelError, load_model
from chatbot.reader.normalise import Matcher, Normaliser, Phrase, compile_phrases
from chatbot.rules import OPERATORS, UNARY, Condition, Route
from directory import DirectoryError

FLOW_FILE = "triage.yaml"
SAFETY_FILE = "safety.yaml"
LEXICON_FILE = "lexicon.yaml"
ROMAN_URDU = "ur-Latn"
DEFAULT_CHANNELS = ("phone", "text", "webchat", "website", "form")
FACTS = frozenset({"who", "age", "area", "area_kind", "topic", "want", "asked"})
DANGER_KINDS = ("now", "suicide")  # kinds with phrase rules; the classifier knows more
# Replies that lead with 999 for each kind of danger; kinds without their own use "now".
DANGER_REPLIES = ("now", "suicide", "assault", "missing", "unsure")
MODEL_DIR = "reader"
GLOBAL_WORDS = ("menu", "help", "stop")
REPLIES = ("help", "stop", "after", "footer", "closing")


class FlowError(DirectoryError):
    """Bad flow data, naming the file and the field (same shape as bad directory data)."""


@dataclass(frozen=True)
class Option:
    """A numbered answer to a question, and the facts it sets."""

    key: str
    label: str
    sets: Mapping[str, Any]


@dataclass(frozen=True)
class Node:
    """A question: its prompt, its numbered options, whether it asks for a place."""

    id: str
    ask: str
    options: tuple[Option, ...] = ()
    place: bool = False


@dataclass(frozen=True)
class Entry:
    """One line of a reply: words, maybe with a contact from the directory."""

    say: str
    service: str | None = None
    front_door: bool = False
    local: tuple[str, str] | None = None  # (category, audience) of a service in the person's area
    channels: tuple[str, ...] = DEFAULT_CHANNELS
    when: tuple[Condition, ...] = ()
    keep: bool = False  # a line without a contact that must survive shortening
    typed: bool = False  # asks people to type a word such as MENU (SMS only; web shows buttons)


@dataclass(frozen=True)
class Language:
    """What identifies a language: its own names, common words, letters only it uses."""

    code: str
    names: frozenset[str]
    markers: frozenset[str]
    letters: str
    vocabulary: frozenset[str] = frozenset()  # words of this language's phrases no other shares


@dataclass(frozen=True)
class VoiceLanguage:
    """A language of the phone line: its key, Twilio's codes, and how it is offered."""

    key: str
    say: str  # <Say language>
    speech: str  # <Gather language>: what speech is recognised as
    choose: str  # said in the language itself: "Po polsku, naciśnij 4."


VOICE_TEXTS = (
    "danger",
    "danger_heard",
    "menu",
    "other_languages",
    "connecting",
    "retry",
    "putting_through",
)


@dataclass(frozen=True)
class Voice:
    """The spoken menu of the phone line."""

    danger: str
    danger_heard: str
    menu: str
    other_languages: str
    connecting: str
    retry: str
    putting_through: str
    options: Mapping[str, Entry]
    fallback: Entry  # where a caller who is not understood is put through
    languages: Mapping[str, VoiceLanguage]


@dataclass(frozen=True)
class Flow:
    """The whole conversation: questions, routes, answers, safety phrases and vocabulary."""

    path: Path
    languages: tuple[str, ...]
    start: str
    nodes: Mapping[str, Node]
    routes: tuple[Route, ...]
    answers: Mapping[str, tuple[Entry, ...]]
    replies: Mapping[str, tuple[Entry, ...]]
    danger_replies: Mapping[str, tuple[Entry, ...]]
    voice: Voice | None
    normaliser: Normaliser
    danger: tuple[Phrase, ...]
    language_info: Mapping[str, Language]
    global_words: Mapping[str, str]  # normalised whole message -> menu/help/stop
    language_names: Mapping[str, str]  # normalised whole message -> language code
    who: tuple[Phrase, ...]
    topics: tuple[Phrase, ...]
    age_before: tuple[Phrase, ...]
    age_before_at_start: tuple[Phrase, ...]
    age_after: tuple[Phrase, ...]
    school_year: tuple[Phrase, ...]
    school_year_self: tuple[Phrase, ...]
    school_offset: int
    limits: tuple[int, int] = (2, 4)  # SMS segments: GSM-7 (English), UCS-2 (other scripts)
    matcher: Matcher | None = None
    age_past: tuple[tuple[str, ...], ...] = ()  # words before an age that put it in the past
    age_now: tuple[tuple[str, ...], ...] = ()  # words after an age that make it current
    reassurance: tuple[Phrase, ...] = ()  # "i am safe now": ends the 999 lines after danger
    not_danger: tuple[Phrase, ...] = ()  # reassurance and distance ("this exam is killing me")
    veto: float = 0.08  # a phrase is overruled when the classifier's danger is under this
    model: Model | None = None
    follow_up: Mapping[str, str] = field(default_factory=dict)  # answer -> node asked next
    roman_urdu_note: str | None = None  # said once, in Roman Urdu, to someone who writes it
    roman_urdu: str = ROMAN_URDU

    def phrases(self) -> tuple[Phrase, ...]:
        """Return every phrase the engine looks for."""
        return (
            self.danger
            + self.who
            + self.topics
            + self.age_before
            + self.age_before_at_start
            + self.age_after
            + self.school_year
            + self.school_year_self
            + self.not_danger
        )

    def service_ids(self) -> set[str]:
        """Return every directory id the flow names."""
        entries = [
            e
            for group in (self.answers, self.replies, self.danger_replies)
            for items in group.values()
            for e in items
        ]
        if self.voice:
            entries.extend([*self.voice.options.values(), self.voice.fallback])
        return {e.service for e in entries if e.service}

    def msgids(self) -> list[str]:
        """Return every translatable string, in file order within each part."""
        found: list[str] = []
        for node in self.nodes.values():
            found.append(node.ask)
            found.extend(option.label for option in node.options)
        for group in (self.answers, self.replies, self.danger_replies):
            for items in group.values():
                found.extend(entry.say for entry in items)
        if self.voice:
            found.extend(getattr(self.voice, name) for name in VOICE_TEXTS)
        return list(dict.fromkeys(found))


def _read(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise FlowError(path, "(file)", "missing") from error
    except yaml.YAMLError as error:
        raise FlowError(path, "(file)", f"not valid YAML: {error}") from error
    if not isinstance(data, dict):
        raise FlowError(path, "(file)", "must be a mapping")
    return data


class _Reader:
    """Pull typed fields out of YAML, failing with the file and the field's path."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, field: str, message: str) -> FlowError:
        return FlowError(self.path, field, message)

    def mapping(self, data: Any, field: str) -> dict:
        if not isinstance(data, dict):
            raise self.fail(field, "must be a mapping")
        return data

    def listing(self, data: Any, field: str) -> list:
        if not isinstance(data, list):
            raise self.fail(field, "must be a list")
        return data

    def text(self, data: Any, field: str) -> str:
        if not isinstance(data, str) or not data.strip():
            raise self.fail(field, "must be non-empty text")
        return data

    def conditions(self, data: Any, field: str) -> tuple[Condition, ...]:
        out = []
        for i, item in enumerate(self.listing(data, field)):
            where = f"{field}[{i}]"
            item = self.mapping(item, where)
            fact = self.text(item.get("fact"), f"{where}.fact")
            if fact not in FACTS:
                raise self.fail(f"{where}.fact", f"unknown fact {fact!r}")
            op = self.text(item.get("op"), f"{where}.op")
            if op not in OPERATORS:
                raise self.fail(f"{where}.op", f"unknown operator {op!r}")
            if op not in UNARY and "value" not in item:
                raise self.fail(f"{where}.value", f"operator {op!r} needs a value")
            if op == "in" and not isinstance(item["value"], list):
                raise self.fail(f"{where}.value", "operator 'in' needs a list")
            if op in ("less_than", "at_least") and not isinstance(item["value"], int | float):
                raise self.fail(f"{where}.value", f"operator {op!r} needs a number")
            value = tuple(item["value"]) if op == "in" else item.get("value")
            out.append(Condition(fact, op, value))
        return tuple(out)

    def entry(self, data: Any, field: str) -> Entry:
        data = self.mapping(data, field)
        known = {"say", "service", "front_door", "local", "channel", "when", "keep", "typed"}
        unknown = set(data) - known
        if unknown:
            raise self.fail(field, f"unknown keys: {', '.join(sorted(unknown))}")
        say = self.text(data.get("say"), f"{field}.say")
        sources = [k for k in ("service", "front_door", "local") if data.get(k)]
        if len(sources) > 1:
            raise self.fail(field, "name one of service, front_door or local")
        if "%(number)s" in say and not sources:
            raise self.fail(f"{field}.say", "has %(number)s but names no contact")
        local = None
        if data.get("local"):
            spec = self.mapping(data["local"], f"{field}.local")
            local = (
                self.text(spec.get("category"), f"{field}.local.category"),
                self.text(spec.get("audience"), f"{field}.local.audience"),
            )
        channels = data.get("channel", list(DEFAULT_CHANNELS))
        channels = tuple(
            self.text(c, f"{field}.channel") for c in self.listing(channels, f"{field}.channel")
        )
        return Entry(
            say=say,
            service=self.text(data["service"], f"{field}.service") if data.get("service") else None,
            front_door=bool(data.get("front_door")),
            local=local,
            channels=channels,
            when=self.conditions(data.get("when", []), f"{field}.when"),
            keep=bool(data.get("keep")),
            typed=bool(data.get("typed")),
        )

    def entries(self, data: Any, field: str) -> tuple[Entry, ...]:
        items = self.listing(data, field)
        if not items:
            raise self.fail(field, "must not be empty")
        return tuple(self.entry(item, f"{field}[{i}]") for i, item in enumerate(items))


def _node(reader: _Reader, node_id: str, data: Any) -> Node:
    field = f"nodes.{node_id}"
    data = reader.mapping(data, field)
    options = []
    for i, item in enumerate(reader.listing(data.get("options", []), f"{field}.options")):
        where = f"{field}.options[{i}]"
        item = reader.mapping(item, where)
        key = str(item.get("key", "")).strip()
        if not key.isdigit():
            raise reader.fail(f"{where}.key", "must be a number")
        sets = reader.mapping(item.get("set", {}), f"{where}.set")
        for fact in sets:
            if fact not in FACTS:
                raise reader.fail(f"{where}.set", f"unknown fact {fact!r}")
        options.append(Option(key, reader.text(item.get("label"), f"{where}.label"), dict(sets)))
    keys = [o.key for o in options]
    if len(set(keys)) != len(keys):
        raise reader.fail(f"{field}.options", "keys must differ")
    return Node(
        node_id,
        reader.text(data.get("ask"), f"{field}.ask"),
        tuple(options),
        bool(data.get("place")),
    )


def _phrases_by_language(
    reader: _Reader,
    data: Any,
    field: str,
    normaliser: Normaliser,
    value: str,
    languages: set[str],
    vocabulary: dict[str, set[str]],
) -> list[Phrase]:
    out: list[Phrase] = []
    for code, phrases in reader.mapping(data, field).items():
        if code not in languages:
            raise reader.fail(f"{field}.{code}", "unknown language")
        items = reader.listing(phrases, f"{field}.{code}")
        compiled = compile_phrases(normaliser, (str(p) for p in items), value)
        vocabulary.setdefault(code, set()).update(
            w for p in compiled for w in p.words if not w.endswith("*") and not w.isdigit()
        )
        out.extend(compiled)
    return out


def _with_vocabulary(
    info: dict[str, Language], vocabulary: dict[str, set[str]]
) -> dict[str, Language]:
    """Give each language the words of its phrases that no other language's phrases use."""
    seen: dict[str, int] = {}
    for words in vocabulary.values():
        for word in words:
            seen[word] = seen.get(word, 0) + 1
    return {
        code: replace(
            lang,
            vocabulary=frozenset(
                w for w in vocabulary.get(code, ()) if seen[w] == 1 and len(w) > 2
            ),
        )
        for code, lang in info.items()
    }


def _joined(normaliser: Normaliser, text: str) -> str:
    return " ".join(normaliser.tokens(text))


def load_flow(flows_dir: Path, directory: Any = None) -> Flow:
    """Load content/flows/; with a directory, also check every service it names exists."""
    flows_dir = Path(flows_dir)
    safety_path, lexicon_path, flow_path = (
        flows_dir / SAFETY_FILE,
        flows_dir / LEXICON_FILE,
        flows_dir / FLOW_FILE,
    )
    safety, lexicon, data = _read(safety_path), _read(lexicon_path), _read(flow_path)

    reader = _Reader(safety_path)
    textspeak = reader.mapping(safety.get("textspeak", {}), "textspeak")
    normaliser = Normaliser.build({str(k): str(v) for k, v in textspeak.items()})

    reader = _Reader(flow_path)
    languages = tuple(reader.listing(data.get("languages"), "languages"))
    if not languages or languages[0] != "en":
        raise reader.fail("languages", "must list the languages, English first")
    known_languages = set(languages) | {ROMAN_URDU}

    reader = _Reader(safety_path)
    vocabulary: dict[str, set[str]] = {}
    danger: list[Phrase] = []
    covered: dict[str, set[str]] = {kind: set() for kind in DANGER_KINDS}
    for i, group in enumerate(reader.listing(safety.get("danger"), "danger")):
        group = reader.mapping(group, f"danger[{i}]")
        kind = group.get("kind")
        if kind not in DANGER_KINDS:
            raise reader.fail(f"danger[{i}].kind", f"must be one of {', '.join(DANGER_KINDS)}")
        phrases = reader.mapping(group.get("phrases"), f"danger[{i}].phrases")
        covered[kind].update(code for code, items in phrases.items() if items)
        danger.extend(
            _phrases_by_language(
                reader,
                phrases,
                f"danger[{i}].phrases",
                normaliser,
                kind,
                known_languages,
                vocabulary,
            )
        )
    for kind, codes in covered.items():
        for code in languages:
            if code not in codes:
                raise reader.fail("danger", f"no {kind} phrases in {code}")
    danger_data = reader.mapping(safety.get("replies"), "replies")
    danger_replies = {
        kind: reader.entries(danger_data.get(kind), f"replies.{kind}")
        for kind in DANGER_REPLIES
        if kind in DANGER_KINDS or danger_data.get(kind) is not None
    }

    def optional_phrases(key: str) -> tuple[Phrase, ...]:
        table = reader.mapping(safety.get(key) or {}, key)
        return tuple(_phrases_by_language(reader, table, key, normaliser, key, known_languages, {}))

    reassurance, distance = optional_phrases("reassurance"), optional_phrases("distance")
    veto = safety.get("veto", 0.08)
    if not isinstance(veto, (int, float)) or not 0 <= veto <= 1:
        raise reader.fail("veto", "must be a number from 0 to 1")

    reader = _Reader(lexicon_path)
    language_info: dict[str, Language] = {}
    language_names: dict[str, str] = {}
    lang_data = reader.mapping(lexicon.get("languages"), "languages")
    for code, info in lang_data.items():
        if code not in known_languages:
            raise reader.fail(f"languages.{code}", "not a language of the flow")
        info = reader.mapping(info, f"languages.{code}")
        names = frozenset(_joined(normaliser, str(n)) for n in info.get("names", []))
        for name in names:
            language_names[name] = "ur" if code == ROMAN_URDU else code
        markers = frozenset(t for m in info.get("markers", []) for t in normaliser.tokens(str(m)))
        language_info[code] = Language(code, names, markers, str(info.get("letters", "")))
    for code in languages:
        if code not in language_info or not language_info[code].names:
            raise reader.fail(f"languages.{code}", "needs its own name so people can switch to it")
    roman_urdu_note = None
    if isinstance(lang_data.get(ROMAN_URDU), dict) and lang_data[ROMAN_URDU].get("note"):
        roman_urdu_note = reader.text(lang_data[ROMAN_URDU]["note"], f"languages.{ROMAN_URDU}.note")
    global_words: dict[str, str] = {}
    global_data = reader.mapping(lexicon.get("global"), "global")
    for word in GLOBAL_WORDS:
        for phrase in reader.listing(global_data.get(word), f"global.{word}"):
            global_words[_joined(normaliser, str(phrase))] = word
    who: list[Phrase] = []
    for kind, phrases in reader.mapping(lexicon.get("who"), "who").items():
        who.extend(
            _phrases_by_language(
                reader, phrases, f"who.{kind}", normaliser, kind, known_languages, vocabulary
            )
        )
    topics: list[Phrase] = []
    for kind, phrases in reader.mapping(lexicon.get("topic"), "topic").items():
        topics.extend(
            _phrases_by_language(
                reader, phrases, f"topic.{kind}", normaliser, kind, known_languages, vocabulary
            )
        )
    age = reader.mapping(lexicon.get("age"), "age")
    language_info = _with_vocabulary(language_info, vocabulary)

    lexicon_reader = reader

    def age_phrases(key: str) -> tuple[Phrase, ...]:
        items = lexicon_reader.listing(age.get(key), f"age.{key}")
        return compile_phrases(normaliser, (str(p) for p in items))

    def tense_words(key: str) -> tuple[tuple[str, ...], ...]:
        items = lexicon_reader.listing(age.get(key) or [], f"age.{key}")
        return tuple(tuple(normaliser.tokens(str(p))) for p in items if normaliser.tokens(str(p)))

    offset = age.get("school_offset")
    if not isinstance(offset, int):
        raise lexicon_reader.fail("age.school_offset", "must be a whole number")

    reader = _Reader(flow_path)
    nodes = {
        node_id: _node(reader, node_id, node)
        for node_id, node in reader.mapping(data.get("nodes"), "nodes").items()
    }
    start = reader.text(data.get("start"), "start")
    if start not in nodes:
        raise reader.fail("start", f"no node {start!r}")
    answers = {
        name: reader.entries(items, f"answers.{name}")
        for name, items in reader.mapping(data.get("answers"), "answers").items()
    }
    replies_data = reader.mapping(data.get("replies"), "replies")
    replies = {name: reader.entries(replies_data.get(name), f"replies.{name}") for name in REPLIES}
    routes = []
    route_data = reader.listing(data.get("routes"), "routes")
    for i, item in enumerate(route_data):
        field = f"routes[{i}]"
        item = reader.mapping(item, field)
        ask, answer = item.get("ask"), item.get("answer")
        if (ask is None) == (answer is None):
            raise reader.fail(field, "needs exactly one of ask or answer")
        if ask is not None and ask not in nodes:
            raise reader.fail(f"{field}.ask", f"no node {ask!r}")
        if answer is not None and answer not in answers:
            raise reader.fail(f"{field}.answer", f"no answer {answer!r}")
        routes.append(Route(reader.conditions(item.get("when", []), f"{field}.when"), ask, answer))
    if not routes or routes[-1].when or routes[-1].answer is None:
        raise reader.fail("routes", "must end with an answer that has no conditions")

    follow_up = {}
    for answer, node_id in reader.mapping(data.get("follow_up") or {}, "follow_up").items():
        if answer not in answers:
            raise reader.fail(f"follow_up.{answer}", f"no answer {answer!r}")
        if node_id not in nodes:
            raise reader.fail(f"follow_up.{answer}", f"no node {node_id!r}")
        follow_up[answer] = node_id

    voice = None
    if data.get("voice") is not None:
        v = reader.mapping(data["voice"], "voice")
        options = {}
        for i, item in enumerate(reader.listing(v.get("options"), "voice.options")):
            item = reader.mapping(item, f"voice.options[{i}]")
            key = str(item.get("key", ""))
            rest = {k: val for k, val in item.items() if k != "key"}
            options[key] = reader.entry({"say": key, **rest}, f"voice.options[{i}]")
        voice_languages = {}
        for code, item in reader.mapping(v.get("languages"), "voice.languages").items():
            where = f"voice.languages.{code}"
            if code not in languages:
                raise reader.fail(where, "not a language of the flow")
            item = reader.mapping(item, where)
            voice_languages[code] = VoiceLanguage(
                *(
                    reader.text(str(item.get(k, "")) or None, f"{where}.{k}")
                    for k in ("key", "tts", "stt", "choose")
                )
            )
        if "en" not in voice_languages:
            raise reader.fail("voice.languages", "must include en")
        voice = Voice(
            **{k: reader.text(v.get(k), f"voice.{k}") for k in VOICE_TEXTS},
            options=options,
            fallback=reader.entry(
                {"say": "fallback", **reader.mapping(v.get("fallback"), "voice.fallback")},
                "voice.fallback",
            ),
            languages=voice_languages,
        )

    flow = Flow(
        path=flows_dir,
        languages=languages,
        start=start,
        nodes=nodes,
        routes=tuple(routes),
        answers=answers,
        replies=replies,
        danger_replies=danger_replies,
        voice=voice,
        normaliser=normaliser,
        danger=tuple(danger),
        language_info=language_info,
        global_words=global_words,
        language_names=language_names,
        who=tuple(who),
        topics=tuple(topics),
        age_before=age_phrases("before"),
        age_before_at_start=age_phrases("before_at_start"),
        age_after=age_phrases("after"),
        school_year=age_phrases("school_year"),
        school_year_self=age_phrases("school_year_self"),
        school_offset=offset,
        limits=_limits(reader, data.get("limits")),
        age_past=tense_words("past"),
        age_now=tense_words("now"),
        reassurance=reassurance,
        not_danger=reassurance + distance,
        veto=float(veto),
        model=_model(flows_dir / MODEL_DIR / MODEL_FILE),
        follow_up=follow_up,
        roman_urdu_note=roman_urdu_note,
    )
    flow = replace(flow, matcher=Matcher(w for p in flow.phrases() for w in p.words))
    if directory is not None:
        check_services(flow, directory)
    return flow


def _model(path: Path) -> Model | None:
    """Load the reader's classifier; a flow without one reads with its phrases alone."""
    if not path.exists():
        return None
    try:
        return load_model(path)
    except ModelError as error:
        raise FlowError(path, "(file)", str(error)) from error


def _limits(reader: _Reader, data: Any) -> tuple[int, int]:
    data = reader.mapping(data, "limits")
    values = (data.get("gsm7_segments"), data.get("ucs2_segments"))
    for key, value in zip(("gsm7_segments", "ucs2_segments"), values, strict=True):
        if not isinstance(value, int) or value < 1:
            raise reader.fail(f"limits.{key}", "must be a whole number of segments")
    return values[0], values[1]


def check_services(flow: Flow, directory: Any) -> None:
    """Raise FlowError when the flow names a service the directory does not have."""
    missing = sorted(s for s in flow.service_ids() if s not in directory.services)
    if missing:
        raise FlowError(
            flow.path / FLOW_FILE, "service", f"not in the directory: {', '.join(missing)}"
        )
