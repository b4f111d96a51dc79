"""Plan definition files (docs/plan-format.md): parse, validate with paths and line numbers,
load into the database."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from app.extensions import db
from app.models import Agency, AgencyGroup, AssignmentTask, Plan, PlanStatus, User
from app.models.base import column_length
from app.services import (
    audit,
    clock,
    deadline_text,
    documents,
    groups,
    plans,
    policy,
    register,
    richtext,
    signers,
)
from app.services.edxml import ORGAN_ID_RE
from forms import bounds

FORMAT = "kehoach/plan@1"
CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
AGENCY_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")
AUTHORITIES = ("", "TM.", "KT.", "TL.", "TUQ.", "Q.")
LEVELS = ("central", "province", "district", "commune", "other")
KINDS = ("once", "yearly", "half_yearly", "quarterly", "monthly")
MAX_TEXT = 1024 * 1024  # a plan file is tens of KB; the largest example is ~60 KB
MAX_DEPTH = 40  # nesting of mappings and lists; the format needs about 10


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader that refuses aliases (``*name``: a 450-byte file of nested aliases
    expands to gigabytes) and nesting deeper than :data:`MAX_DEPTH` (Python's recursion
    limit), before building anything. A plan file never needs either."""

    _depth = 0

    def fetch_flow_collection_start(self, TokenClass):  # noqa: ANN001, ANN201, N803
        # PyYAML's scanner is quadratic in the depth of ``[[[…`` (every bracket may start a key):
        # stop at the bracket, before the composer is even reached
        if self.flow_level >= MAX_DEPTH:
            raise yaml.scanner.ScannerError(
                None, None, f"nội dung lồng nhau quá {MAX_DEPTH} cấp", self.get_mark()
            )
        return super().fetch_flow_collection_start(TokenClass)

    def compose_node(self, parent, index):  # noqa: ANN001, ANN201
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(
                None, None, "không dùng bí danh YAML (*tên); hãy viết đầy đủ nội dung", mark
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise yaml.composer.ComposerError(
                    None, None, f"nội dung lồng nhau quá {MAX_DEPTH} cấp", mark
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _timestamp_or_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    """A date-shaped value that is no date (``2025-02-30``) stays text, so validation reports
    it as a wrong date with its path and line instead of the whole file being unreadable."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        return loader.construct_scalar(node)


_BoundedLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)

DATE_FORM = "YYYY-MM-DD (vd. 2025-01-01)"


def _date_problem(value: Any, path: str, out: list[Problem], required: str = "") -> None:
    """A date key (``docs/plan-format.md``: YYYY-MM-DD): missing (when ``required`` says why it
    is needed) or a value that is no date, reported with the value and the expected form."""
    if isinstance(value, date):
        return
    if value is None or value == "":
        if required:
            out.append(Problem(path, f"{required}: thiếu ngày, ghi dạng {DATE_FORM}"))
        return
    out.append(Problem(path, f"ngày “{value}” sai dạng hoặc không có thật; phải ghi {DATE_FORM}"))


def _safe_load(text: str) -> Any:
    loader = _BoundedLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _compose(text: str) -> yaml.Node | None:
    loader = _BoundedLoader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


@dataclass
class Problem:
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"dòng {self.line}, " if self.line else ""
        return f"{where}{self.path or '(gốc)'}: {self.message}"


class PlanFileError(Exception):
    """The file is not a valid plan definition; ``problems`` lists each with path and line."""

    def __init__(self, problems: list[Problem], source: str = "") -> None:
        self.problems = problems
        self.source = source
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"Tệp kế hoạch {source} không hợp lệ:\n{lines}")


def _line_map(text: str) -> dict[str, int]:
    """Map each path (``sections[0].items[1].text``) to its 1-based line in the YAML text."""
    out: dict[str, int] = {}

    def walk(node: yaml.Node, path: str) -> None:
        out.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                key = str(k.value)
                sub = f"{path}.{key}" if path else key
                out[sub] = k.start_mark.line + 1
                walk(v, sub)
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                walk(v, f"{path}[{i}]")

    try:
        root = _compose(text)  # aliases refused: the walk never expands one
    except (yaml.YAMLError, RecursionError):
        return out
    if root is not None:
        walk(root, "")
    return out


def parse_text(text: str, source: str = "") -> dict:
    """Parse and validate; raise ``PlanFileError`` with every problem found. The text is
    bounded (:data:`MAX_TEXT`), aliases and deep nesting are refused before anything is built."""
    if len(text) > MAX_TEXT:
        raise PlanFileError([Problem("", f"tệp quá lớn (tối đa {MAX_TEXT // 1024} KB)")], source)
    try:
        data = _safe_load(text)
    except RecursionError as exc:
        raise PlanFileError(
            [Problem("", f"nội dung lồng nhau quá {MAX_DEPTH} cấp")], source
        ) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise PlanFileError(
            [Problem("", f"YAML không đọc được: {getattr(exc, 'problem', exc)}", line)], source
        ) from exc
    except (ValueError, OverflowError) as exc:  # 5,000-digit numbers
        raise PlanFileError(
            [Problem("", "YAML không đọc được: lồng quá sâu hoặc có số quá lớn")], source
        ) from exc
    problems = validate(data)
    if problems:
        raise PlanFileError(locate(problems, text), source)
    return normalize_body_text(data)


def locate(problems: list[Problem], text: str) -> list[Problem]:
    """Give each problem without a line the line of its path (or the nearest parent's) in
    ``text``; aliases are refused, so the walk never expands one."""
    lines = _line_map(text)
    for p in problems:
        p.line = p.line or _nearest_line(lines, p.path)
    return problems


def _nearest_line(lines: dict[str, int], path: str) -> int | None:
    while path:
        if path in lines:
            return lines[path]
        shorter = re.sub(r"(\.[^.\[]+|\[\d+\])$", "", path)
        path = shorter if shorter != path else ""  # a top-level key missing from the file
    return lines.get("")


def parse_file(path: str | Path) -> dict:
    p = Path(path)
    return parse_text(p.read_text(encoding="utf-8"), source=str(p))


# -- validation ---------------------------------------------------------------------------------


def validate(data: Any) -> list[Problem]:
    """Every problem of a plan definition, each with its path and a Vietnamese reason."""
    out: list[Problem] = []

    def need(obj: dict, key: str, path: str, kind: type | tuple = str) -> Any:
        p = f"{path}.{key}" if path else key
        if key not in obj or obj[key] in (None, ""):
            out.append(Problem(p, "thiếu thông tin bắt buộc"))
            return None
        if not isinstance(obj[key], kind):
            out.append(Problem(p, f"phải là {_kind_name(kind)}"))
            return None
        return obj[key]

    if not isinstance(data, dict):
        return [Problem("", "tệp phải là một bảng khóa: giá trị (mapping)")]
    if data.get("format") != FORMAT:
        out.append(Problem("format", f"phải là “{FORMAT}”"))
    code = need(data, "code", "")
    if code and not CODE_RE.match(code):
        out.append(Problem("code", "chỉ gồm chữ thường không dấu, số và dấu gạch ngang"))
    need(data, "title", "")

    declared: set[str] = set()
    for i, a in enumerate(data.get("agencies") or []):
        p = f"agencies[{i}]"
        if not isinstance(a, dict):
            out.append(Problem(p, "phải là một cơ quan (mapping)"))
            continue
        c = need(a, "code", p)
        if c and not AGENCY_CODE_RE.match(c):
            out.append(Problem(f"{p}.code", "chỉ gồm chữ, số không dấu và dấu gạch ngang"))
        if c in declared:
            out.append(Problem(f"{p}.code", f"mã cơ quan “{c}” bị trùng"))
        declared.add(c)
        need(a, "name", p)
        need(a, "abbreviation", p)
        need(a, "place", p)
        _check_organ_id(a, c, p, out)
        if a.get("level", "province") not in LEVELS:
            out.append(Problem(f"{p}.level", f"phải là một trong: {', '.join(LEVELS)}"))
        _check_validity(a, p, out)
    known = declared | _agency_codes_in_db()
    for i, a in enumerate(data.get("agencies") or []):
        if isinstance(a, dict) and a.get("parent") and a["parent"] not in known:
            out.append(Problem(f"agencies[{i}].parent", f"không có cơ quan mã “{a['parent']}”"))

    parent = data.get("parent_plan")
    if parent is not None and (not isinstance(parent, str) or not CODE_RE.match(parent)):
        out.append(Problem("parent_plan", "phải là mã của kế hoạch cấp trên"))
    for key in ("issuer", "standing_agency"):
        c = need(data, key, "")
        if c and c not in known:
            out.append(Problem(key, f"không có cơ quan mã “{c}”"))
    if data.get("number") is not None and (
        not isinstance(data["number"], int) or data["number"] < 1
    ):
        out.append(Problem("number", "phải là số nguyên dương"))
    _date_problem(data.get("issued_on"), "issued_on", out)
    _check_issued(data, out)
    _check_worded_before_issue(data, out)
    if data.get("draft_month") is not None and data["draft_month"] not in range(1, 13):
        out.append(Problem("draft_month", "phải là tháng từ 1 đến 12"))

    for i, lb in enumerate(data.get("legal_basis") or []):
        if not isinstance(lb, str) or not lb.strip():
            out.append(Problem(f"legal_basis[{i}]", "phải là một đoạn văn bản"))

    sections = data.get("sections")
    if not isinstance(sections, list) or not sections:
        out.append(Problem("sections", "kế hoạch phải có ít nhất một mục (I., II., …)"))
    else:
        for i, s in enumerate(sections):
            p = f"sections[{i}]"
            if not isinstance(s, dict):
                out.append(Problem(p, "phải là một mục (mapping)"))
                continue
            need(s, "heading", p)
            _check_texts(s, p, ("paragraphs", "closing"), out)
            for j, node in enumerate(s.get("items") or []):
                _check_node(node, f"{p}.items[{j}]", 1, out)

    group_codes = _check_groups(data, known, out)
    _check_assignments(data, known, group_codes, out)

    sch = data.get("schedule")
    if not isinstance(sch, dict):
        out.append(Problem("schedule", "thiếu lịch báo cáo"))
    else:
        kind = sch.get("kind", "once")
        for opt in ("lock_after_days", "remind_days_before"):
            v = sch.get(opt)
            if v is not None and (not isinstance(v, int) or v < 0):
                out.append(Problem(f"schedule.{opt}", "phải là số ngày, không âm"))
        if kind not in KINDS:
            out.append(Problem("schedule.kind", f"phải là một trong: {', '.join(KINDS)}"))
        elif kind == "once":
            if sch.get("due") not in (None, "") or not _worded_due(sch):
                _date_problem(sch.get("due"), "schedule.due", out, "báo cáo một lần phải có hạn")
        else:
            s, e = sch.get("start"), sch.get("end")
            if not isinstance(s, int) or not isinstance(e, int):
                out.append(
                    Problem(
                        "schedule.start",
                        "báo cáo định kỳ phải có năm bắt đầu và năm kết thúc (start, end)",
                    )
                )
            elif e < s:
                out.append(Problem("schedule.end", "năm kết thúc phải không trước năm bắt đầu"))
            elif e - s > 20:
                out.append(Problem("schedule.end", "kế hoạch dài quá 20 năm"))
        _check_deadline_text(sch, out)
        if kind in KINDS and kind != "once":
            dwd = sch.get("due_working_days", 5)
            if not isinstance(dwd, int) or dwd < 1:
                out.append(
                    Problem("schedule.due_working_days", "phải là số ngày làm việc, ít nhất 1")
                )

    form = data.get("form")
    if form is not None:
        out.extend(_check_form(form))

    rec = data.get("recipients")
    if not isinstance(rec, list) or not rec or not all(isinstance(r, str) for r in rec):
        out.append(Problem("recipients", "phải là danh sách nơi nhận (văn bản)"))
    need(data, "archive", "")
    signer = data.get("signer")
    if not isinstance(signer, dict):
        out.append(Problem("signer", "thiếu người ký"))
    else:
        need(signer, "title", "signer")
        need(signer, "name", "signer")
        auth = signer.get("authority", "")
        if auth not in AUTHORITIES:
            out.append(
                Problem(
                    "signer.authority", "phải là một trong: TM., KT., TL., TUQ., Q. hoặc để trống"
                )
            )
        if auth and not signer.get("authority_of"):
            out.append(
                Problem(
                    "signer.authority_of", f"ký {auth} phải ghi ký thay/thay mặt ai (vd. CHỦ TỊCH)"
                )
            )
    out.extend(check_bounds(data))
    out.extend(check_body_text(data))
    return out


def _body_texts(data: dict) -> list[tuple[str, Any]]:
    """(path, value) of every text the plan prints as structured text (richtext)."""
    texts: list[tuple[str, Any]] = []
    if data.get("preamble") is not None:
        texts.append(("preamble", data["preamble"]))
    for i, s in enumerate(data.get("sections") or []):
        if isinstance(s, dict) and s.get("body") is not None:
            texts.append((f"sections[{i}].body", s["body"]))
    for i, a in enumerate(data.get("assignments") or []):
        tasks = a.get("tasks") if isinstance(a, dict) else None
        if isinstance(tasks, str):
            texts.append((f"assignments[{i}].tasks", tasks))
        elif isinstance(tasks, list):
            texts += [
                (f"assignments[{i}].tasks[{k}]", t)
                for k, t in enumerate(tasks)
                if isinstance(t, str)
            ]
    return texts


def check_body_text(data: Any) -> list[Problem]:
    """Structured text (docs/plan-format.md, "Văn bản có cấu trúc"): a string, bounded in length,
    paragraphs and depth (:func:`app.services.richtext.problems`)."""
    if not isinstance(data, dict):
        return []
    out: list[Problem] = []
    for path, value in _body_texts(data):
        out.extend(Problem(path, msg) for msg in richtext.problems(value, "nội dung"))
    return out


def normalize_body_text(data: dict) -> dict:
    """A valid definition as it is stored: ``tasks`` written as one text become the list of its
    tasks (:func:`app.services.richtext.split_items`), each with its own lines; a body and the
    preamble one paragraph a line (:func:`app.services.richtext.normalize`)."""
    for a in data.get("assignments") or []:
        if isinstance(a, dict) and isinstance(a.get("tasks"), str):
            a["tasks"] = richtext.split_items(a["tasks"])
    if isinstance(data.get("preamble"), str):
        data["preamble"] = richtext.normalize(data["preamble"])
    for s in data.get("sections") or []:
        if isinstance(s, dict) and isinstance(s.get("body"), str):
            s["body"] = richtext.normalize(s["body"])
    return data


# -- assignments as plans make them (issue 12: several sections, groups, worded deadlines) --------

GROUP_KEYS = ("code", "name", "members", "level", "parent")


def _check_validity(a: dict, path: str, out: list[Problem]) -> None:
    """An agency's ``valid_from``/``valid_to`` (the 2025 reform retires the district level)."""
    _date_problem(a.get("valid_from"), f"{path}.valid_from", out)
    _date_problem(a.get("valid_to"), f"{path}.valid_to", out)
    vf, vt = a.get("valid_from"), a.get("valid_to")
    if isinstance(vf, date) and isinstance(vt, date) and vt < vf:
        out.append(Problem(f"{path}.valid_to", "ngày hết hiệu lực trước ngày có hiệu lực"))


def _check_groups(data: dict, known: set[str], out: list[Problem]) -> set[str]:
    """The ``groups`` a file declares ("UBND các huyện, …": listed members or a rule); returns
    every group code the plan may use (declared or in the database)."""
    declared: set[str] = set()
    items = data.get("groups") or []
    if not isinstance(items, list):
        out.append(Problem("groups", "phải là một danh sách nhóm cơ quan"))
        items = []
    for i, g in enumerate(items):
        p = f"groups[{i}]"
        if not isinstance(g, dict):
            out.append(Problem(p, "phải là một nhóm cơ quan (mapping)"))
            continue
        code = g.get("code")
        if not isinstance(code, str) or not AGENCY_CODE_RE.match(code):
            out.append(Problem(f"{p}.code", "thiếu mã nhóm (chữ, số không dấu, dấu gạch ngang)"))
        elif code in declared or code in known:
            out.append(Problem(f"{p}.code", f"mã nhóm “{code}” trùng với nhóm hoặc cơ quan khác"))
        else:
            declared.add(code)
        if not isinstance(g.get("name"), str) or not g["name"].strip():
            out.append(Problem(f"{p}.name", "thiếu tên nhóm như kế hoạch ghi (vd. UBND các huyện)"))
        members = g.get("members")
        if members is not None and (
            not isinstance(members, list) or not all(isinstance(m, str) for m in members)
        ):
            out.append(Problem(f"{p}.members", "phải là danh sách mã cơ quan"))
            members = []
        for j, m in enumerate(members or []):
            if m not in known:
                out.append(Problem(f"{p}.members[{j}]", f"không có cơ quan mã “{m}”"))
        level = g.get("level")
        if level is not None and level not in LEVELS:
            out.append(Problem(f"{p}.level", f"phải là một trong: {', '.join(LEVELS)}"))
        if g.get("parent") is not None and g["parent"] not in known:
            out.append(Problem(f"{p}.parent", f"không có cơ quan mã “{g['parent']}”"))
        if not members and level is None:
            out.append(
                Problem(
                    p,
                    "nhóm phải có danh sách thành viên (members) hoặc quy tắc (level, parent: mọi "
                    "cơ quan cấp đó trực thuộc cơ quan đó)",
                )
            )
        for key in g:
            if key not in GROUP_KEYS:
                out.append(Problem(f"{p}.{key}", f"khóa không dùng được; chỉ dùng {GROUP_KEYS}"))
    return declared | _group_codes_in_db()


def _check_assignments(
    data: dict, known: set[str], group_codes: set[str], out: list[Problem]
) -> None:
    """Each line of ``assignments`` names an agency or a group, may sit in one section
    (``section``: its number, 1 = I.), and may carry a worded deadline (``due_text``) and an
    activity window (``window``). The same agency or group may be assigned in several sections,
    once per section."""
    assignments = data.get("assignments") or []
    if not isinstance(assignments, list):
        out.append(Problem("assignments", "phải là một danh sách"))
        return
    sections = data.get("sections")
    n_sections = len(sections) if isinstance(sections, list) else 0
    seen: dict[tuple[str, int | None], int] = {}
    for i, a in enumerate(assignments):
        p = f"assignments[{i}]"
        if not isinstance(a, dict):
            out.append(Problem(p, "phải là một phân công (mapping)"))
            continue
        agency, group = a.get("agency"), a.get("group")
        if agency in (None, "") and group in (None, ""):
            out.append(Problem(f"{p}.agency", "thiếu thông tin bắt buộc (agency hoặc group)"))
        elif agency not in (None, "") and group not in (None, ""):
            out.append(Problem(f"{p}.group", "chỉ ghi một trong hai: agency hoặc group"))
        elif group not in (None, ""):
            if not isinstance(group, str) or group not in group_codes:
                out.append(Problem(f"{p}.group", f"không có nhóm cơ quan mã “{group}”"))
        elif not isinstance(agency, str):
            out.append(Problem(f"{p}.agency", "phải là văn bản"))
        elif agency not in known:
            out.append(Problem(f"{p}.agency", f"không có cơ quan mã “{agency}”"))
        section = a.get("section")
        if section is not None and (
            isinstance(section, bool)
            or not isinstance(section, int)
            or not 1 <= section <= max(n_sections, 1)
        ):
            out.append(
                Problem(
                    f"{p}.section",
                    f"phải là số thứ tự của một mục (1 = I., … {max(n_sections, 1)})",
                )
            )
            section = None
        who = group if group not in (None, "") else agency
        if isinstance(who, str):
            key = (who, section)
            if key in seen:
                where = f"mục {section}" if section is not None else "các mục liệt kê phân công"
                out.append(
                    Problem(
                        f"{p}.{'group' if group else 'agency'}",
                        f"“{who}” được phân công hai lần trong {where} (dòng assignments"
                        f"[{seen[key]}]); gộp nhiệm vụ vào một dòng hoặc ghi section khác",
                    )
                )
            seen.setdefault(key, i)
        if a.get("role", "cooperate") not in ("lead", "cooperate"):
            out.append(Problem(f"{p}.role", "phải là lead (chủ trì) hoặc cooperate (phối hợp)"))
        tasks = a.get("tasks")
        if isinstance(tasks, str):  # structured text: one task per top-level item
            tasks = richtext.split_items(tasks)
        if not isinstance(tasks, list) or not all(isinstance(t, str) and t.strip() for t in tasks):
            out.append(Problem(f"{p}.tasks", "phải là danh sách các nhiệm vụ (văn bản)"))
        _date_problem(a.get("due"), f"{p}.due", out)
        dwd_a = a.get("due_working_days")
        if dwd_a is not None and (not isinstance(dwd_a, int) or dwd_a < 1):
            out.append(Problem(f"{p}.due_working_days", "phải là số ngày làm việc, ít nhất 1"))
        if a.get("due_text") not in (None, ""):
            problem = deadline_text.problem(a["due_text"])
            if problem:
                out.append(Problem(f"{p}.due_text", problem))
        if a.get("window") not in (None, ""):
            problem = deadline_text.problem(a["window"], window=True)
            if problem:
                out.append(Problem(f"{p}.window", problem))


def _worded_due(sch: dict) -> bool:
    """The schedule's ``deadline_text`` names a date with its year (it can stand for ``due``)."""
    text = sch.get("deadline_text")
    if not isinstance(text, str) or deadline_text.problem(text) is not None:
        return False
    return deadline_text.parse_deadline(text).named.year is not None


def _check_deadline_text(sch: dict, out: list[Problem]) -> None:
    """A ``deadline_text`` that names a date must agree with ``due`` when both are given."""
    text, due = sch.get("deadline_text"), sch.get("due")
    if not isinstance(text, str) or deadline_text.problem(text) is not None:
        return
    worded = deadline_text.parse_deadline(text)
    if isinstance(due, date) and worded.named.year is not None:
        named = worded.on(worded.named.year)
        if named != due:
            out.append(
                Problem(
                    "schedule.deadline_text",
                    f"“{text}” là hạn {named:%d/%m/%Y}, khác hạn schedule.due {due:%d/%m/%Y}",
                )
            )


def _check_worded_before_issue(data: dict, out: list[Problem]) -> None:
    """A deadline in words that names a full date (with its year) may not fall before the issue
    date either (``_check_issued`` checks the dates written as dates)."""
    issued_on = data.get("issued_on")
    if not isinstance(issued_on, date):
        return
    texts: list[tuple[str, Any]] = []
    sch = data.get("schedule")
    if isinstance(sch, dict) and not isinstance(sch.get("due"), date):  # (else: due says it)
        texts.append(("schedule.deadline_text", sch.get("deadline_text")))
    for i, a in enumerate(data.get("assignments") or []):
        if isinstance(a, dict):
            texts.append((f"assignments[{i}].due_text", a.get("due_text")))
    for path, text in texts:
        if not isinstance(text, str) or deadline_text.problem(text) is not None:
            continue
        worded = deadline_text.parse_deadline(text)
        if worded.named.year is None:
            continue
        due = worded.on(worded.named.year)
        if due < issued_on:
            out.append(
                Problem(
                    path,
                    f"“{text}” là hạn {due:%d/%m/%Y}, trước ngày ban hành "
                    f"{issued_on:%d/%m/%Y} (issued_on)",
                )
            )


def _group_codes_in_db() -> set[str]:
    try:
        return set(db.session.scalars(select(AgencyGroup.code)))
    except Exception:  # noqa: BLE001 - no app context: file-only check
        return set()


def _check_issued(data: dict, out: list[Problem]) -> None:
    """A plan recorded as already issued has both ``number`` and ``issued_on``, and no deadline
    before its issue date."""
    number, issued_on = data.get("number"), data.get("issued_on")
    if (number is None) != (issued_on is None):
        missing, given = ("issued_on", "number") if issued_on is None else ("number", "issued_on")
        out.append(
            Problem(
                missing,
                f"kế hoạch đã ban hành phải ghi cả số (number) và ngày ban hành (issued_on); "
                f"tệp chỉ có {given}",
            )
        )
    if not isinstance(issued_on, date):
        return
    on = f"{issued_on:%d/%m/%Y}"
    sch = data.get("schedule")
    dues: list[tuple[str, Any]] = []
    if isinstance(sch, dict):
        dues.append(("schedule.due", sch.get("due")))
        end = sch.get("end")
        if sch.get("kind", "once") != "once" and isinstance(end, int) and end < issued_on.year:
            out.append(
                Problem(
                    "schedule.end",
                    f"năm kết thúc {end} trước năm ban hành {issued_on.year} (issued_on {on})",
                )
            )
    for i, a in enumerate(data.get("assignments") or []):
        if isinstance(a, dict):
            dues.append((f"assignments[{i}].due", a.get("due")))
    for path, due in dues:
        if isinstance(due, date) and due < issued_on:
            out.append(Problem(path, f"hạn {due:%d/%m/%Y} trước ngày ban hành {on} (issued_on)"))


# Columns a plan definition's keys are stored in: their lengths bound the keys.
_COLUMNS: dict[str, Any] = {
    "code": Plan.code,
    "type": Plan.type_abbr,
    "parent_plan": Plan.code,
    "issuer": Agency.code,
    "standing_agency": Agency.code,
}
_AGENCY_COLUMNS: dict[str, Any] = {
    "code": Agency.code,
    "name": Agency.name,
    "short_name": Agency.short_name,
    "abbreviation": Agency.abbreviation,
    "place": Agency.place,
    "header_parent": Agency.header_parent,
    "level": Agency.level,
    "parent": Agency.code,
}
_DAYS = {
    "schedule.due_working_days": 1,
    "schedule.lock_after_days": 0,
    "schedule.remind_days_before": 0,
}


def check_bounds(data: Any) -> list[Problem]:
    """The bounds of :mod:`forms.bounds` over a whole definition: every text without control
    characters and within its column, every number storable, every date in the working years,
    every count of days usable by the schedule (so a plan that validates can be issued)."""
    out: list[Problem] = []
    if not isinstance(data, dict):
        return out
    _walk_bounds(data, "", out)
    for key, column in _COLUMNS.items():
        _column_bound(data.get(key), key, column, out)
    for i, a in enumerate(data.get("agencies") or []):
        if isinstance(a, dict):
            for key, column in _AGENCY_COLUMNS.items():
                _column_bound(a.get(key), f"agencies[{i}].{key}", column, out)
    for i, a in enumerate(data.get("assignments") or []):
        if isinstance(a, dict):
            _column_bound(a.get("agency"), f"assignments[{i}].agency", Agency.code, out)
            _column_bound(a.get("group"), f"assignments[{i}].group", AgencyGroup.code, out)
            for key in ("due_text", "window"):
                _column_bound(a.get(key), f"assignments[{i}].{key}", AssignmentTask.due_text, out)
            _days_bound(a.get("due_working_days"), f"assignments[{i}].due_working_days", 1, out)
    for i, g in enumerate(data.get("groups") or []):
        if isinstance(g, dict):
            _column_bound(g.get("code"), f"groups[{i}].code", AgencyGroup.code, out)
            _column_bound(g.get("name"), f"groups[{i}].name", AgencyGroup.name, out)
    sch = data.get("schedule")
    if isinstance(sch, dict):
        for path, low in _DAYS.items():
            _days_bound(sch.get(path.split(".")[1]), path, low, out)
        for key in ("start", "end"):
            v = sch.get(key)
            if isinstance(v, int) and not isinstance(v, bool):
                problem = bounds.int_problem(v, key, bounds.YEAR_MIN, bounds.YEAR_MAX)
                if problem:
                    out.append(Problem(f"schedule.{key}", problem))
    number = data.get("number")
    if isinstance(number, int) and not isinstance(number, bool):
        problem = bounds.int_problem(number, "number", 1)
        if problem:
            out.append(Problem("number", problem))
    return out


MAX_WALK_DEPTH = 40  # (not MAX_DEPTH: that name bounds the YAML parser, 32)


def _walk_bounds(obj: Any, path: str, out: list[Problem], depth: int = 0) -> None:
    label = path or "…"
    if depth > MAX_WALK_DEPTH:
        out.append(Problem(path, f"lồng quá {MAX_WALK_DEPTH} cấp"))
        return
    if isinstance(obj, dict):
        for k, v in obj.items():
            key = str(k)
            problem = bounds.text_problem(key, label, max_length=100)
            if problem:
                out.append(Problem(path, problem))
                continue
            _walk_bounds(v, f"{path}.{key}" if path else key, out, depth + 1)
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            _walk_bounds(v, f"{path}[{i}]", out, depth + 1)
    elif isinstance(obj, str):
        problem = bounds.text_problem(obj, label, multiline=True)
        if problem:
            out.append(Problem(path, problem))
    elif isinstance(obj, bool):
        return
    elif isinstance(obj, int | float):
        problem = bounds.number_problem(obj, label)
        if problem:
            out.append(Problem(path, problem))
    elif isinstance(obj, date):
        problem = bounds.date_problem(obj, label)
        if problem:
            out.append(Problem(path, problem))


def _column_bound(value: Any, path: str, column: Any, out: list[Problem]) -> None:
    if isinstance(value, str) and len(value) > (n := column_length(column)):
        out.append(Problem(path, f"dài quá {n} ký tự (hiện có {len(value)})"))


def _days_bound(value: Any, path: str, low: int, out: list[Problem]) -> None:
    if isinstance(value, int) and not isinstance(value, bool):
        problem = bounds.days_problem(value, path, low)
        if problem:
            out.append(Problem(path, problem))


def _check_texts(obj: dict, path: str, keys: tuple[str, ...], out: list[Problem]) -> None:
    for key in keys:
        val = obj.get(key)
        if val is None:
            continue
        if not isinstance(val, list) or not all(isinstance(x, str) for x in val):
            out.append(Problem(f"{path}.{key}", "phải là danh sách các đoạn văn bản"))


def _check_node(node: Any, path: str, level: int, out: list[Problem]) -> None:
    if not isinstance(node, dict):
        out.append(Problem(path, "phải là một mục (mapping) có heading hoặc text"))
        return
    if not node.get("heading") and not node.get("text") and not node.get("bullets"):
        out.append(Problem(path, "mục phải có heading, text hoặc bullets"))
    _check_texts(node, path, ("paragraphs",), out)
    for j, b in enumerate(node.get("bullets") or []):
        if not (isinstance(b, str) or (isinstance(b, dict) and isinstance(b.get("text"), str))):
            out.append(Problem(f"{path}.bullets[{j}]", "phải là văn bản hoặc {text, italic}"))
    children = node.get("items") or []
    if children and level >= 3:
        out.append(Problem(f"{path}.items", "không được lồng quá 3 cấp (1., a), -)"))
        return
    for j, child in enumerate(children):
        _check_node(child, f"{path}.items[{j}]", level + 1, out)


def _check_form(form: Any) -> list[Problem]:
    if not isinstance(form, dict) or not isinstance(form.get("fields"), list):
        return [Problem("form.fields", "biểu mẫu phải có danh sách trường (fields)")]
    try:
        from forms.exceptions import SchemaError
        from forms.schema import parse_schema
    except ImportError:  # pragma: no cover - the form engine is part of the project
        return []
    try:
        parse_schema(form)
    except SchemaError as exc:
        return [Problem(f"form.{p.path}" if p.path else "form", p.message) for p in exc.problems]
    return []


def _kind_name(kind: type | tuple) -> str:
    names = {str: "văn bản", int: "số nguyên", list: "danh sách", dict: "bảng khóa"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " hoặc ".join(names.get(k, k.__name__) for k in kinds)


def _check_organ_id(item: dict, code: Any, path: str, out: list[Problem]) -> None:
    """``organ_id`` (opt): the mã định danh for document exchange (docs/edxml.md), a dotted
    code such as 000.00.00.H57, not another agency's."""
    organ = item.get("organ_id")
    if organ is None:
        return
    if not isinstance(organ, str) or not ORGAN_ID_RE.match(organ):
        out.append(Problem(f"{path}.organ_id", "mã định danh phải có dạng 000.00.00.H57 (4 nhóm)"))
        return
    try:
        other = db.session.scalar(select(Agency).where(Agency.organ_id == organ))
    except Exception:  # noqa: BLE001 - no app context: file-only check
        return
    if other is not None and other.code != code:
        out.append(Problem(f"{path}.organ_id", f"mã định danh “{organ}” đã là của {other.name}"))


def _agency_codes_in_db() -> set[str]:
    try:
        return set(db.session.scalars(select(Agency.code)))
    except Exception:  # noqa: BLE001 - no app context: file-only check
        return set()


# -- loading -----------------------------------------------------------------------------------


def _declared(item: dict) -> dict[str, Any]:
    """The agency's fields as the file declares them (``header_name`` only when given: else
    what the administrator set is kept)."""
    out = {
        "name": item["name"],
        "short_name": item.get("short_name"),
        "abbreviation": item["abbreviation"],
        "level": item.get("level", "province"),
        "place": item["place"],
        "header_parent": item.get("header_parent"),
    }
    if item.get("header_name"):
        out["header_name"] = item["header_name"]
    if item.get("organ_id"):  # only when given: else what the administrator set is kept
        out["organ_id"] = item["organ_id"]
    for key in ("valid_from", "valid_to"):  # only when given: else what the admin set is kept
        if isinstance(item.get(key), date):
            out[key] = item[key]
    return out


def agency_changes(items: list[dict]) -> list[tuple[int, Agency | None, dict[str, Any]]]:
    """What importing ``items`` would change: (index, existing agency or None for a new one,
    {field: new value}) for each declared agency that is new or differs from the database."""
    out: list[tuple[int, Agency | None, dict[str, Any]]] = []
    for i, item in enumerate(items):
        agency = db.session.scalar(select(Agency).where(Agency.code == item["code"]))
        want = _declared(item)
        if agency is None:
            out.append((i, None, want))
            continue
        diff = {k: v for k, v in want.items() if getattr(agency, k) != v}
        parent = item.get("parent")
        if parent and (agency.parent is None or agency.parent.code != parent):
            diff["parent"] = parent
        if diff:
            out.append((i, agency, diff))
    return out


FIELD_NAMES = {
    "name": "tên",
    "short_name": "tên ngắn",
    "abbreviation": "chữ viết tắt",
    "level": "cấp",
    "place": "địa danh",
    "header_parent": "cơ quan chủ quản",
    "header_name": "tên ở tiêu đề",
    "organ_id": "mã định danh",
    "parent": "cơ quan cấp trên",
    "valid_from": "hiệu lực từ",
    "valid_to": "hiệu lực đến",
}


def check_agencies(items: list[dict], actor: User | None) -> None:
    """Refuse (``PlanFileError``, one problem per agency) an import that would create or change
    an agency unless the actor may (the policy's ``agency.create`` / ``agency.edit``: an
    administrator or the system). A file may always *reference* agencies as they are."""
    problems = []
    for i, agency, diff in agency_changes(items):
        if agency is None and not policy.can(actor, "agency.create"):
            problems.append(
                Problem(
                    f"agencies[{i}].code",
                    f"không có cơ quan mã “{items[i]['code']}”; chỉ quản trị viên được tạo "
                    "cơ quan mới",
                )
            )
        elif agency is not None and not policy.can(actor, "agency.edit", agency):
            fields = ", ".join(FIELD_NAMES.get(k, k) for k in sorted(diff))
            problems.append(
                Problem(
                    f"agencies[{i}]",
                    f"cơ quan “{agency.code}” khác với dữ liệu đang dùng ({fields}); chỉ "
                    "quản trị viên được sửa cơ quan — hãy khai báo đúng như hiện có hoặc bỏ "
                    "khai báo",
                )
            )
    if problems:
        raise PlanFileError(problems)


def upsert_agencies(items: list[dict], actor: User | None = None) -> dict[str, Agency]:
    """Create or update the agencies a file declares (by code), each change audited. Callers
    check the policy first (:func:`check_agencies`)."""
    out: dict[str, Agency] = {}
    for item in items:
        agency = db.session.scalar(select(Agency).where(Agency.code == item["code"]))
        created = agency is None
        if agency is None:
            agency = Agency(code=item["code"])
            db.session.add(agency)
        want = _declared(item)
        before = {k: getattr(agency, k, None) for k in want}
        for k, v in want.items():
            setattr(agency, k, v)
        out[item["code"]] = agency
        diff = {k: [before[k], v] for k, v in want.items() if before[k] != v}
        if created or diff:
            db.session.flush()
            audit.record(
                actor,
                agency,
                "create" if created else "edit",
                comment="Nhập từ tệp kế hoạch",
                data={"via": "import", "changes": _plain(diff)},
            )
    db.session.flush()
    for item in items:
        if item.get("parent"):
            parent = out.get(item["parent"]) or db.session.scalar(
                select(Agency).where(Agency.code == item["parent"])
            )
            out[item["code"]].parent_id = parent.id if parent else None
    db.session.flush()
    return out


def load(data: dict, actor: User | None = None) -> Plan:
    """Load a validated definition: upsert its agencies, then create the plan, or update it if
    a plan with the same code exists and is still a draft.

    Goes through the policy before writing anything: agencies are created or changed only by an
    administrator (or the system), a new plan only by a specialist of its issuing or standing
    agency (``plan.import``), an existing plan only by those who may edit it (``plan.edit``).
    Every change is audited."""

    normalize_body_text(data)  # (idempotent: parse_text already did, other callers may not)
    items = data.get("agencies") or []
    check_agencies(items, actor)
    existing = db.session.scalar(select(Plan).where(Plan.code == data["code"]))
    if existing is None:
        codes = {a.code: a.id for a in db.session.scalars(select(Agency))}
        scope = policy.PlanScope(codes.get(data["issuer"]), codes.get(data["standing_agency"]))
        if scope.issuer_id is not None or not policy.can(actor, "agency.create"):
            policy.require(actor, "plan.import", scope)
    elif actor is None and existing.status != PlanStatus.DRAFT:
        # the system (CLI, seeds) reloads a draft as a whole; an issued plan stays as issued
        raise PlanFileError(
            [
                Problem(
                    "code",
                    f"kế hoạch “{data['code']}” đã ban hành ({_issued_label(existing)}); nội "
                    "dung đã ban hành không nạp lại được — mọi thay đổi cần một văn bản sửa "
                    "đổi, bổ sung",
                )
            ]
        )
    else:
        policy.require(actor, "plan.edit", existing)
    upsert_agencies(items, actor)
    load_groups(data.get("groups") or [], actor)
    issuer = db.session.scalar(select(Agency).where(Agency.code == data["issuer"]))
    if issuer is not None and isinstance(data.get("signer"), dict):
        signers.record_plan_signer(issuer, data["signer"])
    if data.get("number") is not None:
        _check_number(data, existing, actor)
    if existing is None:
        plan = plans.create_plan(_plain(data), actor)
    else:
        plan = plans.update_plan(existing, _plain(data), actor, existing.version)
    if data.get("number") is not None and plan.status == PlanStatus.DRAFT:
        _record_issued(plan, data, actor)
    return plan


def load_groups(items: list[dict], actor: User | None) -> None:
    """Create or update the agency groups a file declares; refused (``PlanFileError``, one
    problem per group) unless the actor may (the policy's ``group.edit``: an administrator or
    the system). A file may always use a group as it is."""
    problems = []
    for i, item in enumerate(items):
        group, diff = groups.changes(item)
        if (group is None or diff) and not policy.can(actor, "group.edit"):
            what = "tạo nhóm mới" if group is None else "sửa nhóm “" + group.code + "”"
            problems.append(
                Problem(
                    f"groups[{i}]",
                    f"chỉ quản trị viên được {what}; hãy khai báo đúng như hiện có hoặc bỏ "
                    "khai báo",
                )
            )
    if problems:
        raise PlanFileError(problems)
    for item in items:
        groups.upsert(item, actor)


def _check_number(data: dict, existing: Plan | None, actor: User | None) -> None:
    """Recording a plan as already issued: only the issuing agency's clerk (the policy's
    ``plan.issue``), with a number free in that agency's register for the year."""
    issuer = db.session.scalar(select(Agency).where(Agency.code == data["issuer"]))
    if issuer is None or (existing is not None and existing.status != PlanStatus.DRAFT):
        return
    scope = existing or policy.PlanScope(issuer.id, None)
    reason = policy.refusal(actor, "plan.issue", scope)
    if reason is not None:
        raise PlanFileError([Problem("number", f"ghi kế hoạch đã ban hành: {reason}")])
    number, issued_on = data["number"], data["issued_on"]
    entry = register.taken(issuer.id, issued_on.year, number)
    if entry is not None:
        raise PlanFileError(
            [
                Problem(
                    "number",
                    f"số {number} năm {issued_on.year} của {issuer.abbreviation} đã có trong sổ "
                    f"văn bản đi ({entry.symbol} ngày {entry.issued_on:%d/%m/%Y}: "
                    f"{entry.summary[:80]}); hãy kiểm tra lại số",
                )
            ]
        )


def _record_issued(
    plan: Plan, data: dict, actor: User | None, how: str = "ghi từ tệp kế hoạch"
) -> None:
    """The plan as issued outside the application: its register line, number, symbol and
    date; periods already started open as of today (their deadlines are the plan's)."""
    issued_on: date = data["issued_on"]
    signer = data.get("signer")
    entry = register.record_issued(
        plan.issuer,
        plan.type_abbr,
        plan.title,
        issued_on,
        int(data["number"]),
        signer_name=signer.get("name") if isinstance(signer, dict) else None,
    )
    plan.number, plan.year, plan.symbol, plan.issued_on = (
        entry.number,
        entry.year,
        entry.symbol,
        issued_on,
    )
    before = plan.status
    # no document to sign and release here: the plan was issued on paper, so the state moves
    # without the document flow, and the recording is audited with who entered it
    plan.status = PlanStatus.ISSUED
    db.session.flush()
    audit.record(
        actor,
        plan,
        "record_issued",
        from_state=before,
        to_state=plan.status,
        comment=f"Số {entry.symbol} ngày {issued_on:%d/%m/%Y} ({how})",
        plan_id=plan.id,
        data={"number": entry.number, "year": entry.year, "issued_on": issued_on.isoformat()},
    )
    plans.open_due_periods(plan, max(issued_on, clock.today()))
    documents.record_issued_plan_document(plan, entry, actor)


def record_issued(plan: Plan, number: int, issued_on: date, actor: User | None) -> None:
    """A draft plan recorded on its page as already issued on paper (the issuer's clerk types
    the number and date): the same checks and the same record as a plan file carrying
    ``number`` and ``issued_on`` — the number free in the register for that year, no deadline
    before the issue date (``PlanFileError`` names each) — and the definition keeps both."""
    if plan.status != PlanStatus.DRAFT:
        raise PlanFileError([Problem("number", f"kế hoạch đã có {_issued_label(plan)}")])
    data = copy.deepcopy(plan.definition)
    data["number"], data["issued_on"] = number, issued_on
    sch = data.get("schedule")
    for obj in [sch] + list(data.get("assignments") or []):
        if isinstance(obj, dict) and isinstance(obj.get("due"), str):
            try:
                obj["due"] = date.fromisoformat(obj["due"])
            except ValueError:
                pass
    problems: list[Problem] = []
    _check_issued(data, problems)
    _check_worded_before_issue(data, problems)
    if problems:
        raise PlanFileError(problems)
    _check_number(data, plan, actor)
    _record_issued(plan, data, actor, "ghi trên trang kế hoạch")
    plan.definition = {
        **plan.definition,
        "number": number,
        "issued_on": issued_on.isoformat(),
    }


def _issued_label(plan: Plan) -> str:
    when = f" ngày {plan.issued_on:%d/%m/%Y}" if plan.issued_on else ""
    return f"số {plan.symbol}{when}" if plan.symbol else f"trạng thái {plan.status}"


def _plain(obj: Any) -> Any:
    """YAML dates → ISO strings, so the definition stores as JSON."""
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_plain(v) for v in obj]
    if isinstance(obj, date):
        return obj.isoformat()
    return obj
