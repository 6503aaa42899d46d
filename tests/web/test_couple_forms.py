"""Adding and editing a couple: what the counselor types, what they see back."""

import pytest
from sqlalchemy import func, select
from webpage import checked_choice, field_error, field_value, flashes, text_of

from practice.couples.models import Couple
from practice.extensions import db

TIME_ZONE_HINT = ("No time zone found for “{}”. Type a city, like Chicago, London or São Paulo, "
                  "or choose one from the list.")


def couple_form(**changes) -> dict:
    """A complete, valid add-a-couple form, with ``changes`` applied (``partner_a__name=...``)."""
    form = {
        "partner_a.name": "Maya Chen", "partner_a.email": "maya@example.com",
        "partner_a.pronouns": "she/her",
        "partner_b.name": "Jordan Rivera", "partner_b.email": "jordan@example.com",
        "partner_b.pronouns": "they/them",
        "label": "", "time_zone": "America/Chicago", "confidentiality": "limited_secrets",
    }
    form.update({key.replace("__", "."): value for key, value in changes.items()})
    return form


def couple_count() -> int:
    """How many couples exist."""
    return db.session.scalar(select(func.count()).select_from(Couple))


def test_the_empty_form_suggests_a_time_zone_and_the_no_secrets_agreement(client, counselor):
    page = client.get("/couples/new")
    assert page.status_code == 200
    assert field_value(page, "time_zone") == "Eastern time — New York (America/New_York)"
    assert checked_choice(page, "confidentiality") == "no_secrets"
    assert "Limited secrets" in text_of(page)


def test_add_a_couple(client, counselor, submit):
    response = submit("/couples/new", couple_form())

    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    text = text_of(page)
    assert "Maya & Jordan added. Invite each partner when you are ready." in flashes(page)
    assert "Maya Chen (she/her)" in text and "Jordan Rivera (they/them)" in text
    assert "maya@example.com" in text and "jordan@example.com" in text
    assert "Central time, Chicago · Limited secrets agreement" in text
    assert text.count("Not invited") == 2
    assert "Maya & Jordan" in text_of(client.get("/couples/"))


def test_label_defaults_to_both_first_names(client, counselor, submit):
    submit("/couples/new", couple_form(partner_a__name="  Maya Li Chen ", partner_b__name="Jordan"))
    assert db.session.scalar(select(Couple.label)) == "Maya & Jordan"


def test_a_label_the_counselor_typed_is_kept(client, counselor, submit):
    response = submit("/couples/new", couple_form(label="Chen–Rivera (Tuesdays)"))
    assert "Chen–Rivera (Tuesdays)" in text_of(client.get(response.headers["Location"]))


def test_email_addresses_are_stored_lower_case(client, counselor, submit):
    response = submit("/couples/new", couple_form(partner_a__email="  Maya.Chen@Example.COM "))
    assert "maya.chen@example.com" in text_of(client.get(response.headers["Location"]))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("partner_a.name", "", "Enter the partner's name."),
        ("partner_b.name", "   ", "Enter the partner's name."),
        ("partner_a.email", "maya-at-example", "Enter an email address like name@example.com."),
        ("partner_b.email", "", "Enter an email address."),
        ("partner_b.email", "MAYA@example.com", "Each partner needs their own email address."),
        ("time_zone", "Mars/Olympus_Mons", TIME_ZONE_HINT.format("Mars/Olympus_Mons")),
        ("label", "x" * 121, "Keep this under 121 characters."),
        ("partner_a.name", "Maya\x00Chen",
         "Remove the invisible control character from this text."),
        ("partner_b.pronouns", "t" * 41, "Keep this under 41 characters."),
        ("partner_b.name", "Jordan\nRivera", "Keep this on one line."),
        ("label", "Maya &\r\nJordan", "Keep this on one line."),
    ],
    ids=["missing name", "blank name", "bad email", "missing email", "same email twice",
         "unknown time zone", "overlong label", "NUL in a name", "overlong pronouns",
         "line break in a name", "line break in the label"],
)
def test_each_mistake_is_shown_next_to_its_field_and_everything_typed_is_kept(
    client, counselor, submit, field, value, message
):
    form = couple_form(**{field.replace(".", "__"): value})

    page = submit("/couples/new", form)

    assert page.status_code == 422
    assert field_error(page, field) == message
    assert "Some answers need another look" in text_of(page)
    for name, typed in form.items():
        if name == "confidentiality":
            assert checked_choice(page, name) == typed
        elif name != field:
            assert field_value(page, name) == typed, name
    assert couple_count() == 0


def test_several_mistakes_are_all_shown_at_once(client, counselor, submit):
    page = submit("/couples/new", couple_form(partner_a__name="", time_zone="Nowhere"))
    assert page.status_code == 422
    assert field_error(page, "partner_a.name") == "Enter the partner's name."
    assert field_error(page, "time_zone") == TIME_ZONE_HINT.format("Nowhere")


def test_a_missing_time_zone_asks_for_one(client, counselor, submit):
    form = couple_form()
    del form["time_zone"]
    page = submit("/couples/new", form)
    assert page.status_code == 422
    assert field_error(page, "time_zone") == "Choose the couple's time zone."


def test_an_unknown_agreement_is_refused(client, counselor, submit):
    page = submit("/couples/new", couple_form(confidentiality="tell_everyone"))
    assert page.status_code == 422
    assert "Choose one of the two confidentiality agreements." in text_of(page)
    assert couple_count() == 0


# Editing


def test_the_edit_form_shows_the_couple_as_it_is(client, counselor, make_couple):
    couple = make_couple(counselor, label="Tuesday couple", names=("Maya Chen", "Jordan Rivera"))
    page = client.get(f"/couples/{couple.id}/edit")
    assert page.status_code == 200
    assert field_value(page, "label") == "Tuesday couple"
    assert field_value(page, "partner_b.name") == "Jordan Rivera"
    assert field_value(page, "partner_a.email") == couple.partners[0].email
    assert field_value(page, "time_zone") == "Central time — Chicago (America/Chicago)"
    assert checked_choice(page, "confidentiality") == "no_secrets"


def test_edit_saves_the_changes(client, counselor, make_couple, submit):
    couple = make_couple(counselor, names=("Maya Chen", "Jordan Rivera"))
    path = f"/couples/{couple.id}/edit"
    form = couple_form(partner_a__email=couple.partners[0].email, partner_b__email="jr@example.com",
                       partner_b__name="Jordan Rivera-Chen", time_zone="Europe/London",
                       label="Maya and Jordan")

    response = submit(path, form)

    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    text = text_of(page)
    assert "Changes saved." in flashes(page)
    assert "Maya and Jordan" in text and "Jordan Rivera-Chen" in text and "jr@example.com" in text
    assert "British time, London · Limited secrets agreement" in text


def test_clearing_the_label_falls_back_to_first_names(client, counselor, make_couple, submit):
    couple = make_couple(counselor, label="Old name", names=("Maya Chen", "Jordan Rivera"))
    form = couple_form(partner_a__email=couple.partners[0].email,
                       partner_b__email=couple.partners[1].email, partner_a__name="Mia Chen")
    response = submit(f"/couples/{couple.id}/edit", form)
    assert "Mia & Jordan" in text_of(client.get(response.headers["Location"]))


def test_edit_mistakes_keep_what_was_typed(client, counselor, make_couple, submit):
    couple = make_couple(counselor, names=("Maya Chen", "Jordan Rivera"))
    form = couple_form(partner_a__email="nope", label="New label")

    page = submit(f"/couples/{couple.id}/edit", form)

    assert page.status_code == 422
    assert field_error(page, "partner_a.email") == "Enter an email address like name@example.com."
    assert field_value(page, "label") == "New label"
    assert field_value(page, "partner_a.email") == "nope"
    db.session.expire_all()
    assert db.session.get(Couple, couple.id).label == "Maya & Jordan"


def test_a_joined_partners_email_cannot_be_changed(client, counselor, make_couple, submit):
    couple = make_couple(counselor, joined=True, names=("Maya Chen", "Jordan Rivera"))
    joined_email = couple.partners[0].email
    path = f"/couples/{couple.id}/edit"

    page = client.get(path)
    assert "They have joined, so their sign-in email stays as it is." in text_of(page)
    assert 'readonly="readonly"' in page.get_data(as_text=True)

    form = couple_form(partner_a__email="someone.else@example.com",
                       partner_b__email=couple.partners[1].email, partner_a__name="Maya C.")
    response = submit(path, form)

    text = text_of(client.get(response.headers["Location"]))
    assert "Maya C." in text
    assert joined_email in text
    assert "someone.else@example.com" not in text


def test_another_counselors_couple_cannot_be_edited(
    client, counselor, make_user, make_couple, submit
):
    other = make_user("counselor", email="other@example.com")
    couple = make_couple(other, names=("Pia Two", "Ben Two"))
    path = f"/couples/{couple.id}/edit"

    assert client.get(path).status_code == 404
    response = submit("/couples/new", couple_form(label="Taken over"), action=path)
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Couple, couple.id).label == "Pia & Ben"


def test_an_edit_cannot_give_the_unjoined_partner_the_joined_partners_email(
    client, auth, make_user, make_couple
):
    """The joined partner's email is fixed; the other partner cannot take it by a crafted form."""
    counselor = make_user("counselor")
    couple = make_couple(counselor)
    couple.partners[0].user_id = make_user("partner", email="joined@example.com").id
    couple.partners[0].email = "joined@example.com"
    b_email = couple.partners[1].email
    auth.login(counselor)
    response = client.post(f"/couples/{couple.id}/edit", data={
        "csrf_token": auth.csrf(f"/couples/{couple.id}/edit"),
        "time_zone": "America/Chicago", "confidentiality": "no_secrets",
        "partner_a.name": "Alex Morgan", "partner_a.email": "joined@example.com",
        "partner_b.name": "Sam Lee", "partner_b.email": "joined@example.com",
    })
    assert response.status_code == 422
    assert "Each partner needs their own email address." in response.get_data(as_text=True)
    from practice.couples.models import Partner

    assert db.session.get(Partner, couple.partners[1].id).email == b_email
