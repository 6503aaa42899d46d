"""Micro-habit homework: counselors assign habits, partners log them, each partner's week is seen.

``init_app`` is the feature's one line in ``create_app``: the catalogue (checked at start-up), the
``flask habits`` commands, the counselor's and the partner's pages, and the panels on the couple
page and the portal home (practice/seams.py).
"""

from flask import Flask

from practice import crypto, seams

#: How habit events read in a couple's audit trail.
AUDIT_SENTENCES = {
    "habit.assign": "{actor} assigned a habit",
    "habit.assign.view": "{actor} opened the habit catalogue",
    "habit.view": "{actor} viewed a habit and its logs",
    "habit.change": "{actor} changed a habit",
    "habit.pause": "{actor} paused a habit",
    "habit.resume": "{actor} resumed a habit",
    "habit.end": "{actor} ended a habit",
    "habits.week.view": "{actor} viewed {their} week of habits",
    "habit.log": "{actor} logged a habit",
    "habit.log.view": "{actor} opened a habit entry",
    "habit.log.edit": "{actor} changed a habit entry",
    "habit.log.delete": "{actor} deleted a habit entry",
    "habit.settings.view": "{actor} viewed who reads {their} habit notes",
    "habit.settings.change": "{actor} changed who reads {their} habit notes",
    "habit.feed.start": "{actor} made a calendar link",
    "habit.feed.change": "{actor} changed {their} calendar link's time or titles",
    "habit.feed.stop": "{partner}'s calendar link was turned off",
    "habit.feed.read": "A calendar app read {partner}'s habit times",
    "habit.planner.pdf": "{actor} downloaded a habit planner",
    "habit.log_sheet.pdf": "{actor} downloaded a habit log sheet",
    "access.denied:habit": "{actor} {was} refused a habit",
    "access.denied:habit_log": "{actor} {was} refused a habit entry",
}


def init_app(app: Flask) -> None:
    """Plug homework into the app: catalogue, commands, pages and panels."""
    from practice.extensions import api as api_docs
    from practice.extensions import csrf
    from practice.homework import api, catalogue, cli, panels, services, views
    from practice.homework.models import HabitLog

    catalogue.init_app(app)
    crypto.register_sealed(app, HabitLog, "feeling_sealed", lambda log: f"habit-log:{log.id}:feeling")
    crypto.register_sealed(app, HabitLog, "note_sealed", lambda log: f"habit-log:{log.id}:note")
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
    seams.add_habit_choices(app, panels.habit_choices)
    seams.add_habit_review(app, panels.habit_review)
    seams.add_access_ended(app, services.stop_feeds_of)
    seams.add_audit_sentences(app, AUDIT_SENTENCES)
