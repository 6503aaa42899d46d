"""Session notes: structured, quick to write, signed and locked, encrypted, read by their author alone.

``init_app`` is the feature's one line in ``create_app``: the formats (checked at start-up), the
counselor's pages, the API, the PDFs, the admin's register of notes (that a note exists, never what
it says), the couple page's panel, the ``last session`` provider, and the encrypted columns key
rotation re-encrypts.
"""

from flask import Flask

from practice import crypto, seams

#: How note events read in a couple's audit trail.
AUDIT_SENTENCES = {
    "note.start": "{actor} started a session note",
    "note.save": "{actor} saved a session note draft",
    "note.sign": "{actor} signed a session note",
    "note.sign.refused": "{actor} could not sign a session note: the password or code was wrong",
    "note.addendum.refused": "{actor} could not sign an addendum: the password or code was wrong",
    "note.addendum": "{actor} added a signed addendum to a session note",
    "note.discard": "{actor} discarded a session note draft",
    "note.view": "{actor} read a session note",
    "note.api.view": "{actor} read a session note",
    "note.summary": "{actor} inserted the between-sessions summary into a note",
    "note.pdf": "{actor} downloaded a session note",
    "notes.pdf": "{actor} downloaded all session notes",
    "notes.list.view": "{actor} opened the session notes",
    "note.new.view": "{actor} opened a new session note",
    "note.summary.view": "{actor} fetched the between-sessions summary for a note",
    "notes.search": "{actor} searched their session notes",
    "notes.search.read": "{actor} saw this couple's notes among search results",
    "access.denied:session_note": "{actor} {was} refused a session note",
}


def init_app(app: Flask) -> None:
    """Plug session notes into the app: formats, pages, API, PDFs, panel and providers."""
    from practice.extensions import api as api_docs
    from practice.extensions import csrf
    from practice.notes import api, formats, handouts, panels, services, views
    from practice.notes.models import NoteAddendum, SessionNote

    formats.init_app(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(views.register_bp)
    handouts.init_app(app)
    csrf.exempt(api.bp)  # checked by the blueprint itself, after the sign-in (practice/notes/api.py)
    api_docs.register_blueprint(api.bp)
    seams.add_couple_panel(app, seams.Panel(
        "notes", "Session notes", "notes/_couple_panel.html", panels.couple_panel,
        empty="No session notes yet.", order=30))
    crypto.register_sealed(app, SessionNote, "sealed", services.note_context)
    crypto.register_sealed(app, NoteAddendum, "sealed", services.addendum_context)
    seams.add_nav_link(app, seams.NavLink("counselor", "notes.search", "Notes"))
    seams.add_nav_link(app, seams.NavLink("admin", "notes_register.register", "Notes register"))
    seams.add_last_session(app, services.last_signed_session)
    seams.add_audit_sentences(app, AUDIT_SENTENCES)
