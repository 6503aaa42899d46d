"""Micro-habit homework: counselors assign habits, partners log them, each partner's week is seen.

``init_app`` is the feature's one line in ``create_app``: the catalogue (checked at start-up), the
``flask habits`` commands, the counselor's and the partner's pages, and the panels on the couple
page and the portal home (practice/seams.py).
"""

from flask import Flask

from practice import seams


def init_app(app: Flask) -> None:
    """Plug homework into the app: catalogue, commands, pages and panels."""
    from practice.extensions import api as api_docs
    from practice.extensions import csrf
    from practice.homework import api, catalogue, cli, panels, services, views

    catalogue.init_app(app)
    cli.init_app(app)
    app.register_blueprint(views.counselor_bp)
    app.register_blueprint(views.partner_bp)
    app.register_blueprint(views.calendar_bp)
    csrf.exempt(api.bp)  # checked by the blueprint itself, after the sign-in (practice/homework/api.py)
    api_docs.register_blueprint(api.bp)
    seams.add_couple_panel(app, seams.Panel(
        "habits", "Habits", "homework/_couple_panel.html", panels.couple_panel,
        empty="No habits yet. Assign one from the catalogue, or write your own, and each partner's "
              "week will show here.", order=10))
    seams.add_portal_panel(app, seams.Panel(
        "habits", "This week's habits", "homework/_portal_panel.html", panels.portal_panel,
        empty="Your counselor has not assigned any habits yet.", order=10))
    seams.add_between_sessions(app, panels.between_sessions)
    seams.add_access_ended(app, services.stop_feeds_of)
