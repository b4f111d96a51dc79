"""The two example plans regenerate verbatim: every paragraph of the original, with its inline
emphasis, is a paragraph of the generated plan (.docx, read with python-docx), in the same order,
and the generated body holds nothing the original does not.

The original text (a scan, in ``tests/data/examples``, copied byte for byte from the shared
examples; ``*italic*`` and ``**bold**`` as the scan marks them) is cut into units (one per
paragraph, heading, bullet, recipient, signer line), with paragraphs broken across page breaks
joined. A generated paragraph is compared as markdown of its runs. The only difference allowed is
a paragraph the document sets wholly in bold or italics (a heading, "Nơi nhận:", the signer,
the legal basis) where the scan shows no emphasis: its text must still be the same.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
import yaml
from docx import Document
from docx.text.paragraph import Paragraph

from app.services import loader, richtext
from worker.contexts import plan_context
from worker.render import render_docx

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "tests" / "data" / "examples"
SRC_DIR = EXAMPLES
PLANS = REPO / "plans"
TEMPLATE = REPO / "templates" / "plan.docx"

TV_SRC = SRC_DIR / "tra-vinh-2024-human-rights-day.txt"
NT_SRC = SRC_DIR / "ninh-thuan-2023-2028-human-rights-communication.txt"
TV_YAML = PLANS / "tra-vinh-2024.yaml"
NT_YAML = PLANS / "ninh-thuan-2023-2028.yaml"
W_P = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p"


# ---------------------------------------------------------------- source side


def plain(s: str) -> str:
    """Without emphasis marks, whitespace collapsed."""
    return re.sub(r"\s+", " ", s.replace("**", "").replace("*", "")).strip()


def norm(s: str) -> str:
    """Fix the scan's certain OCR slips, collapse whitespace (emphasis marks kept)."""
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
    """Units of the original (markdown emphasis kept), and how many page-break joins were made.
    Bold running over several lines ("**KT. CHỦ TỊCH" / "PHÓ CHỦ TỊCH**") is closed and reopened
    on each line."""
    units: list[str] = []
    joins = 0
    open_bold = False
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = norm(raw)
        if not line:
            continue
        if open_bold:
            line = "**" + line
        if line.count("**") % 2:
            line += "**"
            open_bold = not open_bold
        if units and _continues(plain(units[-1]), plain(line)):
            units[-1] = f"{units[-1]} {line}"
            joins += 1
        else:
            units.append(line)
    return units, joins


# ------------------------------------------------------------------ generated side


def load(path: Path) -> dict:
    with path.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def generate(path: Path) -> bytes:
    """The plan document the worker renders from the file (draft: no number, no date)."""
    plan = loader.parse_file(path)
    agencies = {a["code"]: a for a in plan["agencies"]}
    ctx = plan_context(plan, agencies, plan.get("number"), plan.get("issued_on"))
    return render_docx(TEMPLATE, ctx)


def markdown(p: Paragraph) -> tuple[str, str]:
    """(the paragraph as markdown of its runs, its whole-paragraph style: "" or "b"/"i"/"bi")."""
    runs: list[list] = []
    for r in p.runs:
        if not r.text:
            continue
        b, i = bool(r.bold), bool(r.italic)
        if runs and (runs[-1][1], runs[-1][2]) == (b, i):
            runs[-1][0] += r.text
        else:
            runs.append([r.text, b, i])
    out = ""
    for t, b, i in runs:
        mark = ("**" if b else "") + ("*" if i else "")
        core = t.strip()
        if mark and core:
            out += t[: len(t) - len(t.lstrip())] + mark + core + mark[::-1] + t[len(t.rstrip()) :]
        else:
            out += t
    shown = {(b, i) for t, b, i in runs if t.strip()}
    whole = ""
    if len(shown) == 1:
        b, i = shown.pop()
        whole = ("b" if b else "") + ("i" if i else "")
    return re.sub(r"\s+", " ", out).strip(), whole


def paragraphs(data: bytes) -> list[tuple[str, str]]:
    """Every non-empty paragraph of the document (tables included), in order."""
    doc = Document(io.BytesIO(data))
    out = []
    for el in doc.element.body.iter(W_P):
        md, whole = markdown(Paragraph(el, doc))
        if md:
            out.append((md, whole))
    return out


# ------------------------------------------------------------------ matching


def verbatim(src: Path, yml: Path) -> tuple[int, int, list[str], list[str]]:
    """(units, units equal to a generated paragraph with their emphasis, those missing or out
    of order, generated body paragraphs that are not in the original)."""
    units, _ = source_units(src)
    gen = paragraphs(generate(yml))
    pos = 0
    same = 0
    missing = []
    for u in units:
        for j in range(pos, len(gen)):
            md, whole = gen[j]
            if md == u or (whole and plain(md) == u):
                same += 1
                pos = j + 1
                break
        else:
            missing.append(u)
    # the body, from the title to the signer's name, holds nothing that is not in the original
    texts = [plain(md) for md, _ in gen]
    start = texts.index(plain(units[next(i for i, u in enumerate(units) if u == "KẾ HOẠCH")]))
    flat = " \n ".join(plain(u) for u in units)
    extra = [t for t in texts[start:] if t not in flat]
    return len(units), same, missing, extra


@pytest.mark.parametrize("src,yml", [(TV_SRC, TV_YAML), (NT_SRC, NT_YAML)], ids=["tv", "nt"])
def test_every_paragraph_regenerates_verbatim(src, yml):
    n, same, missing, extra = verbatim(src, yml)
    assert not missing, "not in the generated plan (or out of order):\n" + "\n".join(missing)
    assert not extra, "in the generated plan but not in the original:\n" + "\n".join(extra)
    assert same == n  # 100 %


def test_inline_emphasis_is_kept():
    gen = [md for md, _ in paragraphs(generate(TV_YAML))]
    item = next(md for md in gen if md.startswith("1. Căn cứ Kế hoạch này"))
    assert "(*Công an tỉnh*) **chậm nhất đến ngày 01 tháng 01 năm 2025** để tổng hợp" in item
    slogans = [md for md in gen if md.startswith("- *“")]
    assert len(slogans) == 8 and all(md.endswith(("”;*", "”.*")) for md in slogans)
    # the opening is one upright paragraph, as in the original
    opening = next(md for md in gen if md.startswith("Thực hiện Kế hoạch số 05/KH-BCĐNQ"))
    assert opening.endswith("xây dựng Kế hoạch thực hiện trên địa bàn tỉnh như sau:")
    assert "*" not in opening


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
    dropped.write_text(re.sub(r"\n      4\. Tăng cường tuyên truyền, đấu tranh[^\n]*", "", text))
    assert verbatim(TV_SRC, dropped)[2]
    altered = tmp_path / "altered.yaml"
    altered.write_text(text.replace("đấu tranh với hành vi tra tấn", "đấu tranh với tra tấn"))
    assert verbatim(TV_SRC, altered)[2]
    unbold = tmp_path / "unbold.yaml"
    unbold.write_text(text.replace("**chậm nhất", "chậm nhất").replace("2025** để", "2025 để"))
    assert verbatim(TV_SRC, unbold)[2]
    dashed = tmp_path / "dashed.yaml"
    dashed.write_text(
        text.replace("      - *“Việt Nam quyết tâm", "      - - *“Việt Nam quyết tâm")
    )
    assert verbatim(TV_SRC, dashed)[2]


def _body(section: dict) -> list[richtext.Para]:
    return richtext.parse(section.get("body") or "")


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
    assert not p.get("legal_basis")  # one paragraph with the sentence, as in the original
    assert p["preamble"].startswith("Thực hiện Kế hoạch số 05/KH-BCĐNQ ngày 14 tháng 10 năm 2024")
    assert [s["heading"] for s in p["sections"]] == [
        "MỤC ĐÍCH, YÊU CẦU",
        "NỘI DUNG CÔNG TÁC TRỌNG TÂM",
        "TỔ CHỨC THỰC HIỆN",
    ]
    tops = [[x.marker for x in _body(s) if x.level == 1] for s in p["sections"]]
    assert tops == [["1.", "2.", "3."], ["1.", "2.", "3.", "4.", "5.", "6."], ["1."]]
    slogans = [x for x in _body(p["sections"][1]) if x.level == 2]
    assert len(slogans) == 8
    for b in slogans:
        assert b.marker == "-" and b.runs[1].italic and b.runs[1].text.startswith("“")
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
        "position_note": "CHỦ TỊCH UBND TỈNH,",
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
    tops = [[x.text for x in _body(s) if x.level == 1] for s in p["sections"]]
    assert [len(t) for t in tops] == [3, 6, 8, 0]
    assert tops[0] == ["1. Quan điểm", "2. Mục tiêu", "3. Yêu cầu"]
    body = _body(p["sections"][0])
    goals = [x for x in body if x.kind == "letter"]
    assert [(g.text, g.style) for g in goals] == [
        ("a) Mục tiêu tổng quát", "italic"),
        ("b) Mục tiêu cụ thể đến năm 2028", "italic"),
    ]
    assert len([x for x in body[body.index(goals[1]) :] if x.marker == "-"]) == 5 + 2
    p = loader.parse_file(NT_YAML)  # tasks written as one text are stored as a list
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
    slogans = [x.runs[1].text.strip("“”;.") for x in _body(p["sections"][1]) if x.marker == "-"]
    assert labels == slogans
