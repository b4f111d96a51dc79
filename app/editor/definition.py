"""Between the editor's posted inputs and the plan definition dict (docs/plan-format.md).

Every editable object keeps, in a hidden ``<prefix>-keys`` input, the keys it had when the
editor opened it: an optional key left at its default is written back only if it was there, so an
unchanged plan gives back exactly the same definition."""

from __future__ import annotations

import copy
import json
import re
from datetime import date
from typing import Any

from app.datefield import iso_or_text
from app.services import plans, richtext
from app.ui import N_, fold
from forms import bounds

FORMAT = "kehoach/plan@1"
FIELD_TYPES = {
    "integer": N_("Số nguyên"),
    "decimal": N_("Số thập phân"),
    "percentage": N_("Tỷ lệ phần trăm"),
    "text": N_("Chữ (một dòng)"),
    "textarea": N_("Đoạn văn"),
    "date": N_("Ngày"),
    "choice": N_("Chọn một"),
    "multichoice": N_("Chọn nhiều"),
    "yesno": N_("Có / Không"),
    "file": N_("Tệp đính kèm"),
    "group": N_("Bảng nhiều dòng"),
    "computed": N_("Tính tự động (công thức)"),
}
RULES = {
    "": N_("Mặc định theo kiểu"),
    "sum": N_("Cộng tổng"),
    "count": N_("Đếm (count)"),
    "avg": N_("Trung bình (avg)"),
    "min": N_("Nhỏ nhất"),
    "max": N_("Lớn nhất"),
    "ratio": N_("So với mục tiêu (ratio)"),
    "list": N_("Liệt kê theo cơ quan (list)"),
    "rows": N_("Gộp các dòng (rows)"),
    "formula": N_("Tính lại theo công thức (formula)"),
    "none": N_("Không tổng hợp (none)"),
}
KINDS = {
    "once": N_("Một lần"),
    "yearly": N_("Hằng năm"),
    "half_yearly": N_("6 tháng"),
    "quarterly": N_("Hằng quý"),
    "monthly": N_("Hằng tháng"),
}
AUTHORITIES = ["", "TM.", "KT.", "TL.", "TUQ.", "Q."]
TOP_EDITED = (
    "code",
    "title",
    "issuer",
    "standing_agency",
    "parent_plan",
    "type",
    "draft_month",
    "draft_year",
    "legal_basis",
    "preamble",
    "sections",
    "assignments",
    "schedule",
    "form",
    "recipients",
    "archive",
    "archive_copies",
    "signer",
)
NUMERIC = ("integer", "decimal", "percentage", "computed")


# -- numbers, booleans, lines ------------------------------------------------------------------


def num(text: Any) -> Any:
    """ "12" → 12, "12,5" → 12.5, "" → None; anything else stays as typed (validation says why)."""
    s = str(text or "").strip()
    if not s:
        return None
    if re.fullmatch(rf"-?\d{{1,{bounds.MAX_DIGITS}}}", s):
        return int(s)
    if re.fullmatch(rf"-?\d{{1,{bounds.MAX_DIGITS}}}[.,]\d{{1,{bounds.MAX_DECIMALS}}}", s):
        return float(s.replace(",", "."))
    return s  # kept as typed: the validator says why it is not a number


def show_value(v: Any) -> str:
    if v is True:
        return "có"
    if v is False:
        return "không"
    if v is None:
        return ""
    return str(v)


def read_value(s: str) -> Any:
    t = s.strip()
    if fold(t) in ("co", "true", "dung"):
        return True
    if fold(t) in ("khong", "false", "sai"):
        return False
    n = num(t)
    return n


def lines(text: str) -> list[str]:
    return [ln.strip() for ln in (text or "").replace("\r", "").split("\n") if ln.strip()]


def slug(label: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "_", fold(label)).strip("_")
    return s[:50] or "lua_chon"


# -- section items: NODE trees as lines ---------------------------------------------------------

L1 = re.compile(r"^\d+[.)]\s*(.*)$")
L2 = re.compile(r"^[a-zđ]\)\s*(.*)$")
L3 = re.compile(r"^\+\s*(.*)$")
BULLET = re.compile(r"^-\s*(.*)$")


ESC = "\\"  # a line starting with it is read as plain text (never a marker, bullet or heading)


def _plain(line: str) -> str:
    """``line`` as it must be written to be read back as plain text."""
    if line.startswith(ESC) or any(rx.match(line) for rx in (L1, L2, L3, BULLET)):
        return ESC + line
    return line


def nodes_to_text(nodes: list[dict], level: int = 1) -> str:
    """Items as the editor's text area shows them. Text that would read as a marker (a paragraph
    starting with "1." or "- ", a plain bullet written "_…_", an item text starting with "#") is
    written after a backslash, and an item with no text before its paragraphs gets a lone
    backslash line, so that :func:`text_to_nodes` gives back exactly ``nodes``."""
    out: list[str] = []
    letters = "abcdđeghiklmnopqrstuvxy"
    for i, n in enumerate(nodes or []):
        marker = (
            f"{i + 1}." if level == 1 else (f"{letters[i % len(letters)]})" if level == 2 else "+")
        )
        text = n.get("text") or ""
        if n.get("heading"):
            out.append(f"{marker} # {n['heading']}")
            if text:
                out.append(_plain(text))
        else:
            body = ESC + text if text.startswith(("#", ESC)) else text
            out.append(f"{marker} {body}".rstrip())
        if not text and n.get("paragraphs"):
            out.append(ESC)  # no text: what follows are paragraphs
        out.extend(_plain(p) for p in n.get("paragraphs") or [])
        for b in n.get("bullets") or []:
            if isinstance(b, dict):
                bt = b.get("text", "")
                out.append(f"- _{bt}_" if b.get("italic") else f"- {_bullet(bt)}")
            else:
                out.append(f"- {_bullet(b)}")
        if n.get("items"):
            out.append(nodes_to_text(n["items"], level + 1))
    return "\n".join(out)


def _bullet(text: str) -> str:
    plain_looks_italic = len(text) > 2 and text.startswith("_") and text.endswith("_")
    return ESC + text if plain_looks_italic or text.startswith(ESC) else text


def text_to_nodes(text: str) -> list[dict]:
    """The inverse of ``nodes_to_text``: "1." / "a)" / "+" start items of level 1/2/3, "# " after
    the marker makes a heading, "- " is a bullet ("- _…_" in italics), other lines are the item's
    text, then its paragraphs. A line (or a marker's or bullet's text) starting with a backslash
    is plain text without it; a lone backslash says "no text, paragraphs follow"."""
    top: list[dict] = []
    stack: list[dict] = []  # current node per level (index level-1)
    for ln in lines(text):
        escaped = ln.startswith(ESC)
        for level, rx in ((1, L1), (2, L2), (3, L3)):
            m = None if escaped else rx.match(ln)
            if m:
                node: dict = {}
                body = m.group(1).strip()
                if body.startswith(ESC):
                    if body[1:]:
                        node["text"] = body[1:]
                elif body.startswith("#"):
                    node["heading"] = body.lstrip("#").strip()
                elif body:
                    node["text"] = body
                parent = stack[level - 2] if level > 1 and len(stack) >= level - 1 else None
                if level > 1 and parent is None:
                    parent_list = top  # a sub-item without a parent: keep it as a top item
                    level = 1
                else:
                    parent_list = parent.setdefault("items", []) if parent else top
                parent_list.append(node)
                del stack[level - 1 :]
                stack.append(node)
                break
        else:
            m = None if escaped else BULLET.match(ln)
            cur = stack[-1] if stack else None
            if cur is None:
                cur = {}
                top.append(cur)
                stack.append(cur)
            if m:
                body = m.group(1).strip()
                if body.startswith(ESC):
                    cur.setdefault("bullets", []).append(body[1:])
                elif len(body) > 2 and body.startswith("_") and body.endswith("_"):
                    cur.setdefault("bullets", []).append({"text": body[1:-1], "italic": True})
                else:
                    cur.setdefault("bullets", []).append(body)
                continue
            if escaped:
                ln = ln[1:]
                if not ln:  # "no text": mark it so the next lines are paragraphs
                    cur.setdefault("paragraphs", [])
                    continue
            if (
                "text" not in cur
                and not cur.get("paragraphs")
                and not cur.get("bullets")
                and ("paragraphs" not in cur)
            ):
                cur["text"] = ln
            else:
                cur.setdefault("paragraphs", []).append(ln)
    _drop_empty(top)
    return top


def _drop_empty(nodes: list[dict]) -> None:
    for n in nodes:
        if n.get("paragraphs") == []:
            del n["paragraphs"]
        _drop_empty(n.get("items") or [])


# -- the posted form → definition -------------------------------------------------------------


class Reader:
    def __init__(self, form: Any) -> None:
        self.form = form

    def get(self, name: str) -> str:
        return (self.form.get(name) or "").strip()

    def raw(self, name: str) -> str:
        return self.form.get(name) or ""

    def flag(self, name: str) -> bool:
        return bool(self.form.get(name))

    def count(self, name: str) -> int:
        try:
            return max(0, min(500, int(self.form.get(name) or 0)))
        except ValueError:
            return 0

    def keys(self, prefix: str) -> list[str]:
        return [k for k in self.get(f"{prefix}-keys").split(",") if k]


def _put(d: dict, keys: list[str], key: str, value: Any, default: Any = None) -> None:
    """Write ``key`` unless it is empty/default and was not in the original object."""
    empty = value in (None, "", []) or value == default
    if not empty or key in keys:
        d[key] = None if value in ("",) and default is None else value


def read_definition(form: Any, base: dict | None = None) -> dict:
    """The definition the editor's inputs describe; ``base`` (the stored definition, when
    editing) supplies the keys the editor does not show (format, agencies, number, …)."""
    r = Reader(form)
    d: dict = {k: v for k, v in (base or {"format": FORMAT}).items() if k not in TOP_EDITED}
    d.setdefault("format", FORMAT)
    tk = r.keys("top")
    d["_keys"] = tk
    d["code"] = r.get("code")
    _put(d, tk, "parent_plan", r.get("parent_plan") or None)
    d["issuer"] = r.get("issuer")
    d["standing_agency"] = r.get("standing_agency")
    _put(d, tk, "type", r.get("type"), "KH")
    _put(d, tk, "draft_month", num(r.get("draft_month")))
    _put(d, tk, "draft_year", num(r.get("draft_year")))
    d["title"] = r.get("title")
    _put(d, tk, "legal_basis", lines(r.raw("legal_basis")))
    _put(d, tk, "preamble", richtext.normalize(r.raw("preamble")) or None)

    sections = []
    for i in range(r.count("s-count")):
        p = f"s-{i}"
        k = r.keys(p)
        s: dict = {"_keys": k, "heading": r.get(f"{p}-heading")}
        _put(s, k, "body", richtext.normalize(r.raw(f"{p}-body")) or None)
        _put(s, k, "paragraphs", lines(r.raw(f"{p}-paragraphs")))
        if r.raw(f"{p}-lead"):
            s["_lead"] = r.raw(f"{p}-lead")  # see restore_leads
        _put(s, k, "items", text_to_nodes(r.raw(f"{p}-items")))
        _put(s, k, "assignments", r.flag(f"{p}-assignments"), False)
        _put(s, k, "closing", lines(r.raw(f"{p}-closing")))
        sections.append(s)
    d["sections"] = sections

    assignments = []
    for i in range(r.count("a-count")):
        p = f"a-{i}"
        k = r.keys(p)
        a: dict = {
            "_keys": k,
            "agency": r.get(f"{p}-agency"),
            "role": r.get(f"{p}-role") or "cooperate",
        }
        _put(a, k, "label", r.get(f"{p}-label") or None)
        a["tasks"] = richtext.split_items(r.raw(f"{p}-tasks"))  # each with its own lines
        _put(a, k, "inline", r.flag(f"{p}-inline"), False)
        _put(a, k, "listed", r.flag(f"{p}-listed"), True)
        _put(a, k, "reports", r.flag(f"{p}-reports"), True)
        _put(a, k, "due", iso_or_text(r.get(f"{p}-due")) or None)
        _put(a, k, "due_working_days", num(r.get(f"{p}-due_working_days")))
        read_assignment_placement(r, p, k, a)
        assignments.append(a)
    d["assignments"] = assignments

    k = r.keys("sch")
    kind = r.get("sch-kind") or "once"
    sch: dict = {"_keys": k, "kind": kind}
    if kind == "once":
        _put(sch, k, "due", iso_or_text(r.get("sch-due")) or None)
        _put(sch, k, "cutoff", iso_or_text(r.get("sch-cutoff")) or None)
    else:
        _put(sch, k, "start", num(r.get("sch-start")))
        _put(sch, k, "end", num(r.get("sch-end")))
        _put(sch, k, "due_working_days", num(r.get("sch-due_working_days")))
    for opt in ("lock_after_days", "remind_days_before"):
        _put(sch, k, opt, num(r.get(f"sch-{opt}")))
    for opt in ("deadline_text", "report_to"):
        _put(sch, k, opt, r.get(f"sch-{opt}") or None)
    d["schedule"] = sch

    fk = r.keys("form")
    form_def: dict = {"_keys": fk}
    _put(form_def, fk, "title", r.get("form-title") or None)
    form_def["fields"] = [read_field(r, f"f-{i}") for i in range(r.count("f-count"))]
    d["form"] = form_def

    d["recipients"] = lines(r.raw("recipients"))
    d["archive"] = r.get("archive")
    _put(d, tk, "archive_copies", r.get("archive_copies") or None)
    k = r.keys("sg")
    sg: dict = {"_keys": k}
    for key in ("authority", "authority_of", "title", "position_note", "name"):
        v = r.get(f"sg-{key}")
        if key in ("authority", "authority_of", "title", "name"):
            sg[key] = v
        else:
            _put(sg, k, key, v or None)
    d["signer"] = sg
    return d


def restore_leads(d: dict) -> dict:
    """The definition to save: a section whose box still holds the merged text
    :func:`annotate` made of its body and paragraphs is written back as it was (an unchanged
    plan gives back the same definition); any other keeps its box as its body."""
    for i, s in enumerate(d.get("sections") or []):
        lead = _lead(s.get("_lead") or "", s.get("body") or "")
        if lead is None or s.get("paragraphs"):
            continue
        out = {}
        for key, value in s.items():
            if key == "body":
                out.update({k: lead[k] for k in ("body", "paragraphs") if k in lead})
            else:
                out[key] = value
        d["sections"][i] = out
    return d


def _lead(raw: str, body: str) -> dict | None:
    """The section's own body and paragraphs (the hidden ``-lead`` input :func:`annotate`
    wrote) when ``body`` is still their merged text, else None (the clerk changed it: the
    body box is the section's text)."""
    if not raw:
        return None
    try:
        lead = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(lead, dict) or not isinstance(lead.get("paragraphs"), list):
        return None
    merged = plans.lead_in_body(lead)
    if merged is None or (merged.get("body") or "") != body:
        return None
    return lead


# -- assignment placement: group line, section, worded deadline, window (issue 12, pts 2, 6) --
# (the inputs: templates/editor/_assignment_placement.html)


def read_assignment_placement(r: Reader, p: str, keys: list[str], a: dict) -> None:
    """The placement inputs of assignment line ``p``: a group instead of an agency (``group``),
    the section it is printed in (``section``: 1 = I.; empty: every section that lists
    assignments), its deadline in words (``due_text``) and its activity window (``window``)."""
    group = r.get(f"{p}-group")
    if group:
        a["group"] = group
        if not a.get("agency"):
            a.pop("agency", None)
    elif "group" in keys:
        a["group"] = None
    if "role" not in keys and a.get("role") == "cooperate":
        a.pop("role")  # the default, not written in the file: not added on save
    _put(a, keys, "section", num(r.get(f"{p}-section")))
    _put(a, keys, "due_text", r.get(f"{p}-due_text") or None)
    _put(a, keys, "window", r.get(f"{p}-window") or None)


def follow_section_move(d: dict, action: str, i: int) -> None:
    """Keep each assignment line's ``section`` on the same section when section ``i`` (0-based)
    is removed ("del") or moved ("up", "down"); a line whose section is removed goes back to
    the sections that list assignments."""
    n = i + 1
    swap = {"up": (n - 1, n), "down": (n, n + 1)}.get(action)
    for a in d.get("assignments") or []:
        at = a.get("section")
        if not isinstance(at, int):
            continue
        if action == "del":
            a["section"] = None if at == n else (at - 1 if at > n else at)
        elif swap is not None and at in swap:
            a["section"] = swap[1] if at == swap[0] else swap[0]


def read_field(r: Reader, p: str, column: bool = False) -> dict:
    k = r.keys(p)
    t = r.get(f"{p}-type") or "text"
    f: dict = {"_keys": k, "name": r.get(f"{p}-name"), "label": r.get(f"{p}-label"), "type": t}
    _put(f, k, "help", r.get(f"{p}-help") or None)
    _put(f, k, "short_label", r.get(f"{p}-short_label") or None)
    _put(f, k, "required", r.flag(f"{p}-required"), False)
    dv = r.get(f"{p}-default")
    _put(
        f,
        k,
        "default",
        (num(dv) if t in NUMERIC else read_value(dv) if t == "yesno" else dv) if dv else None,
    )
    for key in ("min", "max", "target"):
        _put(f, k, key, num(r.get(f"{p}-{key}")))
    for key in ("max_length", "decimals", "max_size_mb", "min_rows", "max_rows"):
        _put(f, k, key, num(r.get(f"{p}-{key}")))
    _put(f, k, "unit", r.get(f"{p}-unit") or None)
    choices = []
    for ln in lines(r.raw(f"{p}-choices")):
        value, sep, label = ln.partition("|")
        choices.append(
            {"value": value.strip(), "label": label.strip()}
            if sep
            else {"value": slug(ln), "label": ln}
        )
    _put(f, k, "choices", choices)
    vf, op = r.get(f"{p}-vi_field"), r.get(f"{p}-vi_op") or "equals"
    vv = r.get(f"{p}-vi_value")
    if vf:
        if op == "not_empty":
            f["visible_if"] = {"field": vf, "not_empty": True}
        elif op == "in":
            f["visible_if"] = {
                "field": vf,
                "in": [read_value(x) for x in vv.split(",") if x.strip()],
            }
        else:
            f["visible_if"] = {"field": vf, "equals": read_value(vv)}
    elif "visible_if" in k:
        f["visible_if"] = None
    _put(f, k, "target_label", r.get(f"{p}-target_label") or None)
    _put(f, k, "consolidate", r.get(f"{p}-consolidate") or None)
    _put(f, k, "formula", r.get(f"{p}-formula") or None)
    _put(
        f,
        k,
        "accept",
        [x.strip().lstrip(".").lower() for x in r.get(f"{p}-accept").split(",") if x.strip()],
    )
    if not column and (t == "group" or "fields" in k):
        f["fields"] = [
            read_field(r, f"{p}-c-{j}", column=True) for j in range(r.count(f"{p}-c-count"))
        ]
    return f


# -- helpers for the template --------------------------------------------------------------------


def annotate(obj: Any) -> Any:
    """A copy of a stored definition with ``_keys`` on every object the editor edits."""
    d = copy.deepcopy(obj)
    d["_keys"] = list(d)
    sections = []
    for s in d.get("sections") or []:
        merged = plans.lead_in_body(s) if isinstance(s, dict) else None
        if merged is not None and merged is not s:
            # one box per section: the paragraphs end its body text; saved unchanged, the
            # section is written back as it was (``_lead``: its own body and paragraphs)
            merged["_lead"] = json.dumps(
                {k: s[k] for k in ("body", "paragraphs") if k in s}, ensure_ascii=False
            )
            s = merged
        s["_keys"] = [k for k in s if not k.startswith("_")]
        sections.append(s)
    if "sections" in d:
        d["sections"] = sections
    for a in d.get("assignments") or []:
        a["_keys"] = list(a)
    for key in ("schedule", "signer"):
        if isinstance(d.get(key), dict):
            d[key]["_keys"] = list(d[key])
    form = d.get("form") or {"fields": []}
    form["_keys"] = list(form)
    d["form"] = form
    for f in form.get("fields") or []:
        f["_keys"] = list(f)
        for c in f.get("fields") or []:
            c["_keys"] = list(c)
    return d


def strip(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: strip(v) for k, v in obj.items() if k not in ("_keys", "_lead")}
    if isinstance(obj, list):
        return [strip(v) for v in obj]
    return obj


def blank_definition() -> dict:
    return {
        "format": FORMAT,
        "_keys": [],
        "type": "KH",
        "sections": [
            {"_keys": [], "heading": "MỤC ĐÍCH, YÊU CẦU"},
            {"_keys": [], "heading": "NỘI DUNG"},
            {"_keys": [], "heading": "TỔ CHỨC THỰC HIỆN", "assignments": True},
        ],
        "assignments": [],
        "schedule": {"_keys": [], "kind": "once"},
        "form": {"_keys": [], "fields": []},
        "recipients": [],
        "archive": "VT",
        "signer": {"_keys": [], "authority": "", "authority_of": "", "title": "", "name": ""},
    }


def new_field(n: int) -> dict:
    return {"_keys": [], "name": f"truong_{n}", "label": "", "type": "integer"}


def for_validation(d: dict) -> dict:
    """The definition as ``loader.validate`` wants it: dates as ``date``. A date that does not
    parse stays a string and is reported."""
    v = strip(d)

    def conv(obj: dict, key: str) -> None:
        if isinstance(obj.get(key), str):
            try:
                obj[key] = date.fromisoformat(obj[key])
            except ValueError:
                pass

    for key in ("issued_on",):
        conv(v, key)
    if isinstance(v.get("schedule"), dict):
        conv(v["schedule"], "due")
        conv(v["schedule"], "cutoff")
    for a in v.get("assignments") or []:
        conv(a, "due")
    for ag in v.get("agencies") or []:  # carried through from the file: validity dates
        if isinstance(ag, dict):
            conv(ag, "valid_from")
            conv(ag, "valid_to")
    return v


def input_id(path: str) -> str:
    """Map a problem path of the definition to the id of the editor input it is about."""
    m = re.match(r"^form\.fields\[(\d+)\](?:\.fields\[(\d+)\])?(?:\.(\w+))?", path)
    if m:
        p = f"f-{m.group(1)}" + (f"-c-{m.group(2)}" if m.group(2) else "")
        key = m.group(3) or "name"
        key = {"visible_if": "vi_field", "fields": "cols"}.get(key, key)
        return f"{p}-{key}" if key != "cols" else f"{p}-cols"
    if path.startswith("form"):
        return "form-title" if path == "form.title" else "f-list"
    m = re.match(r"^sections\[(\d+)\](?:\.(\w+))?", path)
    if m:
        key = m.group(2) or "heading"
        return f"s-{m.group(1)}-{key}"
    if path == "sections":
        return "s-list"
    m = re.match(r"^assignments\[(\d+)\](?:\.(\w+))?", path)
    if m:
        return f"a-{m.group(1)}-{m.group(2) or 'agency'}"
    m = re.match(r"^(schedule|signer)(?:\.(\w+))?", path)
    if m:
        pre = "sch" if m.group(1) == "schedule" else "sg"
        key = m.group(2) or ("kind" if pre == "sch" else "name")
        return f"{pre}-{key}"
    m = re.match(r"^(legal_basis|recipients)", path)
    if m:
        return m.group(1)
    return path.split(".")[0].split("[")[0] or "top"
