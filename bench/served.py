"""The WSGI app `make bench` serves with gunicorn: SecureBase, and beside it the limit of its stack.

``/bare/read`` is a plain Flask route on the same database, in the same worker processes: one
indexed select (a couple by its primary key) and a Jinja page of about the size of the couple page.
``/bare/audited`` does the same and inserts one row and commits: the least an audited page can do.
Neither goes through SecureBase's sign-in, sessions, CSRF or headers: they are what Flask,
SQLAlchemy, Jinja, gunicorn and the database cost on their own on this machine.

``/bench/floor`` is the third reference, served by SecureBase itself: the same select and page,
behind SecureBase's sign-in (a partner's session, checked as every page checks it), recorded and
committed through ``practice.pages.read_page`` as every read page is. It is the least a
signed-in, audited SecureBase page can cost: what a page costs beyond it is the page's own work.

gunicorn calls ``create(settings)``; the benchmark passes the settings as a literal.
"""

import uuid

import sqlalchemy as sa
from flask import Flask, render_template, request
from jinja2 import ChoiceLoader, DictLoader
from werkzeug.middleware.dispatcher import DispatcherMiddleware

VISITS = sa.Table(
    "bench_visit", sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("couple_id", sa.String(36), nullable=False),
    sa.Column("at", sa.DateTime, nullable=False, server_default=sa.func.current_timestamp()),
)
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ label }}</title></head>
<body><main><h1>{{ label }}</h1><ul>
{% for n in range(items) %}<li class="row"><a href="/couples/{{ id }}?n={{ n }}">{{ label }}</a>
 <span>{{ zone }} &middot; item {{ n }}</span></li>
{% endfor %}</ul></main></body></html>"""
ITEM_BYTES = 120  # about what one <li> above renders to


def bare_app(url: str) -> Flask:
    """A Flask app with the two bare routes on the database at ``url``."""
    app = Flask("bench_bare")
    app.jinja_loader = DictLoader({"page.html": PAGE})  # compiled once and cached, as templates are
    engine = sa.create_engine(url)
    couples = sa.table("couple", sa.column("id", sa.Uuid), sa.column("label"), sa.column("time_zone"))

    def render(connection):
        couple_id = uuid.UUID(request.args["couple"])
        row = connection.execute(sa.select(couples).where(couples.c.id == couple_id)).one()
        items = max(1, int(request.args.get("bytes", "6000")) // ITEM_BYTES)
        return render_template("page.html", label=row.label, id=couple_id, zone=row.time_zone, items=items)

    @app.get("/read")
    def read():
        with engine.connect() as connection:
            return render(connection)

    @app.get("/audited")
    def audited():
        with engine.begin() as connection:
            page = render(connection)
            connection.execute(VISITS.insert().values(couple_id=request.args["couple"]))
        return page

    return app


def add_floor(practice: Flask) -> None:
    """Add ``/bench/floor`` to SecureBase: the bare page behind its sign-in, audited as its pages are."""
    from practice.auth.guards import role_required
    from practice.extensions import db
    from practice.pages import read_page

    loaders = [DictLoader({"bench/floor.html": PAGE}), practice.jinja_env.loader]
    practice.jinja_env.loader = ChoiceLoader(loaders)
    couples = sa.table("couple", sa.column("id", sa.Uuid), sa.column("label"), sa.column("time_zone"))

    @role_required("partner")
    def floor():
        couple_id = uuid.UUID(request.args["couple"])
        row = db.session.execute(sa.select(couples).where(couples.c.id == couple_id)).one()
        items = max(1, int(request.args.get("bytes", "6000")) // ITEM_BYTES)
        return read_page("bench/floor.html", {"label": row.label, "id": couple_id, "zone": row.time_zone,
                                              "items": items},
                         action="bench.floor", object_type="couple", object_id=couple_id, couple_id=couple_id)

    practice.add_url_rule("/bench/floor", "bench_floor", floor)


def create(settings: dict):
    """SecureBase at ``/`` (with its floor) and the bare app at ``/bare``, one WSGI app for gunicorn."""
    from practice import create_app

    practice = create_app(settings)
    add_floor(practice)
    return DispatcherMiddleware(practice, {"/bare": bare_app(settings["SQLALCHEMY_DATABASE_URI"])})


def add_visits_table(url: str) -> None:
    """Create the bare audited route's table in the bench database."""
    engine = sa.create_engine(url)
    VISITS.metadata.create_all(engine)
    engine.dispose()
