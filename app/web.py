"""Request-wide behaviour: login everywhere, security headers, Vietnamese error pages."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.services.exceptions import ConcurrentEdit, InvalidInput, NotAllowed, NotFound
from app.ui import N_
from workflows.exceptions import TransitionRefused

PUBLIC_ENDPOINTS = {"auth.login", "auth.set_language", "static", "main.health", "main.ready"}

ERRORS = {
    400: (
        N_("Yêu cầu không hợp lệ"),
        N_(
            "Yêu cầu gửi lên không hợp lệ hoặc phiên làm việc đã "
            "hết hạn. Vui lòng tải lại trang và thử lại."
        ),
    ),
    403: (N_("Không có quyền"), N_("Bạn không có quyền thực hiện thao tác này.")),
    404: (N_("Không tìm thấy"), N_("Không tìm thấy trang hoặc bạn không có quyền xem.")),
    409: (N_("Không thể thực hiện"), N_("Thao tác không thực hiện được ở trạng thái hiện tại.")),
    413: (N_("Tệp quá lớn"), N_("Tệp tải lên vượt quá dung lượng cho phép.")),
    429: (
        N_("Thử quá nhiều lần"),
        N_(
            "Đăng nhập sai quá nhiều lần từ tài khoản hoặc địa chỉ này. "
            "Vui lòng đợi 15 phút rồi thử lại, hoặc liên hệ quản trị viên."
        ),
    ),
    500: (
        N_("Lỗi hệ thống"),
        N_("Đã có lỗi xảy ra. Dữ liệu của bạn chưa bị thay đổi; vui lòng thử lại."),
    ),
}


def init_app(app: Flask) -> None:
    @app.before_request
    def require_login():  # noqa: ANN202
        if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
            return None
        if not current_user.is_authenticated:
            return app.login_manager.unauthorized()  # type: ignore[attr-defined]
        return None

    @app.after_request
    def security_headers(resp):  # noqa: ANN001, ANN202
        if not (request.endpoint or "").endswith("static"):
            # pages, exports and files may hold another agency's data: never kept by a cache
            resp.headers["Cache-Control"] = "no-store"
            resp.headers.pop("Expires", None)
        if app.config.get("SESSION_COOKIE_SECURE"):
            resp.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        resp.headers["Server"] = "kehoach"  # no server name or version (the dev server's banner)
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        resp.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "frame-ancestors 'none'; form-action 'self'",
        )
        return resp

    def page(code: int, message: str | None = None):  # noqa: ANN202
        db.session.rollback()
        title, default = ERRORS.get(code, ERRORS[500])
        return render_template(
            "error.html", code=code, title=gettext(title), message=gettext(message or default)
        ), code

    for code in ERRORS:
        app.register_error_handler(code, lambda e, code=code: page(code))
    app.register_error_handler(NotFound, lambda e: page(404, str(e)))
    app.register_error_handler(NotAllowed, lambda e: page(403, str(e)))
    app.register_error_handler(TransitionRefused, lambda e: page(409, str(e)))
    app.register_error_handler(ConcurrentEdit, lambda e: page(409, str(e)))
    app.register_error_handler(
        StaleDataError,
        lambda e: page(409, N_("Dữ liệu đã được người khác thay đổi. Vui lòng tải lại trang.")),
    )
    app.register_error_handler(InvalidInput, lambda e: page(400, str(e)))
