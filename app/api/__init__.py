"""The JSON API for other systems, ``/api/v1``, with its OpenAPI description at
``/api/v1/openapi.json``.

A separate APIFlask application mounted under ``/api/v1`` (Werkzeug's DispatcherMiddleware) on the
same configuration, database and services as the web app: JSON errors here, Vietnamese HTML
error pages there. Every request carries ``Authorization: Bearer khk_…`` (a token an
administrator made for one agency, see :mod:`app.services.api_tokens`); the token acts as its own
user, so every query goes through :mod:`app.services.access` and every change through the
services, exactly as for the UI.
"""

from __future__ import annotations

from apiflask import APIFlask
from flask import Flask
from flask_babel import gettext
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.routing import IntegerConverter

from app.extensions import babel, db
from app.services.exceptions import ConcurrentEdit, InvalidInput, NotAllowed, NotFound
from workflows.exceptions import TransitionRefused

API_PREFIX = "/api/v1"


class Int32Converter(IntegerConverter):
    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002, ANN001, ANN002, ANN003
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


API_VERSION = "1.0.0"


def create_api(parent: Flask) -> APIFlask:
    api = APIFlask(
        __name__,
        title="kehoach API",
        version=API_VERSION,
        docs_path=None,  # the description is /openapi.json; no UI loaded from a CDN
        instance_path=parent.instance_path,
    )
    api.config.update(parent.config)
    api.config.update(
        SERVERS=[{"url": API_PREFIX}],
        DESCRIPTION=(
            "API của hệ thống kehoach cho các hệ thống khác của cơ quan (quản lý văn bản, báo "
            "cáo): kế hoạch, nhiệm vụ được giao, báo cáo (xem và gửi), tình trạng báo cáo, văn "
            "bản (tải về). Xác thực: `Authorization: Bearer <mã truy cập>` do quản trị hệ thống "
            "cấp cho từng cơ quan. Quyền giống hệt giao diện web."
        ),
        VALIDATION_ERROR_DESCRIPTION="Dữ liệu gửi lên không hợp lệ",
        AUTH_ERROR_DESCRIPTION="Thiếu hoặc sai mã truy cập",
        INFO={"contact": {"name": "kehoach"}},
    )
    db.init_app(api)
    # One engine (one connection pool, the same SQLite pragmas) for the web app and its API.
    for engine in db._app_engines[api].values():
        engine.dispose()
    db._app_engines[api] = db._app_engines[parent]
    from app import select_locale

    babel.init_app(api, locale_selector=select_locale)
    from app import observability

    observability.init_app(api)

    def error(code: int, message: str, detail: dict | None = None):  # noqa: ANN202
        db.session.rollback()
        return {"message": gettext(message), "detail": detail or {}}, code

    api.register_error_handler(NotFound, lambda e: error(404, str(e)))
    api.register_error_handler(NotAllowed, lambda e: error(403, str(e)))
    api.register_error_handler(TransitionRefused, lambda e: error(409, str(e)))
    api.register_error_handler(ConcurrentEdit, lambda e: error(409, str(e)))
    api.register_error_handler(
        StaleDataError,
        lambda e: error(409, "Dữ liệu đã được người khác thay đổi. Vui lòng tải lại."),
    )
    api.register_error_handler(
        InvalidInput,
        lambda e: error(
            422,
            str(e),
            {"json": {k: [gettext(v)] for k, v in e.errors.items()}},
        ),
    )

    @api.after_request
    def _headers(resp):  # noqa: ANN001, ANN202
        resp.headers.setdefault("Cache-Control", "no-store")
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        return resp

    # ids are PostgreSQL integers: a larger number in a path is a missing object (404), not a
    # database error
    api.url_map.converters["int"] = Int32Converter
    from app.api.routes import bp

    api.register_blueprint(bp)

    @api.spec_processor
    def _bodies_required(spec: dict | str) -> dict | str:
        # every operation that takes a body needs one (apiflask leaves it optional)
        if not isinstance(spec, dict):
            return spec
        for operations in spec.get("paths", {}).values():
            for operation in operations.values():
                if isinstance(operation, dict) and "requestBody" in operation:
                    operation["requestBody"]["required"] = True
        # the edXML endpoint reads its body as it is (an XML packet, not JSON)
        edxml_post = spec.get("paths", {}).get("/edxml", {}).get("post")
        if isinstance(edxml_post, dict):
            edxml_post["requestBody"] = {
                "required": True,
                "description": "Gói edXML (QCVN 102:2016/BTTTT)",
                "content": {"application/xml": {"schema": {"type": "string", "minLength": 1}}},
            }
        return spec

    return api
