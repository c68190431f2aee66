"""The triage engine: plain Python, no Flask, no Twilio (DESIGN.md §4, issue 5)."""

from chatbot.engine import Line, Reply, new_state, step
from chatbot.flow import Flow, FlowError, load_flow
from chatbot.understand import danger_kinds

__all__ = ["Flow", "FlowError", "Line", "Reply", "danger_kinds", "load_flow", "new_state", "step"]
