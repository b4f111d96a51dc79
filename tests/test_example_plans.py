"""The two example plan files are faithful to the plans they were entered from.

Plain pytest + PyYAML, no application imports. The original text (a scan, in
``tests/data/examples``, copied byte for byte from the shared examples) is cut into units of
substance (one per paragraph, heading, bullet, recipient, signer line), with paragraphs broken
across page breaks joined; the
YAML file is rendered to lines the way plan@1 documents are laid out (I., 1., a), "- ",
assignments numbered after the items); every source unit must be one rendered line (or two
or three consecutive ones), in the same order, and every rendered body line must come from
the source. Dropping or altering any paragraph fails.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "tests" / "data" / "examples"
SRC_DIR = EXAMPLES
PLANS = REPO / "plans"

TV_SRC = SRC_DIR / "tra-vinh-2024-human-rights-day.txt"
NT_SRC = SRC_DIR / "ninh-thuan-2023-2028-human-rights-communication.txt"
TV_YAML = PLANS / "tra-vinh-2024.yaml"
NT_YAML = PLANS / "ninh-thuan-2023-2028.yaml"

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]
TYPE_NAMES = {"KH": "KẾ HOẠCH", "BC": "BÁO CÁO", "QĐ": "QUYẾT ĐỊNH"}


# ---------------------------------------------------------------- source side


def norm(s: str) -> str:
    """Drop markdown emphasis, fix the scan's certain OCR slips, collapse whitespace."""
    s = s.replace("**", "").replace("*", "")
    s = re.sub(r"\bBCD\b", "BCĐ", s)  # OCR: Đ read as D
    return re.sub(r"\s+", " ", s).strip()


def _continues(prev: str, nxt: str) -> bool:
    """A page break inside a paragraph: the next line goes on mid-sentence."""
    if re.match(r"[a-zđ]\) ", nxt):  # "a) Mục tiêu tổng quát" is an item, not a continuation
        return False
    if nxt[:1].islower():  # "… tuyên truyền" / "về các hoạt động …", "Tổ" / "chức …"
        return True
    # an enumeration going on after ";": "… phụ nữ;" / "(4) Công ước …"
    return prev.endswith(";") and re.match(r"\(\d+\)", nxt) is not None and not prev.startswith("-")


def source_units(path: Path) -> tuple[list[str], int]:
    """Units of substance of the original, and how many page-break joins were made."""
    units: list[str] = []
    joins = 0
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = norm(raw)
        if not line:
            continue
        if units and _continues(units[-1], line):
            units[-1] = f"{units[-1]} {line}"
            joins += 1
        else:
            units.append(line)
    return units, joins


# ------------------------------------------------------------------ YAML side


def load(path: Path) -> dict:
    with path.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def _bullet_text(b) -> str:
    return b["text"] if isinstance(b, dict) else b


def _node_lines(node: dict, label: str, level: int) -> list[str]:
    out: list[str] = []
    if node.get("heading"):
        out.append(f"{label} {node['heading']}")
        if node.get("text"):
            out.append(node["text"])
    elif node.get("text"):
        out.append(f"{label} {node['text']}")
    out += node.get("paragraphs") or []
    out += [f"- {_bullet_text(b)}" for b in node.get("bullets") or []]
    for i, child in enumerate(node.get("items") or []):
        child_label = f"{chr(ord('a') + i)})" if level == 1 else "-"
        out += _node_lines(child, child_label, level + 1)
    return out


def _assignment_lines(a: dict, agencies: dict, n: int) -> list[str]:
    label = a.get("label") or agencies[a["agency"]]["name"]
    tasks = a["tasks"]
    if a.get("inline"):
        return [f"{n}. {label} {' '.join(tasks)}"]
    if len(tasks) == 1:
        return [f"{n}. {label}", tasks[0]]
    return [f"{n}. {label}"] + [f"- {t}" for t in tasks]


def render(plan: dict) -> tuple[list[str], int]:
    """The plan as document lines; returns (lines, index of the first body line)."""
    agencies = {a["code"]: a for a in plan.get("agencies") or []}
    issuer = agencies[plan["issuer"]]
    typ = plan.get("type", "KH")
    number = plan.get("number")
    num = "" if number is None else f"{number:02d}"
    if plan.get("issued_on"):
        d = plan["issued_on"]
        day, month, year = f"{d.day:02d}", d.month, d.year
    else:
        day, month, year = "", plan.get("draft_month"), plan.get("draft_year")
    month_s = "" if month is None else (f"{month:02d}" if month in (1, 2) else str(month))
    lines = [
        norm(f"Số: {num}/{typ}-{issuer['abbreviation']}"),
        norm(f"{issuer['place']}, ngày {day} tháng {month_s} năm {year}"),
        TYPE_NAMES[typ],
        plan["title"],
    ]
    body_start = len(lines)
    lines += plan.get("legal_basis") or []
    if plan.get("preamble"):
        lines.append(plan["preamble"])
    listed = [a for a in plan.get("assignments") or [] if a.get("listed", True)]
    for si, sec in enumerate(plan["sections"]):
        lines.append(f"{ROMAN[si]}. {sec['heading']}")
        lines += sec.get("paragraphs") or []
        items = sec.get("items") or []
        for i, item in enumerate(items):
            lines += _node_lines(item, f"{i + 1}.", 1)
        if sec.get("assignments"):
            for k, a in enumerate(listed):
                lines += _assignment_lines(a, agencies, len(items) + k + 1)
        lines += sec.get("closing") or []
    lines.append("Nơi nhận:")
    lines += [f"- {r};" for r in plan["recipients"]]
    archive = f"- Lưu: {plan['archive']}."
    if plan.get("archive_copies"):
        archive += f" {plan['archive_copies']}"
    lines.append(archive)
    s = plan["signer"]
    if s.get("authority"):
        lines.append(f"{s['authority']} {s['authority_of']}")
    lines.append(s["title"])
    if s.get("position_note"):
        lines.append(s["position_note"])
    lines.append(s["name"])
    return [norm(x) for x in lines], body_start


# ------------------------------------------------------------------ matching


def _match(unit: str, lines: list[str], start: int) -> int | None:
    """Index of the rendered line (or run of up to 3 lines) equal to ``unit``, from ``start``."""
    for i in range(start, len(lines)):
        for j in range(i, min(i + 3, len(lines))):
            if " ".join(lines[i : j + 1]) == unit:
                return j
    return None


def assert_faithful(src: Path, yml: Path) -> int:
    units, _ = source_units(src)
    lines, body_start = render(load(yml))
    # the signer's concurrent position is written "CHỦ TỊCH UBND TỈNH," in the original
    units = [u.rstrip(",") if u.isupper() else u for u in units]
    pos = 0
    missing = []
    runs = 0  # units that match a run of several rendered lines
    for u in units:
        j = _match(u, lines, pos)
        if j is None:
            missing.append(u)
        else:
            runs += u != lines[j]
            pos = j + 1
    assert not missing, "not in the plan file (or out of order):\n" + "\n".join(missing)
    # and nothing in the body that is not in the original
    flat_src = " \n ".join(units)
    extra = [ln for ln in lines[body_start:] if ln not in flat_src]
    assert not extra, "in the plan file but not in the original:\n" + "\n".join(extra)
    return runs


# --------------------------------------------------------------------- tests


@pytest.mark.parametrize(
    "src,yml,runs",
    # Trà Vinh: legal basis + preamble are one sentence in the original, two keys in the file
    [(TV_SRC, TV_YAML, 1), (NT_SRC, NT_YAML, 0)],
    ids=["tra-vinh", "ninh-thuan"],
)
def test_every_paragraph_is_in_the_plan_file(src, yml, runs):
    assert assert_faithful(src, yml) == runs


def test_page_breaks_are_joined():
    assert source_units(TV_SRC)[1] == 1
    assert source_units(NT_SRC)[1] == 3
    tv = source_units(TV_SRC)[0]
    assert any(
        u.startswith("2. Căn cứ chức năng") and u.endswith("của cơ quan, đơn vị, địa phương.")
        for u in tv
    )
    nt = source_units(NT_SRC)[0]
    assert any("phụ nữ; (4) Công ước" in u for u in nt)
    assert any("video...). Tổ chức tuyên truyền lưu động" in u for u in nt)


def test_a_dropped_or_altered_paragraph_fails(tmp_path):
    text = TV_YAML.read_text(encoding="utf-8")
    dropped = tmp_path / "dropped.yaml"
    dropped.write_text(
        re.sub(r'\n      - text: "Tăng cường tuyên truyền, đấu tranh[^\n]*', "", text),
        encoding="utf-8",
    )
    with pytest.raises(AssertionError):
        assert_faithful(TV_SRC, dropped)
    altered = tmp_path / "altered.yaml"
    altered.write_text(
        text.replace("đấu tranh với hành vi tra tấn", "đấu tranh với tra tấn"), encoding="utf-8"
    )
    with pytest.raises(AssertionError):
        assert_faithful(TV_SRC, altered)


def _agencies(plan):
    return {a["code"]: a for a in plan["agencies"]}


def test_tra_vinh_structure():
    p = load(TV_YAML)
    ag = _agencies(p)
    assert p["format"] == "kehoach/plan@1"
    assert p["issuer"] == "BCDNQ-TV" and ag["BCDNQ-TV"]["abbreviation"] == "BCĐNQ"
    assert ag["BCDNQ-TV"]["header_parent"] == "UBND TỈNH TRÀ VINH"
    assert p["standing_agency"] == "CA-TV" and ag["CA-TV"]["name"] == "Công an tỉnh Trà Vinh"
    assert p["number"] is None and p["issued_on"] is None
    assert (p["draft_month"], p["draft_year"]) == (11, 2024)
    assert p["legal_basis"][0].startswith(
        "Thực hiện Kế hoạch số 05/KH-BCĐNQ ngày 14 tháng 10 năm 2024"
    )
    assert [s["heading"] for s in p["sections"]] == [
        "MỤC ĐÍCH, YÊU CẦU",
        "NỘI DUNG CÔNG TÁC TRỌNG TÂM",
        "TỔ CHỨC THỰC HIỆN",
    ]
    assert [len(s.get("items") or []) for s in p["sections"]] == [3, 6, 1]
    slogans = p["sections"][1]["items"][4]["bullets"]
    assert len(slogans) == 8
    for b in slogans:
        assert b["italic"] is True and b["text"].startswith("“") and "”" in b["text"]
    listed = [a for a in p["assignments"] if a.get("listed", True)]
    assert [a["agency"] for a in listed] == ["STTTT-TV", "SVHTTDL-TV", "CA-TV"]
    assert all(a["inline"] for a in listed)
    assert p["sections"][2]["assignments"] is True
    unlisted = [a for a in p["assignments"] if not a.get("listed", True)]
    districts = {
        "Ủy ban nhân dân thành phố Trà Vinh",
        "Ủy ban nhân dân thị xã Duyên Hải",
        "Ủy ban nhân dân huyện Càng Long",
        "Ủy ban nhân dân huyện Cầu Kè",
        "Ủy ban nhân dân huyện Tiểu Cần",
        "Ủy ban nhân dân huyện Châu Thành",
        "Ủy ban nhân dân huyện Cầu Ngang",
        "Ủy ban nhân dân huyện Trà Cú",
        "Ủy ban nhân dân huyện Duyên Hải",
    }
    assert districts <= {ag[a["agency"]]["name"] for a in unlisted}
    assert all(a.get("reports", True) for a in p["assignments"])
    assert p["schedule"]["kind"] == "once" and p["schedule"]["due"] == dt.date(2025, 1, 1)
    assert p["schedule"]["deadline_text"] == "chậm nhất đến ngày 01 tháng 01 năm 2025"
    assert len(p["recipients"]) == 8 and p["recipients"][0] == "BCĐ NQ TW (b/c)"
    assert (p["archive"], p["archive_copies"]) == ("VT, NC", "04")
    assert p["signer"] == {
        "authority": "",
        "authority_of": "",
        "title": "TRƯỞNG BAN",
        "position_note": "CHỦ TỊCH UBND TỈNH",
        "name": "Lê Văn Hân",
    }


def test_ninh_thuan_structure():
    p = load(NT_YAML)
    ag = _agencies(p)
    assert p["issuer"] == "UBND-NT" and ag["UBND-NT"]["abbreviation"] == "UBND"
    assert p["standing_agency"] == "STTTT-NT"
    assert p["number"] is None and (p["draft_month"], p["draft_year"]) == (12, 2022)
    assert [s["heading"] for s in p["sections"]] == [
        "QUAN ĐIỂM, MỤC TIÊU, YÊU CẦU",
        "NỘI DUNG TRUYỀN THÔNG",
        "NHIỆM VỤ, GIẢI PHÁP",
        "TỔ CHỨC THỰC HIỆN",
    ]
    assert [len(s.get("items") or []) for s in p["sections"]] == [3, 6, 8, 0]
    goals = p["sections"][0]["items"][1]["items"]
    assert [g["heading"] for g in goals] == ["Mục tiêu tổng quát", "Mục tiêu cụ thể đến năm 2028"]
    assert len(goals[1]["bullets"]) == 5
    listed = [a for a in p["assignments"] if a.get("listed", True)]
    assert len(listed) == 13
    assert listed[0]["label"] == "Đề nghị Ban Tuyên giáo Tỉnh ủy"
    assert listed[1]["agency"] == "STTTT-NT" and len(listed[1]["tasks"]) == 5
    assert [len(a["tasks"]) for a in listed] == [2, 5, 1, 3, 1, 1, 1, 1, 2, 1, 1, 2, 3]
    districts = [a for a in p["assignments"] if a["agency"].startswith("UBND-NT-")]
    assert len(districts) == 7 and all(a.get("reports", True) for a in districts)
    assert any(a["agency"] == "DPTTH-NT" for a in p["assignments"])
    sch = p["schedule"]
    assert (sch["kind"], sch["start"], sch["end"]) == ("yearly", 2023, 2028)
    assert "Sở Thông tin và Truyền thông" in sch["report_to"]
    assert (p["archive"], p["archive_copies"]) == ("VT, VXVN", "NNN")
    assert p["signer"]["authority"] == "KT." and p["signer"]["authority_of"] == "CHỦ TỊCH"
    assert p["signer"]["title"] == "PHÓ CHỦ TỊCH" and p["signer"]["name"] == "Nguyễn Long Biên"


# ---------------------------------------------------------------------- forms

TYPES = {
    "integer",
    "decimal",
    "percentage",
    "text",
    "textarea",
    "date",
    "choice",
    "multichoice",
    "yesno",
    "file",
    "group",
    "computed",
}
RULES = {"sum", "count", "avg", "min", "max", "ratio", "list", "rows", "none"}


def _check_fields(fields, top=True):
    names = [f["name"] for f in fields]
    assert len(names) == len(set(names)), names
    by_name = {f["name"]: f for f in fields}
    for f in fields:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", f["name"])
        assert f["type"] in TYPES and f["label"]
        assert f.get("consolidate", "sum") in RULES
        if f["type"] in ("choice", "multichoice"):
            vals = [c["value"] for c in f["choices"]]
            assert vals and len(vals) == len(set(vals))
        if f["type"] == "group":
            assert top, "no nested groups"
            _check_fields(f["fields"], top=False)
        if f["type"] == "computed":
            for ref in re.findall(r"[a-z][a-z0-9_]*", f["formula"]):
                assert by_name[ref]["type"] in ("integer", "decimal", "percentage")
        if "visible_if" in f:
            assert f["visible_if"]["field"] in by_name
    return by_name


@pytest.mark.parametrize("yml", [TV_YAML, NT_YAML], ids=["tra-vinh", "ninh-thuan"])
def test_form_is_well_formed(yml):
    fields = _check_fields(load(yml)["form"]["fields"])
    assert any("visible_if" in f for f in fields.values())
    assert fields["difficulties"]["type"] == "textarea"
    assert fields["proposals"]["type"] == "textarea"
    assert fields["activities"]["type"] == "group"
    cols = {c["name"] for c in fields["activities"]["fields"]}
    assert {"date", "form", "place", "participants"} <= cols


def test_ninh_thuan_targets():
    fields = {f["name"]: f for f in load(NT_YAML)["form"]["fields"]}
    targets = [(n, f["target"]) for n, f in fields.items() if "target" in f]
    assert [t for _, t in targets] == [100, 100, 100, 100, 70, 90]
    assert fields["fake_news_rate"]["formula"] == "fake_news_handled / fake_news_detected * 100"


def test_tra_vinh_form_covers_the_eight_slogans():
    p = load(TV_YAML)
    fields = {f["name"]: f for f in p["form"]["fields"]}
    assert fields["slogans_used"]["type"] == "yesno"
    labels = [c["label"] for c in fields["slogans_chosen"]["choices"]]
    slogans = [b["text"].strip("“”;.") for b in p["sections"][1]["items"][4]["bullets"]]
    assert labels == slogans
