"""The counselor's caseload and couple pages (thin: services do the work)."""

import uuid

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from marshmallow import ValidationError

from practice import crypto, pages, seams
from practice.auth import drafts
from practice.auth.guards import role_required
from practice.couples import access, invitations, services, trail
from practice.couples.models import CONFIDENTIALITY_TEXT, CoupleStatus
from practice.couples.schemas import CoupleSchema, form_to_nested
from practice.couples.summaries import summarise, summarise_rows, viewer_of
from practice.extensions import db
from practice.fields import form_errors, time_zones, without_control_characters
from practice.mail import where_mail_went

bp = Blueprint("couples", __name__, url_prefix="/couples")

FRESH_LINKS = "fresh_invitation_links"
#: The caseload search, encrypted; "fresh_" keys end with the sign-in (practice.auth.sessions).
SEARCH = "fresh_caseload_search"


@bp.before_request
@role_required("counselor")
def _counselors_only():
    """Every caseload page is for counselors."""


def _form_data(couple=None, form=None, errors=None) -> dict:
    """What the add or edit form shows: the couple, what was typed, errors and the choices."""
    return {
        "couple": couple, "form": form or {}, "errors": errors or {}, "time_zones": time_zones(),
        "policy_options": [(key.value, title, text) for key, (title, text) in CONFIDENTIALITY_TEXT.items()],
    }


def _form_page(template, couple=None, form=None, errors=None, status=200):
    """Render the add or edit form with what was typed and any errors."""
    return render_template(template, **_form_data(couple, form, errors)), status


@bp.route("/", methods=["GET", "POST"])
def caseload():
    """The counselor's couples, active or archived, a page at a time; searched by POST.

    A search is posted, never put in the address: names typed into it stay out of browser
    history and server logs. The post is answered with a redirect to ``?search=1`` (so Back and
    reload work), and the words wait, encrypted, in this sign-in's session cookie.
    """
    status = CoupleStatus.archived if request.values.get("status") == "archived" else CoupleStatus.active
    if request.method == "POST":
        search = without_control_characters(request.form.get("q", "")).strip()[:100]
        _keep_search(search)
        return redirect(url_for("couples.caseload", search="1" if search else None,
                                status=status.value if status is CoupleStatus.archived else None), 303)
    search = _kept_search() if request.args.get("search") == "1" else _keep_search("")
    page, rows = access.caseload_page(search, status, request.args.get("page", ""),
                                      current_app.config["CASELOAD_PAGE_SIZE"])
    couples = summarise_rows(rows)
    data = {
        "couples": couples,
        "flags": seams.caseload_flags([couple.id for couple in couples], viewer_of(current_user)),
        "paging": {"page": page.page, "pages": page.pages, "total": page.total,
                   "prev": page.prev, "next": page.next},
        "search": search, "status": status.value,
    }
    return pages.read_page("couples/caseload.html", data, action="caseload.view",
                           object_type="caseload", object_id=current_user.id)


def _keep_search(search: str) -> str:
    """Keep the caseload search for this sign-in, encrypted; an empty one forgets it."""
    if search:
        session[SEARCH] = crypto.encrypt(search, context=f"caseload-search:{current_user.id}")
    elif SEARCH in session:
        session.pop(SEARCH)
    return search


def _kept_search() -> str:
    """The caseload search this sign-in made last, or nothing."""
    try:
        return crypto.decrypt(session.get(SEARCH, ""), context=f"caseload-search:{current_user.id}")
    except crypto.DecryptionError:
        return ""


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Add a couple and both partners."""
    if request.method == "GET":
        return _form_page("couples/form.html", form=_restored() or {"time_zone": "America/New_York"})
    try:
        data = CoupleSchema().load(form_to_nested(request.form))
    except ValidationError as error:
        return _form_page("couples/form.html", form=request.form, errors=form_errors(error), status=422)
    couple = services.add_couple(current_user, data)
    db.session.commit()
    flash(f"{couple.label} added. Invite each partner when you are ready.", "success")
    return redirect(url_for("couples.show", couple_id=couple.id))


@bp.get("/<uuid:couple_id>")
def show(couple_id: uuid.UUID):
    """The couple page: partners, invitations, agreement, and each feature's panel."""
    row = access.counselor_couple(couple_id)
    couple = summarise(row, current_user.display_name)
    data = {"couple": couple, "links": _open_links(row),
            "panels": seams.couple_panels(couple, viewer_of(current_user))}
    return pages.read_page("couples/show.html", data, action="couple.view", object_type="couple",
                           object_id=couple.id, couple_id=couple.id)


@bp.route("/<uuid:couple_id>/edit", methods=["GET", "POST"])
def edit(couple_id: uuid.UUID):
    """Change a couple's details."""
    couple = access.counselor_couple(couple_id)
    if request.method == "GET":
        data = _form_data(summarise(couple), _restored() or _as_form(couple))
        return pages.read_page("couples/form.html", data, action="couple.view", object_type="couple",
                               object_id=couple.id, couple_id=couple.id)
    try:
        services.edit_couple(couple, CoupleSchema().load(form_to_nested(request.form)))
    except ValidationError as error:
        db.session.rollback()
        return _form_page("couples/form.html", couple=summarise(couple), form=request.form,
                          errors=form_errors(error), status=422)
    db.session.commit()
    flash("Changes saved.", "success")
    return redirect(url_for("couples.show", couple_id=couple.id))


def _open_links(couple) -> dict:
    """Links this counselor sent in this browser that still work, by partner id.

    A link stays on the page until its partner joins or it is revoked or replaced, so inviting
    both partners before copying either link loses neither.
    """
    sent = session.get(FRESH_LINKS, {})
    links = {}
    for partner in couple.partners:
        link = sent.get(str(partner.id))
        if link and invitations.is_current_link(partner, link):
            links[partner.id] = link
        elif link:
            sent.pop(str(partner.id))
            session[FRESH_LINKS] = sent
    return links


def _restored() -> dict | None:
    """What the counselor typed here before their session ended, if anything."""
    draft = drafts.take(request.path)
    if draft:
        flash("Here is what you were typing before you were signed out. Check it and save.", "info")
    return draft


def _as_form(couple) -> dict:
    """The couple's current details in the form's field names."""
    form = {"label": couple.label, "time_zone": couple.time_zone,
            "confidentiality": couple.confidentiality.value}
    for key, partner in zip(("partner_a", "partner_b"), couple.partners, strict=True):
        form.update({f"{key}.name": partner.name, f"{key}.email": partner.email,
                     f"{key}.pronouns": partner.pronouns or ""})
    return form


@bp.route("/<uuid:couple_id>/archive", methods=["GET", "POST"])
def archive(couple_id: uuid.UUID):
    """Archive a couple after a confirmation: out of the caseload and the portal, but restorable."""
    couple = access.counselor_couple(couple_id)
    if request.method == "GET":
        return pages.read_page("couples/archive_confirm.html", {"couple": summarise(couple)},
                               action="couple.view", object_type="couple", object_id=couple.id,
                               couple_id=couple.id)
    services.archive_couple(couple)
    db.session.commit()
    flash(f"{couple.label} archived. You can restore them from the archived list.", "success")
    return redirect(url_for("couples.caseload"))


@bp.post("/<uuid:couple_id>/restore")
def restore(couple_id: uuid.UUID):
    """Restore an archived couple to the active caseload."""
    couple = access.counselor_couple(couple_id)
    services.restore_couple(couple)
    db.session.commit()
    flash(f"{couple.label} restored to your caseload.", "success")
    return redirect(url_for("couples.show", couple_id=couple.id))


@bp.post("/<uuid:couple_id>/partners/<uuid:partner_id>/invite")
def invite(couple_id: uuid.UUID, partner_id: uuid.UUID):
    """Send, or send again, a partner's invitation."""
    couple = access.counselor_couple(couple_id)
    partner = access.counselor_partner(couple, partner_id)
    if partner.user_id is not None:
        flash(f"{partner.name} has already joined.", "info")
        return redirect(url_for("couples.show", couple_id=couple.id))
    if couple.status != CoupleStatus.active:
        flash("Restore this couple before inviting partners.", "error")
        return redirect(url_for("couples.show", couple_id=couple.id))
    link = invitations.invite_partner(partner)
    db.session.commit()
    if current_app.config["SHOW_INVITE_LINKS"]:
        session[FRESH_LINKS] = {**session.get(FRESH_LINKS, {}), str(partner.id): link}
    flash(f"{where_mail_went(partner.email)} The link works once, for "
          f"{current_app.config['INVITATION_HOURS']} hours.", "success")
    return redirect(url_for("couples.show", couple_id=couple.id))


@bp.post("/<uuid:couple_id>/partners/<uuid:partner_id>/revoke")
def revoke(couple_id: uuid.UUID, partner_id: uuid.UUID):
    """Make a partner's invitation link stop working."""
    couple = access.counselor_couple(couple_id)
    partner = access.counselor_partner(couple, partner_id)
    invitations.revoke_invitation(partner)
    db.session.commit()
    flash(f"{partner.name}'s invitation link no longer works.", "success")
    return redirect(url_for("couples.show", couple_id=couple.id))


@bp.get("/<uuid:couple_id>/audit")
def audit_trail(couple_id: uuid.UUID):
    """Who did what with this couple's record, newest first, as sentences; filtered and paged."""
    couple = access.counselor_couple(couple_id)
    data = trail.page(couple, current_user.id, request.args)
    return pages.read_page("couples/audit.html", data, action="audit.view", object_type="couple",
                           object_id=couple.id, couple_id=couple.id)
