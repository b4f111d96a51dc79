"""The committed English catalog: complete for everything extracted, and the .mo matches the .po."""

from __future__ import annotations

import gettext
import io
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
LC = ROOT / "app" / "translations" / "en" / "LC_MESSAGES"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "N_": None,
    "_l": None,
    "lazy_gettext": None,
}


def _catalog():  # noqa: ANN202
    with (LC / "messages.po").open("rb") as f:
        return read_po(f, locale="en")


def test_mo_is_compiled_from_the_po() -> None:
    buf = io.BytesIO()
    write_mo(buf, _catalog())
    buf.seek(0)
    fresh = gettext.GNUTranslations(buf)
    with (LC / "messages.mo").open("rb") as f:
        committed = gettext.GNUTranslations(f)

    # The messages, not the header: the header names the Babel release that compiled it.
    def messages(t: gettext.GNUTranslations) -> dict:
        return {k: v for k, v in t._catalog.items() if k != ""}  # type: ignore[attr-defined]

    assert messages(committed) == messages(fresh), (
        "messages.mo is stale: run `pybabel compile -d app/translations`"
    )


def test_every_extracted_message_has_an_english_translation() -> None:
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    catalog = _catalog()
    missing = []
    for filename, _lineno, message, _comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        entry = catalog.get(msgid, context=context)
        if entry is None or not entry.string or entry.fuzzy:
            missing.append(f"{filename}: {msgid!r}")
    assert not missing, "untranslated (run pybabel extract/update, then translate):\n" + "\n".join(
        missing
    )


def test_placeholders_survive_translation() -> None:
    import re

    for m in _catalog():
        if not m.id or isinstance(m.id, tuple):
            continue
        for pattern in (r"%\(\w+\)s", r"\{[^}]*\}"):
            assert sorted(re.findall(pattern, m.id)) == sorted(re.findall(pattern, m.string)), m.id
