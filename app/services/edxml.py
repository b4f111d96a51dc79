"""edXML packets of released documents (QCVN 102:2016/BTTTT; Thông tư 01/2022/TT-BTTTT).

Builds the packet with lxml and reads it back: first through ``defusedxml`` (which refuses any
DTD, entity declaration and external reference), then with a hardened lxml parser (no entity
resolution, no network, no DTD) validated against the project's XSD (``edxml.xsd`` next to this
module). A packet that fails any step is refused with a Vietnamese message and nothing is kept.

Choices where public implementations differ (each kept here, once):
- Namespace ``http://www.mic.gov.vn/TBT/QCVN_102_2016``, default (no prefix).
- Dates ``yyyy/MM/dd`` (the Government Office sample), see ``DATE_FORMAT``.
- Timestamps ISO 8601 with +07:00.
- Attachments base64 in ``AttachmentEncoded/Attachment`` directly under the root (no manifest,
  no XML signature yet: the PDF itself carries the PAdES signatures).
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from xml.etree.ElementTree import ParseError

import defusedxml.ElementTree as safe_et
from defusedxml import DefusedXmlException
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from lxml import etree  # type: ignore[import-untyped]

from app.services.exceptions import InvalidInput

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
DATE_FORMAT = "%Y/%m/%d"
SCHEMA_PATH = Path(__file__).with_name("edxml.xsd")
#: Mã định danh: four dotted segments of 2–3 digits or capitals (000.00.00.H57); the same
#: pattern as ``OrganIdType`` in edxml.xsd.
ORGAN_ID_RE = re.compile(r"^[0-9A-Z]{2,3}(\.[0-9A-Z]{2,3}){3}$")
#: Bounds on an incoming packet (the signed PDF and the .docx of a plan, base64: a few MB).
MAX_PACKET_BYTES = 40 * 1024 * 1024
MAX_ATTACHMENTS = 20

#: OtherInfo/Priority codes.
PRIORITY_NORMAL, PRIORITY_URGENT, PRIORITY_VERY_URGENT, PRIORITY_EXPRESS, PRIORITY_TIMED = range(5)
#: TraceHeaderList/Bussiness/BussinessDocType codes.
BUSINESS_NEW, BUSINESS_RECALL, BUSINESS_UPDATE, BUSINESS_REPLACE = range(4)
#: SteeringType: implementations disagree (1/2/3 vs 0/1); kehoach writes 1 (văn bản thường).
STEERING_ORDINARY = 1


#: StatusCode of a status packet → what the document page shows.
STATUS_LABELS = {
    "01": _l("Đã đến"),
    "02": _l("Bị từ chối"),
    "03": _l("Đã tiếp nhận"),
    "04": _l("Đã đến, chờ phân công"),
    "05": _l("Đang xử lý"),
    "06": _l("Đã hoàn thành"),
    "13": _l("Đề nghị thu hồi"),
    "15": _l("Đồng ý thu hồi/cập nhật"),
    "16": _l("Từ chối thu hồi/cập nhật"),
}


@dataclass(frozen=True)
class Organ:
    organ_id: str  # mã định danh, e.g. 000.00.00.H57
    name: str
    in_charge: str = ""
    address: str = ""
    email: str = ""
    telephone: str = ""
    fax: str = ""
    website: str = ""


@dataclass(frozen=True)
class Attachment:
    name: str
    content_type: str
    data: bytes
    content_id: str = ""


@dataclass(frozen=True)
class Reference:
    """A document this packet answers (``MessageHeader/ResponseFor``): its issuer's code, its
    number/symbol, date and DocumentId."""

    organ_id: str
    code: str
    promulgation_date: date
    document_id: str


@dataclass(frozen=True)
class Packet:
    document_id: str
    sender: Organ
    recipients: tuple[Organ, ...]
    code_number: str
    code_notation: str
    place: str
    promulgation_date: date
    type_code: int
    type_detail: int
    type_name: str
    subject: str
    signer_competence: str
    signer_position: str
    signer_full_name: str
    sent_at: datetime
    content: str = ""
    due_date: date | None = None
    to_places: tuple[str, ...] = ()
    priority: int = PRIORITY_NORMAL
    page_amount: int | None = None  # OtherInfo/PageAmount: pages of the PDF attached
    steering_type: int = STEERING_ORDINARY
    business_doc_type: int = BUSINESS_NEW
    response_for: tuple[Reference, ...] = ()
    attachments: tuple[Attachment, ...] = field(default=())


@dataclass(frozen=True)
class StatusPacket:
    """What a recipient (``sender`` of this packet) did with the document ``document_id``."""

    response_organ_id: str  # the organ that issued the document
    response_code: str  # its printed number, e.g. 125/KH-UBND
    response_date: date
    document_id: str
    sender: Organ
    status_code: str  # key of STATUS_LABELS
    timestamp: datetime
    description: str = ""


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _add(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    child = etree.SubElement(parent, _q(tag))
    if text is not None:
        try:
            child.text = text
        except ValueError:  # control characters, NUL: not representable in XML 1.0
            raise _refuse(gettext("ký tự không hợp lệ ở trường %(field)s.", field=tag)) from None
    return child


def _organ(parent: etree._Element, tag: str, organ: Organ) -> None:
    node = _add(parent, tag)
    _add(node, "OrganId", organ.organ_id)
    if organ.in_charge:
        _add(node, "OrganizationInCharge", organ.in_charge)
    _add(node, "OrganName", organ.name)
    for sub, value in (
        ("OrganAdd", organ.address),
        ("Email", organ.email),
        ("Telephone", organ.telephone),
        ("Fax", organ.fax),
        ("Website", organ.website),
    ):
        if value:
            _add(node, sub, value)


def build_packet(packet: Packet) -> bytes:
    """The edXML packet as UTF-8 bytes (validated against the XSD before it is returned)."""
    root = etree.Element(_q("edXML"), nsmap={None: NS})
    header = _add(_add(root, "edXMLEnvelope"), "edXMLHeader")
    message = _add(header, "MessageHeader")
    _organ(message, "From", packet.sender)
    for organ in packet.recipients:
        _organ(message, "To", organ)
    _add(message, "DocumentId", packet.document_id)
    code = _add(message, "Code")
    _add(code, "CodeNumber", packet.code_number)
    _add(code, "CodeNotation", packet.code_notation)
    info = _add(message, "PromulgationInfo")
    _add(info, "Place", packet.place)
    _add(info, "PromulgationDate", packet.promulgation_date.strftime(DATE_FORMAT))
    kind = _add(message, "DocumentType")
    _add(kind, "Type", str(packet.type_code))
    _add(kind, "TypeDetail", str(packet.type_detail))
    _add(kind, "TypeName", packet.type_name)
    _add(message, "Subject", packet.subject)
    if packet.content:
        _add(message, "Content", packet.content)
    signer = _add(message, "SignerInfo")
    _add(signer, "Competence", packet.signer_competence)
    _add(signer, "Position", packet.signer_position)
    _add(signer, "FullName", packet.signer_full_name)
    if packet.due_date:
        _add(message, "DueDate", packet.due_date.strftime(DATE_FORMAT))
    if packet.to_places:
        places = _add(message, "ToPlaces")
        for place in packet.to_places:
            _add(places, "Place", place)
    other = _add(message, "OtherInfo")
    _add(other, "Priority", str(packet.priority))
    if packet.page_amount is not None:
        _add(other, "PageAmount", str(packet.page_amount))
    _add(message, "SteeringType", str(packet.steering_type))
    for ref in packet.response_for:
        node = _add(message, "ResponseFor")
        _add(node, "OrganId", ref.organ_id)
        _add(node, "Code", ref.code)
        _add(node, "PromulgationDate", ref.promulgation_date.strftime(DATE_FORMAT))
        _add(node, "DocumentId", ref.document_id)
    trace = _add(header, "TraceHeaderList")
    hop = _add(trace, "TraceHeader")
    _add(hop, "OrganId", packet.sender.organ_id)
    _add(hop, "Timestamp", packet.sent_at.isoformat(timespec="seconds"))
    business = _add(trace, "Bussiness")
    _add(business, "DocumentId", packet.document_id)
    _add(business, "BussinessDocType", str(packet.business_doc_type))
    if packet.attachments:
        encoded = _add(root, "AttachmentEncoded")
        for number, attachment in enumerate(packet.attachments, start=1):
            node = _add(encoded, "Attachment")
            _add(node, "ContentId", attachment.content_id or f"att{number}")
            _add(node, "AttachmentName", attachment.name)
            _add(node, "ContentType", attachment.content_type)
            _add(node, "ContentTransferEncoded", base64.b64encode(attachment.data).decode("ascii"))
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    _validate(data)
    return data


def build_status(status: StatusPacket) -> bytes:
    """A status packet (used by tests and by an exchange adapter answering for kehoach)."""
    root = etree.Element(_q("edXML"), nsmap={None: NS})
    node = _add(_add(_add(root, "edXMLEnvelope"), "edXMLHeader"), "Status")
    response = _add(node, "ResponseFor")
    _add(response, "OrganId", status.response_organ_id)
    _add(response, "Code", status.response_code)
    _add(response, "PromulgationDate", status.response_date.strftime(DATE_FORMAT))
    _add(response, "DocumentId", status.document_id)
    _organ(node, "From", status.sender)
    _add(node, "StatusCode", status.status_code)
    if status.description:
        _add(node, "Description", status.description)
    _add(node, "Timestamp", status.timestamp.isoformat(timespec="seconds"))
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    _validate(data)
    return data


def _moment(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _refuse(gettext("thời điểm không hợp lệ: %(value)s.", value=value[:40])) from None
    if moment.tzinfo is None:
        raise _refuse(gettext("thời điểm không có múi giờ: %(value)s.", value=value[:40]))
    return moment


def parse_status(data: bytes) -> StatusPacket:
    """An incoming status packet; anything else (or hostile XML) raises InvalidInput."""
    return _status(_validate(data))


def parse_incoming(data: bytes) -> Packet | StatusPacket:
    """An incoming packet of either kind (a status packet or a document packet), read once;
    hostile or malformed input raises InvalidInput."""
    root = _validate(data)
    if root.find("e:edXMLEnvelope/e:edXMLHeader/e:Status", {"e": NS}) is not None:
        return _status(root)
    return _packet(root)


def _status(root: etree._Element) -> StatusPacket:
    node = root.find("e:edXMLEnvelope/e:edXMLHeader/e:Status", {"e": NS})
    if node is None:
        raise _refuse(gettext("không phải gói trạng thái."))
    from_node = node.find("e:From", {"e": NS})
    assert from_node is not None  # guaranteed by the XSD
    return StatusPacket(
        response_organ_id=_text(node, "e:ResponseFor/e:OrganId"),
        response_code=_text(node, "e:ResponseFor/e:Code"),
        response_date=_date(_text(node, "e:ResponseFor/e:PromulgationDate")),
        document_id=_text(node, "e:ResponseFor/e:DocumentId"),
        sender=_read_organ(from_node),
        status_code=_text(node, "e:StatusCode"),
        timestamp=_moment(_text(node, "e:Timestamp")),
        description=_text(node, "e:Description"),
    )


def _schema() -> etree.XMLSchema:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH), parser))


def _refuse(detail: str) -> InvalidInput:
    message = gettext("Gói edXML không hợp lệ: %(detail)s", detail=detail)
    return InvalidInput(message, {"packet": message})


def _validate(data: bytes) -> etree._Element:
    """Parse with the hostile-input guards, then check against the XSD."""
    if len(data) > MAX_PACKET_BYTES:
        raise _refuse(gettext("tệp quá lớn."))
    try:
        safe_et.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise _refuse(gettext("có khai báo DTD hoặc thực thể (không được phép).")) from None
    except ParseError:
        raise _refuse(gettext("không phải XML đúng cú pháp.")) from None
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        raise _refuse(gettext("không phải XML đúng cú pháp.")) from None
    schema = _schema()
    if not schema.validate(root):
        error = schema.error_log.last_error
        found = re.search(r"Element '(?:\{[^}]*\})?([\w.-]+)'", error.message if error else "")
        where = found.group(1) if found else ""
        raise _refuse(gettext("sai cấu trúc ở trường %(field)s.", field=where or "edXML"))
    return root


def _text(node: etree._Element, path: str) -> str:
    found = node.find(path, {"e": NS})
    return (found.text or "") if found is not None else ""


def _read_organ(node: etree._Element) -> Organ:
    return Organ(
        organ_id=_text(node, "e:OrganId"),
        name=_text(node, "e:OrganName"),
        in_charge=_text(node, "e:OrganizationInCharge"),
        address=_text(node, "e:OrganAdd"),
        email=_text(node, "e:Email"),
        telephone=_text(node, "e:Telephone"),
        fax=_text(node, "e:Fax"),
        website=_text(node, "e:Website"),
    )


def _date(value: str) -> date:
    try:
        return datetime.strptime(value, DATE_FORMAT).date()
    except ValueError:
        raise _refuse(gettext("ngày không hợp lệ: %(value)s.", value=value[:40])) from None


def parse_packet(data: bytes) -> Packet:
    """A packet read back; hostile or malformed input raises InvalidInput (Vietnamese)."""
    return _packet(_validate(data))


def _packet(root: etree._Element) -> Packet:
    ns = {"e": NS}
    message = root.find("e:edXMLEnvelope/e:edXMLHeader/e:MessageHeader", ns)
    trace = root.find("e:edXMLEnvelope/e:edXMLHeader/e:TraceHeaderList", ns)
    if message is None or trace is None:
        raise _refuse(gettext("không phải gói văn bản."))
    due = _text(message, "e:DueDate")
    attachments = []
    nodes = root.findall("e:AttachmentEncoded/e:Attachment", ns)
    if len(nodes) > MAX_ATTACHMENTS:
        raise _refuse(gettext("quá nhiều tệp đính kèm."))
    for node in nodes:
        try:
            payload = base64.b64decode(_text(node, "e:ContentTransferEncoded"), validate=True)
        except (binascii.Error, ValueError):
            raise _refuse(gettext("tệp đính kèm không đúng mã base64.")) from None
        attachments.append(
            Attachment(
                name=_text(node, "e:AttachmentName"),
                content_type=_text(node, "e:ContentType"),
                data=payload,
                content_id=_text(node, "e:ContentId"),
            )
        )
    from_node = message.find("e:From", ns)
    assert from_node is not None
    return Packet(
        document_id=_text(message, "e:DocumentId"),
        sender=_read_organ(from_node),
        recipients=tuple(_read_organ(n) for n in message.findall("e:To", ns)),
        code_number=_text(message, "e:Code/e:CodeNumber"),
        code_notation=_text(message, "e:Code/e:CodeNotation"),
        place=_text(message, "e:PromulgationInfo/e:Place"),
        promulgation_date=_date(_text(message, "e:PromulgationInfo/e:PromulgationDate")),
        type_code=int(_text(message, "e:DocumentType/e:Type")),
        type_detail=int(_text(message, "e:DocumentType/e:TypeDetail")),
        type_name=_text(message, "e:DocumentType/e:TypeName"),
        subject=_text(message, "e:Subject"),
        content=_text(message, "e:Content"),
        signer_competence=_text(message, "e:SignerInfo/e:Competence"),
        signer_position=_text(message, "e:SignerInfo/e:Position"),
        signer_full_name=_text(message, "e:SignerInfo/e:FullName"),
        due_date=_date(due) if due else None,
        to_places=tuple(n.text or "" for n in message.findall("e:ToPlaces/e:Place", ns)),
        priority=int(_text(message, "e:OtherInfo/e:Priority")),
        page_amount=int(pages) if (pages := _text(message, "e:OtherInfo/e:PageAmount")) else None,
        steering_type=int(_text(message, "e:SteeringType")),
        sent_at=_moment(_text(trace, "e:TraceHeader/e:Timestamp")),
        business_doc_type=int(_text(trace, "e:Bussiness/e:BussinessDocType")),
        response_for=tuple(
            Reference(
                organ_id=_text(n, "e:OrganId"),
                code=_text(n, "e:Code"),
                promulgation_date=_date(_text(n, "e:PromulgationDate")),
                document_id=_text(n, "e:DocumentId"),
            )
            for n in message.findall("e:ResponseFor", ns)
        ),
        attachments=tuple(attachments),
    )
