"""Only administrators reach the admin area; users and agencies are made with Vietnamese
validation, hashed passwords and an audit trail."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.models import Agency, AuditEvent, Role, User

ADMIN_URLS = [
    ("get", "/quan-tri/"),
    ("get", "/quan-tri/co-quan"),
    ("get", "/quan-tri/co-quan/them"),
    ("post", "/quan-tri/co-quan/them"),
    ("get", "/quan-tri/co-quan/{agency}"),
    ("post", "/quan-tri/co-quan/{agency}"),
    ("get", "/quan-tri/co-quan/{agency}/giai-the"),
    ("post", "/quan-tri/co-quan/{agency}/giai-the"),
    ("get", "/quan-tri/co-quan/{agency}/mau"),
    ("post", "/quan-tri/co-quan/{agency}/mau"),
    ("get", "/quan-tri/co-quan/{agency}/nguoi-ky"),
    ("post", "/quan-tri/co-quan/{agency}/nguoi-ky"),
    ("post", "/quan-tri/co-quan/{agency}/nguoi-ky/1/ngung"),
    ("get", "/quan-tri/nhom-co-quan"),
    ("get", "/quan-tri/nhom-co-quan/sua"),
    ("post", "/quan-tri/nhom-co-quan/sua"),
    ("get", "/quan-tri/nguoi-dung"),
    ("get", "/quan-tri/nguoi-dung/them"),
    ("post", "/quan-tri/nguoi-dung/them"),
    ("get", "/quan-tri/nguoi-dung/{user}"),
    ("post", "/quan-tri/nguoi-dung/{user}"),
    ("post", "/quan-tri/nguoi-dung/{user}/khoa"),
    ("post", "/quan-tri/nguoi-dung/{user}/mat-khau"),
    ("get", "/quan-tri/lich"),
    ("post", "/quan-tri/lich"),
    ("post", "/quan-tri/lich/2025-01-01/xoa"),
    ("post", "/quan-tri/lich/nap"),
]


def test_every_admin_url_is_refused_to_others(app, client, login, make_user, home, db):
    clerk = make_user("vanthu", home, [Role.CLERK, Role.SPECIALIST, Role.SIGNER])
    db.session.commit()
    rules = {r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith("admin.")}
    covered = {u.split("{")[0] for _, u in ADMIN_URLS}
    assert all(
        any(r.split("<")[0].startswith(c) or c.startswith(r.split("<")[0]) for c in covered)
        for r in rules
    )
    for method, url in ADMIN_URLS:  # not logged in: to the login page
        resp = getattr(client, method)(url.format(agency=home.id, user=clerk.id))
        assert resp.status_code == 302 and "/auth/login" in resp.headers["Location"], url
    login(clerk)
    for method, url in ADMIN_URLS:
        resp = getattr(client, method)(
            url.format(agency=home.id, user=clerk.id),
            data={"password": "abcdefghij", "roles": ["admin"]},
        )
        assert resp.status_code == 403, url
        assert "Bạn không có quyền" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, clerk.id).roles == {"clerk", "specialist", "signer"}
    assert "Quản trị" not in client.get("/").get_data(as_text=True)


def test_admin_creates_agency_then_user_who_can_log_in(client, as_admin, db):
    assert "Quản trị" in client.get("/").get_data(as_text=True)
    resp = client.post(
        "/quan-tri/co-quan/them",
        data={
            "code": "STP-TV",
            "name": "Sở Tư pháp tỉnh Trà Vinh",
            "short_name": "Sở Tư pháp",
            "abbreviation": "STP",
            "level": "province",
            "place": "Trà Vinh",
            "parent_id": "0",
            "header_parent": "UBND TỈNH TRÀ VINH",
            "valid_from": "2024-01-01",
        },
    )
    assert resp.status_code == 302
    stp = db.session.scalar(select(Agency).where(Agency.code == "STP-TV"))
    assert stp.header_parent == "UBND TỈNH TRÀ VINH" and stp.valid_from.year == 2024
    page = client.get("/quan-tri/co-quan?q=so tu phap").get_data(as_text=True)
    assert "Sở Tư pháp tỉnh Trà Vinh" in page and "SNV-TV" not in page
    assert "Sở Tư pháp tỉnh Trà Vinh" in client.get("/quan-tri/co-quan?q=SỞ TƯ PHÁP").get_data(
        as_text=True
    )

    resp = client.post(
        "/quan-tri/nguoi-dung/them",
        data={
            "username": "nguyen.van.a",
            "full_name": "Nguyễn Văn A",
            "email": "a@travinh.gov.vn",
            "agency_id": str(stp.id),
            "roles": ["reporter", "agency_leader"],
            "password": "mat-khau-moi",
        },
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)
    user = db.session.scalar(select(User).where(User.username == "nguyen.van.a"))
    assert user.password_hash != "mat-khau-moi" and "mat-khau-moi" not in user.password_hash
    assert user.check_password("mat-khau-moi")
    assert user.roles == {"reporter", "agency_leader"} and user.agency_id == stp.id
    assert "Nguyễn Văn A" in client.get("/quan-tri/nguoi-dung?q=nguyen van").get_data(as_text=True)
    actions = {(e.object_type, e.action) for e in db.session.scalars(select(AuditEvent))}
    assert {("agency", "create"), ("user", "create")} <= actions

    client.post("/auth/logout")
    assert (
        client.post(
            "/auth/login", data={"username": "nguyen.van.a", "password": "mat-khau-moi"}
        ).status_code
        == 302
    )


def test_validation_errors_are_vietnamese_and_name_the_field(client, as_admin, home, db):
    page = client.post(
        "/quan-tri/nguoi-dung/them",
        data={"username": "", "full_name": "", "agency_id": "0", "password": "ngan"},
    ).get_data(as_text=True)
    assert "Chưa nhập “Tên đăng nhập”." in page
    assert "Chưa nhập “Họ và tên”." in page
    assert "Chưa chọn “Cơ quan”." in page
    assert "“Mật khẩu” phải có từ 10 đến 128 ký tự." in page  # NIST SP 800-63B: at least 10
    assert 'aria-invalid="true"' in page
    assert db.session.scalar(select(User).where(User.username == "")) is None

    page = client.post(
        "/quan-tri/co-quan/them",
        data={
            "code": "SNV-TV",
            "name": "Trùng mã",
            "abbreviation": "X",
            "level": "province",
            "place": "Trà Vinh",
            "parent_id": "0",
            "valid_from": "31/02/2024",
        },
    ).get_data(as_text=True)
    assert "“Hiệu lực từ ngày” không phải là ngày hợp lệ (ngày/tháng/năm)" in page
    page = client.post(
        "/quan-tri/co-quan/them",
        data={
            "code": "SNV-TV",
            "name": "Trùng mã",
            "abbreviation": "X",
            "level": "province",
            "place": "Trà Vinh",
            "parent_id": "0",
        },
    ).get_data(as_text=True)
    assert "“Mã cơ quan” đã được dùng cho cơ quan khác." in page
    for english in ("This field is required", "Not a valid", "Invalid"):
        assert english not in page


def test_edit_roles_deactivate_reset_and_own_admin_role_kept(
    client, as_admin, admin, home, make_user, db
):
    other = make_user("chuyenvien", home, [Role.SPECIALIST])
    db.session.commit()
    page = client.get(f"/quan-tri/nguoi-dung/{other.id}").get_data(as_text=True)
    assert "Cán bộ đầu mối báo cáo" in page
    assert re.search(
        r'<input checked id="roles-\d" name="roles" type="checkbox" '
        r'value="specialist">',
        page,
    )
    resp = client.post(
        f"/quan-tri/nguoi-dung/{other.id}",
        data={
            "full_name": "Chuyên Viên",
            "agency_id": str(home.id),
            "roles": ["specialist", "clerk"],
        },
    )
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, other.id).roles == {"specialist", "clerk"}

    page = client.post(
        f"/quan-tri/nguoi-dung/{admin.id}",
        data={"full_name": admin.full_name, "agency_id": str(home.id), "roles": ["specialist"]},
    ).get_data(as_text=True)
    assert "bạn không thể bỏ vai trò “Quản trị” của chính mình" in page
    db.session.expire_all()
    assert db.session.get(User, admin.id).has_role("admin")

    assert (
        client.post(
            f"/quan-tri/nguoi-dung/{other.id}/mat-khau", data={"password": "1234"}
        ).status_code
        == 400
    )
    assert (
        client.post(
            f"/quan-tri/nguoi-dung/{other.id}/mat-khau", data={"password": "mat-khau-dat-lai"}
        ).status_code
        == 302
    )
    client.post(f"/quan-tri/nguoi-dung/{other.id}/khoa")
    db.session.expire_all()
    other = db.session.get(User, other.id)
    assert other.check_password("mat-khau-dat-lai") and not other.active
    client.post(f"/quan-tri/nguoi-dung/{admin.id}/khoa")
    db.session.expire_all()
    assert db.session.get(User, admin.id).active
    actions = [
        e.action
        for e in db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.object_id == other.id, AuditEvent.object_type == "user"
            )
        )
    ]
    assert actions == ["update", "reset_password", "deactivate"]


def test_forms_refuse_a_post_without_csrf_token(app, client, as_admin, db):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post("/quan-tri/lich/nap").status_code == 400
        resp = client.post(
            "/quan-tri/co-quan/them",
            data={
                "code": "X-1",
                "name": "X",
                "abbreviation": "X",
                "level": "province",
                "place": "Trà Vinh",
                "parent_id": "0",
            },
        )
        assert resp.status_code == 400
        assert "phiên làm việc đã hết hạn" in resp.get_data(as_text=True)
        assert db.session.scalar(select(Agency).where(Agency.code == "X-1")) is None
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_agency_edit_is_audited_and_every_page_renders(client, as_admin, admin, home, db):
    for url in (
        "/quan-tri/",
        "/quan-tri/co-quan",
        f"/quan-tri/co-quan/{home.id}",
        f"/quan-tri/co-quan/{home.id}/giai-the",
        f"/quan-tri/co-quan/{home.id}/mau",
        "/quan-tri/nguoi-dung",
        "/quan-tri/nguoi-dung/them",
        f"/quan-tri/nguoi-dung/{admin.id}",
        "/quan-tri/lich",
        "/quan-tri/lich?nam=2024",
    ):
        resp = client.get(url)
        assert resp.status_code == 200, url
        page = resp.get_data(as_text=True)
        # no inline script (the one shared script is a file, allowed by the CSP)
        assert re.search(r"<script(?![^>]*\bsrc=)", page) is None and "style=" not in page, url
    page = client.get(f"/quan-tri/co-quan/{home.id}").get_data(as_text=True)
    assert 'value="SNV-TV"' in page and '<label for="header_parent">' in page
    resp = client.post(
        f"/quan-tri/co-quan/{home.id}",
        data={
            "code": "SNV-TV",
            "name": "Sở Nội vụ tỉnh Trà Vinh (mới)",
            "abbreviation": "SNV",
            "level": "province",
            "place": "Trà Vinh",
            "parent_id": "0",
        },
    )
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Agency, home.id).name == "Sở Nội vụ tỉnh Trà Vinh (mới)"
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.object_type == "agency", AuditEvent.action == "update")
    )
    assert event.data["changes"]["name"] == [
        "Sở Nội vụ tỉnh Trà Vinh",
        "Sở Nội vụ tỉnh Trà Vinh (mới)",
    ]
    page = client.post(
        f"/quan-tri/co-quan/{home.id}",
        data={
            "code": "SNV-TV",
            "name": "X",
            "abbreviation": "SNV",
            "level": "province",
            "place": "Trà Vinh",
            "parent_id": str(home.id),
        },
    ).get_data(as_text=True)
    assert "“Cơ quan cấp trên”: lựa chọn không hợp lệ." in page
