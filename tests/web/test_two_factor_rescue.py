"""A counselor who lost their authenticator asks the practice for help from the code page."""

import pytest
from webpage import csrf_token, text_of

from tests.conftest import PASSWORD


@pytest.fixture
def app_config(app_config):
    """A practice whose owner reads practice@example.com."""
    return {**app_config, "SECURITY_TWO_FACTOR_RESCUE_MAIL": "practice@example.com"}


@pytest.fixture
def at_the_code_page(client, make_user):
    """Dana has typed her password and is asked for a code she cannot get."""

    def sign_in(role="counselor"):
        user = make_user(role, email="dana@example.com", name="Dana Reyes", two_factor=True)
        response = client.post("/login", data={"email": user.email, "password": PASSWORD,
                                               "csrf_token": csrf_token(client.get("/login"))})
        assert "/tf-validate" in response.headers["Location"]
        return client.get("/tf-validate")

    return sign_in


def ask_the_practice(client, page):
    """Open "Lost your phone?" and choose to ask the practice."""
    html = page.get_data(as_text=True)
    token = html.split('id="rescue-csrf" name="csrf_token" type="hidden" value="')[1].split('"')[0]
    return client.post("/tf-rescue", data={"help_setup": "help", "csrf_token": token})


def test_the_code_page_offers_to_ask_the_practice(client, at_the_code_page):
    page = at_the_code_page()
    text = text_of(page)
    assert "Lost your phone, or the code will not work?" in text
    assert "Ask the practice to reset it" in text


def test_asking_says_what_happens_next(client, at_the_code_page, outbox):
    answer = ask_the_practice(client, at_the_code_page())

    assert answer.status_code == 200
    text = text_of(answer)
    assert "We have emailed your practice." in text
    assert "Practice email: practice@example.com" in text
    assert "check it's really you" in text
    assert "set up two-factor on your new phone" in text
    assert client.get("/couples/").status_code == 302, "still not signed in"
    assert 'name="two_factor_rescue_form"' not in answer.get_data(as_text=True), "asked once is enough"
    assert 'name="two_factor_verify_code_form"' in answer.get_data(as_text=True)


def test_the_practice_gets_an_email_in_our_words(client, at_the_code_page, outbox):
    ask_the_practice(client, at_the_code_page())

    [message] = outbox
    assert message.to == ["practice@example.com"]
    assert message.subject == "SecureBase: a request to reset two-factor sign-in"
    body = message.body
    assert "Dana Reyes <dana@example.com> (counselor) signed in to SecureBase with their" in body
    assert "call them on a number you" in body
    assert "http://localhost/admin/counselors" in body
    assert "flask --app practice reset-two-factor dana@example.com" in body
    assert "can not access mail account" not in body
    html = message.alternatives[0][0]
    assert "Dana Reyes &lt;dana@example.com&gt;" in html
    assert "can not access mail account" not in html


def test_a_partners_request_points_to_the_command_only(client, at_the_code_page, outbox):
    ask_the_practice(client, at_the_code_page("partner"))

    body = outbox[0].body
    assert "(partner)" in body
    assert "flask --app practice reset-two-factor dana@example.com" in body
    assert "/admin/counselors" not in body
    assert "Their next sign-in needs only their password." in body
