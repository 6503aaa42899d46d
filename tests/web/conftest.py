"""Fixtures for the functional tests: signed-in people, forms posted the way a browser does."""

import pytest


@pytest.fixture(autouse=True)
def _own_instance_folder(app_config, tmp_path):
    """Each test gets its own instance folder: crisis.json and demo logins stay out of the repo."""
    folder = tmp_path / "instance"
    folder.mkdir()
    app_config["INSTANCE_PATH"] = str(folder)


@pytest.fixture
def outbox(app):
    """The emails this app sent (Flask-Mailman's locmem backend keeps them per app)."""
    state = app.extensions["mailman"]
    state.outbox = []
    return state.outbox


@pytest.fixture
def counselor(make_user, auth):
    """A counselor, signed in on the default client."""
    user = make_user("counselor", email="dana@example.com", name="Dana Reyes")
    auth.login(user)
    return user


@pytest.fixture
def submit(client, auth):
    """Post a form the way a browser does: open the page, take its CSRF token, send."""

    def post(page, data, action=None, **kwargs):
        return client.post(action or page, data={**data, "csrf_token": auth.csrf(page)}, **kwargs)

    return post


@pytest.fixture
def browser(app, auth):
    """Open another browser, optionally signed in as someone: ``browser(partner_user)``."""

    def open_browser(user=None):
        other = app.test_client()
        if user is not None:
            type(auth)(other).login(user)
        return other

    return open_browser


@pytest.fixture
def search(client, auth):
    """Search the caseload the way the page does: a POST, so names stay out of the address.

    The post redirects to the results (``?search=1``); ``page`` follows the page's own link.
    """

    def post(query, status=None, page=None):
        data = {"q": query, "csrf_token": auth.csrf("/couples/")}
        if status is not None:
            data["status"] = status
        results = client.post("/couples/", data=data)
        assert results.status_code == 303 and query not in results.headers["Location"]
        location = results.headers["Location"] + (f"&page={page}" if page is not None else "")
        return client.get(location)

    return post
