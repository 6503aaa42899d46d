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
    "note.sign:session_note": "{actor} signed a session note",
    "note.addendum": "{actor} added a signed addendum to a session note",
    "note.discard": "{actor} discarded a session note draft",
    "note.view": "{actor} read a session note",
    "note.api.view": "{actor} read a session note",
    "note.summary": "{actor} inserted the between-sessions summary into a note",
    "note.pdf": "{actor} downloaded a session note",
    "notes.pdf": "{actor} downloaded all session notes",
    "notes.list.view": "{actor} opened the session notes",
    "note.new.view": "{actor} opened a new session note",
    "access.denied:session_note": "{actor} {was} refused a session note",
}


def init_app(app: Flask) -> None:
    """Plug session notes into the app: formats, pages, API, PDFs, panel and providers."""
    from practice.notes import formats, services
    from practice.notes.models import NoteAddendum, SessionNote

    formats.init_app(app)
    crypto.register_sealed(app, SessionNote, "sealed", services.note_context)
    crypto.register_sealed(app, NoteAddendum, "sealed", services.addendum_context)
    seams.add_last_session(app, services.last_signed_session)
    seams.add_audit_sentences(app, AUDIT_SENTENCES)
