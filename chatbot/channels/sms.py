"""SMS: Twilio's webhook. State is keyed by a keyed hash of the number and expires."""

from __future__ import annotations

from flask import Blueprint, Response, request
from flask_babel import force_locale
from twilio.twiml.messaging_response import MessagingResponse

from chatbot.channels.common import (
    Remembered,
    keyed_hash,
    log_reply,
    now,
    require_twilio_signature,
    run,
)
from chatbot.segments import fits
from web.insight import count_reply
from web.limits import limit

bp = Blueprint("sms", __name__)
MAX_BODY = 1600  # the longest message Twilio delivers


def messages(text: str, note, locale: str) -> list[str]:
    """Return the reply, with the storage note added if it fits, else sent as a second text."""
    if note is None:
        return [text]
    with force_locale(locale):
        note = str(note)
    noted = f"{text}\n{note}"
    return [noted] if fits(noted, 2, 4) else [text, note]


def twiml(*texts: str) -> str:
    """Return a TwiML document that sends each of `texts` back."""
    response = MessagingResponse()
    for text in texts:
        response.message(text)
    return str(response)


@bp.post("/sms")
@limit("sms")
def sms():
    """Answer one text message."""
    require_twilio_signature()
    started = now()
    key = keyed_hash("sms", request.form.get("From", ""))
    sid = request.form.get("MessageSid", "")
    conversation = Remembered(key)
    state = conversation.read()
    new_state, reply = run(state, request.form.get("Body", "")[:MAX_BODY], "en")
    if sid and not reply.forget:
        # A retry of a message already answered gets the same reply, and moves nothing on.
        # (STOP keeps nothing, not even its reply: a retry of it simply forgets again.)
        earlier = conversation.seen(sid, _document(reply, conversation))
        if earlier is not None:
            return Response(earlier, mimetype="text/xml")
    conversation.write(new_state, reply)
    log_reply("sms", key, reply, started)
    count_reply("sms", state, new_state, reply)
    return Response(_document(reply, conversation), mimetype="text/xml")


def _document(reply, conversation: Remembered) -> str:
    return twiml(*messages(reply.text(), conversation.note, reply.locale))
