"""Structured body text of a plan, as a clerk types it (docs/plan-format.md, "Văn bản có cấu
trúc"): one parser for the loader, the editor and the worker's documents.

The markup is the text of the document itself:

* every non-empty line is one paragraph, printed as typed;
* a line may start with a marker — ``-``, ``+``, ``•``, ``(1)``, ``1.``, ``1)``, ``1.2.``, ``a)``,
  ``(a)`` — which is kept exactly as typed (nothing is ever added or renumbered); markers give
  the text its structure: a kind of marker not seen yet in the current item opens a deeper level,
  one already open goes back to it, a line without a marker continues the current item;
* ``**bold**``, ``*italic*`` and ``***bold italic***`` inside a line; ``\\*`` is a literal
  asterisk, an asterisk without its pair stays as it is.

Bounded (:data:`MAX_CHARS`, :data:`MAX_LINES`, :data:`MAX_DEPTH`): :func:`problems` says, in
Vietnamese, what is too long or too deep; :func:`parse` never fails.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from forms import bounds

MAX_CHARS = bounds.LONG_TEXT_MAX  # one text (a section's body, an agency's tasks): any long text
MAX_LINES = 1_000
MAX_LINE = 10_000  # one paragraph
MAX_DEPTH = 8  # levels of items; real plans use 4 (1. → a) → - → +)

# (kind, pattern) in the order they are tried; the pattern matches the marker and its space
_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("dash", re.compile(r"^([-–—])\s+")),
    ("plus", re.compile(r"^(\+)\s+")),
    ("dot", re.compile(r"^([•·▪◦])\s*")),
    ("paren_num", re.compile(r"^(\(\d{1,3}\))\s+")),
    ("paren_letter", re.compile(r"^(\([a-zđ]\))\s+")),
    ("multi_num", re.compile(r"^(\d{1,3}(?:\.\d{1,3})+\.?)\s+")),
    ("num", re.compile(r"^(\d{1,3}\.)\s+")),
    ("num_paren", re.compile(r"^(\d{1,3}\))\s+")),
    ("letter", re.compile(r"^([a-zđ]\))\s+")),
)


@dataclass
class Run:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass
class Para:
    """One paragraph: its marker as typed ("" for none), the marker's kind, its level (0: not
    inside any item; 1: a top item …) and its inline runs (the marker included in the first)."""

    marker: str
    kind: str
    level: int
    runs: list[Run] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)

    @property
    def style(self) -> str:
        """ "bold", "italic", "bold_italic" when the whole paragraph is, else "plain"."""
        shown = [r for r in self.runs if r.text.strip()]
        if shown and all(r.bold for r in shown):
            return "bold_italic" if all(r.italic for r in shown) else "bold"
        if shown and all(r.italic for r in shown):
            return "italic"
        return "plain"


# -- inline ------------------------------------------------------------------------------------


_TOKENS = re.compile(r"\\\*|\*+|[^*\\]+|\\")  # "\*", a run of "*", other text, a lone "\"


def parse_inline(text: str, bold: bool = False, italic: bool = False) -> list[Run]:
    """``**bold**``, ``*italic*``, ``***both***`` → runs (adjacent equal runs merged); ``\\*`` is a
    literal asterisk; an unpaired ``*``/``**`` is text. ``bold``/``italic``: the paragraph's own
    emphasis, added to every run.

    A delimiter opens when a non-space follows it and closes when a non-space precedes it; a
    closer pairs with the nearest open delimiter of the same length, and the delimiters opened
    after that one stay text. One pass with a stack: linear in the text, whatever it holds."""
    s = text
    tokens = [(m.start(), m.end()) for m in _TOKENS.finditer(s)]
    stack: list[int] = []  # indices of open delimiters, innermost last
    closer_of: dict[int, int] = {}
    for i, (a, b) in enumerate(tokens):
        n = b - a
        if s[a] != "*" or n > 3:
            continue
        if a > 0 and not s[a - 1].isspace():  # may close
            for k in range(len(stack) - 1, -1, -1):
                j = stack[k]
                if tokens[j][1] - tokens[j][0] == n:
                    closer_of[j] = i
                    del stack[k:]
                    break
            else:
                k = -1
            if k >= 0:
                continue
        if b < len(s) and not s[b].isspace():  # may open
            stack.append(i)
            if len(stack) > 3 * MAX_DEPTH:  # never more than a few pairs are open at once
                del stack[0]
    closers = {c: o for o, c in closer_of.items()}
    runs: list[Run] = []
    b_level = i_level = 0
    for i, (a, b) in enumerate(tokens):
        n = b - a
        if i in closer_of or i in closers:
            step = 1 if i in closer_of else -1
            b_level += step if n >= 2 else 0
            i_level += step if n in (1, 3) else 0
            continue
        shown = "*" if s[a:b] == "\\*" else s[a:b]  # an escaped asterisk prints as one
        runs.append(Run(shown, bold or b_level > 0, italic or i_level > 0))
    out: list[Run] = []
    parts: list[list[str]] = []
    for r in runs:
        if not r.text:
            continue
        if out and (out[-1].bold, out[-1].italic) == (r.bold, r.italic):
            parts[-1].append(r.text)
        else:
            out.append(r)
            parts.append([r.text])
    for r, texts in zip(out, parts, strict=True):
        r.text = "".join(texts)
    return out


def plain(text: str) -> str:
    """The text without its emphasis marks (what the document prints)."""
    return "".join(r.text for r in parse_inline(text))


# -- paragraphs --------------------------------------------------------------------------------


def marker_of(line: str) -> tuple[str, str, str]:
    """(marker as typed, kind, rest) of a line; ("", "", line) when it has none. A marker inside
    the paragraph's emphasis ("**1. Quan điểm**") counts."""
    lead = len(line) - len(line.lstrip("*"))
    for kind, rx in _MARKERS:
        m = rx.match(line[lead:]) if lead <= 3 else None
        if m:
            return m.group(1), kind, line[:lead] + line[lead + m.end() :]
    return "", "", line


def lines_of(text: str) -> list[str]:
    """The paragraphs of a text: its non-empty lines, stripped; CR/LF, Word's soft return
    (``\\v``) and the Unicode separators all end a line."""
    t = re.sub(r"\r\n?|[\v\f\x85\u2028\u2029]", "\n", text or "")
    return [ln.strip() for ln in t.split("\n") if ln.strip()]


def normalize(text: str) -> str:
    """The text as stored: its paragraphs, one a line (blank lines and surrounding spaces
    dropped, every kind of line end a "\\n"), so a file, the editor and a browser's CRLF give the
    same text."""
    return "\n".join(lines_of(text))


def parse(text: str, *, bold: bool = False, italic: bool = False) -> list[Para]:
    """The paragraphs of ``text`` with their markers, levels and runs. Never fails: a text
    over the bounds is cut (:func:`problems` reports it)."""
    out: list[Para] = []
    stack: list[str] = []  # kinds of the open levels, outermost first
    for line in lines_of(text[:MAX_CHARS])[:MAX_LINES]:
        marker, kind, _rest = marker_of(line)
        if kind:
            if kind in stack:
                del stack[stack.index(kind) + 1 :]
            elif len(stack) < MAX_DEPTH:
                stack.append(kind)
            else:
                stack[-1] = kind
        out.append(Para(marker, kind, len(stack), parse_inline(line[:MAX_LINE], bold, italic)))
    return out


def depth(text: str) -> int:
    """The deepest level of items in ``text`` (unbounded count, for :func:`problems`)."""
    stack: list[str] = []
    deepest = 0
    for line in lines_of(text[: MAX_CHARS * 2])[: MAX_LINES * 2]:
        _m, kind, _r = marker_of(line)
        if kind:
            if kind in stack:
                del stack[stack.index(kind) + 1 :]
            else:
                stack.append(kind)
            deepest = max(deepest, len(stack))
    return deepest


def problems(text: object, what: str = "Nội dung") -> list[str]:
    """Why ``text`` cannot be kept as body text (Vietnamese, naming ``what``); [] when it can."""
    if not isinstance(text, str):
        return [f"{what} phải là văn bản"]
    out = []
    if len(text) > MAX_CHARS:
        out.append(f"{what} dài quá {MAX_CHARS:,} ký tự (hiện có {len(text):,})".replace(",", "."))
    lines = lines_of(text[: MAX_CHARS * 2])
    if len(lines) > MAX_LINES:
        out.append(f"{what} có quá {MAX_LINES} đoạn")
    long = next((i for i, ln in enumerate(lines, 1) if len(ln) > MAX_LINE), None)
    if long:
        out.append(f"{what}: đoạn thứ {long} dài quá {MAX_LINE:,} ký tự".replace(",", "."))
    d = depth(text)
    if d > MAX_DEPTH:
        out.append(f"{what} lồng quá {MAX_DEPTH} cấp (-, +, 1., a), (1)…): có {d} cấp")
    return out


def last_number(paras: Iterable[Para]) -> int:
    """The number of the last top-level numbered item ("3." → 3), 0 if none: what follows it
    (the plan's listed assignments) goes on from there."""
    n = 0
    for p in paras:
        if p.level == 1 and p.kind == "num":
            n = int(p.marker.rstrip("."))
    return n


# -- HTML (the editor's preview and the plan page) ---------------------------------------------


def runs_html(runs: Iterable[Run]) -> str:
    out = []
    for r in runs:
        t = html.escape(r.text)
        if r.italic:
            t = f"<em>{t}</em>"
        if r.bold:
            t = f"<strong>{t}</strong>"
        out.append(t)
    return "".join(out)


def to_html(text: str) -> str:
    """The text as escaped HTML paragraphs, indented by level (class ``rt-lN``)."""
    return "\n".join(
        f'<p class="rt rt-l{p.level}">{runs_html(p.runs)}</p>' for p in parse(text or "")
    )


# -- an agency's tasks ---------------------------------------------------------------------------


def split_items(text: str) -> list[str]:
    """The tasks a text holds, each with its own lines (sub-items, further paragraphs).

    When the first line has a marker ("- …"), every line with a marker of the same kind starts
    a task and the other lines go on with it (a "+" sub-item, a second paragraph). When it has
    none (plan@1's one-task-a-line list), every line without a marker starts a task and a line
    with one (a "+" sub-item) goes on with the task above."""
    lines = lines_of(text)
    if not lines:
        return []
    first_kind = marker_of(lines[0])[1]
    tasks: list[list[str]] = []
    for line in lines:
        kind = marker_of(line)[1]
        new = kind == first_kind if first_kind else not kind
        if new or not tasks:
            tasks.append([line])
        else:
            tasks[-1].append(line)
    return ["\n".join(t) for t in tasks]


def task_text(task: object) -> str:
    """A task's text: a string, or a mapping's ``text``."""
    return str(task.get("text") or "") if isinstance(task, dict) else str(task or "")


def join_items(tasks: Iterable[object]) -> str:
    """The text an editor shows for ``tasks`` (the inverse of :func:`split_items` for every task
    list it produced, and for plan@1's one-line tasks)."""
    return "\n".join(task_text(t) for t in tasks)


def printed_tasks(tasks: Iterable[object], *, inline: bool = False) -> list[str]:
    """The tasks as the plan prints them, in this markup: as typed, except a plan@1 list of
    several tasks none of which starts with a marker, which prints "- " before each task (but
    the first of an ``inline`` assignment, which follows its name: "2. Sở X chỉ đạo …")."""
    texts = [task_text(t) for t in tasks]
    marked = any(marker_of(lines_of(t)[0])[0] for t in texts if lines_of(t))
    dash = not marked and len(texts) > 1
    return [
        f"- {t}" if dash and t.strip() and not (inline and k == 0) else t
        for k, t in enumerate(texts)
    ]


# an assignment's deadline and activity window in words, printed after its tasks
WORDED = (("due_text", "Thời hạn hoàn thành: "), ("window", "Thời gian thực hiện: "))


def _folded(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", plain(text)).lower().split())


def worded_lines(assignment: Mapping[str, object]) -> list[str]:
    """The lines an assignment line prints after its tasks, in this markup: its deadline in
    words ("Thời hạn hoàn thành: trước ngày 25/12.") and its activity window, each as the clerk
    wrote it, unless the tasks already say that wording (nothing is printed twice)."""
    said = _folded(join_items(assignment.get("tasks") or []))  # type: ignore[arg-type]
    out = []
    for key, label in WORDED:
        words = " ".join(str(assignment.get(key) or "").split())
        if not words or _folded(words) in said:
            continue
        end = "" if words[-1] in ".;:!?" else "."
        out.append(label + words.replace("*", "\\*") + end)
    return out


def printed_assignment(assignment: Mapping[str, object]) -> str:
    """An assignment line's tasks (``tasks``, ``inline``) and its deadline and window in words
    (``due_text``, ``window``) as the plan prints them, in this markup (the editor's preview)."""
    tasks = assignment.get("tasks") or []
    printed = printed_tasks(tasks, inline=bool(assignment.get("inline")))  # type: ignore[arg-type]
    return "\n".join(printed + worded_lines(assignment))
