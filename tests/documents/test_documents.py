"""The generated documents, opened with python-docx and checked against FORMAT.md."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from datetime import UTC, date
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm

from tests.documents import samples
from worker.contexts import (
    SUPPLIED,
    consolidated_context,
    format_date_line,
    format_number_line,
    plan_context,
    point_letter,
    recipient_lines,
    reminder_context,
    report_context,
    roman,
    signer_block,
)
from worker.render import (
    TemplateRejected,
    check_template,
    clean_text,
    render_docx,
    template_variables,
)

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
SLOTS = ("ascii", "hAnsi", "eastAsia", "cs")


def _contexts() -> dict[str, tuple[str, dict]]:
    cons, agencies = samples.consolidated_sample(8)
    return {
        "plan_tv": ("plan", plan_context(samples.TRA_VINH, samples.AGENCIES, 5, date(2024, 11, 5))),
        "plan_nt": ("plan", plan_context(samples.NINH_THUAN, samples.AGENCIES, None, None)),
        "report": ("report", report_context(samples.REPORT, samples.AGENCIES, 3, date(2025, 1, 2))),
        "consolidated": ("consolidated", consolidated_context(cons, agencies, 7, date(2025, 1, 6))),
        "reminder": (
            "reminder",
            reminder_context(samples.REMINDER, samples.AGENCIES, 2, date(2024, 1, 2)),
        ),
    }


CONTEXTS = _contexts()


@pytest.fixture(scope="module", params=sorted(CONTEXTS))
def rendered(request) -> tuple[str, str, Document, bytes]:
    kind, ctx = CONTEXTS[request.param]
    data = render_docx(TEMPLATES / f"{kind}.docx", ctx)
    return request.param, kind, Document(io.BytesIO(data)), data


def _texts(doc) -> list[str]:
    out = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            for cell in row.cells:
                out.extend(p.text for p in cell.paragraphs)
    return out


# ----------------------------------------------------------------------------- helpers


def test_date_line_padding():
    assert format_date_line("Hà Nội", date(2020, 1, 5)) == "Hà Nội, ngày 05 tháng 01 năm 2020"
    assert format_date_line("X", date(2019, 6, 29)) == "X, ngày 29 tháng 6 năm 2019"
    assert format_date_line("X", date(2019, 2, 10)) == "X, ngày 10 tháng 02 năm 2019"
    assert format_date_line("X", date(2024, 12, 3)) == "X, ngày 03 tháng 12 năm 2024"
    assert format_date_line("Ninh Thuận", None, 12, 2022) == "Ninh Thuận, ngày    tháng 12 năm 2022"
    assert format_date_line("X", None, 1, 2023) == "X, ngày    tháng 01 năm 2023"


def test_number_line():
    assert format_number_line(5, "KH", "BCĐNQ") == "Số: 05/KH-BCĐNQ"
    assert format_number_line(123, "KH", "UBND") == "Số: 123/KH-UBND"
    assert format_number_line(None, "KH", "UBND") == "Số:    /KH-UBND"
    assert format_number_line(12, "UBND", "VX") == "Số: 12/UBND-VX"


def test_numerals_and_letters():
    assert [roman(i) for i in (1, 4, 9, 14, 40)] == ["I", "IV", "IX", "XIV", "XL"]
    assert "".join(point_letter(i) for i in range(1, 9)) == "abcdđegh"


def test_signer_kinds():
    assert signer_block(
        {"authority": "KT.", "authority_of": "Chủ tịch", "title": "Phó Chủ tịch", "name": "A"}
    )[0] == ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    assert signer_block(
        {"authority": "TM", "authority_of": "Ủy ban nhân dân", "title": "Chủ tịch", "name": "A"}
    )[0] == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
    for a in ("TL.", "TUQ.", "Q."):
        assert signer_block({"authority": a, "authority_of": "X", "title": "Y", "name": "N"})[0][
            0
        ].startswith(a + " ")
    with pytest.raises(ValueError):
        signer_block({"authority": "ABC.", "title": "X", "name": "N"})


def test_recipients_end_with_luu():
    lines = recipient_lines(["A (b/c);", "- B"], "VT, NC", "04", as_above=True)
    assert lines == ["- Như trên;", "- A (b/c);", "- B;", "- Lưu: VT, NC. 04"]


def test_plan_blocks_structure():
    ctx = CONTEXTS["plan_nt"][1]
    texts = [b["text"] for b in ctx["blocks"]]
    assert texts[0] == "I. QUAN ĐIỂM, MỤC TIÊU, YÊU CẦU"
    assert "1. Quan điểm" in texts and "a) Mục tiêu tổng quát" in texts
    assert "b) Mục tiêu cụ thể đến năm 2028" in texts
    assert any(t.startswith("- Về đối ngoại") for t in texts)  # level-3 item is a dash
    assert "III. TỔ CHỨC THỰC HIỆN" in texts
    assert "1. Đề nghị Ban Tuyên giáo Tỉnh ủy" in texts  # heading assignment
    assert texts[-1].endswith("theo quy định./.")
    tv = CONTEXTS["plan_tv"][1]["blocks"]
    inline = [b["text"] for b in tv if b["text"].startswith("2. Sở Thông tin")]
    assert inline and "chỉ đạo các cơ quan truyền thông" in inline[0]
    slogans = [b for b in tv if b["kind"] == "bullet"]
    assert slogans and all(b["style"] == "italic" for b in slogans)
    assert CONTEXTS["plan_nt"][1]["legal_basis"][0].endswith(";")
    assert CONTEXTS["plan_nt"][1]["legal_basis"][-1].endswith(".")


def test_builders_supply_exactly_what_templates_need():
    for _name, (kind, ctx) in CONTEXTS.items():
        assert set(ctx) == SUPPLIED[kind]
        assert template_variables(TEMPLATES / f"{kind}.docx") <= SUPPLIED[kind]


# ----------------------------------------------------------------------------- the .docx


def test_page_setup(rendered):
    _, _, doc, _ = rendered
    s = doc.sections[0]
    assert abs(s.page_width - Mm(210)) < 1000 and abs(s.page_height - Mm(297)) < 1000
    assert s.orientation == 0
    assert abs(s.top_margin - Mm(20)) < 400 and abs(s.bottom_margin - Mm(20)) < 400
    assert abs(s.left_margin - Mm(30)) < 400 and abs(s.right_margin - Mm(15)) < 400


def test_fonts_in_every_slot(rendered):
    _, _, doc, _ = rendered
    styles = doc.styles.element
    fonts = (
        styles.find(qn("w:docDefaults"))
        .find(qn("w:rPrDefault"))
        .find(qn("w:rPr"))
        .find(qn("w:rFonts"))
    )
    assert all(fonts.get(qn(f"w:{s}")) == "Times New Roman" for s in SLOTS)
    assert not any("Theme" in k for k in fonts.attrib)
    for style in styles.findall(qn("w:style")):
        rf = style.find(qn("w:rPr")).find(qn("w:rFonts"))
        assert all(rf.get(qn(f"w:{s}")) == "Times New Roman" for s in SLOTS), style.get(
            qn("w:styleId")
        )
        assert not any("Theme" in k for k in rf.attrib)


def test_header_table(rendered):
    _, kind, doc, _ = rendered
    t = doc.tables[0]
    assert len(t.columns) == 2
    borders = t._tbl.tblPr.find(qn("w:tblBorders"))
    assert all(e.get(qn("w:val")) == "nil" for e in borders)
    grid = [int(c.get(qn("w:w"))) for c in t._tbl.tblGrid.findall(qn("w:gridCol"))]
    cells = [int(c._tc.tcPr.find(qn("w:tcW")).get(qn("w:w"))) for c in t.rows[0].cells]
    assert grid == cells and sum(grid) == 9355 and 0.35 < grid[0] / sum(grid) < 0.5
    right = [p.text for p in t.cell(0, 1).paragraphs]
    assert right[:2] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    # rule lines: paragraph top borders, motto one as long as the motto (~5.6 cm)
    for cell in (t.cell(0, 0), t.cell(0, 1)):
        rules = [
            p
            for p in cell.paragraphs
            if p._p.pPr is not None and p._p.pPr.find(qn("w:pBdr")) is not None
        ]
        assert len(rules) == 1 and "_" not in "".join(p.text for p in cell.paragraphs)
    motto_rule = [p for p in t.cell(0, 1).paragraphs if p._p.pPr.find(qn("w:pBdr")) is not None][0]
    ind = motto_rule._p.pPr.find(qn("w:ind"))
    length = grid[1] - 216 - 2 * int(ind.get(qn("w:left")))
    assert 3000 < length < 3400
    date_p = t.cell(1, 1).paragraphs[0]
    assert all(r.italic for r in date_p.runs)
    number = t.cell(1, 0).paragraphs[0].text
    assert re.fullmatch(r"Số: (\d{2,}|   )/[^\s-]+-[^\s-]+", number), number


def test_number_and_date_lines(rendered):
    name, _, doc, _ = rendered
    t = doc.tables[0]
    number, date_line = t.cell(1, 0).paragraphs[0].text, t.cell(1, 1).paragraphs[0].text
    expected = {
        "plan_tv": ("Số: 05/KH-BCĐNQ", "Trà Vinh, ngày 05 tháng 11 năm 2024"),
        "plan_nt": ("Số:    /KH-UBND", "Ninh Thuận, ngày    tháng 12 năm 2022"),
        "report": ("Số: 03/BC-STTTT", "Trà Vinh, ngày 02 tháng 01 năm 2025"),
        "consolidated": ("Số: 07/BC-CAT", "Trà Vinh, ngày 06 tháng 01 năm 2025"),
        "reminder": ("Số: 02/UBND-VX", "Ninh Thuận, ngày 02 tháng 01 năm 2024"),
    }
    assert (number, date_line) == expected[name]
    if name == "reminder":
        assert t.cell(1, 0).paragraphs[1].text.startswith("V/v đôn đốc")


def test_title_body_and_end(rendered):
    name, kind, doc, _ = rendered
    paras = [p for p in doc.paragraphs if p.text.strip()]
    if kind != "reminder":
        title = paras[0]
        assert title.text in ("KẾ HOẠCH", "BÁO CÁO") and title.runs[0].bold
        assert title.alignment == 1  # centred
        summary_rule = doc.paragraphs[[p._p for p in doc.paragraphs].index(paras[1]._p) + 1]
        assert summary_rule._p.pPr.find(qn("w:pBdr")) is not None
    body = [p for p in paras if (p.paragraph_format.first_line_indent or 0) > 0]
    assert body
    for p in body:
        assert p.alignment == 3  # justified
        assert abs(p.paragraph_format.first_line_indent.cm - 1.27) < 0.01
        assert p.paragraph_format.space_before.pt >= 6
        assert all(r.font.size.pt == 14 for r in p.runs)
    assert body[-1].text.endswith("./.")
    assert sum(p.text.endswith("./.") for p in doc.paragraphs) == 1
    if kind == "plan":
        heads = [p.text for p in body if re.match(r"[IVX]+\. ", p.text)]
        assert heads[:2] in (
            ["I. MỤC ĐÍCH, YÊU CẦU", "II. NỘI DUNG CÔNG TÁC TRỌNG TÂM"],
            ["I. QUAN ĐIỂM, MỤC TIÊU, YÊU CẦU", "II. NỘI DUNG TRUYỀN THÔNG"],
        )
        assert all(r.bold for p in body if p.text in heads for r in p.runs)
        legal = [p for p in body if p.text.startswith("Thực hiện")]
        assert legal and all(r.italic for r in legal[0].runs)
    if kind in ("report", "consolidated", "reminder"):
        kg = [p for p in doc.paragraphs if p.text.startswith("Kính gửi:")]
        assert len(kg) == 1


def test_signer_and_recipients(rendered):
    name, _, doc, _ = rendered
    t = doc.tables[-1]
    left = [p for p in t.cell(0, 0).paragraphs if p.text]
    assert left[0].text == "Nơi nhận:"
    assert all(r.bold and r.italic and r.font.size.pt == 12 for r in left[0].runs)
    items = left[1:]
    assert all(r.font.size.pt == 11 for p in items for r in p.runs)
    assert all(p.text.startswith("- ") for p in items)
    assert all(p.text.endswith(";") for p in items[:-1])
    assert re.match(r"- Lưu: VT, .+\.", items[-1].text)
    if name in ("report", "consolidated", "reminder"):
        assert items[0].text == "- Như trên;"
    right = [p for p in t.cell(0, 1).paragraphs if p.text]
    assert all(r.bold for p in right for r in p.runs)
    expected = {
        "plan_tv": ["TRƯỞNG BAN", "CHỦ TỊCH UBND TỈNH", "Lê Văn Hân"],
        "plan_nt": ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Long Biên"],
        "reminder": ["TL. CHỦ TỊCH", "CHÁNH VĂN PHÒNG", "Phạm Văn C"],
    }
    if name in expected:
        assert [p.text for p in right] == expected[name]
    borders = t._tbl.tblPr.find(qn("w:tblBorders"))
    assert all(e.get(qn("w:val")) == "nil" for e in borders)


def test_page_number_field_from_page_two(rendered):
    _, _, doc, data = rendered
    s = doc.sections[0]
    assert s.different_first_page_header_footer
    assert s._sectPr.find(qn("w:titlePg")) is not None
    header = s.header._element
    assert " PAGE " in "".join(e.text or "" for e in header.iter(qn("w:instrText")))
    assert (
        header.find(".//" + qn("w:p")).find(qn("w:pPr")).find(qn("w:jc")).get(qn("w:val"))
        == "center"
    )
    assert not "".join(s.first_page_header._element.itertext()).strip()


def _table_rows(t) -> list[list[str]]:  # noqa: ANN001
    return [[c.text for c in r.cells] for r in t.rows]


def test_consolidated_table():
    _, ctx = CONTEXTS["consolidated"]
    doc = Document(io.BytesIO(render_docx(TEMPLATES / "consolidated.docx", ctx)))
    t = doc.tables[1]
    grid = [int(c.get(qn("w:w"))) for c in t._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert len(grid) == 2 + 3 + 1 and sum(grid) == 9355
    for row in t.rows:
        assert [int(c._tc.tcPr.find(qn("w:tcW")).get(qn("w:w"))) for c in row.cells] == grid
    rows = _table_rows(t)
    assert rows[0][0] == "STT" and rows[0][2] == "Băng rôn, áp phích đã treo"
    assert len(rows) == 2 + 8 + 3
    assert rows[2][-1] == "Trễ 2 ngày" and rows[6][-1] == "Chưa báo cáo"
    assert [r[1] for r in rows[-3:]] == ["Tổng hợp", "Mục tiêu", "Tỷ lệ đạt"]
    text = "\n".join(_texts(doc))
    assert "Chưa báo cáo (1): Ủy ban nhân dân xã Số 5" in text
    assert "Ủy ban nhân dân xã Số 1: Kinh phí còn hạn chế." in text


def test_many_fields_split_into_readable_tables():
    """13 result fields: several tables, each STT + agency ≥ 4.5 cm + at most 5 results; the
    status only in the first; totals in each; a blank figure prints "–"."""
    cons, agencies = samples.consolidated_sample(21)
    base = cons["results"][0]
    cons["results"] = [
        {
            **base,
            "label": f"Chỉ tiêu số {i}",
            "target": 100,
            "per_agency": {c: (None if i == 3 else v) for c, v in base["per_agency"].items()},
        }
        for i in range(1, 14)
    ]
    cons["results"][2]["value"] = None
    ctx = consolidated_context(cons, agencies, 7, date(2025, 1, 6))
    doc = Document(io.BytesIO(render_docx(TEMPLATES / "consolidated.docx", ctx)))
    tables = doc.tables[2:]  # in the appendix, after the signature (several tables: Phụ lục)
    assert len(tables) == 3
    heads = []
    for n, t in enumerate(tables):
        grid = [int(c.get(qn("w:w"))) for c in t._tbl.tblGrid.findall(qn("w:gridCol"))]
        assert sum(grid) == 9355 and grid[1] >= 2552
        results = len(grid) - 2 - (1 if n == 0 else 0)
        assert 1 <= results <= 5
        rows = _table_rows(t)
        assert rows[0][:2] == ["STT", "Cơ quan, đơn vị"]
        assert (rows[0][-1] == "Tình hình báo cáo") == (n == 0)
        heads += rows[0][2 : 2 + results]
        assert len(rows) == 2 + 21 + 3
        assert [r[1] for r in rows[-3:]] == ["Tổng hợp", "Mục tiêu", "Tỷ lệ đạt"]
    assert heads == [f"Chỉ tiêu số {i}" for i in range(1, 14)]
    assert {r[4] for r in _table_rows(tables[0])[2:-3]} == {"–"}
    text = "\n".join(_texts(doc))
    assert "Bảng 1" in text and "Bảng 3" in text and "(tiếp theo)" not in text
    assert "Kết quả của từng cơ quan, đơn vị tại Mục I Phụ lục kèm theo Báo cáo này." in text
    assert "Phụ lục\nKẾT QUẢ THỰC HIỆN CỦA CÁC CƠ QUAN, ĐƠN VỊ" in text
    assert "(Kèm theo Báo cáo số 07/BC-CAT ngày 06 tháng 01 năm 2025 của Công an tỉnh)" in text
    assert "(cái)" in text and "cái, cộng" not in text
    assert "Chỉ tiêu số 3: chưa có số liệu" in text and "- biển" not in text


def test_question_label_has_no_colon():
    ctx = report_context(
        {
            **samples.REPORT,
            "fields": [{"name": "q", "label": "Có tổ chức tập huấn không?", "type": "yesno"}],
            "answers": {"q": True},
        },
        samples.AGENCIES,
        3,
        date(2025, 1, 2),
    )
    texts = [b["text"] for b in ctx["blocks"]]
    assert "1. Có tổ chức tập huấn không? Có./." in texts


# ----------------------------------------------------------------------------- escaping

NASTY = [
    "a < b > c & d \"quoted\" 'single'",
    "{{ secret }} and {% if x %}y{% endif %} and {# c #}",
    "Đoạn 1\x0bĐoạn 2",
    "bad\x01char\x1f",
    "line 1\nline 2\r\nline 3",
    "W" * 300,
]


def test_clean_text():
    assert clean_text("Đoạn 1\x0bĐoạn 2") == "Đoạn 1\nĐoạn 2"
    assert clean_text("a\x01b") == "ab"
    assert clean_text(NASTY[0]) == NASTY[0] and clean_text(NASTY[1]) == NASTY[1]


def _nasty_plan() -> dict:
    plan = dict(samples.NINH_THUAN)
    plan["title"] = NASTY[0] + " " + NASTY[1]
    plan["sections"] = [{"heading": "Thử <ký tự> & {{ x }}", "paragraphs": NASTY}]
    plan["recipients"] = ["{{ r }} & <b>"]
    return plan


def test_user_text_is_literal_and_file_valid():
    ctx = plan_context(_nasty_plan(), samples.AGENCIES, None, None)
    data = render_docx(TEMPLATES / "plan.docx", ctx)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
        xml = z.read("word/document.xml").decode()
    assert "{{" not in xml.replace("{{ secret }}", "").replace("{{ x }}", "").replace(
        "{{ r }}", ""
    ).replace("{{ X }}", "")
    doc = Document(io.BytesIO(data))
    text = "\n".join(_texts(doc))
    for s in (NASTY[0], NASTY[1], "THỬ <KÝ TỰ> & {{ X }}", "{{ r }} & <b>", "W" * 300):
        assert s in text, s
    assert "Đoạn 1\nĐoạn 2" in text  # \x0b became a line break, not dropped
    assert "badchar" in text and "\x01" not in text
    assert "line 1\nline 2\nline 3" in text


# ----------------------------------------------------------------------------- template check


def test_check_template_accepts_ours_and_names_missing():
    for kind in SUPPLIED:
        assert check_template((TEMPLATES / f"{kind}.docx").read_bytes(), kind) == []
    # the plan template asks for the opening (legal basis, preamble) a report does not supply
    assert check_template((TEMPLATES / "plan.docx").read_bytes(), "report") == ["opening"]
    doc = Document(TEMPLATES / "report.docx")
    doc.add_paragraph("{{ so_tien }} {{ signer_name }}")
    buf = io.BytesIO()
    doc.save(buf)
    assert check_template(buf.getvalue(), "report") == ["so_tien"]


def test_check_template_refuses_non_docx():
    with pytest.raises(TemplateRejected, match="không phải là tệp Word"):
        check_template(b"%PDF-1.4 not a docx", "plan")
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w") as z:
        z.writestr("hello.txt", "x")
    with pytest.raises(TemplateRejected, match="Word"):
        check_template(zbuf.getvalue(), "plan")


def test_missing_variable_is_an_error():
    ctx = dict(CONTEXTS["report"][1])
    del ctx["signer_name"]
    with pytest.raises(Exception, match="signer_name"):
        render_docx(TEMPLATES / "report.docx", ctx)


# ----------------------------------------------------------------------------- LibreOffice


def _pdf_info(pdf: bytes, tmp_path: Path) -> tuple[str, str]:
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return info.stdout, text.stdout


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", sorted(CONTEXTS))
def test_pdf_conversion(name, tmp_path):
    from worker.convert import docx_to_pdf  # fails (LibreOfficeMissing) without LibreOffice

    kind, ctx = CONTEXTS[name]
    pdf = docx_to_pdf(render_docx(TEMPLATES / f"{kind}.docx", ctx))
    assert pdf.startswith(b"%PDF")
    info, text = _pdf_info(pdf, tmp_path)
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert size and abs(float(size[1]) - 595.28) < 1 and abs(float(size[2]) - 841.89) < 1
    pages = int(re.search(r"Pages:\s+(\d+)", info)[1])
    assert 1 <= pages <= 3
    flat = re.sub(r"\s+", " ", text)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in flat
    assert "Độc lập - Tự do - Hạnh phúc" in flat
    assert "Nơi nhận:" in flat
    assert ctx["signer_name"] in flat
    if pages > 1:
        assert re.search(r"^\s+2\s*$", text.split("\f")[1], re.M)  # page number on page 2


@pytest.mark.libreoffice
def test_pdf_of_nasty_text_and_long_word(tmp_path):
    from worker.convert import docx_to_pdf

    pdf = docx_to_pdf(
        render_docx(
            TEMPLATES / "plan.docx", plan_context(_nasty_plan(), samples.AGENCIES, None, None)
        )
    )
    _, text = _pdf_info(pdf, tmp_path)
    flat = text.replace("\n", "")
    assert "{{ secret }}" in text and "a < b > c & d" in text
    assert flat.count("W") >= 300


def test_report_group_rows_are_a_table():
    """A repeating group (activities) is a bordered table with a header row, not "- …" lines;
    dates dd/mm/yyyy; the short label heads its column."""
    report = dict(samples.REPORT)
    fields = [dict(f) for f in samples.FIELDS]
    group = next(f for f in fields if f["type"] == "group")
    group["fields"] = [dict(c) for c in group["fields"]]
    group["fields"][2]["short_label"] = "Người tham dự"
    report["fields"] = fields
    report["answers"] = {
        **samples.REPORT["answers"],
        "activities": [
            {"on": date(2024, 12, 1), "form": "Mít tinh", "people": 300},
            {"on": "2024-12-10", "form": "Treo băng rôn <& >", "people": None},
        ],
    }
    ctx = report_context(report, samples.AGENCIES, 3, date(2025, 1, 2))
    doc = Document(io.BytesIO(render_docx(TEMPLATES / "report.docx", ctx)))
    tables = [t for t in doc.tables if t.rows[0].cells[0].text == "STT"]
    assert len(tables) == 1
    t = tables[0]
    assert _table_rows(t) == [
        ["STT", "Ngày", "Hình thức", "Người tham dự"],
        ["1", "01/12/2024", "Mít tinh", "300 người"],
        ["2", "10/12/2024", "Treo băng rôn <& >", ""],
    ]
    grid = [int(c.get(qn("w:w"))) for c in t._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert sum(grid) == 9355 and len(grid) == 4
    for row in t.rows:
        assert [int(c._tc.tcPr.find(qn("w:tcW")).get(qn("w:w"))) for c in row.cells] == grid
    borders = t._tbl.tblPr.find(qn("w:tblBorders"))
    assert borders.find(qn("w:insideH")).get(qn("w:val")) == "single"
    assert t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert not any(p.text.startswith("- Ngày") for p in doc.paragraphs)
    assert doc.paragraphs[-1].text.endswith("./.") or "./." in "\n".join(_texts(doc))


def test_consolidated_heads_use_the_short_label():
    cons, agencies = samples.consolidated_sample(3)
    cons = dict(cons)
    cons["results"] = [dict(r) for r in cons["results"]]
    cons["results"][0]["short_label"] = "Băng rôn"
    ctx = consolidated_context(cons, agencies, 1, date(2025, 1, 8))
    assert ctx["table_parts"][0]["head"][0] == "Băng rôn"
    assert any(cons["results"][0]["label"] in b["text"] for b in ctx["blocks"])  # full label kept


def test_electronic_stamp_top_right_of_page_one():
    from datetime import datetime

    from worker.contexts import e_stamp, signing_time_iso

    assert signing_time_iso(datetime(2024, 1, 5, 7, 30, tzinfo=UTC)) == (
        "2024-01-05T14:30:00+07:00"
    )
    assert signing_time_iso(datetime(2024, 1, 5, 7, 30, 12, 999)) == "2024-01-05T14:30:12+07:00"
    assert signing_time_iso(date(2024, 1, 5)) == "2024-01-05T00:00:00+07:00"
    _, ctx = CONTEXTS["report"]
    assert ctx["e_stamp"] == ""
    stamp = e_stamp("03/BC-STTTT", datetime(2024, 1, 5, 7, 30, tzinfo=UTC))
    doc = Document(io.BytesIO(render_docx(TEMPLATES / "report.docx", {**ctx, "e_stamp": stamp})))
    header = doc.sections[0].first_page_header
    assert header.paragraphs[0].text == "Số: 03/BC-STTTT\n2024-01-05T14:30:00+07:00"
    assert header.paragraphs[0].alignment == 2  # right
    run = header.paragraphs[0].runs[0]
    assert run.font.size.pt == 10 and run.font.name == "Times New Roman"
    assert "03/BC-STTTT" not in "".join(doc.sections[0].header._element.itertext())


def test_every_paragraph_of_an_agencys_text_is_attributed():
    from worker.contexts import agency_text_blocks

    blocks = agency_text_blocks(
        [("Sở Tư pháp", "Kinh phí ít."), ("Sở Y tế", "Đoạn một.\nĐoạn hai.\n\nĐoạn ba.")]
    )
    assert [(b["kind"], b["text"]) for b in blocks] == [
        ("bullet", "- Sở Tư pháp: Kinh phí ít."),
        ("heading3", "- Sở Y tế:"),  # kept with its paragraphs
        ("para", "Đoạn một."),
        ("para", "Đoạn hai."),
        ("para", "Đoạn ba."),
    ]


def test_units_and_target_rows_only_where_meaningful():
    from worker.contexts import table_parts, unit_label

    assert unit_label({"unit": "cái", "rule": "sum"}) == "(cái)"
    assert unit_label({"unit": "%", "rule": "avg"}) == "(%, bình quân)"
    assert unit_label({"unit": "", "rule": "count"}) == ""
    rows = [{"no": "1", "name": "A", "status": "Đúng hạn", "cells": ["1", "2"]}]
    parts = table_parts(
        [
            {"label": "X", "unit": "", "rule": "sum", "value": 1, "target": None},
            {"label": "Y", "unit": "", "rule": "sum", "value": 2, "target": None},
        ],
        rows,
    )
    assert [t["label"] for t in parts[0]["totals"]] == ["Tổng hợp"]  # no target: no dash rows
    assert parts[0]["units_row"] is False and parts[0]["caption"] == ""
