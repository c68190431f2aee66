"""Friendly, translated error pages that still show 999 and the exit button."""

from __future__ import annotations

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed


def _render(error: HTTPException):
    code = error.code or 500
    headers = {}
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)  # RFC 9110: a 405 must say
    return render_template("errors/error.html", code=code), code, headers


def register_error_pages(app: Flask) -> None:
    for code in (400, 403, 404, 405, 413, 429):
        app.register_error_handler(code, _render)
    app.register_error_handler(InternalServerError, _render)
