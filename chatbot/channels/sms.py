"""SMS: Twilio's webhook. State is keyed by a keyed hash of the number and expires."""

from __future__ import annotations

from flask import Blueprint, Response, request
from twilio.twiml.messaging_response import MessagingResponse

from chatbot.channels.common import (
    IDLE_SECONDS,
    RETRY_SECONDS,
    keyed_hash,
    log_reply,
    now,
    require_twilio_signature,
    run,
    store,
)
from web.insight import count_reply
from web.limits import limit

bp = Blueprint("sms", __name__)
MAX_BODY = 1600  # the longest message Twilio delivers


def twiml(text: str) -> str:
    """Return a TwiML document that sends `text` back."""
    response = MessagingResponse()
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
    conversations = store()
    state = conversations.get_conversation(key, now())
    new_state, reply = run(state, request.form.get("Body", "")[:MAX_BODY], "en")
    document = twiml(reply.text())
    if sid:
        # A retry of a message already answered gets the same reply, and moves nothing on.
        earlier = conversations.seen_message(key, sid, document, RETRY_SECONDS)
        if earlier is not None:
            return Response(earlier, mimetype="text/xml")
    if reply.forget:
        conversations.delete_conversation(key)
    else:
        conversations.put_conversation(key, new_state, IDLE_SECONDS)
    log_reply("sms", key, reply, started)
    count_reply("sms", state, new_state, reply)
    return Response(document, mimetype="text/xml")
