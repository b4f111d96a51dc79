"""The operations of ``/api/v1``. Thin: the token's user, the access scopes, the services."""

from __future__ import annotations

import functools
from typing import Any, TypeVar

from apiflask import APIBlueprint, HTTPTokenAuth, Schema, abort
from apiflask.fields import Boolean, Date, DateTime, Dict, Integer, List, Nested, Raw, String
from apiflask.validators import Length, OneOf, Range
from flask import g, request
from flask_babel import gettext
from marshmallow import ValidationError, validates_schema
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

import forms as form_engine
from app.extensions import db
from app.models import (
    AgencyGroup,
    Assignment,
    AssignmentTask,
    Document,
    Plan,
    Report,
    ReportingPeriod,
    ReportStatus,
    User,
)
from app.services import access, api_tokens, exchange, policy, reports, status, storage
from app.services import plans as plan_service
from app.services.exceptions import InvalidInput, NotAllowed, NotFound

bp = APIBlueprint("api", __name__)
auth = HTTPTokenAuth(scheme="Bearer", description="Mã truy cập do quản trị hệ thống cấp (khk_…)")


@auth.verify_token
def _verify(token: str | None) -> User | None:
    found = api_tokens.authenticate(token)
    if found is None:
        return None
    if db.session.dirty:
        db.session.commit()  # last_used_at
    g.api_token = found
    return found.user


@auth.error_processor
def _auth_error(error):  # noqa: ANN001, ANN202
    return {"message": gettext("Thiếu hoặc sai mã truy cập API."), "detail": {}}, error.status_code


def me() -> User:
    user = auth.current_user
    assert user is not None
    return user


# ----------------------------------------------------------------------------- schemas


class PageIn(Schema):
    page = Integer(load_default=1, validate=Range(min=1, max=100_000))
    per_page = Integer(load_default=20, validate=Range(min=1, max=100))

    @validates_schema(pass_original=True)
    def _known_only(self, _data: dict, original: Any, **_kw: Any) -> None:
        """A misspelt filter is refused, never silently ignored (a list "filtered" by nothing)."""
        unknown = sorted(set(original or {}) - set(self.fields))
        if unknown:
            raise ValidationError(
                {name[:100]: ["Tham số không được hỗ trợ."] for name in unknown[:10]}
            )


class PlanQuery(PageIn):
    status = String(validate=OneOf(["draft", "issued", "in_progress", "reported", "consolidated"]))


class ReportQuery(PageIn):
    plan_id = Integer(validate=Range(min=1, max=2**31 - 1))
    period_id = Integer(validate=Range(min=1, max=2**31 - 1))
    status = String(
        validate=OneOf(["draft", "awaiting_approval", "submitted", "returned", "accepted"])
    )


class AssignmentQuery(PageIn):
    plan_id = Integer(validate=Range(min=1, max=2**31 - 1))


class DocumentQuery(PageIn):
    plan_id = Integer(validate=Range(min=1, max=2**31 - 1))
    kind = String(validate=OneOf(["plan", "report", "consolidated", "reminder"]))


class PeriodOut(Schema):
    id = Integer()
    key = String()
    label = String()
    kind = String()
    starts_on = Date()
    ends_on = Date()
    due_on = Date()
    status = String()


class PlanOut(Schema):
    id = Integer()
    code = String()
    title = String()
    status = String()
    symbol = String(allow_none=True)
    issued_on = Date(allow_none=True)
    issuer = String(attribute="issuer.code")
    standing_agency = String(attribute="standing_agency.code")


class PlanDetailOut(PlanOut):
    periods = List(Nested(PeriodOut))
    form = Dict(allow_none=True, metadata={"description": "Biểu mẫu báo cáo hiện hành (JSON)"})


class PlanPageOut(Schema):
    items = List(Nested(PlanOut))
    page = Integer()
    per_page = Integer()
    total = Integer()


class TaskBlockOut(Schema):
    position = Integer()
    section = Integer(
        allow_none=True,
        metadata={
            "description": "Mục in khối nhiệm vụ (1 = mục I, như tệp kế hoạch); null: mọi mục "
            "liệt kê phân công"
        },
    )
    role = String(metadata={"description": "lead (chủ trì) | cooperate (phối hợp)"})
    group = String(
        allow_none=True,
        metadata={"description": "Mã nhóm cơ quan của dòng phân công; null: cơ quan được nêu tên"},
    )
    group_name = String(allow_none=True, metadata={"description": "Tên nhóm như kế hoạch in"})
    tasks = List(Raw(), metadata={"description": "Nhiệm vụ, văn bản như kế hoạch ghi"})
    due_text = String(allow_none=True, metadata={"description": "Hạn ghi bằng lời"})
    window_text = String(allow_none=True, metadata={"description": "Thời gian thực hiện"})
    window_from = Date(allow_none=True)
    window_to = Date(allow_none=True)


class AssignmentOut(Schema):
    id = Integer()
    plan_id = Integer()
    agency = String(attribute="agency.code")
    role = String()
    label = String(allow_none=True)
    tasks = List(Raw())
    reports = Boolean()
    due = Date(allow_none=True)
    group = String(
        allow_none=True,
        metadata={
            "description": "Mã nhóm khi cơ quan chỉ được giao với tư cách thành viên nhóm "
            "(“UBND các huyện, …”); null khi kế hoạch nêu tên cơ quan"
        },
    )
    blocks = List(
        Nested(TaskBlockOut),
        metadata={
            "description": "Các khối nhiệm vụ của cơ quan: mỗi mục, mỗi dòng phân công (cơ "
            "quan hoặc nhóm) một khối; một cơ quan vẫn gửi một báo cáo mỗi kỳ"
        },
    )


class GroupOut(Schema):
    code = String()
    name = String()
    members = List(
        String(),
        metadata={"description": "Mã các cơ quan thành viên được giao trong kế hoạch này"},
    )


class GroupListOut(Schema):
    items = List(Nested(GroupOut))


class AssignmentPageOut(PlanPageOut):
    items = List(Nested(AssignmentOut))


class ReportOut(Schema):
    id = Integer()
    plan_id = Integer()
    period_id = Integer()
    agency = String(attribute="agency.code")
    status = String()
    version = Integer()
    data = Dict()
    submitted_at = DateTime(allow_none=True)
    accepted_at = DateTime(allow_none=True)
    return_reason = String(allow_none=True)


class ReportPageOut(PlanPageOut):
    items = List(Nested(ReportOut))


class ReportIn(Schema):
    data = Dict(required=True, metadata={"description": "Giá trị các trường của biểu mẫu"})
    action = String(
        load_default="save",
        validate=OneOf(["save", "submit"]),
        metadata={
            "description": "save: lưu nháp; submit: trình lãnh đạo (và gửi đi nếu mã có quyền "
            "lãnh đạo cơ quan)"
        },
    )
    version = Integer(
        validate=Range(min=1, max=2**31 - 1),
        metadata={"description": "Phiên bản báo cáo đã đọc (chống ghi đè)"},
    )


class StatusRowOut(Schema):
    agency_code = String()
    agency_name = String()
    required = Boolean()
    assignment_due = Date()
    due = Date(metadata={"description": "Hạn có hiệu lực (kể cả gia hạn)"})
    report_id = Integer(allow_none=True)
    report_status = String(allow_none=True)
    first_submitted_on = Date(allow_none=True)
    received = Boolean()
    accepted = Boolean()
    returned = Boolean()
    times_returned = Integer()
    locked = Boolean()
    reopened = Boolean()
    result = String(
        metadata={"description": "not_yet_due | on_time | late | overdue | not_required"}
    )
    days = Integer(metadata={"description": "Số ngày làm việc trễ (late) hoặc quá hạn (overdue)"})
    text = String(metadata={"description": "Cụm từ tiếng Việt: “Trễ 2 ngày làm việc”…"})


class StatusOut(Schema):
    period_id = Integer()
    period = String()
    label = String()
    due = Date()
    summary = Dict(keys=String(), values=Integer())
    agencies = List(Nested(StatusRowOut))


class DocumentOut(Schema):
    id = Integer()
    kind = String()
    status = String()
    title = String()
    symbol = String(allow_none=True)
    issued_on = Date(allow_none=True)
    plan_id = Integer(allow_none=True)
    period_id = Integer(allow_none=True)
    agency = String(attribute="agency.code")
    files = List(String(), metadata={"description": "Tệp tải được: docx, pdf, signed"})


class DocumentPageOut(PlanPageOut):
    items = List(Nested(DocumentOut))


class FileOut(Schema):
    pass


ERRORS = {403: "Không có quyền", 404: "Không tìm thấy", 409: "Xung đột trạng thái"}


class _With:
    """``obj`` with a few more attributes, for an output schema to read."""

    def __init__(self, obj: Any, **extra: Any) -> None:
        self._obj, self._extra = obj, extra

    def __getattr__(self, name: str) -> Any:
        if name in self._extra:
            return self._extra[name]
        return getattr(self._obj, name)


def _get(path: str, out: type[Schema], query: type[Schema] | None = None, **doc: Any):  # noqa: ANN202
    """A GET operation: the token's user required, and one who may read through the API
    (``api.read``: not an exchange adapter's clerk-only token), the ``query`` parameters (a
    list's filters and page, given to the view as ``q``) validated, the output ``out``, the
    ``doc`` texts."""

    def register(view):  # noqa: ANN001, ANN202
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            policy.require(me(), "api.read")
            return view(*args, **kwargs)

        operation = bp.output(out)(bp.doc(**doc)(guarded))
        if query is not None:
            operation = bp.input(query, location="query", arg_name="q")(operation)
        return bp.get(path)(bp.auth_required(auth)(operation))

    return register


_Shown = TypeVar("_Shown", Plan, Report, Document)


def _visible(model: type[_Shown], obj_id: int) -> _Shown:
    """The plan, report or document ``obj_id`` if the token's user may see it, else 404."""
    scope = {
        Plan: access.plans_query,
        Report: access.reports_query,
        Document: access.documents_query,
    }[model]
    return access.get_visible(me(), scope(me()), model, obj_id)


def _period(period_id: int) -> tuple[ReportingPeriod, Plan]:
    """A reporting period and its plan, if the token's user may see the plan, else 404."""
    period = db.session.get(ReportingPeriod, period_id)
    if period is None:
        abort(404, gettext("Không tìm thấy kỳ báo cáo."))
    return period, _visible(Plan, period.plan_id)


def _page(query, q: dict[str, Any], filters: dict[str, Any] | None = None) -> dict[str, Any]:  # noqa: ANN001
    """One page of ``query``, narrowed by the filters given in ``q`` (parameter → column)."""
    for key, column in (filters or {}).items():
        if q.get(key):
            query = query.where(column == q[key])
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = db.session.scalars(
        query.limit(q["per_page"]).offset((q["page"] - 1) * q["per_page"])
    ).all()
    return {"items": items, "page": q["page"], "per_page": q["per_page"], "total": total or 0}


# ----------------------------------------------------------------------------- plans


@_get(
    "/plans",
    PlanPageOut,
    PlanQuery,
    summary="Kế hoạch xem được",
    description="Kế hoạch mà cơ quan của mã truy cập xem được.",
)
def plans(q: dict) -> dict:
    query = access.plans_query(me()).order_by(Plan.id.desc())
    return _page(query, q, {"status": Plan.status})


@_get(
    "/plans/<int:plan_id>",
    PlanDetailOut,
    summary="Một kế hoạch, các kỳ báo cáo và biểu mẫu",
    responses=ERRORS,
)
def plan(plan_id: int) -> Any:
    p = _visible(Plan, plan_id)
    form = p.current_form
    return _With(
        p,
        periods=sorted(p.periods, key=lambda x: x.starts_on),
        form=form.schema if form is not None else None,
    )


# ----------------------------------------------------------------------------- assignments


@_get(
    "/assignments",
    AssignmentPageOut,
    AssignmentQuery,
    summary="Nhiệm vụ được giao",
    description="Nhiệm vụ giao cho cơ quan của mã truy cập, trong các kế hoạch nó xem được.",
)
def assignments(q: dict) -> dict:
    user = me()
    visible = access.plans_query(user).with_only_columns(Plan.id)
    query = (
        select(Assignment)
        .where(Assignment.agency_id == user.agency_id, Assignment.plan_id.in_(visible))
        .options(selectinload(Assignment.agency))
        .order_by(Assignment.plan_id, Assignment.position, Assignment.id)
    )
    return _with_blocks(_page(query, q, {"plan_id": Assignment.plan_id}))


def _with_blocks(page: dict[str, Any]) -> dict[str, Any]:
    """The page's assignments with their task blocks and group codes (three queries)."""
    items = page["items"]
    blocks, names = plan_service.task_blocks([a.id for a in items])
    ids = {a.group_id for a in items if a.group_id} | {
        b.group_id for bs in blocks.values() for b in bs if b.group_id
    }
    codes: dict[int, str] = {}
    if ids:
        found = select(AgencyGroup.id, AgencyGroup.code).where(AgencyGroup.id.in_(ids))
        codes = {gid: code for gid, code in db.session.execute(found)}

    def block(b: AssignmentTask) -> dict[str, Any]:
        return {
            "position": b.position,
            "section": b.section,
            "role": b.role,
            "group": codes.get(b.group_id) if b.group_id else None,
            "group_name": names.get(b.group_id) if b.group_id else None,
            "tasks": b.tasks or [],
            "due_text": b.due_text,
            "window_text": b.window_text,
            "window_from": b.window_from,
            "window_to": b.window_to,
        }

    page["items"] = [
        _With(
            a,
            group=codes.get(a.group_id) if a.group_id else None,
            blocks=[block(b) for b in blocks.get(a.id, [])],
        )
        for a in items
    ]
    return page


@_get(
    "/plans/<int:plan_id>/assignments",
    AssignmentPageOut,
    PageIn,
    summary="Phân công của một kế hoạch",
    description="Mọi cơ quan được giao trong kế hoạch (như trang kế hoạch hiện), với các khối "
    "nhiệm vụ theo mục và nhóm cơ quan; chỉ đọc.",
    responses=ERRORS,
)
def plan_assignments(plan_id: int, q: dict) -> dict:
    p = _visible(Plan, plan_id)
    query = (
        select(Assignment)
        .where(Assignment.plan_id == p.id)
        .options(selectinload(Assignment.agency))  # one query for the page's agencies
    )
    return _with_blocks(_page(query.order_by(Assignment.position, Assignment.id), q))


@_get(
    "/plans/<int:plan_id>/groups",
    GroupListOut,
    summary="Nhóm cơ quan của một kế hoạch",
    description="Các nhóm cơ quan mà dòng phân công của kế hoạch nêu (“UBND các huyện, thành "
    "phố”), mỗi nhóm với các cơ quan thành viên được giao; chỉ đọc.",
    responses=ERRORS,
)
def plan_groups(plan_id: int) -> dict:
    p = _visible(Plan, plan_id)
    return {"items": plan_service.group_lines(p)}


# ----------------------------------------------------------------------------- reports


@_get("/reports", ReportPageOut, ReportQuery, summary="Báo cáo xem được")
def report_list(q: dict) -> dict:
    user = me()
    # as policy "report.read": another agency's draft stays with that agency
    query = (
        access.reports_query(user)
        .where(
            (Report.agency_id == user.agency_id)
            | Report.first_submitted_at.is_not(None)
            | Report.status.not_in([ReportStatus.DRAFT, ReportStatus.AWAITING_APPROVAL])
        )
        .order_by(Report.id.desc())
    )
    filters = {"plan_id": Report.plan_id, "period_id": Report.period_id, "status": Report.status}
    return _page(query, q, filters)


@_get("/reports/<int:report_id>", ReportOut, summary="Một báo cáo", responses=ERRORS)
def report(report_id: int) -> Any:
    found = _visible(Report, report_id)
    if not policy.can(me(), "report.read", found):
        raise NotFound("Không tìm thấy hoặc bạn không có quyền xem.")
    return found


def _checked_data(schema: dict, data: dict, submit: bool, existing: dict) -> dict:
    """The report data as the web form would store it, validated by the same form engine; a
    refusal names each field in Vietnamese."""
    parsed = form_engine.parse_schema(schema)
    known = {spec.name: spec for spec in parsed.fields}
    errors: dict[str, str] = {}
    for name, value in data.items():
        spec = known.get(name)
        if spec is None:
            errors[str(name)[:100]] = "Biểu mẫu không có trường này."
            continue
        try:
            spec.from_json(value)
        except (ValueError, TypeError, AttributeError):
            errors[name] = f"Giá trị của “{spec.label}” không hợp lệ."
    if errors:
        raise InvalidInput("Báo cáo chưa hợp lệ: xem lỗi của từng trường.", errors)
    mode = form_engine.SUBMIT if submit else form_engine.DRAFT
    Form = form_engine.build_form_class(parsed)
    form = Form(formdata=form_engine.data_to_formdata(parsed, data))
    if not form.validate(mode=mode, existing=existing):
        flat = {
            name: "; ".join(str(m) for m in _messages(msgs))
            for name, msgs in form.errors.items()
            if name in known
        }
        raise InvalidInput("Báo cáo chưa hợp lệ: xem lỗi của từng trường.", flat)
    return form_engine.form_to_data(form, parsed, mode=mode, existing=existing)


def _messages(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [m for v in value.values() for m in _messages(v)]
    if isinstance(value, list | tuple):
        return [m for v in value for m in _messages(v)]
    return [str(value)]


@bp.post("/periods/<int:period_id>/report")
@bp.auth_required(auth)
@bp.input(ReportIn, arg_name="body")
@bp.output(ReportOut)
@bp.doc(
    summary="Gửi báo cáo của cơ quan cho một kỳ",
    description=(
        "Tạo (nếu chưa có) và lưu báo cáo của cơ quan; với action=submit, trình lãnh đạo cơ "
        "quan, và nếu mã truy cập có quyền lãnh đạo cơ quan thì duyệt và gửi cơ quan thường "
        "trực. Kiểm tra dữ liệu giống hệt biểu mẫu trên web."
    ),
    responses={400: "Nội dung gửi lên không phải JSON hợp lệ", **ERRORS},
)
def submit_report(period_id: int, body: dict) -> Any:
    user = me()
    period, plan = _period(period_id)
    report = reports.start_report(plan, period, user)
    schema = (plan.current_form or report.form_version).schema
    submit = body.get("action") == "submit"
    data = _checked_data(schema, body["data"], submit, report.data or {})
    reports.save_draft(report, data, user, body.get("version"))
    if submit:
        reports.transition(report, "submit_for_approval", user)
        if policy.can(user, "report.approve", report):  # a leader's token sends it on
            reports.transition(report, "approve", user)
    db.session.commit()
    return report


# ----------------------------------------------------------------------------- statuses


@_get(
    "/periods/<int:period_id>/statuses",
    StatusOut,
    summary="Tình trạng báo cáo của một kỳ",
    description=(
        "Theo từng cơ quan: đúng hạn, trễ hạn (số ngày làm việc), chưa báo cáo, chưa đến hạn. "
        "Cơ quan ban hành và cơ quan thường trực thấy mọi cơ quan; cơ quan khác thấy của mình."
    ),
    responses=ERRORS,
)
def statuses(period_id: int) -> Any:
    user = me()
    period, plan = _period(period_id)
    rows = status.for_period(period)
    if not access.manages_plan(user, plan):
        rows = [r for r in rows if r.agency_id == user.agency_id]
    return {
        "period_id": period.id,
        "period": period.key,
        "label": period.label,
        "due": period.due_on,
        "summary": status.count(rows).as_dict(),
        "agencies": rows,
    }


# ----------------------------------------------------------------------------- documents


def _files(doc: Document) -> list[str]:
    names = (("docx", doc.docx_path), ("pdf", doc.pdf_path), ("signed", doc.signed_path))
    return [name for name, key in names if key]


@_get("/documents", DocumentPageOut, DocumentQuery, summary="Văn bản xem được")
def document_list(q: dict) -> dict:
    query = access.documents_query(me()).order_by(Document.id.desc())
    page = _page(query, q, {"plan_id": Document.plan_id, "kind": Document.kind})
    page["items"] = [_With(d, files=_files(d)) for d in page["items"]]
    return page


@_get("/documents/<int:doc_id>", DocumentOut, summary="Một văn bản", responses=ERRORS)
def document(doc_id: int) -> Any:
    doc = _visible(Document, doc_id)
    return _With(doc, files=_files(doc))


@bp.get("/documents/<int:doc_id>/file/<any(docx, pdf, signed):which>")
@bp.auth_required(auth)
@bp.output(
    FileOut,
    content_type="application/octet-stream",
    description="Nội dung tệp (.docx, .pdf hoặc bản đã ký)",
)
@bp.doc(summary="Tải tệp của văn bản", responses=ERRORS)
def document_file(doc_id: int, which: str) -> Any:
    policy.require(me(), "api.read")
    doc = _visible(Document, doc_id)
    key = {"docx": doc.docx_path, "pdf": doc.pdf_path, "signed": doc.signed_path}[which]
    if not key or not storage.exists(key):
        abort(404, gettext("Văn bản chưa có tệp này."))
    ext = key.rsplit(".", 1)[-1]
    name = (doc.symbol or f"du-thao-{doc.id}").replace("/", "-")
    return storage.download(key, f"{name}{'-ban-ky' if which == 'signed' else ''}.{ext}")


# ----------------------------------------------------------------------------- edXML


class ReceivedOut(Schema):
    kind = String(metadata={"description": "status (gói trạng thái) hoặc document (gói văn bản)"})
    new = Boolean(metadata={"description": "false: gói này đã được nhận trước đó"})
    id = Integer()
    message = String()


@bp.post("/edxml")
@bp.auth_required(auth)
@bp.output(ReceivedOut)
@bp.doc(
    summary="Nhận một gói edXML từ trục liên thông",
    description=(
        "Thân yêu cầu là gói edXML (QCVN 102:2016/BTTTT, `Content-Type: application/xml`, tối "
        "đa 20 MB): gói trạng thái (StatusCode) của văn bản đã gửi — mã truy cập của văn thư cơ "
        "quan ban hành; hoặc gói văn bản gửi đến một cơ quan trong hệ thống — mã truy cập của "
        "văn thư cơ quan nhận; văn bản được giữ để thêm làm căn cứ của kế hoạch. Gói đã nhận "
        "rồi trả về new=false."
    ),
    responses={400: "Thân yêu cầu trống", **ERRORS},
)
def receive_edxml() -> Any:
    user = me()
    policy.require(user, "exchange.post")  # before reading the body
    data = request.get_data(cache=False)
    if not data:
        abort(400, gettext("Thân yêu cầu trống: gửi gói edXML (application/xml)."))
    got = exchange.receive(data, user, source="api")
    db.session.commit()
    message = got.summary if got.new else gettext("Gói này đã được nhận trước đó.")
    return {"kind": got.kind, "new": got.new, "id": got.id, "message": message}


_ = (Length, NotAllowed)
