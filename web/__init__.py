"""Flask blueprints and the request-side helpers of Lantern."""

from web.content import content

__all__ = ["content"]
