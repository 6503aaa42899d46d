"""The first walk through: sign in, see your own start page."""


def test_counselor_signs_in_with_two_factor_and_sees_caseload(client, auth, make_user):
    counselor = make_user("counselor")
    auth.login(counselor)
    page = client.get("/couples/")
    assert page.status_code == 200
    assert "Your caseload is empty" in page.get_data(as_text=True)


def test_partner_sees_own_couple(client, auth, world):
    auth.login(world["P1A"])
    page = client.get("/portal/").get_data(as_text=True)
    assert "Pat" in page and "Bea One" in page
    assert "Pia Two" not in page
