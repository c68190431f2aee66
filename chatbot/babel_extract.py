"""Babel extractor for content/flows/*.yaml: every prompt, option and reply line is a msgid.

Declared in babel.cfg as `[chatbot.babel_extract.extract_flow: content/flows/**.yaml]`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import yaml

from chatbot.flow import VOICE_TEXTS

# Keys whose text values are shown to people.
TEXT_KEYS = frozenset({"ask", "label", "say", *VOICE_TEXTS})
# Parts of the flow files that hold no prompts (phrases to match, not to show).
SKIP_KEYS = frozenset({"textspeak", "languages", "global", "who", "topic", "age", "routes"})


def _walk(node: yaml.Node, parent_key: str | None) -> Iterator[tuple[int, str]]:
    if isinstance(node, yaml.MappingNode):
        for key_node, value in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key in SKIP_KEYS and parent_key is None:
                continue
            if key in TEXT_KEYS and isinstance(value, yaml.ScalarNode) and value.value.strip():
                yield value.start_mark.line + 1, value.value
            else:
                yield from _walk(value, key)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _walk(item, parent_key)


def extract_flow(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, None, str, list[str]]]:
    """Yield (line, function, message, comments) for Babel, in file order."""
    root = yaml.compose(fileobj.read().decode("utf-8"))
    if root is None:
        return
    for line, message in _walk(root, None):
        yield line, None, message, []
