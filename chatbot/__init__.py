"""The triage engine: plain Python, no Flask, no Twilio (DESIGN.md §4, issue 5)."""

from chatbot.engine import Kind, Line, Reply, State, new_state, step
from chatbot.flow import Flow, FlowError, load_flow
from chatbot.reader import danger_kinds, read

__all__ = [
    "Flow",
    "FlowError",
    "Kind",
    "Line",
    "Reply",
    "State",
    "danger_kinds",
    "load_flow",
    "new_state",
    "read",
    "step",
]
