"""Pages of the plan editor: /editor/new and /editor/<plan_id>."""

from __future__ import annotations

import copy
import re
from collections import defaultdict

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, pgettext
from flask_login import current_user
from sqlalchemy import select

import forms as form_engine
from app.editor import bp
from app.editor import definition as df
from app.extensions import db
from app.models import Agency, AgencyGroup, Plan, PlanStatus
from app.services import access, loader, plans, policy, previews, richtext
from app.services.exceptions import ConcurrentEdit, InvalidInput, NotAllowed
from app.ui import N_

PART_LABELS = {
    "code": N_("Mã nhận diện kế hoạch"),
    "title": N_("Trích yếu"),
    "issuer": N_("Cơ quan ban hành"),
    "standing_agency": N_("Cơ quan thường trực"),
    "type": N_("Loại văn bản"),
    "draft_month": N_("Tháng dự thảo"),
    "draft_year": N_("Năm dự thảo"),
    "legal_basis": N_("Căn cứ"),
    "preamble": N_("Lời mở đầu"),
    "sections": N_("Nội dung"),
    "assignments": N_("Phân công"),
    "schedule": N_("Lịch báo cáo"),
    "form": N_("Biểu mẫu báo cáo"),
    "recipients": N_("Nơi nhận"),
    "archive": N_("Lưu"),
    "signer": N_("Người ký"),
    "parent_plan": N_("Kế hoạch cấp trên"),
    "format": N_("Định dạng"),
}


def _may_edit(plan: Plan) -> bool:
    return policy.can(current_user, "plan.edit", plan)


def _agencies() -> list[Agency]:
    return list(db.session.scalars(select(Agency).order_by(Agency.name)))


def _agency_groups() -> list[AgencyGroup]:
    """The groups an assignment line may name (editor/_assignment_placement.html)."""
    return list(db.session.scalars(select(AgencyGroup).order_by(AgencyGroup.name)))


@bp.route("/new", methods=["GET", "POST"])
def new():
    # the page is shown to those who may write plans; what is saved is judged by plan.create
    # (plans.create_plan), the document preview by previews.request
    if not policy.can(current_user, "plan.write"):
        abort(403)
    if request.method == "GET":
        d = df.blank_definition()
        mine = current_user.agency.code if current_user.agency else ""
        d["issuer"] = d["standing_agency"] = mine
        return _render(d, None)
    return _post(None)


@bp.route("/<int:plan_id>", methods=["GET", "POST"])
def edit(plan_id: int):
    plan = access.get_visible(current_user, access.plans_query(current_user), Plan, plan_id)
    if not _may_edit(plan):
        abort(403)
    refusal = plans.edit_refusal(plan)
    if refusal:  # no dead end: the plan page says why instead of offering the editor
        flash(refusal, "warning")
        return redirect(url_for("plans.show", plan_id=plan.id))
    if request.method == "GET":
        return _render(df.annotate(plan.definition), plan, version=plan.version)
    return _post(plan)


def _post(plan: Plan | None):  # noqa: ANN202, PLR0911, PLR0912
    base = plan.definition if plan is not None else None
    d = df.read_definition(request.form, base)
    version = request.form.get("version", type=int)
    op = request.form.get("_op", "")
    if plan is not None and plan.status != PlanStatus.DRAFT:
        # after issue the body stays as issued: only the reporting form is taken from the page
        kept = df.annotate(plan.definition)
        kept["form"] = d["form"]
        d = kept
    if op and op not in ("save", "preview", "document"):
        _apply(d, op)
        page, status = _render(d, plan, version=version, anchor=_anchor(op))
        return _partial(page, request.headers.get("X-Kehoach-Partial", "")), status
    problems = _problems(d, plan)
    if op == "preview":
        return _render(
            d,
            plan,
            version=version,
            problems=problems,
            preview=not any(p.path.startswith("form") for p in problems),
            anchor="xem-truoc",
        )
    if problems:
        return _render(d, plan, version=version, problems=problems)
    if op == "document":
        return _preview_document(d, plan, version)
    clean = df.strip(df.restore_leads(copy.deepcopy(d)))
    doc = plans.plan_document(plan) if plan is not None else None
    doc_before = (doc.status, doc.content_version) if doc is not None else None
    try:
        if plan is None:
            saved = plans.create_plan(clean, current_user)
        else:
            saved = plans.update_plan(plan, clean, current_user, version or -1)
        db.session.commit()
    except ConcurrentEdit as exc:
        db.session.rollback()
        return _render(d, plan, version=version, conflict=str(exc))
    except (InvalidInput, NotAllowed) as exc:
        db.session.rollback()
        return _render(d, plan, version=version, problems=[loader.Problem("", str(exc))])
    flash(
        gettext("Đã lưu kế hoạch.")
        if plan
        else gettext("Đã tạo kế hoạch “%(title)s” (dự thảo).", title=saved.title),
        "success",
    )
    if doc is not None and doc_before is not None and doc.content_version != doc_before[1]:
        if doc_before[0] == "awaiting_signature":
            flash(
                gettext(
                    "Văn bản kế hoạch đang chờ ký đã trở về dự thảo (phiên bản %(n)s) vì nội "
                    "dung kế hoạch thay đổi; lãnh đạo đã được thông báo. Hãy kiểm tra rồi "
                    "trình ký lại.",
                    n=doc.content_version,
                ),
                "warning",
            )
        else:
            flash(
                gettext(
                    "Dự thảo văn bản kế hoạch được soạn lại theo nội dung mới (phiên bản %(n)s).",
                    n=doc.content_version,
                ),
                "success",
            )
    return redirect(url_for("plans.show", plan_id=saved.id))


def _preview_document(d: dict, plan: Plan | None, version: int | None):  # noqa: ANN202
    """ "Xem trước văn bản": the worker renders the plan document from what the page holds now
    (nothing saved, no document version: a preview cannot be signed). The editor's script asks
    for it in the background as the clerk types (``X-Kehoach-Partial: van-ban``): only the
    preview's part is sent back."""
    try:
        token = previews.request(df.strip(d), current_user)
        db.session.commit()
    except NotAllowed as exc:
        db.session.rollback()
        return _render(d, plan, version=version, problems=[loader.Problem("", str(exc))])
    page, status = _render(d, plan, version=version, preview_doc=token, anchor="van-ban")
    return _partial(page, request.headers.get("X-Kehoach-Partial", "")), status


@bp.route("/text", methods=["POST"])
def render_text():
    """The live "Xem như sẽ in" under a text box: the text the editor's script sends, as the
    plan prints it, as HTML (:func:`app.services.previews.text_html`, for those who may write
    plans). An assignment's tasks (``kind=tasks``) print as the plan prints them, with the
    line's deadline and activity window in words. Reads and keeps nothing."""
    tasks = request.form.get("kind") == "tasks"
    line = {
        "inline": bool(request.form.get("inline")),
        "due_text": (request.form.get("due_text") or "")[:255],
        "window": (request.form.get("window") or "")[:255],
    }
    try:
        html = previews.text_html(
            current_user, request.form.get("text") or "", line if tasks else None
        )
    except NotAllowed:
        abort(403)
    return Response(html, mimetype="text/html")


@bp.route("/preview/<token>")
def preview_document(token: str):
    """The preview's pages, or "being made" (the page refreshes itself; the editor's script
    fetches this page and shows its pages in place)."""
    try:
        done = previews.state(token, current_user)
    except NotAllowed:
        abort(404)
    return render_template("editor/preview.html", token=token, done=done), (
        200 if done.get("state") in ("done", "failed") else 202
    )


@bp.route("/preview/<token>/<int:n>.png")
def preview_page(token: str, n: int):
    try:
        data = previews.page(token, current_user, n)
    except (NotAllowed, FileNotFoundError):
        abort(404)
    return Response(data, mimetype="image/png")


def _problems(d: dict, plan: Plan | None) -> list[loader.Problem]:
    v = df.for_validation(d)
    problems = loader.validate(v)
    for key, obj in (("schedule", v.get("schedule") or {}),):
        for k in ("due", "cutoff"):
            if isinstance(obj.get(k), str):
                problems.append(loader.Problem(f"{key}.{k}", gettext("ngày không hợp lệ")))
    for i, a in enumerate(v.get("assignments") or []):
        if isinstance(a.get("due"), str):
            problems.append(loader.Problem(f"assignments[{i}].due", gettext("ngày không hợp lệ")))
        if not a.get("tasks"):
            problems.append(
                loader.Problem(
                    f"assignments[{i}].tasks",
                    gettext("ghi ít nhất một nhiệm vụ (mỗi dòng một nhiệm vụ)"),
                )
            )
    if plan is None and d.get("code"):
        if db.session.scalar(select(Plan.id).where(Plan.code == d["code"])):
            problems.append(
                loader.Problem(
                    "code", gettext("mã “%(code)s” đã được dùng cho kế hoạch khác", code=d["code"])
                )
            )
    if plan is None:
        issuer, standing = str(d.get("issuer") or ""), str(d.get("standing_agency") or "")
        codes: dict[str, int] = {
            code: ident
            for code, ident in db.session.execute(
                select(Agency.code, Agency.id).where(Agency.code.in_([issuer, standing]))
            )
        }
        scope = policy.PlanScope(codes.get(issuer), codes.get(standing))
        if not policy.can(current_user, "plan.create", scope):
            problems.append(
                loader.Problem(
                    "issuer",
                    gettext(
                        "chuyên viên chỉ tạo kế hoạch do cơ quan mình ban hành hoặc thường trực"
                    ),
                )
            )
    return problems


def _apply(d: dict, op: str) -> None:
    """A no-JavaScript button: add, remove or move a section, an assignment, a field or a column."""
    what, _, arg = op.partition(":")
    idx = [int(x) for x in arg.split(",") if x.strip().lstrip("-").isdigit()]
    lists = {"section": d["sections"], "assignment": d["assignments"], "field": d["form"]["fields"]}
    kind, action = (what.split("_", 1) + [""])[:2]
    if kind == "col" and idx:
        fields = d["form"]["fields"]
        if not (0 <= idx[0] < len(fields)):
            return
        items = fields[idx[0]].setdefault("fields", [])
        idx = idx[1:]
    else:
        items = lists.get(kind)
    if items is None:
        return
    if action == "add":
        if kind in ("field", "col"):
            item = df.new_field(len(items) + 1)
            if kind == "col":
                item["type"] = "text"
        elif kind == "section":
            item = {"_keys": [], "heading": ""}
        else:
            item = {"_keys": [], "agency": "", "role": "cooperate", "tasks": []}
        items.append(item)
        return
    if not idx or not (0 <= idx[0] < len(items)):
        return
    i = idx[0]
    if kind == "section":
        df.follow_section_move(d, action, i)  # assignment lines keep their section
    if action == "del":
        items.pop(i)
    elif action == "up" and i > 0:
        items[i - 1], items[i] = items[i], items[i - 1]
    elif action == "down" and i < len(items) - 1:
        items[i + 1], items[i] = items[i], items[i + 1]


_PART_ID = re.compile(r"[a-z][a-z0-9-]{0,40}")


def _partial(page: str, wanted: str) -> str:
    """The editor's script asks (header ``X-Kehoach-Partial: noi-dung phan-cong``) for the parts
    a button changed: only those ``<section class="card" id=…>`` are sent, not the whole page
    (a long plan's editor is 300 kB). Anything unexpected — an unknown id, a nested section —
    sends the whole page, which the script reads the same way."""
    ids = wanted.split()
    if not ids or len(ids) > 4 or not all(_PART_ID.fullmatch(i) for i in ids):
        return page
    out = []
    for part in ids:
        start = page.find(f'<section class="card" id="{part}">')
        end = page.find("</section>", start)
        if start < 0 or end < 0 or "<section" in page[start + 8 : end]:
            return page
        out.append(page[start : end + len("</section>")])
    return "<!doctype html><html><body>" + "".join(out) + "</body></html>"


def _anchor(op: str) -> str:
    return {
        "section": "noi-dung",
        "assignment": "phan-cong",
        "field": "bieu-mau",
        "col": "bieu-mau",
    }.get(op.split("_")[0], "")


def _render(
    d: dict,
    plan: Plan | None,
    version: int | None = None,
    problems=None,  # noqa: ANN001
    preview: bool = False,
    conflict: str | None = None,
    anchor: str = "",
    preview_doc: str | None = None,
):  # noqa: ANN202
    problems = problems or []
    errors: dict[str, list[str]] = defaultdict(list)
    summary = []
    for p in problems:
        target = df.input_id(p.path)
        errors[target].append(p.message)
        key = p.path.split(".")[0].split("[")[0]
        part = PART_LABELS.get(key, "")
        if part:
            part = pgettext("nơi lưu văn bản", part) if key == "archive" else gettext(part)
        summary.append({"target": target, "part": part, "path": p.path, "message": p.message})
    preview_form = parsed = None
    if preview:
        try:
            schema = df.strip(d["form"])
            parsed = form_engine.parse_schema(schema)
            preview_form = form_engine.build_form_class(schema)()
        except form_engine.SchemaError:
            parsed = None
    body_locked = plan is not None and plan.status != PlanStatus.DRAFT
    return render_template(
        "editor/edit.html",
        d=d,
        plan=plan,
        version=version,
        errors=errors,
        summary=summary,
        agencies=_agencies(),
        agency_groups=_agency_groups(),
        types=df.FIELD_TYPES,
        rules=df.RULES,
        kinds=df.KINDS,
        authorities=df.AUTHORITIES,
        nodes_to_text=df.nodes_to_text,
        show_value=df.show_value,
        preview_form=preview_form,
        parsed=parsed,
        preview_doc=preview_doc,
        conflict=conflict,
        anchor=anchor,
        body_locked=body_locked,
        has_reports=_has_reports(plan),
    ), (200 if not problems and not conflict else 422 if problems else 409)


def _has_reports(plan: Plan | None) -> bool:
    if plan is None:
        return False
    from app.models import Report

    return bool(db.session.scalar(select(Report.id).where(Report.plan_id == plan.id).limit(1)))


@bp.app_template_filter("join_choices")
def _join_choices(choices: list) -> str:
    return "\n".join(
        f"{c.get('value', '')}|{c.get('label', '')}" if isinstance(c, dict) else str(c)
        for c in choices or []
    )


@bp.app_template_filter("join_tasks")
def _join_tasks(tasks: list) -> str:
    return richtext.join_items(tasks or [])


@bp.app_template_filter("printed_tasks")
def _printed_tasks(assignment: dict) -> str:
    """The assignment's tasks as the plan prints them (markup), for the editor's preview."""
    return richtext.printed_assignment(assignment)


@bp.app_template_filter("map_agencies")
def _map_agencies(agencies: list) -> list:
    return [(a.code, a.name) for a in agencies]


@bp.app_template_filter("map_pairs")
def _map_pairs(items: list) -> list:
    return [(x, x) for x in items]


@bp.app_template_filter("roman")
def _roman(n: int) -> str:
    out, vals = "", [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    for v, s in vals:
        while n >= v:
            out, n = out + s, n - v
    return out
