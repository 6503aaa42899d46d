"""Read pages, one way: gather plain data, render it, record the view, commit.

A view that shows client data hands this module plain data (dicts, tuples, small dataclasses),
never ORM rows, so a template cannot lazy-load a row or call back into a service. The view's
audit event is recorded after the page is rendered and committed with it; the audit chain is
sealed after that commit (``practice.audit``), so nothing waits on the chain while a page is built.
"""

from flask import jsonify, render_template

from practice import audit
from practice.extensions import db


def read_page(template: str, data: dict, *, action: str, object_type: str = "", object_id="",
              couple_id=None, status: int = 200):
    """Render ``template`` from plain ``data``, audit the view as ``action``, commit, return the page."""
    html = render_template(template, **data)
    audit.record(action, object_type=object_type, object_id=str(object_id), couple_id=couple_id)
    commit_keeping_rows()
    return html, status


def read_json(payload, *, action: str, object_type: str = "", object_id="", couple_id=None):
    """Audit an API read of ``payload`` (already serialised by its schema), commit, answer it as JSON.

    The answer is a finished response, so the API layer does not serialise again after the commit.
    """
    response = jsonify(payload)
    audit.record(action, object_type=object_type, object_id=str(object_id), couple_id=couple_id)
    commit_keeping_rows()
    return response


def commit_keeping_rows() -> None:
    """Commit the view's audit event, keeping the rows the page was built from as they were read.

    A read changed none of them, and the answer is already made: expiring them would only make
    the after-request hooks (discreet mode reads the signed-in user) load the user again.
    """
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire
