"""Worksheets: definitions as data, filled privately by each partner, shared by choice, printed as handouts.

``init_app`` is the feature's one line in ``create_app``: the definitions (checked at start-up), the
``flask worksheets`` commands, the counselor's and the partner's pages, the API, the handouts, and
the panels on the couple page and the portal home (practice/seams.py).
"""

from flask import Flask

from practice import crypto, seams

#: How worksheet events read in a couple's audit trail.
AUDIT_SENTENCES = {
    "worksheet.assign": "{actor} gave the couple a worksheet",
    "worksheet.assign.view": "{actor} opened the worksheet list",
    "worksheet.preview": "{actor} previewed a worksheet",
    "worksheet.close": "{actor} closed a worksheet",
    "worksheet.entry.start": "{actor} started a new worksheet entry",
    "worksheet.view": "{actor} opened a worksheet",
    "worksheet.api.view": "{actor} opened a worksheet",
    "worksheet.save": "{actor} saved worksheet answers",
    "worksheet.submit": "{actor} submitted a worksheet",
    "worksheet.share": "{actor} shared worksheet answers with {their} partner",
    "worksheet.withdraw": "{actor} stopped sharing worksheet answers with {their} partner",
    "worksheet.safety": "{actor} answered a worksheet's private safety question",
    "worksheet.safety.acknowledge": "{actor} acknowledged a safety answer",
    "worksheet.review.view": "{actor} read a worksheet's answers",
    "worksheet.comment": "{actor} commented on a worksheet",
    "worksheet.review": "{actor} marked a worksheet reviewed",
    "worksheet.pdf": "{actor} downloaded a filled worksheet",
    "worksheets.list.view": "{actor} viewed {their} worksheets",
    "worksheets.views.view": "{actor} checked who has read {their} answers",
    "access.denied:worksheet": "{actor} {was} refused a worksheet",
    "access.denied:worksheet_entry": "{actor} {was} refused a worksheet entry",
    "access.denied:worksheet_response": "{actor} {was} refused worksheet answers",
    "access.denied:safety_check": "{actor} {was} refused a safety answer",
}


def init_app(app: Flask) -> None:
    """Plug worksheets into the app: definitions, commands, pages, API, handouts and panels."""
    from practice.extensions import api as api_docs
    from practice.extensions import csrf
    from practice.worksheets import api, cli, definitions, handouts, panels, views
    from practice.worksheets.models import SafetyCheck, WorksheetComment, WorksheetResponse

    definitions.init_app(app)
    crypto.register_sealed(app, WorksheetResponse, "sealed", lambda r: f"worksheet_response:{r.id}:answers")
    crypto.register_sealed(app, WorksheetComment, "sealed", lambda c: f"worksheet_comment:{c.id}:body")
    crypto.register_sealed(app, SafetyCheck, "note_sealed", lambda s: f"safety_check:{s.id}:note")
    cli.init_app(app)
    handouts.init_app(app)
    app.register_blueprint(views.counselor_bp)
    app.register_blueprint(views.partner_bp)
    csrf.exempt(api.bp)  # checked by the blueprint itself, after the sign-in (practice/worksheets/api.py)
    api_docs.register_blueprint(api.bp)
    seams.add_couple_panel(app, seams.Panel(
        "worksheets", "Worksheets", "worksheets/_couple_panel.html", panels.couple_panel,
        empty="No worksheets yet.", order=20))
    seams.add_portal_panel(app, seams.Panel(
        "worksheets", "Your worksheets", "worksheets/_portal_panel.html", panels.portal_panel,
        empty="Your counselor has not given you a worksheet yet.", order=20))
    seams.add_between_sessions(app, panels.between_sessions)
    seams.add_caseload_flags(app, panels.caseload_flags)
    seams.add_audit_sentences(app, AUDIT_SENTENCES)
