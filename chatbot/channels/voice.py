"""Voice: Twilio's phone webhook, a thin adapter over chatbot/voice.py's menu."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request, url_for
from twilio.twiml.voice_response import Gather, VoiceResponse

from chatbot import voice as menu
from chatbot.channels.common import content, now, require_twilio_signature
from web.insight import count_call
from web.locale import translate

bp = Blueprint("voice", __name__)
STAGES = ("menu", "languages")


def _tries(value: str) -> int:
    """Return the try count from the query string; anything odd counts as the first."""
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 2 else 0


@bp.post("/voice")
def voice():
    """Offer the menu, or connect the caller to the line they chose."""
    require_twilio_signature()
    loaded = content()
    stage = request.args.get("stage", "menu")
    turn = menu.answer(
        flow=loaded.flow,
        directory=loaded.directory,
        translate=translate,
        now=now(),
        digits=request.form.get("Digits", ""),
        speech=request.form.get("SpeechResult", ""),
        tries=_tries(request.args.get("try", "0")),
        lang=request.args.get("lang", "en"),
        area=current_app.config.get("LANTERN_VOICE_AREA") or None,
        stage=stage if stage in STAGES else "menu",
    )
    count_call(turn.entry if turn.dial else None, turn.danger)
    response = VoiceResponse()
    for spoken in turn.say:
        response.say(spoken.text, language=spoken.language)
    if turn.dial:
        response.dial(turn.dial)
        return Response(str(response), mimetype="text/xml")
    action = url_for("voice.voice", **turn.next)
    if turn.listen:
        gather = Gather(
            input="dtmf speech",
            num_digits=1,
            timeout=6,
            method="POST",
            action=action,
            language=turn.listen_language,
        )
        for spoken in turn.listen:
            gather.say(spoken.text, language=spoken.language)
        response.append(gather)
    response.redirect(action, method="POST")
    return Response(str(response), mimetype="text/xml")
