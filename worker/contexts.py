"""Pure context builders for the official documents (Decree 30/2020, see FORMAT.md).

Every builder takes plain dicts (the app adapts its rows to them), computes every number, numeral
and punctuation mark in Python, and returns the flat dict a template in ``templates/`` expects.
The variables each kind supplies are listed in ``SUPPLIED`` (and in templates/VARIABLES.md).

Shapes shared by all builders
-----------------------------
``agencies``: ``{code: agency}`` where an agency is the dict of docs/plan-format.md::

    {"code": "UBND-TV", "name": "Ủy ban nhân dân tỉnh Trà Vinh", "abbreviation": "UBND",
     "place": "Trà Vinh", "parent": None | code, "header_parent": None | str,
     "header_name": None | str,   # (opt) name as printed in the header, "\\n" for line breaks
     "short_name": None | str, "level": "province"}

``signer``: ``{"authority": "" | "TM." | "KT." | "TL." | "TUQ." | "Q.", "authority_of": str,
"title": str, "position_note": str (opt), "name": str}``.

``number``: register number (int) or ``None`` for an unnumbered draft; ``issued_on``: ``date`` or
``None`` (then ``draft_month``/``draft_year`` of the document dict fill the date line).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from app.services import header_names, richtext
from app.services.textwidth import bold_width_twips
from forms import formatting
from worker.inputs import ConsolidatedInput, PlanInput, ReminderInput, ReportInput, RowsItem

# Geometry shared with templates/build.py (twips: 1 cm = 567).
TEXT_WIDTH = 9355  # 165 mm: A4 210 - left 30 - right 15
HEADER_LEFT = 3969  # 7.0 cm (about 42 %)
HEADER_RIGHT = TEXT_WIDTH - HEADER_LEFT
CELL_MARGIN = 108  # default left/right cell margin of Word and LibreOffice
MIN_RULE = 850  # 1.5 cm
# The consolidated results tables (twips): STT, agency at least 4.5 cm, status, result columns.
TABLE_STT = 700
NAME_MIN = 2552  # 4.5 cm
TABLE_STATUS = 1500
FIELD_MAX = 1700  # 3 cm
FIELDS_FIRST = 4  # result columns in the first table (it also has the status column)
FIELDS_MORE = 5  # in the following tables

TYPE_NAMES = {
    "KH": "KẾ HOẠCH",
    "BC": "BÁO CÁO",
    "QĐ": "QUYẾT ĐỊNH",
    "TB": "THÔNG BÁO",
    "HD": "HƯỚNG DẪN",
    "CTr": "CHƯƠNG TRÌNH",
    "PA": "PHƯƠNG ÁN",
    "ĐA": "ĐỀ ÁN",
    "TTr": "TỜ TRÌNH",
    "CT": "CHỈ THỊ",
    "NQ": "NGHỊ QUYẾT",
    "QC": "QUY CHẾ",
    "QyĐ": "QUY ĐỊNH",
    "BB": "BIÊN BẢN",
    "GM": "GIẤY MỜI",
}
AUTHORITIES = ("", "TM.", "KT.", "TL.", "TUQ.", "Q.")
# Vietnamese legal texts letter their points a) b) c) d) đ) e) g) h) i) k) …, skipping f j w z.
POINT_LETTERS = "a b c d đ e g h i k l m n o p q r s t u v x y".split()
RULE_NAMES = {
    "sum": "cộng",
    "count": "đếm",
    "avg": "bình quân",
    "min": "thấp nhất",
    "max": "cao nhất",
    "ratio": "so với mục tiêu",
    "list": "liệt kê",
    "rows": "liệt kê",
    "none": "",
}

_COMMON = {
    "e_stamp",
    "draft_mark",
    "header_parent",
    "agency_name",
    "agency_rule_indent",
    "number_line",
    "date_line",
    "type_name",
    "summary",
    "summary_rule_indent",
    "blocks",
    "recipients",
    "signer_lines",
    "signer_note",
    "signer_name",
}
_ADDRESSED = {"addressee_first", "addressee_rest"}
SUPPLIED: dict[str, frozenset[str]] = {
    "plan": frozenset(_COMMON | {"legal_basis", "preamble", "opening"}),
    "report": frozenset(_COMMON | _ADDRESSED),
    "consolidated": frozenset(
        _COMMON
        | _ADDRESSED
        | {
            "blocks_after",
            "table_parts",
            "appendix_parts",
            "appendix_blocks",
            "appendix_label",
            "appendix_title",
            "appendix_ref",
            "annex",  # the spreadsheet annex of a large report (worker/annex.py), or None
        }
    ),
    "reminder": frozenset(
        (_COMMON - {"type_name", "summary", "summary_rule_indent"}) | _ADDRESSED | {"subject_line"}
    ),
}


class ContextError(ValueError):
    """A document dict cannot be turned into a context (message in Vietnamese)."""


# ----------------------------------------------------------------------------- small helpers


def roman(n: int) -> str:
    """Roman numeral of ``n`` (1 → "I", 4 → "IV", 14 → "XIV")."""
    if not 0 < n < 4000:
        raise ValueError(f"no Roman numeral for {n}")
    out = []
    for value, sym in (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        while n >= value:
            out.append(sym)
            n -= value
    return "".join(out)


def point_letter(n: int) -> str:
    """Letter of the n-th point (1 → "a", 5 → "đ", 6 → "e"); past "y" doubles ("aa")."""
    k = len(POINT_LETTERS)
    return POINT_LETTERS[(n - 1) % k] * ((n - 1) // k + 1)


def _pad(n: int) -> str:
    return f"{n:02d}"


def format_day_month_year(d: date) -> str:
    """ "ngày 05 tháng 01 năm 2020" / "ngày 29 tháng 6 năm 2019" (FORMAT.md §4;
    :func:`forms.formatting.format_date_text`)."""
    return formatting.format_date_text(d)


def format_date_line(
    place: str, when: date | None, draft_month: int | None = None, draft_year: int | None = None
) -> str:
    """The italic place/date line; an undated draft leaves the day (and month if unknown) blank.

    >>> format_date_line("Hà Nội", date(2020, 1, 5))
    'Hà Nội, ngày 05 tháng 01 năm 2020'
    >>> format_date_line("Ninh Thuận", None, 12, 2022)
    'Ninh Thuận, ngày    tháng 12 năm 2022'
    """
    if when is not None:
        return f"{place}, {format_day_month_year(when)}"
    blank = "    "
    month = (
        blank if not draft_month else (_pad(draft_month) if draft_month < 3 else str(draft_month))
    )
    year = str(draft_year) if draft_year else blank
    return f"{place}, ngày{blank}tháng {month} năm {year}"


def format_number_line(number: int | None, type_abbr: str, agency_abbr: str | None) -> str:
    """ "Số: 05/KH-BCĐNQ"; a draft without a number: "Số:    /KH-UBND".

    For a công văn (no type) pass the agency and its unit:
    ``(12, "UBND", "VX")`` → "Số: 12/UBND-VX".
    """
    if number is not None and number < 1:
        raise ValueError("số văn bản phải từ 1 trở lên")
    num = "   " if number is None else _pad(number)
    tail = f"{type_abbr}-{agency_abbr}" if agency_abbr else type_abbr
    return f"Số: {num}/{tail}"


def format_number(value: Any) -> str:
    """Vietnamese number: "1.234", "12,5", "85" (:func:`forms.formatting.format_number`, the
    web's and the form engine's too); a bool is "Có"/"Không", text is left as it is."""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, str):
        return value
    return formatting.format_number(value)


def signer_block(signer: Mapping[str, Any]) -> tuple[list[str], str, str]:
    """(bold CAPS lines above the signature, concurrent-position note, name) of a signer.

    ``{"authority": "KT.", "authority_of": "Chủ tịch", "title": "Phó Chủ tịch"}`` →
    ``["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]``.
    """
    authority = (signer.get("authority") or "").strip()
    if authority and not authority.endswith("."):
        authority += "."
    if authority not in AUTHORITIES:
        raise ContextError(f"Thẩm quyền ký không hợp lệ: {authority!r} (TM., KT., TL., TUQ., Q.)")
    title = (signer.get("title") or "").strip().upper()
    lines = []
    if authority:
        of = (signer.get("authority_of") or "").strip().upper()
        if not of:
            raise ContextError(f"Thiếu tên tập thể/người đứng đầu sau {authority}")
        lines.append(f"{authority} {of}")
    if title:
        lines.append(title)
    note = (signer.get("position_note") or "").strip().upper()
    name = (signer.get("name") or "").strip()
    return lines, note, name


def recipient_lines(
    recipients: Iterable[str],
    archive: str,
    copies: str | int | None = None,
    *,
    as_above: bool = False,
) -> list[str]:
    """Nơi nhận items: "- X;" each, "- Như trên;" first when addressed, last "- Lưu: VT, NC.".

    A note line wholly in brackets, such as "(để thực hiện)" under a group of recipients, is
    printed as typed, and so is an entry already starting with "+" (a member of the group
    above it) apart from its closing ";" (:func:`recipient_line`)."""
    lines = ["- Như trên;"] if as_above else []
    for r in recipients:
        line = recipient_line(r)
        if line and not (as_above and line.lower() == "- như trên;"):
            lines.append(line)
    archive = archive.strip().rstrip(".").strip()
    if archive.lower().startswith("lưu:"):
        archive = archive[4:].strip()
    last = f"- Lưu: {archive or 'VT'}."
    if copies not in (None, ""):
        last += f" {copies}"
    lines.append(last)
    return lines


def recipient_line(entry: str) -> str:
    """One Nơi nhận entry as printed: "- X;", a bracketed note line as typed, "+ X;"."""
    r = entry.strip()
    if r.startswith("(") and r.endswith(")"):
        return r
    if r.startswith("+"):
        r = r[1:].strip().rstrip(";.").strip()
        return f"+ {r};" if r else ""
    r = r.lstrip("-").strip().rstrip(";.").strip()
    return f"- {r};" if r else ""


def addressee_lines(addressees: Sequence[str]) -> tuple[str, list[str]]:
    """ "Kính gửi:" recipients: one on the same line ("X."), several as "- X;" lines, last ".".

    Returns the text after "Kính gửi:" on its line and the following lines.
    """
    names = [a.strip().lstrip("-").strip().rstrip(";.").strip() for a in addressees]
    names = [n for n in names if n]
    if not names:
        raise ContextError("Thiếu nơi nhận sau “Kính gửi:”")
    if len(names) == 1:
        return names[0] + ".", []
    lines = [f"- {n};" for n in names]
    lines[-1] = lines[-1][:-1] + "."
    return lines[0], lines[1:]


def rule_indent(text: str, size_pt: float, cell_width: int, fraction: float = 0.4) -> int:
    """Left/right indent (twips) that centres a rule of ``fraction`` of the text's width."""
    inner = cell_width - 2 * CELL_MARGIN
    width = min(bold_width_twips(text, size_pt), inner)
    rule = max(MIN_RULE, round(width * fraction))
    return max(0, (inner - rule) // 2)


VN_TZ = timezone(timedelta(hours=7), "+07:00")


def signing_time_iso(when: datetime | date) -> str:
    """ISO 8601 in Vietnam time, to the second: ``2024-01-05T14:30:00+07:00``. A naive datetime
    is taken as UTC (the database stores UTC); a date as its midnight in Vietnam."""
    if not isinstance(when, datetime):
        when = datetime(when.year, when.month, when.day, tzinfo=VN_TZ)
    elif when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(VN_TZ).replace(microsecond=0).isoformat()


def draft_mark(version: int | None) -> str:
    """The mark on every page of an unreleased document: "DỰ THẢO (lần 2)"."""
    return f"DỰ THẢO (lần {version})" if version else "DỰ THẢO"


# on every page of a plan recorded as issued on paper: a copy made from the recorded data of the
# issued original, not a document signed or numbered in the application
RECORDED_MARK = "BẢN GHI LẠI TỪ VĂN BẢN ĐÃ BAN HÀNH"


def e_stamp(symbol: str, signed: datetime | date) -> str:
    """Top-right text of page 1 of an electronic document (FORMAT.md §6): the number+symbol and
    the signing time, on two lines."""
    return f"Số: {symbol}\n{signing_time_iso(signed)}"


def _agency(agencies: Mapping[str, Mapping[str, Any]], code: str, what: str) -> Mapping[str, Any]:
    try:
        return agencies[code]
    except KeyError:
        raise ContextError(f"Không tìm thấy cơ quan “{code}” ({what})") from None


def name_rule_indent(lines: Sequence[str]) -> int:
    """Indent of the rule under the agency name: 2/5 of the line just above it (FORMAT.md §2:
    1/3–1/2 of the text's length), never shorter than 1/3 of it, centred in the cell."""
    inner = HEADER_LEFT - 2 * CELL_MARGIN
    width = min(bold_width_twips(lines[-1] if lines else "", 12), inner)
    rule = max(width // 3, round(width * 0.4))
    return max(0, (inner - rule) // 2)


def header_context(
    agencies: Mapping[str, Mapping[str, Any]], code: str, number_line: str, date_line: str
) -> dict[str, Any]:
    """The left/right header cells: parent line, agency name and its rule, number and date.

    The name and the parent line are printed in the lines the agency carries
    (``header_name``/``header_parent``, "\\n" between lines), each line that does not fit the
    cell broken between word groups (:mod:`app.services.header_names`)."""
    agency = _agency(agencies, code, "cơ quan ban hành")
    parent = agency.get("header_parent")
    if not parent and agency.get("parent"):
        parent = _agency(agencies, agency["parent"], "cơ quan chủ quản").get("name", "")
    lines = header_names.header_lines(agency["name"], agency.get("header_name"))
    parent_lines = header_names.header_lines(parent or "", parent or "", regular=True)
    return {
        "header_parent": "\n".join(parent_lines),
        "agency_name": "\n".join(lines),
        "agency_rule_indent": name_rule_indent(lines),
        "number_line": number_line,
        "date_line": date_line,
        "e_stamp": "",  # set by worker.context for a released document (FORMAT.md §6)
        "draft_mark": "",  # "DỰ THẢO (lần N)" on every page until released (worker.context)
    }


def _title(type_abbr: str, summary: str) -> dict[str, Any]:
    return {
        "type_name": TYPE_NAMES.get(type_abbr, type_abbr.upper()),
        "summary": summary,
        "summary_rule_indent": rule_indent(summary, 14, TEXT_WIDTH + 2 * CELL_MARGIN, 0.35),
    }


def _signer(signer: Mapping[str, Any]) -> dict[str, Any]:
    lines, note, name = signer_block(signer)
    return {"signer_lines": lines, "signer_note": note, "signer_name": name}


def _block(kind: str, text: str, style: str = "plain") -> dict[str, Any]:
    return {"kind": kind, "text": text, "style": style}


def _flag(on: bool) -> str:
    return "1" if on else "0"


def block_runs(block: Mapping[str, Any]) -> list[dict[str, str]]:
    """The runs a block prints: its own (body text with inline emphasis), else its whole text
    in the block's style. Each run ``{t, b, i}``, ``b``/``i`` "1"/"0" (``w:b``/``w:i``)."""
    if "runs" in block:
        return block["runs"]
    style = block.get("style") or "plain"
    return [
        {
            "t": block.get("text") or "",
            "b": _flag(style in ("bold", "bold_italic")),
            "i": _flag(style in ("italic", "bold_italic")),
        }
    ]


def _runs(runs: Sequence[richtext.Run]) -> list[dict[str, str]]:
    return [{"t": r.text, "b": _flag(r.bold), "i": _flag(r.italic)} for r in runs]


def rich_blocks(text: str, *, style: str = "plain", prefix: str = "") -> list[dict[str, Any]]:
    """Blocks of body text written in the plan's markup (:mod:`app.services.richtext`): one
    paragraph per line, its marker kept as typed, inline emphasis as runs. ``style``: emphasis of
    every paragraph (legal basis: italic); ``prefix``: plain text put before the first paragraph
    ("2. Sở Thông tin và Truyền thông ")."""
    bold, italic = style in ("bold", "bold_italic"), style in ("italic", "bold_italic")
    out: list[dict[str, Any]] = []
    for n, p in enumerate(richtext.parse(text, bold=bold, italic=italic)):
        runs = list(p.runs)
        lead = prefix if n == 0 else ""
        if lead:
            runs.insert(0, richtext.Run(lead, bold, italic))
        whole = p.style
        kind = "bullet" if p.marker else "para"
        if whole != "plain" and whole != style and len(p.text) <= HEADING_MAX:
            kind = "heading3"  # a paragraph the clerk set in bold or italics: keep it with the next
        out.append(
            {
                "kind": kind,
                "text": "".join(r.text for r in runs),
                "style": whole if not lead else style,
                "runs": _runs(runs),
            }
        )
    return out


HEADING_MAX = 200  # a wholly bold/italic paragraph longer than this is text, not a heading


HEADINGS = frozenset({"heading1", "heading2", "heading3"})
KEEP_TAIL = 2  # the last body paragraphs kept with the signer block


def mark_keep(blocks: list[dict[str, Any]], tail: int = KEEP_TAIL) -> list[dict[str, Any]]:
    """Page layout a clerk would apply (keepNext, "1"/"0" as the templates write it):
    a heading keeps with what follows; the last ``tail`` paragraphs keep with the signer
    block (``tail=0`` when the signer does not follow these blocks)."""
    for b in blocks:
        b["keep"] = "1" if b["kind"] in HEADINGS else "0"
        b["runs"] = block_runs(b)
    kept = 0
    for b in reversed(blocks):
        if kept >= tail or b["kind"] == "table":
            break
        b["keep"] = "1"
        kept += 1
    return blocks


def row_keep(i: int, n: int, followed: bool = False) -> str:
    """keepNext of data row ``i`` of ``n``: the first keeps with the second and the last but one
    with the last, so no row stands alone at the top or the foot of a page; ``followed``: the
    rows are followed by totals rows, so the last one keeps with them too."""
    if n > 1 and (i == 0 or i == n - 2):
        return "1"
    return "1" if followed and i == n - 1 else "0"


def end_text(blocks: list[dict[str, Any]]) -> None:
    """Close the text with "./." on its last paragraph (FORMAT.md §5)."""
    for b in reversed(blocks):
        if b["text"].strip():
            t = b["text"].rstrip()
            if not t.endswith("./."):
                t = t.rstrip(".;:,") + "./."
            b["text"] = t
            if b.get("runs"):  # body text: the same change on its last run
                last = b["runs"][-1]
                ending = last["t"].rstrip()
                if not ending.endswith("./."):
                    ending = ending.rstrip(".;:,") + "./."
                last["t"] = ending
            return


def legal_basis_lines(lines: Sequence[str]) -> list[str]:
    """Căn cứ lines: each ends ";" and the last "." — a line ending "," or ":" is left alone."""
    out = []
    for i, line in enumerate(lines):
        t = line.strip()
        last = i == len(lines) - 1
        if t.endswith((",", ":")):
            out.append(t)
            continue
        out.append(t.rstrip(";.").rstrip() + ("." if last else ";"))
    return out


# ----------------------------------------------------------------------------- plan


def _node_blocks(
    node: Mapping[str, Any], level: int, index: int, out: list[dict[str, Any]]
) -> None:
    """A plan@1 item (docs/plan-format.md, NODE): numbered 1., a), - by level; its strings may
    carry inline emphasis and several lines (paragraphs, their markers kept as typed)."""
    label = f"{index}." if level == 1 else f"{point_letter(index)})" if level == 2 else "-"
    heading, text = node.get("heading"), node.get("text")
    if heading:
        kind, style = ("heading2", "bold") if level == 1 else ("heading3", "italic")
        if level > 2:
            kind, style = "para", "plain"
        head = rich_blocks(heading, style=style, prefix=f"{label} ")
        for b in head[:1]:
            b["kind"] = kind
        out.extend(head)
        if text:
            out.extend(rich_blocks(text))
    elif text:
        out.extend(rich_blocks(text, prefix=f"{label} "))
    for p in node.get("paragraphs") or []:
        out.extend(rich_blocks(p))
    for b in node.get("bullets") or []:
        item = b if isinstance(b, Mapping) else {"text": b}
        italic = bool(item.get("italic"))
        lines = rich_blocks(item["text"], style="italic" if italic else "plain", prefix="- ")
        if lines:
            lines[0]["runs"][0]["i"] = "0"  # the dash stays upright
            lines[0]["kind"] = "bullet"
        out.extend(lines)
    for i, child in enumerate(node.get("items") or [], 1):
        _node_blocks(child, level + 1, i, out)


def task_blocks(tasks: Sequence[Any], *, prefix: str = "") -> list[dict[str, Any]]:
    """An agency's tasks as the plan prints them (:func:`app.services.richtext.printed_tasks`):
    each task's lines as typed, its markers kept; a second paragraph never gains a dash.
    ``prefix``: text before the first paragraph (an inline assignment's "N. label ")."""
    out: list[dict[str, Any]] = []
    for k, t in enumerate(richtext.printed_tasks(tasks, inline=bool(prefix))):
        out.extend(rich_blocks(t, prefix=prefix if k == 0 else ""))
    if prefix and not out:
        out.append(_block("para", prefix.rstrip()))
    return out


def _assignment_blocks(
    a: Mapping[str, Any],
    index: int,
    agencies: Mapping[str, Mapping[str, Any]],
    out: list[dict[str, Any]],
) -> None:
    """One listed assignment line: "N. label" and its tasks as typed, then its deadline and
    activity window in words as the clerk wrote them (:func:`richtext.worded_lines`)."""
    label = a.get("label") or _agency(agencies, a["agency"], "phân công")["name"]
    tasks = list(a.get("tasks") or [])
    if a.get("inline"):
        out.extend(task_blocks(tasks, prefix=f"{index}. {label} "))
    else:
        out.append(_block("heading2", f"{index}. {label}", "bold"))
        out.extend(task_blocks(tasks))
    for line in richtext.worded_lines(a):
        out.extend(rich_blocks(line))


def section_assignments(
    definition: Mapping[str, Any], number: int, agencies: Mapping[str, Mapping[str, Any]]
) -> list[Mapping[str, Any]]:
    """The assignment lines printed in section ``number`` (1 = I.), each with its label: the
    lines placed there (``section``), and, in a section that lists assignments, the lines placed
    nowhere in particular. A group's line is printed once, named as the plan names the group."""
    sections = definition.get("sections") or []
    lists = bool(sections[number - 1].get("assignments")) if number <= len(sections) else False
    names = definition.get("group_names") or {}
    out: list[Mapping[str, Any]] = []
    for a in definition.get("assignments") or []:
        if not a.get("listed", True):
            continue
        where = a.get("section")
        if (where is None and lists) or where == number:
            label = a.get("label")
            if not label and a.get("group"):
                label = names.get(a["group"]) or a["group"]
            if not label:
                label = _agency(agencies, a["agency"], "phân công")["name"]
            out.append({**a, "label": label})
    return out


def plan_blocks(definition: Mapping[str, Any], agencies: Mapping[str, Mapping[str, Any]]) -> list:
    """Flatten sections/items/bullets/assignments into body blocks (kind, text, style, runs).

    A section's ``body`` (structured text, :mod:`app.services.richtext`) comes right under its
    heading, printed as typed; its listed assignments are numbered on from the body's last
    top-level "N." (and from its ``items``)."""
    blocks: list[dict[str, Any]] = []
    for s, section in enumerate(definition.get("sections") or [], 1):
        listed = section_assignments(definition, s, agencies)
        blocks.append(_block("heading1", f"{roman(s)}. {section['heading'].upper()}", "bold"))
        body = section.get("body") or ""
        blocks.extend(rich_blocks(body))
        for p in section.get("paragraphs") or []:
            blocks.extend(rich_blocks(p))
        n = richtext.last_number(richtext.parse(body))
        for item in section.get("items") or []:
            n += 1
            _node_blocks(item, 1, n, blocks)
        for k, a in enumerate(listed, n + 1):
            _assignment_blocks(a, k, agencies, blocks)
        for p in section.get("closing") or []:
            blocks.extend(rich_blocks(p))
    end_text(blocks)
    return blocks


def opening_blocks(definition: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The paragraphs between the title and section I.: each legal basis (italic, punctuated by
    :func:`legal_basis_lines`), then the preamble as typed (one or more paragraphs, inline
    emphasis kept). An original whose legal basis and sentence are one paragraph is written
    whole as the preamble, with no legal_basis."""
    out: list[dict[str, Any]] = []
    for line in legal_basis_lines(definition.get("legal_basis") or []):
        out.extend(rich_blocks(line, style="italic"))
    out.extend(rich_blocks(definition.get("preamble") or ""))
    for b in out:
        b["keep"] = "0"
    return out


def plan_context(
    definition: PlanInput,
    agencies: Mapping[str, Mapping[str, Any]],
    number: int | None,
    issued_on: date | None,
) -> dict[str, Any]:
    """Context of ``templates/plan.docx`` from a plan definition (docs/plan-format.md).

    Uses: issuer, type, title, legal_basis, preamble, sections, assignments, recipients, archive,
    archive_copies, signer, draft_month, draft_year. ``number``/``issued_on`` override the file's.
    """
    issuer = _agency(agencies, definition["issuer"], "issuer")
    type_abbr = definition.get("type") or "KH"
    ctx = header_context(
        agencies,
        definition["issuer"],
        format_number_line(number, type_abbr, issuer["abbreviation"]),
        format_date_line(
            issuer["place"], issued_on, definition.get("draft_month"), definition.get("draft_year")
        ),
    )
    ctx.update(_title(type_abbr, definition["title"]))
    ctx["legal_basis"] = [
        richtext.plain(x) for x in legal_basis_lines(definition.get("legal_basis") or [])
    ]
    ctx["preamble"] = "\n".join(
        richtext.plain(x) for x in richtext.lines_of(definition.get("preamble") or "")
    )
    ctx["opening"] = opening_blocks(definition)
    ctx["blocks"] = mark_keep(plan_blocks(definition, agencies))
    ctx["recipients"] = recipient_lines(
        definition.get("recipients") or [],
        definition.get("archive") or "VT",
        definition.get("archive_copies"),
    )
    ctx.update(_signer(definition["signer"]))
    return ctx


# ----------------------------------------------------------------------------- report


def format_value(field: Mapping[str, Any], value: Any) -> str:
    """A form answer as text: numbers Vietnamese-style with unit, yes/no, choices, dates."""
    ftype = field.get("type", "text")
    if value is None or value == "" or value == []:
        return "không có số liệu"
    unit = field.get("unit") or ""
    if ftype == "percentage":
        return f"{format_number(value)}%"
    if ftype in ("integer", "decimal", "computed"):
        return f"{format_number(value)} {unit}".strip()
    if ftype == "yesno":
        return "Có" if value else "Không"
    if ftype in ("choice", "multichoice"):
        labels = {c["value"]: c["label"] for c in field.get("choices") or []}
        vals = value if isinstance(value, list | tuple) else [value]
        return ", ".join(labels.get(v, str(v)) for v in vals)
    if ftype == "date" and isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if ftype == "date" and isinstance(value, date):
        return formatting.format_date_table(value)
    return str(value)


def _target_note(field: Mapping[str, Any], value: Any) -> str:
    target = field.get("target")
    if (
        target in (None, "")
        or not isinstance(value, int | float | Decimal)
        or isinstance(value, bool)
    ):
        return ""
    suffix = "%" if field.get("type") == "percentage" else f" {field.get('unit') or ''}".rstrip()
    note = f" (mục tiêu: {format_number(target)}{suffix}"
    if target:
        note += f"; đạt {format_number(round(float(value) / float(target) * 100, 1))}%"
    return note + ")"


GROUP_STT = 720  # STT column of a group table (twips)
_NARROW = {
    "date": 1420,
    "integer": 1250,
    "decimal": 1250,
    "percentage": 1250,
    "computed": 1250,
    "yesno": 1000,
}


def _cell_value(column: Mapping[str, Any], value: Any) -> str:
    if value is None or value == "" or value == []:
        return ""
    return format_value(column, value)


def group_table(
    columns: Sequence[Mapping[str, Any]], rows: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """A table block of a repeating group's rows: STT, one column per group column (its
    ``short_label`` or label), dates dd/mm/yyyy. Widths (twips, grid and cells) sum to
    ``TEXT_WIDTH``: dates and numbers fixed, the text columns share the rest by content length.
    """
    columns = [c for c in columns if c.get("type") != "file"]
    body = [[_cell_value(c, row.get(c["name"])) for c in columns] for row in rows]
    widths: list[int] = [0] * len(columns)
    flexible = []
    for i, c in enumerate(columns):
        if c.get("type") in _NARROW:
            widths[i] = _NARROW[c["type"]]
        else:
            flexible.append(i)
    rest = TEXT_WIDTH - GROUP_STT - sum(widths)
    if flexible:
        weight = {
            i: min(
                60,
                max(
                    12,
                    len(columns[i].get("short_label") or columns[i]["label"]),
                    *(len(r[i]) for r in body),
                ),
            )
            for i in flexible
        }
        total = sum(weight.values())
        for i in flexible:
            widths[i] = rest * weight[i] // total
        widths[flexible[-1]] += rest - sum(widths[i] for i in flexible)
    elif widths:  # only narrow columns: spread what is left
        extra = rest // len(widths)
        widths = [w + extra for w in widths]
        widths[-1] += rest - extra * len(widths)
    grid = [GROUP_STT, *widths]

    def jc(c: Mapping[str, Any]) -> str:
        return "center" if c.get("type") in _NARROW else "left"

    head = [{"text": "STT", "w": GROUP_STT, "jc": "center"}] + [
        {"text": c.get("short_label") or c["label"], "w": w, "jc": "center"}
        for c, w in zip(columns, widths, strict=True)
    ]
    table_rows = []
    for n, r in enumerate(body, 1):
        keep = row_keep(n - 1, len(body))
        table_rows.append(
            [{"text": str(n), "w": GROUP_STT, "jc": "center", "keep": keep}]
            + [
                {"text": t, "w": w, "jc": jc(c), "keep": keep}
                for c, w, t in zip(columns, widths, r, strict=True)
            ]
        )
    return {
        "kind": "table",
        "text": "",
        "style": "plain",
        "grid": grid,
        "head": head,
        "rows": table_rows,
    }


def report_blocks(fields: Sequence[Mapping[str, Any]], answers: Mapping[str, Any]) -> list:
    """I. KẾT QUẢ THỰC HIỆN with figures and lists; each textarea field its own Roman section."""
    blocks = [_block("heading1", "I. KẾT QUẢ THỰC HIỆN", "bold")]
    narrative = []
    n = 0
    for f in fields:
        ftype = f.get("type", "text")
        if ftype == "file":
            continue
        if ftype == "textarea":
            narrative.append(f)
            continue
        n += 1
        value = answers.get(f["name"])
        if ftype == "group":
            blocks.append(_block("heading2", f"{n}. {f['label']}", "bold"))
            rows = value or []
            if not rows:
                blocks.append(_block("para", "Không có."))
            else:
                blocks.append(group_table(f.get("fields") or [], rows))
            continue
        blocks.append(
            _block(
                "para",
                f"{n}. {label_value(f['label'], format_value(f, value))}{_target_note(f, value)}.",
            )
        )
    for s, f in enumerate(narrative, 2):
        blocks.append(_block("heading1", f"{roman(s)}. {f['label'].upper()}", "bold"))
        text = str(answers.get(f["name"]) or "").strip() or "Không có."
        blocks.extend(_block("para", p.strip()) for p in text.split("\n") if p.strip())
    return blocks


def report_context(
    report: ReportInput,
    agencies: Mapping[str, Mapping[str, Any]],
    number: int | None,
    issued_on: date | None,
) -> dict[str, Any]:
    """Context of ``templates/report.docx``: one agency's report on a plan for one period.

    ``report``::

        {"agency": code,                       # the reporting agency (header, symbol BC-ABBR)
         "plan_ref": "Kế hoạch số 05/KH-BCĐNQ ngày 05 tháng 11 năm 2024 của Ban Chỉ đạo …",
         "title": str (opt),                   # default "Kết quả thực hiện " + plan_ref
         "period": str (opt),                  # "năm 2024", appended to the default title
         "addressees": [str],                  # Kính gửi
         "intro": str (opt),                   # default "Thực hiện <plan_ref>, <agency> báo cáo …"
         "fields": [field],                    # form fields as in docs/form-schema.md
         "answers": {field_name: value},       # group: [ {column_name: value} ]
         "closing": [str] (opt),
         "recipients": [str], "archive": str, "archive_copies": str (opt),
         "signer": signer, "draft_month": int (opt), "draft_year": int (opt)}
    """
    agency = _agency(agencies, report["agency"], "cơ quan báo cáo")
    ctx = header_context(
        agencies,
        report["agency"],
        format_number_line(number, "BC", agency["abbreviation"]),
        format_date_line(
            agency["place"], issued_on, report.get("draft_month"), report.get("draft_year")
        ),
    )
    period = f" {report['period']}" if report.get("period") else ""
    ctx.update(
        _title("BC", report.get("title") or f"Kết quả thực hiện {report['plan_ref']}{period}")
    )
    ctx["addressee_first"], ctx["addressee_rest"] = addressee_lines(report["addressees"])
    intro = report.get("intro") or (
        f"Thực hiện {report['plan_ref']}, {agency['name']} báo cáo kết quả thực hiện{period} "
        "như sau:"
    )
    blocks = [_block("para", intro)]
    blocks += report_blocks(report.get("fields") or [], report.get("answers") or {})
    blocks += [_block("para", p) for p in report.get("closing") or []]
    if blocks[-1]["kind"] == "table":  # "./." needs a paragraph after the table
        blocks.append(_block("para", f"Trên đây là báo cáo của {agency['name']}."))
    end_text(blocks)
    ctx["blocks"] = mark_keep(blocks)
    ctx["recipients"] = recipient_lines(
        report.get("recipients") or [],
        report.get("archive") or "VT",
        report.get("archive_copies"),
        as_above=True,
    )
    ctx.update(_signer(report["signer"]))
    return ctx


# ----------------------------------------------------------------------------- consolidated


def timeliness(row: Mapping[str, Any]) -> tuple[str, int | None]:
    """("on_time" | "late" | "missing", days late) of a timeliness row.

    The application hands over its status module's decision (``status``: on_time / late /
    overdue / not_yet_due, ``days`` in working days, ``text``): it is used as is, so the
    document says what the pages say. Rows without it (plain data, e.g. the samples) fall back
    to comparing ``submitted_on`` with ``due`` in calendar days.
    """
    if row.get("status"):
        st = str(row["status"])
        if st == "on_time":
            return "on_time", 0
        if st == "late":
            return "late", int(row.get("days") or 0)
        return "missing", None
    submitted, due = row.get("submitted_on"), row.get("due")
    if submitted is None:
        return "missing", None
    if row.get("working_days_late") is not None:  # counted by the app's calendar (holidays)
        days = int(row["working_days_late"])
        return ("late", days) if days > 0 else ("on_time", 0)
    if isinstance(submitted, date) and isinstance(due, date):
        sub_day = submitted.date() if hasattr(submitted, "date") else submitted
        late = (sub_day - due).days
        if late > 0:
            return "late", late
    return "on_time", 0


_STATUS_TEXT = {"on_time": "Đúng hạn", "missing": "Chưa báo cáo"}


def _rate_number(value: Any, target: Any) -> float | None:
    if target in (None, "", 0) or value in (None, "") or isinstance(value, bool):
        return None
    return round(float(value) / float(target) * 100, 1)


def _rate(value: Any, target: Any) -> str:
    rate = _rate_number(value, target)
    return "" if rate is None else format_number(rate) + "%"


MISSING = "–"  # a figure nobody filled in
# The consolidation rules a reader needs told (a sum or a count is what a total row means).
SHOWN_RULES = {"avg": "bình quân", "min": "thấp nhất", "max": "cao nhất"}


def unit_label(result: Mapping[str, Any]) -> str:
    """The unit line under a column head: "(cái)", "(%, bình quân)", "" — never "cái, cộng"."""
    parts = [
        x for x in ((result.get("unit") or ""), SHOWN_RULES.get(result.get("rule") or "")) if x
    ]
    return f"({', '.join(parts)})" if parts else ""


def label_value(label: str, value: str) -> str:
    """ "Label: value", but "Question? value" (no colon after a question mark)."""
    label = label.strip()
    return f"{label} {value}" if label.endswith(("?", ":")) else f"{label}: {value}"


def _cell(result: Mapping[str, Any], value: Any) -> str:
    if value is None or value == "":
        return MISSING
    pct = "%" if (result.get("unit") or "") == "%" else ""
    return format_number(value) + pct


def consolidated_context(
    consolidated: ConsolidatedInput,
    agencies: Mapping[str, Mapping[str, Any]],
    number: int | None,
    issued_on: date | None,
) -> dict[str, Any]:
    """Context of ``templates/consolidated.docx``: the standing agency's report for one period.

    ``consolidated``::

        {"agency": code,                      # the standing agency that consolidates
         "plan_ref": str, "title": str (opt), "period": str (opt),
         "addressees": [str], "intro": str (opt),
         "timeliness": [                      # one row per expected agency, in table order
             {"agency": code, "due": date, "submitted_on": date | datetime | None}],
         "results": [                         # numeric fields, already consolidated
             {"label": str, "short_label": str (opt, the tables' column head),
              "unit": str, "rule": "sum"|"avg"|"count"|"min"|"max"|"ratio",
              "value": number | None, "target": number | None,
              "per_agency": {code: number | None}}],
         "texts": [                           # narrative fields merged by agency
             {"label": str, "per_agency": {code: str}}],
         "assessment": [str] (opt), "next_steps": [str] (opt), "proposals": [str] (opt),
         "recipients": [str], "archive": str, "archive_copies": str (opt),
         "signer": signer, "draft_month": int (opt), "draft_year": int (opt)}

    The table lists every agency of ``timeliness`` with its figures and status ("Đúng hạn",
    "Trễ N ngày", "Chưa báo cáo"), then rows for the consolidated value, target and rate.
    """
    code = consolidated["agency"]
    agency = _agency(agencies, code, "cơ quan tổng hợp")
    ctx = header_context(
        agencies,
        code,
        format_number_line(number, "BC", agency["abbreviation"]),
        format_date_line(
            agency["place"],
            issued_on,
            consolidated.get("draft_month"),
            consolidated.get("draft_year"),
        ),
    )
    period = f" {consolidated['period']}" if consolidated.get("period") else ""
    ctx.update(
        _title(
            "BC",
            consolidated.get("title")
            or f"Tổng hợp kết quả thực hiện {consolidated['plan_ref']}{period}",
        )
    )
    ctx["addressee_first"], ctx["addressee_rest"] = addressee_lines(consolidated["addressees"])

    def name(c: str) -> str:
        a = agencies.get(c) or {}
        return a.get("short_name") or a.get("name") or c

    rows_in = consolidated.get("timeliness") or []
    results = consolidated.get("results") or []
    groups: dict[str, list[str]] = {"on_time": [], "late": [], "missing": []}
    table_rows = []
    # more agencies than a document should carry: the per-agency figures, texts and rows go
    # to a spreadsheet annex (Phụ lục, .xlsx) sent with the report; the body keeps the totals
    annex = len(rows_in) > ANNEX_ROWS
    for i, row in enumerate(rows_in, 1):
        status, days = timeliness(row)
        unit = "ngày làm việc" if row.get("status") else "ngày"
        text = row.get("text") or _STATUS_TEXT.get(status) or f"Trễ {days} {unit}"
        groups[status].append(
            name(row["agency"]) + (f" ({days} {unit})" if status == "late" else "")
        )
        table_rows.append(
            {
                "no": str(i),
                "name": name(row["agency"]),
                "status": text,
                "cells": []  # the annex keeps the figures as numbers
                if annex
                else [_cell(r, (r.get("per_agency") or {}).get(row["agency"])) for r in results],
            }
        )
    total = len(rows_in)
    intro = consolidated.get("intro") or (
        f"Thực hiện {consolidated['plan_ref']}, {agency['name']} tổng hợp kết quả thực hiện"
        f"{period} như sau:"
    )
    blocks = [_block("para", intro), _block("heading1", "I. TÌNH HÌNH BÁO CÁO", "bold")]
    blocks.append(
        _block(
            "para",
            (
                f"Có {total} cơ quan, đơn vị phải báo cáo; "
                f"đã nhận {total - len(groups['missing'])} báo cáo, "
                f"trong đó {len(groups['on_time'])} đúng hạn, {len(groups['late'])} trễ hạn; "
                f"{len(groups['missing'])} cơ quan, đơn vị chưa báo cáo."
            ),
        )
    )
    tables_to_appendix = annex or len(table_rows) > APPENDIX_ROWS or len(_chunks(len(results))) > 1
    for key, label in (("on_time", "Đúng hạn"), ("late", "Trễ hạn"), ("missing", "Chưa báo cáo")):
        if not groups[key]:
            continue
        if (key == "on_time" or annex) and tables_to_appendix and len(groups[key]) > APPENDIX_LIST:
            # the appendix table gives each agency's status; the body names the ones to act on
            # (with an annex, a long list of any status is only counted there)
            where = " (danh sách tại Mục I Phụ lục kèm theo)" if annex else ""
            blocks.append(
                _block("bullet", f"- {label}: {len(groups[key])} cơ quan, đơn vị{where};")
            )
            continue
        blocks.append(
            _block("bullet", f"- {label} ({len(groups[key])}): " + ", ".join(groups[key]) + ";")
        )
    if blocks[-1]["kind"] == "bullet":
        blocks[-1]["text"] = blocks[-1]["text"][:-1] + "."
    blocks.append(_block("heading1", "II. KẾT QUẢ THỰC HIỆN", "bold"))
    blocks.append(_block("heading2", "1. Kết quả chung", "bold"))
    general = consolidated.get("general") or [{"kind": "number", **r} for r in results]
    row_tables: list[RowsItem] = []
    for g in general:
        if g["kind"] == "number":
            blocks.append(_block("bullet", _number_line(g) + ";"))
        elif g["kind"] == "counts":
            n = g.get("n") or 0
            counted = [c for c in g.get("counts") or []]
            if g.get("yesno"):
                answers = "; ".join(f"{c['label']}: {c['count']} cơ quan, đơn vị" for c in counted)
                blocks.append(_block("bullet", "- " + label_value(g["label"], answers) + ";"))
            else:
                blocks.append(
                    _block(
                        "bullet",
                        "- " + label_value(g["label"], f"{n} cơ quan, đơn vị trả lời, trong đó:"),
                    )
                )
                blocks.extend(
                    _block("bullet", f"+ {c['label']}: {c['count']} cơ quan, đơn vị;")
                    for c in counted
                )
        elif g["kind"] == "rows":
            row_tables.append(g)
            blocks.append(_block("bullet", "- " + label_value(g["label"], _rows_count(g)) + ";"))
        else:  # a value stated as it is (a date, a count of answers)
            blocks.append(_block("bullet", "- " + label_value(g["label"], g["display"]) + ";"))
    if blocks[-1]["kind"] == "bullet":
        blocks[-1]["text"] = blocks[-1]["text"][:-1] + "."
    blocks.append(_block("heading2", "2. Kết quả theo từng cơ quan, đơn vị", "bold"))
    # a table beyond about a page goes to the appendix (Phụ lục), the body says where
    appendix_sections: list[str] = []
    if annex:
        blocks.append(
            _block(
                "para",
                f"Kết quả của từng cơ quan, đơn vị ({total} cơ quan, đơn vị) tại Mục I Phụ lục "
                "kèm theo Báo cáo này.",
            )
        )
        blocks.append({**_block("para", annex_sentence(None)), "annex_digest": "1"})
    elif tables_to_appendix:
        blocks.append(
            _block(
                "para",
                "Kết quả của từng cơ quan, đơn vị tại Mục I Phụ lục kèm theo Báo cáo này.",
            )
        )
    ctx["blocks"] = mark_keep(blocks, tail=0)
    annex_sections: list[dict[str, Any]] = []
    if annex:
        annex_sections.append(annex_results_section(results, rows_in, table_rows))

    after: list[dict[str, str]] = []
    appendix_blocks: list[dict[str, str]] = []
    n = 2
    for t in consolidated.get("texts") or []:
        n += 1
        after.append(_block("heading2", f"{n}. {t['label']}", "bold"))
        entries = [
            (c, str(v).strip())
            for c, v in (t.get("per_agency") or {}).items()
            if v is not None and str(v).strip()
        ]
        if not entries:
            after.append(_block("para", "Không có."))
            continue
        attributed = agency_text_blocks([(name(c), v) for c, v in entries])
        section = roman(len(appendix_sections) + (2 if tables_to_appendix else 1))
        if len(entries) > APPENDIX_TEXT_AGENCIES or sum(len(v) for _, v in entries) > (
            APPENDIX_TEXT_CHARS
        ):
            after.append(
                _block(
                    "para",
                    f"Có {len(entries)} cơ quan, đơn vị nêu {t['label'][:1].lower()}"
                    f"{t['label'][1:]}; chi tiết tại Mục {section} Phụ lục kèm theo.",
                )
            )
            appendix_sections.append(t["label"])
            if annex:
                annex_sections.append(
                    annex_text_section(section, t["label"], [(name(c), v) for c, v in entries])
                )
                continue
            appendix_blocks.append(
                _block(
                    "heading1",
                    f"{section}. {t['label'].upper()}",
                    "bold",
                )
            )
            appendix_blocks.extend(attributed)
        else:
            after.extend(attributed)
    for g in row_tables:
        n += 1
        after.append(_block("heading2", f"{n}. {g['label']}", "bold"))
        table = rows_table(g, name)
        if len(table["rows"]) > APPENDIX_GROUP_ROWS:
            section = roman(len(appendix_sections) + (2 if tables_to_appendix else 1))
            after.append(
                _block(
                    "para",
                    f"Có {_rows_count(g)} do {len({r['agency'] for r in g['rows']})} cơ quan, "
                    f"đơn vị báo cáo; chi tiết tại Mục {section} Phụ lục kèm theo.",
                )
            )
            appendix_sections.append(g["label"])
            if annex:
                annex_sections.append(annex_rows_section(section, g, name))
                continue
            appendix_blocks.append(_block("heading1", f"{section}. {g['label'].upper()}", "bold"))
            appendix_blocks.append(table)
        elif table["rows"]:
            after.append(table)
        else:
            after.append(_block("para", "Không có."))
    s = 2
    for paras, heading in (
        (consolidated.get("assessment"), "ĐÁNH GIÁ CHUNG"),
        (consolidated.get("next_steps"), "NHIỆM VỤ THỜI GIAN TỚI"),
        (consolidated.get("proposals"), "ĐỀ XUẤT, KIẾN NGHỊ"),
    ):
        if paras:
            s += 1
            after.append(_block("heading1", f"{roman(s)}. {heading}", "bold"))
            after.extend(_block("para", p) for p in paras)
    if after:
        end_text(after)
    else:
        after.append(_block("para", "Trên đây là kết quả tổng hợp./."))
    ctx["blocks_after"] = mark_keep(after)

    if annex:  # no per-agency table in the document itself
        ctx["table_parts"], ctx["appendix_parts"] = [], []
    else:
        parts = table_parts(results, table_rows)
        if tables_to_appendix:
            ctx["table_parts"], ctx["appendix_parts"] = [], parts
        else:
            ctx["table_parts"], ctx["appendix_parts"] = parts, []
    ctx["appendix_blocks"] = mark_keep(appendix_blocks, tail=0)
    ctx.update(appendix_heading(ctx, agency, bool(tables_to_appendix or appendix_blocks)))
    ctx["annex"] = None
    if annex:
        # the appendix is the spreadsheet: its heading and "(Kèm theo Báo cáo số …)" are
        # printed there (worker.annex); the document prints no appendix page of its own
        ctx["annex"] = {
            "label": ctx["appendix_label"],
            "title": ctx["appendix_title"],
            "sections": annex_sections,
        }
        if not appendix_blocks:
            ctx["appendix_label"] = ctx["appendix_title"] = ""
    ctx["recipients"] = recipient_lines(
        consolidated.get("recipients") or [],
        consolidated.get("archive") or "VT",
        consolidated.get("archive_copies"),
        as_above=True,
    )
    ctx.update(_signer(consolidated["signer"]))
    return ctx


def _number_line(r: Mapping[str, Any]) -> str:
    """ "- Label: 1.234 cái (mục tiêu: 90%; đạt 94,44%)" of a consolidated number; the rate is
    the one the consolidation computed (``percent``), as the consolidation page shows it."""
    unit = r.get("unit") or ""
    if r.get("value") in (None, ""):
        val = "chưa có số liệu"
    else:
        val = _cell(r, r.get("value")) + ("" if unit == "%" or not unit else f" {unit}")
    line = "- " + label_value(r["label"], val)
    if r.get("target") not in (None, ""):
        tgt = format_number(r["target"]) + ("%" if unit == "%" else f" {unit}".rstrip())
        rate = (
            format_number(r["percent"]) + "%"
            if r.get("percent") not in (None, "")
            else _rate(r.get("value"), r["target"])
        )
        line += f" (mục tiêu: {tgt}; đạt {rate or '-'})"
    return line


def _rows_count(g: Mapping[str, Any]) -> str:
    """ "13 hoạt động" (the group's short label names what a row is), else "13 dòng"."""
    noun = (g.get("short_label") or "").strip()
    return f"{g['n']} {noun[:1].lower() + noun[1:]}" if noun else f"{g['n']} dòng"


def rows_table(g: Mapping[str, Any], name: Any) -> dict[str, Any]:
    """A repeating group's rows of every agency as one table: STT, the agency, the group's
    columns (values as the consolidation displays them), and a "Cộng" row of the totals."""
    columns = [{"name": "_agency", "label": "Cơ quan, đơn vị", "type": "text"}] + [
        c for c in g.get("columns") or [] if c.get("type") != "file"
    ]
    rows = [{"_agency": name(r["agency"]), **(r.get("display") or {})} for r in g["rows"]]
    table = group_table(columns, rows)
    totals = {t["name"]: t["display"] for t in g.get("totals") or [] if t.get("display")}
    if totals and table["rows"]:
        total_row = [dict(c, text="") for c in table["rows"][-1]]
        total_row[1]["text"] = "Cộng"
        for i, c in enumerate(columns):
            if c["name"] in totals:
                total_row[i + 1]["text"] = totals[c["name"]]
        table["rows"].append(total_row)
    return table


APPENDIX_GROUP_ROWS = 10  # a repeating group's table longer than this goes to the appendix
# more agencies than this: the per-agency figures (and long texts and rows) go to a spreadsheet
# annex instead of the document (a PDF of thousands of table rows takes LibreOffice an hour)
ANNEX_ROWS = 200
APPENDIX_ROWS = 15  # more agencies than this: the per-agency table goes to the appendix
APPENDIX_TEXT_AGENCIES = 8  # more agencies' texts (or more characters) than this: appendix
APPENDIX_TEXT_CHARS = 2500
APPENDIX_LIST = 10  # with the table in the appendix, more on-time agencies are only counted


def annex_sentence(digest: str | None) -> str:
    """The body's sentence that names the spreadsheet annex and its SHA-256 (so the signed
    document binds the annex sent with it); ``digest`` is filled in when the annex is made."""
    shown = " ".join(digest[i : i + 8] for i in range(0, len(digest), 8)) if digest else "…"
    return (
        "Phụ lục là tệp bảng tính (.xlsx) gửi kèm Báo cáo này; mã kiểm tra (SHA-256) của tệp: "
        f"{shown}."
    )


def set_annex_digest(ctx: dict[str, Any], digest: str) -> None:
    """Write the annex's SHA-256 into the body's sentence (:func:`annex_sentence`)."""
    for b in ctx.get("blocks") or []:
        if b.get("annex_digest"):
            b["text"] = annex_sentence(digest)
            b.pop("runs", None)
            b["runs"] = block_runs(b)


def _plain_number(value: Any) -> int | float | None:
    """A figure as the spreadsheet keeps it: a number (int when whole), None when empty."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    d = Decimal(str(value))
    return int(d) if d == d.to_integral_value() else float(d)


def annex_results_section(
    results: Sequence[Mapping[str, Any]],
    rows_in: Sequence[Mapping[str, Any]],
    table_rows: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """Mục I of the annex: every agency's row (STT, agency, reporting status, one column per
    numeric field, figures as numbers), then the consolidated value, target and rate rows."""
    columns = [
        {"label": "STT", "kind": "no"},
        {"label": "Cơ quan, đơn vị", "kind": "text"},
        {"label": "Tình hình báo cáo", "kind": "text"},
    ] + [
        {
            "label": r.get("short_label") or r["label"],
            "unit": unit_label(r),
            "kind": "number",
        }
        for r in results
    ]
    rows = []
    for src, row in zip(rows_in, table_rows, strict=True):
        rows.append(
            [int(row["no"]), row["name"], row["status"]]
            + [_plain_number((r.get("per_agency") or {}).get(src["agency"])) for r in results]
        )
    totals = [["", "Tổng hợp", ""] + [_plain_number(r.get("value")) for r in results]]
    if any(r.get("target") not in (None, "") for r in results):
        totals.append(["", "Mục tiêu", ""] + [_plain_number(r.get("target")) for r in results])
        totals.append(
            ["", "Tỷ lệ đạt (%)", ""]
            + [
                _plain_number(r["percent"])
                if r.get("percent") not in (None, "")
                else _rate_number(r.get("value"), r.get("target"))
                for r in results
            ]
        )
    return {
        "sheet": "Mục I",
        "heading": "I. KẾT QUẢ THỰC HIỆN CỦA TỪNG CƠ QUAN, ĐƠN VỊ",
        "columns": columns,
        "rows": rows,
        "totals": totals,
    }


def annex_text_section(section: str, label: str, entries: Sequence[tuple[str, str]]) -> dict:
    """A narrative field of every agency as an annex section: STT, agency, its text."""
    return {
        "sheet": f"Mục {section}",
        "heading": f"{section}. {label.upper()}",
        "columns": [
            {"label": "STT", "kind": "no"},
            {"label": "Cơ quan, đơn vị", "kind": "text"},
            {"label": label, "kind": "long"},
        ],
        "rows": [[i, n, v] for i, (n, v) in enumerate(entries, 1)],
        "totals": [],
    }


def annex_rows_section(section: str, g: Mapping[str, Any], name: Any) -> dict[str, Any]:
    """A repeating group's rows of every agency as an annex section, with its "Cộng" row."""
    cols = [c for c in g.get("columns") or [] if c.get("type") != "file"]
    totals = {t["name"]: t["display"] for t in g.get("totals") or [] if t.get("display")}
    return {
        "sheet": f"Mục {section}",
        "heading": f"{section}. {g['label'].upper()}",
        "columns": [
            {"label": "STT", "kind": "no"},
            {"label": "Cơ quan, đơn vị", "kind": "text"},
        ]
        + [{"label": c.get("short_label") or c["label"], "kind": "text"} for c in cols],
        "rows": [
            [i, name(r["agency"])] + [(r.get("display") or {}).get(c["name"]) or "" for c in cols]
            for i, r in enumerate(g["rows"], 1)
        ],
        "totals": ([["", "Cộng"] + [totals.get(c["name"], "") for c in cols]] if totals else []),
    }


def agency_text_blocks(entries: Sequence[tuple[str, str]]) -> list[dict[str, str]]:
    """Each agency's text, every paragraph attributed: one paragraph as "- Agency: text";
    several under the agency's name (kept with them) as its own paragraphs."""
    out = []
    for agency_name, text in entries:
        paras = [p.strip() for p in text.split("\n") if p.strip()]
        if len(paras) == 1:
            out.append(_block("bullet", f"- {agency_name}: {paras[0]}"))
            continue
        out.append(_block("heading3", f"- {agency_name}:", "italic"))
        out.extend(_block("para", p) for p in paras)
    return out


def appendix_heading(ctx: Mapping[str, Any], agency: Mapping[str, Any], wanted: bool) -> dict:
    """The appendix's heading (Decree 30: "Phụ lục", its title, "(Kèm theo … )" and a rule),
    empty strings when the report has no appendix."""
    if not wanted:
        return {"appendix_label": "", "appendix_title": "", "appendix_ref": ""}
    number = ctx["number_line"].removeprefix("Số:").strip()
    day = ctx["date_line"].split(", ", 1)[-1]
    return {
        "appendix_label": "Phụ lục",
        "appendix_title": "KẾT QUẢ THỰC HIỆN CỦA CÁC CƠ QUAN, ĐƠN VỊ",
        "appendix_ref": f"(Kèm theo Báo cáo số {number} {day} của {agency['name']})",
    }


def _chunks(k: int) -> list[range]:
    """Result columns per table: the first table (with the status column) at most
    ``FIELDS_FIRST``, the next ones at most ``FIELDS_MORE``, spread evenly."""
    if k <= FIELDS_FIRST:
        return [range(k)]
    n_more = -(-(k - FIELDS_FIRST) // FIELDS_MORE)
    first = min(FIELDS_FIRST, k - n_more)  # keep later tables at least one column
    out = [range(first)]
    rest, start = k - first, first
    for i in range(n_more):
        size = -(-rest // (n_more - i))
        out.append(range(start, start + size))
        start += size
        rest -= size
    return out


def table_parts(
    results: Sequence[Mapping[str, Any]], rows: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The results table split into readable tables (Bảng 1, Bảng 2 …).

    Each table: STT | agency (at least ``NAME_MIN``) | at most 4–5 result columns, and the
    reporting status in the first one; each repeats the agency rows and ends with the totals
    (and target, rate rows when a field has a target). Widths are twips, grid AND cells.
    """
    chunks = _chunks(len(results))
    parts = []
    for p, cols in enumerate(chunks):
        status = p == 0
        m = len(cols)
        fixed = TABLE_STT + (TABLE_STATUS if status else 0)
        name_w = max(NAME_MIN, TEXT_WIDTH - fixed - FIELD_MAX * m)
        field_w = (TEXT_WIDTH - fixed - name_w) // m if m else 0
        name_w = TEXT_WIDTH - fixed - field_w * m
        grid = [TABLE_STT, name_w] + [field_w] * m + ([TABLE_STATUS] if status else [])
        sel = [results[i] for i in cols]
        totals = [{"label": "Tổng hợp", "cells": [_cell(r, r.get("value")) for r in sel]}]
        if any(r.get("target") not in (None, "") for r in sel):  # only where a target exists
            totals.append(
                {
                    "label": "Mục tiêu",
                    "cells": [
                        _cell(r, r["target"]) if r.get("target") not in (None, "") else ""
                        for r in sel
                    ],
                }
            )
            totals.append(
                {
                    "label": "Tỷ lệ đạt",
                    "cells": [_rate(r.get("value"), r.get("target")) for r in sel],
                }
            )
        # different columns, not a continuation: "Bảng 1", "Bảng 2", never "(tiếp theo)"
        caption = f"Bảng {p + 1}" if len(chunks) > 1 else ""
        parts.append(
            {
                "caption": caption,
                "grid": grid,
                "name_w": name_w,
                "field_w": field_w,
                "status_w": TABLE_STATUS if status else 0,
                "status": status,
                "head": [r.get("short_label") or r["label"] for r in sel],
                "units": [unit_label(r) for r in sel],
                "units_row": any(unit_label(r) for r in sel),
                "rows": [
                    {
                        "no": row["no"],
                        "name": row["name"],
                        "status": row["status"],
                        "cells": [row["cells"][i] for i in cols],
                        "keep": row_keep(k, len(rows), followed=True),
                    }
                    for k, row in enumerate(rows)
                ],
                "totals": [
                    {**s, "keep": "1" if k < len(totals) - 1 else "0"} for k, s in enumerate(totals)
                ],
            }
        )
    return parts


# ----------------------------------------------------------------------------- reminder


def reminder_context(
    reminder: ReminderInput,
    agencies: Mapping[str, Mapping[str, Any]],
    number: int | None,
    issued_on: date | None,
) -> dict[str, Any]:
    """Context of ``templates/reminder.docx`` (công văn đôn đốc, Mẫu 1.5).

    ``reminder``::

        {"agency": code,                  # issuing agency (usually the standing agency)
         "unit": "VX" | None,             # drafting unit: symbol AGENCY-UNIT ("12/UBND-VX")
         "plan_ref": str,                 # "Kế hoạch số 05/KH-BCĐNQ ngày … của …"
         "subject": str (opt),            # after "V/v ", default "đôn đốc báo cáo kết quả thực hiện
                                          #  <plan_ref short>"
         "overdue": [{"agency": code, "due": date}],   # the agencies that have not reported
         "new_due": date,                 # the new deadline
         "report_to": str (opt),          # who receives the reports, default the issuing agency
         "body": [str] (opt),             # replaces the default text
         "recipients": [str], "archive": str, "archive_copies": str (opt),
         "signer": signer, "draft_month": int (opt), "draft_year": int (opt)}
    """
    code = reminder["agency"]
    agency = _agency(agencies, code, "cơ quan ban hành")
    overdue = reminder.get("overdue") or []
    if not overdue:
        raise ContextError("Không có cơ quan nào quá hạn để đôn đốc")
    ctx = header_context(
        agencies,
        code,
        format_number_line(number, agency["abbreviation"], reminder.get("unit")),
        format_date_line(
            agency["place"], issued_on, reminder.get("draft_month"), reminder.get("draft_year")
        ),
    )
    short_ref = reminder["plan_ref"].split(" ngày ")[0]
    ctx["subject_line"] = "V/v " + (
        reminder.get("subject") or f"đôn đốc báo cáo kết quả thực hiện {short_ref}"
    )
    names = [_agency(agencies, o["agency"], "đôn đốc")["name"] for o in overdue]
    ctx["addressee_first"], ctx["addressee_rest"] = addressee_lines(names)
    report_to = reminder.get("report_to") or agency["name"]
    new_due = format_day_month_year(reminder["new_due"])
    if reminder.get("body"):
        blocks = [_block("para", p) for p in reminder["body"]]
    else:
        dues = sorted({o["due"] for o in overdue if o.get("due")})
        due_text = f" (thời hạn {format_day_month_year(dues[0])})" if len(dues) == 1 else ""
        blocks = [
            _block(
                "para",
                f"Thực hiện {reminder['plan_ref']}, các cơ quan, đơn vị được phân công "
                f"có trách nhiệm gửi báo cáo kết quả thực hiện về {report_to}"
                f"{due_text}.",
            ),
            _block(
                "para",
                f"Đến nay, {agency['name']} chưa nhận được báo cáo của "
                f"{len(names)} cơ quan, đơn vị sau:",
            ),
        ]
        blocks += [_block("bullet", f"- {n};") for n in names]
        blocks[-1]["text"] = blocks[-1]["text"][:-1] + "."
        blocks.append(
            _block(
                "para",
                (
                    f"Để kịp thời tổng hợp, {agency['name']} đề nghị các cơ quan, đơn vị nêu "
                    f"trên khẩn trương gửi báo cáo về {report_to} chậm nhất {new_due}."
                ),
            )
        )
    end_text(blocks)
    ctx["blocks"] = mark_keep(blocks)
    ctx["recipients"] = recipient_lines(
        reminder.get("recipients") or [],
        reminder.get("archive") or "VT",
        reminder.get("archive_copies"),
        as_above=True,
    )
    ctx.update(_signer(reminder["signer"]))
    return ctx
