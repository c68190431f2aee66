"""Voice: Twilio's phone webhook. A short spoken menu that puts the caller through."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request, url_for
from twilio.twiml.voice_response import Gather, VoiceResponse

from chatbot import danger_kinds
from chatbot.channels.common import content, now, require_twilio_signature, translate
from web.insight import count_call

bp = Blueprint("voice", __name__)
LANGUAGE = "en-GB"
TRIES = 2  # how often the menu is offered before saying goodbye


def _say(msgid: str, **params: str) -> str:
    text = translate(msgid, "en")
    return text % params if params else text


def _number(entry) -> str | None:
    """Return the E.164 number a voice option dials, from the directory."""
    directory = content().directory
    if entry.front_door:
        area = current_app.config.get("LANTERN_VOICE_AREA") or None
        contact = directory.front_door_now(area if area in directory.areas else None, now())
    else:
        contact = directory.get(entry.service).phone
    return contact.value if contact is not None and contact.channel == "phone" else None


@bp.post("/voice")
def voice():
    """Offer the menu, or connect the caller to the line they chose."""
    require_twilio_signature()
    menu = content().flow.voice
    emergency = content().directory.get("emergency-999").phone.display
    response = VoiceResponse()
    heard = request.form.get("SpeechResult", "")
    kinds = danger_kinds(content().flow, heard) if heard else frozenset()
    if kinds:
        response.say(_say(menu.danger_heard, number=emergency), language=LANGUAGE)
    choice = menu.options.get(request.form.get("Digits", "").strip()[:1])
    number = _number(choice) if choice is not None else None
    count_call(choice if number else None, kinds)
    if number:
        response.say(_say(menu.connecting), language=LANGUAGE)
        response.dial(number)
        return Response(str(response), mimetype="text/xml")
    tries = request.args.get("try", "0")
    tries = int(tries) if tries.isdigit() else 0
    if tries >= TRIES:
        response.say(_say(menu.goodbye), language=LANGUAGE)
        response.hangup()
        return Response(str(response), mimetype="text/xml")
    if tries or request.form.get("Digits"):
        response.say(_say(menu.retry), language=LANGUAGE)
    gather = Gather(
        input="dtmf speech",
        num_digits=1,
        timeout=6,
        method="POST",
        action=url_for("voice.voice", **{"try": tries + 1}),
        language=LANGUAGE,
    )
    gather.say(_say(menu.danger, number=emergency), language=LANGUAGE)
    gather.say(_say(menu.menu), language=LANGUAGE)
    response.append(gather)
    response.redirect(url_for("voice.voice", **{"try": tries + 1}), method="POST")
    return Response(str(response), mimetype="text/xml")
