"""Where the signer block is in a rendered PDF, for worker.pades.

The signer's image goes between the signer's title (chức vụ) and the name (Decree 30/2020,
box 7c). LibreOffice lays the document out, so the block is found in the PDF itself with
poppler's ``pdftotext -bbox`` (installed with LibreOffice by scripts/test.sh): the last line
carrying the signer's full name, and above it in its column, past the lines stuck to the name
(a position note such as "CHỦ TỊCH UBND TỈNH"), the first blank gap under the title.

Also the jobs: ``sign_document`` (a released version, signer then agency, then checked) and
``verify_document`` (a stored signed PDF checked against the admin's trust roots), both keeping
their outcome in ``SignatureCheck`` for the document page (app.services.signing_keys).
"""

from __future__ import annotations

import html
import re
import subprocess
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

from app.services.signing import SignatureStatus
from worker.pades import Box

_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_LINE = re.compile(r"<line[^>]*>(.*?)</line>", re.S)
_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)
#: Width of the signer's image box (points); its height is the gap between title and name.
IMAGE_WIDTH = 150.0


#: The least blank height (points) between the title and the lines just above the name (a
#: position note, "CHỦ TỊCH UBND TỈNH") for the signer's image to go there.
MIN_GAP = 24.0


def _gap_above(
    lines: list[list[tuple[float, float, float, float, str]]], center: float, top: float
) -> tuple[float, float] | None:
    """(bottom of the title, top of the block the name ends) in pdftotext's coordinates (y
    down): walking up the column of the name, past the lines stuck to it, to the first blank
    gap of at least MIN_GAP; None if there is none."""
    column = sorted(
        (
            (min(w[1] for w in line), max(w[3] for w in line))
            for line in lines
            if min(w[0] for w in line) - 1 <= center <= max(w[2] for w in line) + 1
            and max(w[3] for w in line) <= top + 1
        ),
        key=lambda span: -span[1],
    )
    block_top = top
    for line_top, line_bottom in column:
        if block_top - line_bottom >= MIN_GAP:
            return line_bottom, block_top
        block_top = min(block_top, line_top)
    return None


def signer_box(pdf: bytes, full_name: str, timeout: float = 60) -> tuple[int, Box] | None:
    """(page index, box in PDF points) for the signer's image, or None if the name is absent."""
    with tempfile.TemporaryDirectory(prefix="kehoach-sign-") as work:
        path = Path(work) / "doc.pdf"
        path.write_bytes(pdf)
        out = subprocess.run(
            ["pdftotext", "-bbox-layout", str(path), "-"],
            check=True,
            capture_output=True,
            text=True,
            timeout=timeout,
        ).stdout
    wanted = unicodedata.normalize("NFC", full_name).split()
    found: tuple[int, Box] | None = None
    for index, (_, height_text, body) in enumerate(_PAGE.findall(out)):
        height = float(height_text)
        lines = [
            [
                (
                    float(a),
                    float(b),
                    float(c),
                    float(d),
                    unicodedata.normalize("NFC", html.unescape(w)),
                )
                for a, b, c, d, w in ws
            ]
            for ws in (_WORD.findall(line) for line in _LINE.findall(body))
        ]
        lines = [line for line in lines if line]
        for line in lines:
            if [w[4] for w in line] != wanted:
                continue
            left, right = min(w[0] for w in line), max(w[2] for w in line)
            center = (left + right) / 2
            gap = _gap_above(lines, center, min(w[1] for w in line))
            if gap is None:
                continue
            title_bottom, block_top = gap
            x1 = max(center - IMAGE_WIDTH / 2, 0.0)
            found = (
                index,
                (x1, height - block_top + 2, x1 + IMAGE_WIDTH, height - title_bottom - 2),
            )
    return found


# ----------------------------------------------------------------------------- jobs


def _failed(doc_id: int, message: str) -> None:
    from app.extensions import db
    from app.models import SignatureCheck

    db.session.rollback()
    row = db.session.get(SignatureCheck, doc_id)
    if row is not None:
        row.state, row.error = "failed", message
        db.session.commit()


def sign_document(doc_id: int, version_key: str) -> str:
    """Sign the released PDF of ``version_key`` (signer, then agency) and check the result.
    Returns ``done``, ``missing`` (no such released file), ``not_configured`` or ``refused``
    (a key or image the admin must replace: the message is on the document page)."""
    from worker.jobs import get_app

    app = get_app()
    with app.app_context():
        from app.extensions import db

        try:
            return _sign(doc_id, version_key)
        except Exception:
            _failed(doc_id, "Không ký số được: lỗi hệ thống; hệ thống sẽ thử lại.")
            raise
        finally:
            db.session.remove()


def _sign(doc_id: int, version_key: str) -> str:
    from sqlalchemy import select, update

    from app.extensions import db
    from app.models import Agency, Document, DocumentVersion, SignatureCheck
    from app.services import signing_keys, storage
    from app.services.exceptions import InvalidInput
    from worker.pades import Appearance, sign_pdf

    doc = db.session.get(Document, doc_id)
    version = db.session.scalar(
        select(DocumentVersion).where(
            DocumentVersion.document_id == doc_id, DocumentVersion.render_key == version_key
        )
    )
    if doc is None or version is None or not storage.exists(version.pdf_path):
        return "missing"
    ready = signing_keys.readiness(doc)
    if not ready.ready or ready.signer is None:  # a key removed meanwhile
        _failed(
            doc_id,
            "Không ký số được: chưa cấu hình ký số (thiếu: " + ", ".join(ready.missing) + ").",
        )
        return "not_configured"
    agency = db.session.get(Agency, doc.agency_id)
    assert agency is not None
    mine = signing_keys.identity(ready.signer)
    theirs = signing_keys.identity(agency)
    assert mine is not None and theirs is not None
    assert mine.key_encrypted is not None and theirs.key_encrypted is not None
    try:
        signing_keys.check_names(doc, mine, theirs)
    except InvalidInput as exc:
        _failed(doc_id, f"Không ký số được: {exc}")
        return "refused"
    check = db.session.get(SignatureCheck, doc_id)
    if check is None:
        check = SignatureCheck(document_id=doc_id, origin="produced")
        db.session.add(check)
    check.state, check.origin, check.error = "running", "produced", None
    db.session.commit()
    assert version.pdf_path is not None
    pdf = storage.read(version.pdf_path)
    name = (doc.snapshot or {}).get("signer_name") or ""
    found = signer_box(pdf, name) if name else None
    if found is None:
        _failed(
            doc_id,
            f"Không ký số được: không tìm thấy họ tên người ký “{name}” trong bản PDF phát hành.",
        )
        return "refused"
    page, box = found
    appearance = Appearance(
        agency_name=(doc.snapshot or {}).get("name") or agency.name,
        signer_box=box,
        page=page,
        signature_png=storage.read(mine.image_path) if mine.image_path else None,
        seal_png=storage.read(theirs.image_path) if theirs.image_path else None,
    )
    try:
        signed = sign_pdf(
            pdf,
            signing_keys.StoredKey(mine.key_encrypted, "khóa của người ký").key_file(),
            signing_keys.StoredKey(theirs.key_encrypted, "khóa của cơ quan").key_file(),
            appearance,
            timestamp_url=signing_keys.timestamp_url(),
            trust_roots=signing_keys.trust_root_certs(),
            revocation=signing_keys.revocation(),
        )
    except InvalidInput as exc:
        _failed(doc_id, f"Không ký số được: {exc}")
        return "refused"
    rel = f"documents/{doc_id}/{version_key}-signed.pdf"
    storage.write(rel, signed)
    db.session.execute(
        update(Document)
        .where(Document.id == doc_id)
        .values(signed_path=rel)
        .execution_options(synchronize_session=False)
    )
    verify_stored(doc_id, rel)
    db.session.get(SignatureCheck, doc_id).origin = "produced"  # type: ignore[union-attr]
    from app.services import audit

    audit.record(
        None,
        db.session.get(Document, doc_id),
        "digital_sign",
        comment=f"{mine.cert_subject} · {theirs.cert_subject}",
        data={"file": rel},
    )
    db.session.commit()
    return "done"


def verify_stored(doc_id: int, rel: str) -> None:
    """Verify the stored file ``rel`` against the trust roots and the revocation data, and keep
    the result."""
    import hashlib
    from datetime import UTC, datetime

    from app.extensions import db
    from app.models import SignatureCheck
    from app.services import signing_keys, storage
    from worker.pades import verify_pdf

    data = storage.read(rel)
    approved = approved_pdfs(doc_id, rel)
    statuses = verify_pdf(data, signing_keys.trust_root_certs(), signing_keys.revocation())
    row = db.session.get(SignatureCheck, doc_id)
    if row is None:
        row = SignatureCheck(document_id=doc_id, origin="uploaded")
        db.session.add(row)
    row.file_path = rel
    row.file_sha256 = hashlib.sha256(data).hexdigest()
    row.results = [
        stored_result(s, same_content(data, s.covered, approved) if s.intact else None)
        for s in statuses
    ]
    row.state, row.error, row.checked_at = "done", None, datetime.now(UTC)


def stored_result(s: SignatureStatus, content: bool | None) -> dict[str, Any]:
    """One signature's facts as ``SignatureCheck.results`` keeps them; the page's verdict is
    made from them (app.services.signing_keys.judge). ``content``: whether the signature signed
    the approved content (``same_content``), None when not compared."""
    return {
        "field": s.field,
        "signer": s.signer,
        "signed_at": s.signed_at.isoformat() if s.signed_at else None,
        "intact": s.intact,
        "trusted": s.trusted,
        "valid": s.valid,
        "message": s.message,
        "timestamped": s.timestamped,
        "subject": s.subject,
        "revocation": s.revocation,
        "ltv": s.ltv,
        "content": content,
        "unreadable": s.unreadable,
    }


def approved_pdfs(doc_id: int, rel: str) -> list[bytes]:
    """The PDFs a signature of ``rel`` must have signed: the released version the system signed
    (``<render key>-signed.pdf``); for a PDF the clerk uploaded, the content the leader signed
    (the latest signed version, or its released version: the same content with the number and
    date). Empty when none was made (then the content is not compared)."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import DocumentVersion, VersionStage
    from app.services import storage

    versions = db.session.scalars(
        select(DocumentVersion)
        .where(DocumentVersion.document_id == doc_id)
        .order_by(DocumentVersion.number.desc())
    ).all()
    name = rel.rsplit("/", 1)[-1]
    produced = [v for v in versions if name == f"{v.render_key}-signed.pdf"]
    wanted = produced or [
        latest
        for stage in (VersionStage.SIGNED, VersionStage.RELEASED)
        for latest in [next((v for v in versions if v.stage == stage), None)]
        if latest is not None
    ]
    return [storage.read(v.pdf_path) for v in wanted if v.pdf_path and storage.exists(v.pdf_path)]


def _without_annotations(pdf: bytes) -> bytes:
    """``pdf`` with an incremental update removing every page's annotations: the pages as
    written, without the signatures' stamps (pdftotext reads their appearance text)."""
    import io

    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)

    def walk(node: Any, depth: int = 0) -> None:
        if "/Kids" in node and depth < 64:
            for kid in node["/Kids"]:
                walk(kid.get_object(), depth + 1)
        elif "/Annots" in node:
            del node["/Annots"]
            writer.update_container(node)

    walk(writer.root["/Pages"])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _words(pdf: bytes, timeout: float = 120) -> list[str]:
    """The text of ``pdf``'s pages as words (poppler's pdftotext), annotations aside: layout
    aside, what it says. Empty when unreadable."""
    try:
        pdf = _without_annotations(pdf)
    except Exception:  # a PDF pyHanko cannot update: nothing to compare
        return []
    with tempfile.TemporaryDirectory(prefix="kehoach-text-") as work:
        path = Path(work) / "doc.pdf"
        path.write_bytes(pdf)
        out = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"],
            check=False,
            capture_output=True,
            timeout=timeout,
        )
    return unicodedata.normalize("NFC", out.stdout.decode("utf-8", "replace")).split()


def same_content(signed: bytes, covered: int, approved: list[bytes]) -> bool | None:
    """Whether the revision a signature signed (``signed[:covered]``) is one of the
    ``approved`` PDFs: byte for byte with incremental changes after it (how the system and
    most signing tools sign a given PDF), or else the same text (a tool that wrote the PDF
    anew). None when there is nothing to compare with (no approved PDF, or a signed revision
    without text: a scan)."""
    if not approved:
        return None
    revision = signed[:covered] if covered else signed
    if any(revision.startswith(pdf) for pdf in approved):
        return True
    words = _words(revision)
    if not words:  # a scan, or unreadable: nothing to compare, nothing claimed
        return None
    return any(words == _words(pdf) for pdf in approved)


def verify_document(doc_id: int, rel: str) -> str:
    """Check the signatures of the stored PDF ``rel`` against the admin's trust roots."""
    from worker.jobs import get_app

    app = get_app()
    with app.app_context():
        from app.extensions import db
        from app.models import SignatureCheck
        from app.services import storage

        try:
            row = db.session.get(SignatureCheck, doc_id)
            if row is None or row.file_path != rel or not storage.exists(rel):
                return "superseded"
            row.state = "running"
            db.session.commit()
            verify_stored(doc_id, rel)
            db.session.commit()
            return "done"
        except Exception:
            _failed(doc_id, "Không kiểm tra được chữ ký số: lỗi hệ thống.")
            raise
        finally:
            db.session.remove()
