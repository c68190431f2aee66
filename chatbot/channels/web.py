"""Web chat: a plain form that works without JavaScript; chat.js posts it without reloading.

Only a random conversation id lives in the session cookie; the state is in the store under
"web:<id>", which quick exit (/exit) and "clear this conversation" delete.
"""

from __future__ import annotations

import secrets

from flask import Blueprint, redirect, render_template, request, session, url_for

from chatbot.channels.common import IDLE_SECONDS, log_reply, now, run, store
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
    state = store().get_conversation(_key(cid), now()) if cid else None
    _, reply = run(state, "", current_language())
    return render_template("chat/chat.html", reply=reply, said=None)


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
    conversations = store()
    state = conversations.get_conversation(_key(cid), now())
    new_state, reply = run(state, text, current_language())
    if reply.forget:
        conversations.delete_conversation(_key(cid))
        session.pop("cid", None)
    else:
        conversations.put_conversation(_key(cid), new_state, IDLE_SECONDS)
    log_reply("web", _key(cid), reply, started)
    count_reply("chat", state, new_state, reply)
    if request.headers.get(PARTIAL):
        return render_template("chat/_exchange.html", reply=reply, said=text)
    return render_template("chat/chat.html", reply=reply, said=text)


@bp.post("/chat/clear")
def clear():
    """Forget this conversation and start a new one."""
    verify(FORM)
    cid = session.pop("cid", None)
    if cid:
        store().delete_conversation(_key(cid))
    return redirect(url_for("chat.chat"), code=303)
