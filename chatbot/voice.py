"""The phone line's menu as a state machine, without Flask or Twilio (chatbot/channels/voice.py
renders it as TwiML).

Every turn says the 999 line first, in English as well as the caller's language, so it is heard
even if a voice for that language fails. Speech is read for danger by the same reader as texts.
A caller who is not understood hears the menu once more, then is put through to a line that is
open now: nobody is hung up on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from chatbot.reader import danger_kinds

TRIES = 2  # the menu is offered this many times before the caller is put through
LANGUAGE_KEY = "9"  # on the main menu: hear the other languages
MAX_SPEECH = 500  # characters of recognised speech read for danger


@dataclass(frozen=True)
class Spoken:
    """One thing said, in the language code Twilio's voice should use."""

    text: str
    language: str


@dataclass(frozen=True)
class Turn:
    """What the phone line does next: say, then connect, listen, or go round again."""

    say: tuple[Spoken, ...] = ()
    dial: str | None = None  # an E.164 number to connect to
    listen: tuple[Spoken, ...] = ()  # said while listening for a key or speech
    listen_language: str = "en-GB"  # the language speech is recognised in
    next: Mapping[str, str] = field(default_factory=dict)  # where the next request goes
    entry: Any = None  # the menu entry dialled (chatbot.flow.Entry), for counting
    danger: frozenset[str] = frozenset()  # kinds of danger heard in what the caller said


def _number(directory: Any, entry: Any, area: str | None, now: datetime) -> str | None:
    """Return the E.164 number a menu entry dials, from the directory."""
    if entry.front_door:
        contact = directory.front_door_now(area if area in directory.areas else None, now)
    else:
        service = directory.services.get(entry.service)
        contact = service.phone if service is not None else None
    return contact.value if contact is not None and contact.channel == "phone" else None


def answer(
    *,
    flow: Any,
    directory: Any,
    translate: Callable[[str, str], str],
    now: datetime,
    digits: str,
    speech: str,
    tries: int,
    lang: str,
    area: str | None,
    stage: str = "menu",
) -> Turn:
    """Return the next turn of a call from what the caller pressed or said."""
    menu = flow.voice
    languages = menu.languages
    lang = lang if lang in languages else "en"

    def say(msgid: str, language: str = lang, **params: str) -> Spoken:
        text = translate(msgid, language)
        return Spoken(text % params if params else text, languages[language].say)

    emergency = directory.services["emergency-999"].phone.display
    said: list[Spoken] = []
    heard = danger_kinds(flow, speech[:MAX_SPEECH]) if speech else frozenset()
    if heard:
        said.append(say(menu.danger_heard, "en", number=emergency))
        if lang != "en":
            said.append(say(menu.danger_heard, number=emergency))

    key = digits.strip()[:1]
    if stage == "languages":
        chosen = next((c for c, info in languages.items() if info.key == key), None)
        if chosen is not None:
            return _menu(say, menu, emergency, chosen, languages, said, tries=0)
        return _languages(languages, said, tries + 1, fallback=lang)

    choice = menu.options.get(key)
    number = _number(directory, choice, area, now) if choice is not None else None
    if number:
        return Turn(say=(*said, say(menu.connecting)), dial=number, entry=choice, danger=heard)
    if key == LANGUAGE_KEY:
        return _languages(languages, said, 0, fallback=lang)
    if tries >= TRIES:
        # Not understood twice: 999 once more, then a line that is open now.
        fallback = _number(directory, menu.fallback, area, now)
        said += [say(menu.danger, "en", number=emergency)]
        if lang != "en":
            said.append(say(menu.danger, number=emergency))
        said.append(say(menu.putting_through))
        return Turn(say=tuple(said), dial=fallback, entry=menu.fallback, danger=heard)
    if tries or key or (speech and not said):
        said.append(say(menu.retry))
    return replace(_menu(say, menu, emergency, lang, languages, said, tries), danger=heard)


def _menu(say, menu, emergency: str, lang: str, languages, said, tries: int) -> Turn:
    danger = [say(menu.danger, "en", number=emergency)]
    if lang != "en":
        danger.append(say(menu.danger, lang, number=emergency))
    return Turn(
        say=tuple(said),
        listen=(*danger, say(menu.menu, lang), say(menu.other_languages, lang)),
        listen_language=languages[lang].speech,
        next={"try": str(tries + 1), "lang": lang},
    )


def _languages(languages, said, tries: int, fallback: str) -> Turn:
    if tries >= TRIES:
        # No language picked: back to the menu in the language the call was in.
        return Turn(say=tuple(said), next={"try": "0", "lang": fallback})
    return Turn(
        say=tuple(said),
        listen=tuple(Spoken(info.choose, info.say) for info in languages.values()),
        listen_language=languages[fallback].speech,
        next={"try": str(tries + 1), "lang": fallback, "stage": "languages"},
    )
