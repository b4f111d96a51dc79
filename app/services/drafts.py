"""The Word round trip: a drafter downloads the draft, edits it in Word or LibreOffice, and uploads
it as the draft's next version before it goes to signature.

The upload is checked like hostile input (``check_docx``): a real .docx (a zip with the Word
parts, no macros, no external links that a converter would fetch), bounded in size before and
after decompression, its XML parsed without entities or network, and the number still blank
("Số:    /…": the register gives it on release). It is kept under the document's folder with
its version; the worker renders the PDF from it, and on release fills in the number, the date
and the electronic stamp (worker/edited.py). A released document is never replaced.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile

from flask import current_app
from flask_babel import gettext
from lxml import etree  # type: ignore[import-untyped]

from app.models import Document, DocumentStatus, User, VersionStage
from app.services import audit, storage
from app.services.documents import ANNEX_SENTENCE_START, annex_path, new_version
from app.services.exceptions import InvalidInput, NotAllowed

MAX_UNCOMPRESSED = 50 * 1024 * 1024  # all parts together, decompressed
MAX_PART = 20 * 1024 * 1024  # one part, decompressed
MAX_ENTRIES = 1000
MAX_RATIO = 200  # decompressed / compressed, for parts over 1 MB (zip bombs)
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
FILLED_NUMBER = re.compile(r"Số\s*:\s*\d+\s*/")
FIELD = "file"


def _refuse(message: str) -> InvalidInput:
    return InvalidInput(message, {FIELD: message})


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def check_docx(content: bytes) -> list[str]:
    """Refuse (``InvalidInput`` naming the field "file", in Vietnamese) anything but a safe,
    bounded .docx of an unnumbered draft; its paragraphs' text otherwise."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if len(content) > limit:
        raise _refuse(f"Tệp vượt quá {limit // (1024 * 1024)} MB.")
    if not content.startswith(b"PK\x03\x04"):
        raise _refuse("Tệp không phải là tệp Word (.docx).")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            infos = z.infolist()
            if len(infos) > MAX_ENTRIES:
                raise _refuse("Tệp Word có quá nhiều phần.")
            total = 0
            for info in infos:
                total += info.file_size
                if info.file_size > MAX_PART or total > MAX_UNCOMPRESSED:
                    raise _refuse("Tệp Word quá lớn khi giải nén.")
                if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(
                    info.compress_size, 1
                ):
                    raise _refuse("Tệp Word bị nén bất thường (nghi tệp nén độc hại).")
            names = {i.filename for i in infos}
            if "word/document.xml" not in names or "[Content_Types].xml" not in names:
                raise _refuse("Tệp không phải là tệp Word (.docx): thiếu phần nội dung văn bản.")
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                raise _refuse("Tệp Word có macro; hãy lưu lại dưới dạng .docx không có macro.")
            types = z.read("[Content_Types].xml")
            if b"macroEnabled" in types:
                raise _refuse("Tệp Word có macro; hãy lưu lại dưới dạng .docx không có macro.")
            for name in names:
                if name.endswith(".rels"):
                    rels = etree.fromstring(z.read(name), _parser())
                    for rel in rels:
                        external = rel.get("TargetMode") == "External"
                        if external and not (rel.get("Type") or "").endswith("/hyperlink"):
                            raise _refuse(
                                "Tệp Word liên kết tới tài nguyên bên ngoài (hình ảnh, "
                                "khung, mẫu…); hãy nhúng vào tệp rồi tải lên lại."
                            )
            body = etree.fromstring(z.read("word/document.xml"), _parser())
    except zipfile.BadZipFile:
        raise _refuse("Tệp bị hỏng hoặc không phải là tệp Word (.docx).") from None
    except etree.XMLSyntaxError:
        raise _refuse("Nội dung tệp Word bị hỏng (XML không hợp lệ).") from None
    paragraphs = [
        "".join(t.text or "" for t in p.iter(f"{{{W}}}t")) for p in body.iter(f"{{{W}}}p")
    ]
    if any(FILLED_NUMBER.search(p) for p in paragraphs):
        raise _refuse(
            "Số văn bản phải để trống (“Số:    /…”): số được cấp khi phát hành, từ sổ văn bản đi."
        )
    if not any(p.strip() for p in paragraphs):
        raise _refuse("Tệp Word không có nội dung.")
    return paragraphs


def upload_version(doc: Document, filename: str, content: bytes, actor: User) -> Document:
    """Keep ``content`` as the draft's next version (see module doc); the worker renders its
    PDF. Only a draft (not yet sent to signature), by someone of the issuing agency."""
    if actor.agency_id != doc.agency_id:
        raise NotAllowed("Chỉ người của cơ quan ban hành được tải lên bản dự thảo đã sửa.")
    if doc.status != DocumentStatus.DRAFT:
        raise _refuse(
            "Chỉ tải lên bản sửa khi văn bản còn là dự thảo "
            "(chưa trình ký, chưa ký, chưa phát hành)."
        )
    if not filename.lower().endswith(".docx"):
        raise _refuse("Tệp phải là tệp Word (.docx).")
    paragraphs = check_docx(content)
    if (
        doc.docx_path
        and storage.exists(annex_path(doc.docx_path))
        and not any(p.strip().startswith(ANNEX_SENTENCE_START) for p in paragraphs)
    ):
        # the body binds the spreadsheet annex by its SHA-256: a draft without that sentence
        # would be signed without the annex it is sent with
        raise _refuse(
            gettext(
                "Bản sửa phải giữ câu “%(start)s…”: văn bản này có Phụ lục là tệp bảng tính, "
                "và mã kiểm tra (SHA-256) của Phụ lục được ghi vào câu đó mỗi khi tạo bản.",
                start=ANNEX_SENTENCE_START,
            )
        )
    version = (doc.draft_version or 1) + (1 if doc.content_version else 0)
    digest = hashlib.sha256(content).hexdigest()[:16]
    rel = f"documents/{doc.id}/edited-v{version}-{digest}.docx"
    storage.write(rel, content)
    doc.source_path = rel
    # the next draft version people see ("DỰ THẢO (lần N)"), rendered from this file
    new_version(doc, VersionStage.DRAFT, actor, note="Bản sửa bằng Word", new_draft=True)
    doc.draft_version = max(doc.draft_version or 1, version)
    audit.record(
        actor,
        doc,
        "upload_draft",
        from_state=doc.status,
        to_state=doc.status,
        comment=filename[:255],
        data={"version": version, "sha256": hashlib.sha256(content).hexdigest(), "path": rel},
    )
    return doc
