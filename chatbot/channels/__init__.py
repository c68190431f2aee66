"""Thin adapters over the triage engine: SMS and voice (Twilio) and the web chat.

Each one parses a request, calls `chatbot.step`, stores the state and renders the reply.
"""
