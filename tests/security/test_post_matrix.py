"""Every POST route × every role × own/other agency: a request passes the permission check
exactly when :mod:`app.services.policy` says the user may (refused: 403/404 and nothing in the
database changed; allowed: never 403/404 — the workflow may still refuse the state with 400/409).

The expectation is asked of the policy right before each request, on the current rows, so the
rows changed by an allowed request are judged as they are then. Routes the policy has no verb
for (self-service: login, language, own notifications, own password) are listed in ``OWN`` with
the rule they follow; a new POST route fails :func:`test_every_post_route_is_in_the_matrix`
until it is given its policy verb here.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from app.extensions import db as _db
from app.models import (
    AgencySigner,
    ApiToken,
    CalendarDay,
    ExchangeIncoming,
    Notification,
    RevocationData,
    Role,
    TrustRoot,
    User,
)
from app.services import api_tokens, policy
from tests.conftest import add_user
from tests.security.sessions import separate_users, sign_in
from tests.security.test_fuzz import _fingerprint
from tests.security.test_routes_by_role import (  # noqa: F401  (this module's own world)
    _ids,
    _url,
    app,
    backend,
    shared,
    world,
)

Expect = Callable[[User, dict], bool]


def _pol(action: str, obj: Callable[[User, dict], Any]) -> Expect:
    return lambda u, w: policy.can(u, action, obj(u, w))


def _period(_u: User, w: dict) -> Any:
    return w["period"]


def _period_agency(u: User, w: dict) -> Any:
    return policy.PeriodAgency(w["period"], u.agency_id)


ADMIN = _pol("admin.area", lambda u, w: None)

# endpoint → (who may, per the policy; form data; url ids overriding the world's)
MATRIX: dict[str, tuple[Expect, dict, dict]] = {
    "admin.agency_create": (ADMIN, {"code": "MOI-1", "name": "Mới", "abbreviation": "M"}, {}),
    "admin.agency_edit": (_pol("agency.edit", lambda u, w: w["a"]), {"name": "x"}, {}),
    "admin.agency_retire": (_pol("agency.retire", lambda u, w: w["a"]), {"on": "2099-01-01"}, {}),
    "admin.agency_signers": (ADMIN, {"name": "Trần Văn C", "title": "GIÁM ĐỐC"}, {}),
    "admin.agency_signer_action": (ADMIN, {}, {"action": "len"}),
    "admin.agency_templates": (_pol("template.upload", lambda u, w: w["a"]), {"kind": "plan"}, {}),
    "admin.agency_api_tokens": (ADMIN, {"name": "Cổng dữ liệu", "roles": ["reporter"]}, {}),
    "admin.agency_api_token_revoke": (ADMIN, {}, {}),
    "admin.group_edit": (
        _pol("group.edit", lambda u, w: None),
        {"code": "NHOM-MOI-1", "name": "Các cơ quan", "member_level": "district"},
        {},
    ),
    "admin.calendar": (_pol("calendar.edit", lambda u, w: None), {"day": "2099-01-02"}, {}),
    "admin.calendar_load": (_pol("calendar.edit", lambda u, w: None), {}, {}),
    "admin.calendar_remove": (_pol("calendar.edit", lambda u, w: None), {}, {}),
    # digital signing (issue 15): the admin's pages
    "admin.trust_roots": (ADMIN, {}, {}),
    "admin.trust_root_remove": (ADMIN, {}, {}),
    "admin.revocation_add": (ADMIN, {}, {}),
    "admin.revocation_remove": (ADMIN, {}, {}),
    "admin.agency_signing_upload": (ADMIN, {}, {"who": "co-quan", "what": "xoa-khoa"}),
    "admin.user_create": (_pol("user.manage", lambda u, w: None), {"username": "moi"}, {}),
    "admin.user_deactivate": (_pol("user.manage", lambda u, w: None), {}, {}),
    "admin.user_edit": (_pol("user.manage", lambda u, w: None), {"full_name": "X"}, {}),
    "admin.user_reset_password": (_pol("user.manage", lambda u, w: None), {"password": "x"}, {}),
    "consolidation.create": (_pol("consolidation.draft", _period), {}, {}),
    "consolidation.save_report_parts": (
        _pol("consolidation.edit_report", _period),
        {"addressees": "Ủy ban nhân dân tỉnh", "assessment": "Đánh giá"},
        {},
    ),
    "dashboard.decide_extension": (
        _pol("extension.decide", lambda u, w: w["ext"].period),
        {"decision": "refuse", "r%(ext_id)s-comment": "Không đủ căn cứ"},
        {},
    ),
    "dashboard.draft_dispatch": (_pol("reminder.draft", _period), {}, {}),
    "dashboard.reopen": (_pol("period.reopen", _period), {"comment": "x"}, {}),
    "dashboard.request_extension": (
        _pol("extension.request", _period_agency),
        {"requested_due": "2025-03-01", "reason": "Cần thêm thời gian"},
        {},
    ),
    "documents.action": (
        _pol("document.request_signature", lambda u, w: w["doc"]),
        {"trigger": "request_signature"},
        {},
    ),
    "documents.regenerate": (
        _pol("document.request_signature", lambda u, w: w["doc"]),  # "Soạn lại": its drafters
        {},
        {},
    ),
    "documents.upload_signed": (_pol("document.upload_signed", lambda u, w: w["doc"]), {}, {}),
    "documents.verify_signatures": (
        _pol("document.verify_signatures", lambda u, w: w["doc"]),
        {},
        {},
    ),
    "documents.export_edxml": (_pol("document.export_edxml", lambda u, w: w["doc"]), {}, {}),
    "documents.import_status": (_pol("document.import_status", lambda u, w: w["doc"]), {}, {}),
    "documents.sign_again": (_pol("document.release", lambda u, w: w["doc"]), {}, {}),
    "editor.edit": (_pol("plan.edit", lambda u, w: w["plan"]), {"_op": "preview"}, {}),
    # the editor's page (a preview saves nothing; saving is plan.create in plans.create_plan)
    "editor.new": (_pol("plan.write", lambda u, w: None), {"_op": "preview"}, {}),
    # the live "Xem như sẽ in": previews.text_html, for those who may write plans
    "editor.render_text": (_pol("plan.write", lambda u, w: None), {"text": "1. **Đậm**"}, {}),
    "plans.close_round": (_pol("period.close", _period), {"comment": "x"}, {}),
    "plans.draft_document": (_pol("plan.draft_document", lambda u, w: w["plan"]), {}, {}),
    "plans.import_basis": (_pol("plan.import_basis", lambda u, w: w["plan"]), {}, {}),
    # the import page; the file's plan is judged by plan.import (loader.load)
    "plans.import_plan": (_pol("plan.write", lambda u, w: None), {}, {}),
    "plans.import_incoming": (_pol("plan.import_basis", lambda u, w: w["plan"]), {}, {}),
    "plans.record_issued": (
        _pol("plan.issue", lambda u, w: w["plan"]),
        {"number": "7", "issued_on": "05/11/2024"},
        {},
    ),
    "reports.action": (
        _pol("report.review", lambda u, w: w["ra"]),
        {"trigger": "accept", "version": "%(report_version)s"},
        {},
    ),
    "reports.draft_document": (_pol("report.draft_document", lambda u, w: w["ra"]), {}, {}),
    "reports.edit": (_pol("report.edit", lambda u, w: w["ra"]), {"_save_draft": "1"}, {}),
    # taking an uploaded sheet into the draft is editing the report
    "reports.rows_upload_view": (_pol("report.edit", lambda u, w: w["ra"]), {}, {}),
    "reports.start": (_pol("report.start", _period_agency), {}, {}),
}

# Not verbs of the policy: each user acts on their own session or rows, or the route's own rule
OWN: dict[str, Expect] = {
    "auth.login": lambda u, w: True,  # public
    "auth.logout": lambda u, w: True,
    "auth.set_language": lambda u, w: True,
    "auth.change_password": lambda u, w: True,
    "dashboard.mark_all_read": lambda u, w: True,
    "dashboard.mark_read": lambda u, w: w["note"] is not None and w["note"].user_id == u.id,
    "dashboard.open_notification": lambda u, w: w["note"] is not None and w["note"].user_id == u.id,
    # documents.choose_signer: signers.choose (same agency as the document), not a verb yet
    "documents.choose_signer": lambda u, w: u.agency_id == w["doc"].agency_id,
    # documents.upload_draft: drafts.upload_version (same agency as the document), not a verb yet
    "documents.upload_draft": lambda u, w: u.agency_id == w["doc"].agency_id,
}
NOT_POSTED = {"auth.login", "auth.logout", "auth.set_language", "auth.change_password"}


def test_every_post_route_is_in_the_matrix(app) -> None:  # noqa: ANN001, F811
    posts = {r.endpoint for r in app.url_map.iter_rules() if "POST" in r.methods}
    assert posts - set(MATRIX) - set(OWN) == set()


@pytest.fixture
def people(app, world):  # noqa: ANN001, ANN201, F811
    """Every role in the issuer, the standing agency, agency A (owner of the objects), agency B
    and an unrelated agency."""
    plan = world["plan"]
    agencies = {
        "issuer": plan.issuer,
        "standing": plan.standing_agency,
        "a": world["a"],
        "b": world["b"],
        "other": world["outsider"].agency,
    }
    out = {}
    for key, agency in agencies.items():
        for role in Role:
            name = f"m-{role}.{agency.code}".lower()
            user = _db.session.scalar(select(User).where(User.username == name))
            out[f"{role}@{key}"] = user or add_user(name, agency, [role])
    if not _db.session.scalar(select(AgencySigner).where(AgencySigner.agency_id == world["a"].id)):
        _db.session.add(AgencySigner(agency_id=world["a"].id, name="Lê Văn D", title="GIÁM ĐỐC"))
    if not _db.session.scalar(select(ApiToken).where(ApiToken.agency_id == world["a"].id)):
        api_tokens.create(world["a"], "Cổng dữ liệu", ["reporter"], None)
    _db.session.commit()
    separate_users(app)
    return out


def test_every_post_by_role_and_agency_is_allowed_exactly_when_the_policy_says(
    app,  # noqa: ANN001, F811
    db,  # noqa: ANN001
    world,  # noqa: ANN001, F811
    people,  # noqa: ANN001
    backend,  # noqa: ANN001, F811
) -> None:
    app.config["RATELIMIT_ENABLED"] = False
    fingerprint = _fingerprint if backend == "postgresql" else (lambda db: None)
    rules = {r.endpoint: r for r in app.url_map.iter_rules() if "POST" in r.methods}
    signer = db.session.scalar(select(AgencySigner).where(AgencySigner.agency_id == world["a"].id))
    token = db.session.scalar(select(ApiToken).where(ApiToken.agency_id == world["a"].id))
    checked = {"allowed": 0, "refused": 0, "refused_by_state_or_form": 0}
    mismatches = []
    late: dict[str, int] = {}  # refused by the form or the workflow before the permission check
    endpoints = [e for e in sorted({**MATRIX, **OWN}) if e not in NOT_POSTED]
    for endpoint in endpoints:
        expect, form, extra_ids = MATRIX.get(endpoint, (OWN.get(endpoint), {}, {}))
        # forbidden users first, so the rows an allowed request changes come last
        order = sorted(people.items(), key=lambda kv: expect(kv[1], _fresh(db, world)))
        for who, user in order:
            w = _fresh(db, world)
            allowed = bool(expect(user, w))
            ids = {
                **_ids(w),
                "signer_id": signer.id,
                "token_id": token.id,
                "day": "2099-01-02",
                "report_version": w["ra"].version,
                **extra_ids,
            }
            data = {k % ids: (v % ids if isinstance(v, str) else v) for k, v in form.items()}
            if endpoint == "documents.upload_draft":
                data["file"] = (io.BytesIO(b"PK not a real docx"), "du-thao.docx")
            if endpoint in ("documents.upload_signed", "admin.agency_templates"):
                data["file"] = (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "x.pdf")
            if endpoint == "plans.import_plan":
                data["file"] = (io.BytesIO(b"format: x\n"), "x.yaml")
            if endpoint == "admin.calendar_remove" and not db.session.get(
                CalendarDay, date(2099, 1, 2)
            ):
                db.session.add(CalendarDay(day=date(2099, 1, 2), kind="holiday", name="Nghỉ"))
                db.session.commit()
            if endpoint == "admin.trust_root_remove":  # one to remove, for every request
                ids["root_id"] = _trust_root(db).id
            if endpoint == "admin.revocation_remove":
                ids["row_id"] = _revocation(db).id
            if endpoint == "plans.import_incoming":
                ids["incoming_id"] = _incoming(db).id
            before = fingerprint(db)
            client = app.test_client()
            sign_in(client, user)
            resp = client.post(_url(rules[endpoint], ids), data=data)
            code = resp.status_code
            assert code < 500, (endpoint, who, code)
            if allowed:
                checked["allowed"] += 1
                if code in (403, 404):
                    mismatches.append((endpoint, who, "policy allows", code))
            else:
                checked["refused"] += 1
                if code not in (403, 404, 409, 400) or (
                    code in (400, 409) and fingerprint(db) != before
                ):
                    mismatches.append((endpoint, who, "policy refuses", code))
                elif fingerprint(db) != before:
                    mismatches.append((endpoint, who, "refused but changed rows", code))
                elif code in (400, 409):
                    checked["refused_by_state_or_form"] += 1
                    late[endpoint] = late.get(endpoint, 0) + 1
    print(f"\nPOST matrix: {len(endpoints)} routes × {len(people)} users: {checked}; {late}")
    assert not mismatches, "\n".join(map(str, mismatches))


def _trust_root(db) -> TrustRoot:  # noqa: ANN001
    from tests.signing.pki import make_pki

    root = db.session.scalar(select(TrustRoot))
    if root is None:
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization

        der = x509.load_pem_x509_certificate(make_pki().root_pem).public_bytes(
            serialization.Encoding.DER
        )
        root = TrustRoot(subject="CN=CA thử", sha256=hashlib.sha256(der).hexdigest(), der=der)
        db.session.add(root)
        db.session.commit()
    return root


def _revocation(db) -> RevocationData:  # noqa: ANN001
    row = db.session.scalar(select(RevocationData))
    if row is None:
        row = RevocationData(kind="crl", issuer="CN=CA thử", sha256="0" * 64, der=b"x")
        db.session.add(row)
        db.session.commit()
    return row


def _incoming(db) -> ExchangeIncoming:  # noqa: ANN001
    """A received document packet from a sender kehoach does not know (adding it as a căn cứ
    is refused by the service, after the permission check)."""
    from app.services import storage
    from app.services.edxml import build_packet
    from tests.exchange.test_basis import PARENT

    row = db.session.scalar(select(ExchangeIncoming))
    if row is None:
        storage.write("exchange/incoming/matrix.edxml", build_packet(PARENT))
        row = ExchangeIncoming(
            sha256="1" * 64,
            packet_id=PARENT.document_id,
            organ_id=PARENT.sender.organ_id,
            organ_name=PARENT.sender.name,
            code="12/KH-BCĐNQ",
            type_name="Kế hoạch",
            subject=PARENT.subject,
            file_path="exchange/incoming/matrix.edxml",
        )
        db.session.add(row)
        db.session.commit()
    return row


def _fresh(db, world) -> dict:  # noqa: ANN001, F811
    """The world's rows as they are now (an allowed request may have changed them)."""
    db.session.rollback()
    db.session.expire_all()
    out = dict(world)
    out["note"] = (
        db.session.get(Notification, world["note"].id) if world.get("note") is not None else None
    )
    return out
