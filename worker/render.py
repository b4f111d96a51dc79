"""Pure .docx rendering: a template and a plain dict in, the document's bytes out.

Every string of the context is passed through :func:`clean_text` and rendered with
``autoescape=True`` and ``StrictUndefined``, so ``< > & " '`` and ``{{ }}``/``{% %}`` in user text
come out literally and a variable the template needs but the context lacks is an error, not a gap.
"""

from __future__ import annotations

import io
import os
import re
import resource
import select
import signal
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from lxml import etree  # type: ignore[import-untyped]

from app.services.uploads import docx_problem
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
        "\u2028": "\n",
        "\u2029": "\n",
        "\x85": "\n",
    }
)


# Any character clean_text changes: the line breaks above and the illegal ones.
_UNCLEAN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\r\x07\x85\u2028\u2029\ud800-\udfff\ufffe\uffff]")


class TemplateRejected(ValueError):
    """An uploaded template cannot be used; the message is for the user (Vietnamese)."""


def clean_text(text: str) -> str:
    """Make user text safe for docxtpl while keeping every visible character.

    Word's soft return ``\\x0b`` (and ``\\r``, ``\\a``, ``\\f``, U+2028/2029) becomes a line break
    ``\\n``, a tab stays a tab (docxtpl writes it as ``<w:tab/>``), other XML-illegal characters
    (``\\x01``…) are dropped.
    ``< > & " '`` and template syntax are left as they are: autoescape writes them literally.
    """
    if not text or not _UNCLEAN.search(text):  # most text has nothing to change
        return text
    text = text.replace("\r\n", "\n").translate(_LINE_BREAKS)
    return _ILLEGAL.sub("", text)


def clean_context(value: Any) -> Any:
    """Apply :func:`clean_text` to every string inside dicts, lists and tuples."""
    kind = type(value)  # the exact types first: a context is hundreds of thousands of them
    if kind is str:
        return value if not value or not _UNCLEAN.search(value) else clean_text(value)
    if kind is dict:
        return {k: clean_context(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [clean_context(v) for v in value]
    if kind is int or kind is float or kind is bool or value is None:
        return value
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, Mapping):
        return {k: clean_context(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_context(v) for v in value]
    return value


def _environment() -> ImmutableSandboxedEnvironment:
    """Every .docx template — official or uploaded by an agency — renders in Jinja's immutable
    sandbox: no attribute starting with ``_`` (so no ``__class__``/``__subclasses__``), no
    function or method that is not safe, no mutation of the context, ``range`` bounded."""
    return ImmutableSandboxedEnvironment(autoescape=True, undefined=StrictUndefined)


def _load(template: TemplateSource) -> DocxTemplate:
    source = io.BytesIO(template) if isinstance(template, bytes) else str(template)
    return DocxTemplate(source)


def render_docx(template: TemplateSource, context: Mapping[str, Any]) -> bytes:
    """Render ``template`` (bytes or path of a .docx) with ``context``; return the .docx bytes."""
    doc = _load(template)
    doc.render(clean_context(context), jinja_env=_environment(), autoescape=True)
    drop_empty_runs(doc)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def drop_empty_runs(doc: DocxTemplate) -> None:
    """Remove the empty runs docxtpl leaves around each ``{%r …%}`` tag (a run with nothing but
    an empty ``w:t``, no properties): the body's runs are then only those that print."""
    body = doc.docx.element.body
    # found by XPath (in C), not by visiting every run in Python (a 10,000-row table has
    # hundreds of thousands)
    for r in _EMPTY_RUNS(body):
        r.getparent().remove(r)


# a run whose only child (as ``len`` counts them: elements, comments, instructions) is a w:t
# with no text
_EMPTY_RUNS = etree.XPath(
    ".//w:r[count(*|comment()|processing-instruction()) = 1][w:t[not(text())]]",
    namespaces={"w": _W[1:-1]},
)


def _ensure_docx(data: bytes) -> None:
    problem = docx_problem(data, "Tệp mẫu")
    if problem:
        raise TemplateRejected(problem)


def template_variables(template: TemplateSource) -> set[str]:
    """Top-level names the template reads (docxtpl's undeclared variables)."""
    if isinstance(template, bytes):
        _ensure_docx(template)
    try:
        return set(_load(template).get_undeclared_template_variables(jinja_env=_environment()))
    except TemplateSyntaxError as e:
        raise TemplateRejected(f"Mẫu có lỗi cú pháp ở thẻ {{{{ }}}} / {{% %}}: {e.message}") from e


class _Sample:
    """A stand-in for every value the system supplies, used to render an uploaded template once
    before accepting it: any public attribute, item or iteration gives another sample (one item
    per loop, so loop bodies render too), printing gives ``1``."""

    def __getattr__(self, name: str) -> _Sample:
        if name.startswith("_"):
            raise AttributeError(name)
        return _Sample()

    def __getitem__(self, key: object) -> _Sample:
        return _Sample()

    def __iter__(self):  # noqa: ANN204
        return iter([_Sample()])

    def __len__(self) -> int:
        return 1

    def __str__(self) -> str:
        return "1"  # also a valid width, size or count where a template prints one

    def __int__(self) -> int:
        return 1

    def __float__(self) -> float:
        return 1.0

    def __index__(self) -> int:
        return 1

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Sample)

    def __hash__(self) -> int:
        return 1

    def __lt__(self, other: object) -> bool:
        return False

    __le__ = __gt__ = __ge__ = __lt__

    def __add__(self, other: object) -> _Sample:
        return self

    __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __mod__ = __add__


def sample_context(kind: str) -> dict[str, Any]:
    """A sample value for every name the system supplies for ``kind``."""
    return {name: _Sample() for name in SUPPLIED[kind]}


def render_sample(data: bytes, kind: str) -> bytes:
    """Render ``data`` once, in the sandbox, with :func:`sample_context`. Raises
    :class:`TemplateRejected` when the template tries something the sandbox forbids or fails."""
    try:
        doc = _load(data)
        doc.render(sample_context(kind), jinja_env=_environment(), autoescape=True)
        out = io.BytesIO()
        doc.save(out)
    except SecurityError as e:
        raise TemplateRejected(
            "Mẫu dùng thao tác không được phép trong thẻ {{ }} / {% %} "
            "(chỉ được đọc các biến hệ thống cung cấp)."
        ) from e
    except TemplateSyntaxError as e:
        raise TemplateRejected(f"Mẫu có lỗi cú pháp ở thẻ {{{{ }}}} / {{% %}}: {e.message}") from e
    except (TemplateError, TypeError, ValueError, KeyError, AttributeError) as e:
        raise TemplateRejected(f"Mẫu không dựng được văn bản thử: {e}"[:500]) from e
    return out.getvalue()


def check_template(data: bytes, kind: str) -> list[str]:
    """Names the template needs that the system does not supply for ``kind`` (sorted).

    An empty list means the template can be accepted: it is a bounded .docx
    (:func:`app.services.uploads.docx_problem`), its tags parse, and it rendered once in the
    sandbox with sample data. Raises :class:`TemplateRejected` otherwise, ``KeyError`` for an
    unknown kind.
    """
    supplied = SUPPLIED[kind]
    missing = sorted(template_variables(data) - supplied)
    if not missing:
        render_sample(data, kind)
    return missing


CHECK_SECONDS = 20
CHECK_MEMORY = 256 * 1024 * 1024  # address space the check may add to the worker's


def _vm_size() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


def check_template_isolated(
    data: bytes, kind: str, seconds: float = CHECK_SECONDS, memory: int = CHECK_MEMORY
) -> list[str]:
    """:func:`check_template` in a forked child limited to ``seconds`` of CPU and wall time and
    ``memory`` more bytes of address space; a child that runs out of either, or dies, is a
    refusal, never a hang. The limits are what keeps a hostile template from exhausting the
    worker; the container bounds are checked first, in this process (cheap)."""
    _ensure_docx(data)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: never returns
        code = 0
        try:
            os.close(read)
            cpu = max(1, int(seconds))
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
            limit = _vm_size() + memory
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            try:
                answer = "ok\n" + "\n".join(check_template(data, kind))
            except TemplateRejected as e:
                answer = "rejected\n" + str(e)
            except MemoryError:
                answer = "memory\n"
            except RecursionError:
                answer = "rejected\nMẫu lồng thẻ quá sâu."
            except Exception as e:  # noqa: BLE001 — any failure is a refusal with a message
                answer = f"rejected\nMẫu không dựng được văn bản thử: {type(e).__name__}"
            os.write(write, answer.encode("utf-8")[:65536])
        except BaseException:  # noqa: BLE001
            code = 1
        finally:
            os._exit(code)
    os.close(write)
    chunks: list[bytes] = []
    deadline = time.monotonic() + seconds + 2
    timed_out = False
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            ready, _, _ = select.select([read], [], [], left)
            if not ready:
                continue
            chunk = os.read(read, 65536)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read)
        if timed_out:
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    if timed_out or (os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGXCPU, 9)):
        raise TemplateRejected(
            f"Kiểm tra mẫu quá {int(seconds)} giây nên mẫu bị từ chối; "
            "vui lòng dùng mẫu đơn giản hơn."
        )
    head, _, rest = b"".join(chunks).decode("utf-8", "replace").partition("\n")
    if head == "ok":
        return [n for n in rest.split("\n") if n]
    if head == "memory":
        raise TemplateRejected(
            f"Kiểm tra mẫu cần quá {memory // (1024 * 1024)} MB bộ nhớ nên mẫu bị từ chối."
        )
    if head == "rejected":
        raise TemplateRejected(rest)
    raise TemplateRejected("Không kiểm tra được mẫu (tiến trình kiểm tra dừng bất thường).")
