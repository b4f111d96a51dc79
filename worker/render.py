"""Pure .docx rendering: a template and a plain dict in, the document's bytes out.

Every string of the context is passed through :func:`clean_text` and rendered with
``autoescape=True`` and ``StrictUndefined``, so ``< > & " '`` and ``{{ }}``/``{% %}`` in user text
come out literally and a variable the template needs but the context lacks is an error, not a gap.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate
from jinja2 import Environment, StrictUndefined, TemplateSyntaxError

from worker.contexts import SUPPLIED

TemplateSource = bytes | str | Path

# XML 1.0 forbids C0 controls except \t \n \r, lone surrogates and U+FFFE/U+FFFF.
_ILLEGAL = re.compile("[\x00-\x08\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAKS = str.maketrans(
    {
        "\r": "\n",
        "\x0b": "\n",
        "\x07": "\n",
        "\x0c": "\n",
        "\t": " ",
        "\u2028": "\n",
        "\u2029": "\n",
        "\x85": "\n",
    }
)


class TemplateRejected(ValueError):
    """An uploaded template cannot be used; the message is for the user (Vietnamese)."""


def clean_text(text: str) -> str:
    """Make user text safe for docxtpl while keeping every visible character.

    Word's soft return ``\\x0b`` (and ``\\r``, ``\\a``, ``\\f``, U+2028/2029) becomes a line break
    ``\\n``, a tab becomes a space, other XML-illegal characters (``\\x01``…) are dropped.
    ``< > & " '`` and template syntax are left as they are: autoescape writes them literally.
    """
    if not text:
        return text
    text = text.replace("\r\n", "\n").translate(_LINE_BREAKS)
    return _ILLEGAL.sub("", text)


def clean_context(value: Any) -> Any:
    """Apply :func:`clean_text` to every string inside dicts, lists and tuples."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, Mapping):
        return {k: clean_context(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_context(v) for v in value]
    return value


def _environment() -> Environment:
    return Environment(autoescape=True, undefined=StrictUndefined)


def _load(template: TemplateSource) -> DocxTemplate:
    source = io.BytesIO(template) if isinstance(template, bytes) else str(template)
    return DocxTemplate(source)


def render_docx(template: TemplateSource, context: Mapping[str, Any]) -> bytes:
    """Render ``template`` (bytes or path of a .docx) with ``context``; return the .docx bytes."""
    doc = _load(template)
    doc.render(clean_context(context), jinja_env=_environment(), autoescape=True)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _ensure_docx(data: bytes) -> None:
    if not data.startswith(b"PK"):
        raise TemplateRejected("Tệp tải lên không phải là tệp Word (.docx).")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
    except zipfile.BadZipFile:
        raise TemplateRejected("Tệp tải lên bị hỏng hoặc không phải là tệp Word (.docx).") from None
    if "word/document.xml" not in names:
        raise TemplateRejected(
            "Tệp tải lên không phải là tệp Word (.docx): thiếu phần nội dung văn bản."
        )


def template_variables(template: TemplateSource) -> set[str]:
    """Top-level names the template reads (docxtpl's undeclared variables)."""
    if isinstance(template, bytes):
        _ensure_docx(template)
    try:
        return set(_load(template).get_undeclared_template_variables(jinja_env=_environment()))
    except TemplateSyntaxError as e:
        raise TemplateRejected(f"Mẫu có lỗi cú pháp ở thẻ {{{{ }}}} / {{% %}}: {e.message}") from e


def check_template(data: bytes, kind: str) -> list[str]:
    """Names the template needs that the system does not supply for ``kind`` (sorted).

    An empty list means the template can be accepted. Raises :class:`TemplateRejected` when the
    bytes are not a .docx or the tags do not parse, ``KeyError`` for an unknown kind.
    """
    supplied = SUPPLIED[kind]
    return sorted(template_variables(data) - supplied)
