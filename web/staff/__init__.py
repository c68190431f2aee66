"""The staff area at /staff: sign-in with two factors, listing editor, review queue, audit.

Never linked from public pages. English only: the people using it are council and charity
staff, and its words stay out of the readers' catalogues.
"""

from __future__ import annotations

from flask import Flask

from storage.staff import StaffStore


def init_staff(app: Flask) -> None:
    """Open the staff tables, load any published listings, register the area and commands."""
    from web.content import refresh_content
    from web.staff import insight, views
    from web.staff.auth import init_login
    from web.staff.cli import register_staff_commands

    app.extensions["lantern_staff"] = StaffStore(app.config["DATABASE_URL"])
    refresh_content(app, force=True)

    @app.before_request
    def _refresh() -> None:
        refresh_content(app)

    init_login(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(insight.bp)
    register_staff_commands(app)
