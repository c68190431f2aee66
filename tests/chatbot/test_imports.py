"""The engine is plain Python: chatbot/ outside channels imports neither Flask nor Twilio."""

from __future__ import annotations

import ast

from .conftest import ROOT


def test_engine_imports_neither_flask_nor_twilio():
    """Does every module of chatbot/ (outside channels/) stay free of Flask and Twilio?"""
    for path in (ROOT / "chatbot").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                root = name.split(".")[0]
                assert root not in {"flask", "flask_babel", "twilio", "werkzeug", "web"}, path
