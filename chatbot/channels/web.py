"""Web chat: a plain form that works without JavaScript; chat.js posts it without reloading.

Only a random conversation id lives in the session cookie; the state is in the store under
"web:<id>", which quick exit (/exit) and "clear this conversation" delete.
"""

from __future__ import annotations

import contextlib
import secrets

from flask import Blueprint, redirect, render_template, request, session, url_for

from chatbot.channels.common import Remembered, log_reply, now, run, store
from storage import StorageUnavailable
from web.csrf import verify
from web.insight import count_reply
from web.limits import limit
from web.locale import current_language
from web.pagecache import cached_page

bp = Blueprint("chat", __name__)
FORM = "chat"
MAX_MESSAGE = 1000
PARTIAL = "X-Lantern-Partial"  # chat.js asks for the reply alone, to add it to the page


def _key(cid: str) -> str:
    return f"web:{cid}"


@bp.get("/chat")
@cached_page
def chat():
    """Show the conversation where it stands, or its first question."""
    cid = session.get("cid")
    conversation = Remembered(_key(cid)) if cid else None
    state = conversation.read() if conversation else None
    _, reply = run(state, "", current_language(), sms=False)
    note = conversation.note if conversation else None
    return render_template("chat/chat.html", reply=reply, said=None, note=note)


@bp.post("/chat")
@limit("chat")
def send():
    """Take one message and show the reply."""
    verify(FORM)
    started = now()
    text = request.form.get("message", "")[:MAX_MESSAGE]
    cid = session.get("cid")
    if not cid:
        cid = secrets.token_urlsafe(18)
        session["cid"] = cid
    conversation = Remembered(_key(cid))
    state = conversation.read()
    new_state, reply = run(state, text, current_language(), sms=False)
    conversation.write(new_state, reply)
    if reply.forget:
        session.pop("cid", None)
    log_reply("web", _key(cid), reply, started)
    count_reply("chat", state, new_state, reply)
    note = conversation.note
    if request.headers.get(PARTIAL):
        return render_template("chat/_exchange.html", reply=reply, said=text, note=note)
    return render_template("chat/chat.html", reply=reply, said=text, note=note)


@bp.post("/chat/clear")
def clear():
    """Forget this conversation and start a new one."""
    verify(FORM)
    cid = session.pop("cid", None)
    if cid:
        # Best effort: the guard deletes it once the store is back; the id is gone already.
        with contextlib.suppress(StorageUnavailable):
            store().forget(_key(cid))
    return redirect(url_for("chat.chat"), code=303)
