"""Does a certificate name the person printed as signer, or the agency? The one matching rule
(issue 15), used at key upload (admin), at signing (worker) and on the document page.

A certificate's subject is read as a dict of attribute → values (``subject_values``): common
name (CN), organisation (O), organisational unit (OU), and any other attribute (UID,
serialNumber …) whose value is a string.

Names are compared **normalised** (``normalise``):
- Unicode NFC (a name typed with combining marks equals the precomposed one);
- the old and the new placement of the tone mark on "oa, oe, uy" are the same name
  ("Hoà" = "Hòa", "Thuỷ" = "Thủy", "Uỷ ban" = "Ủy ban");
- case-folded ("NGUYỄN VĂN AN" = "Nguyễn Văn An"), spaces collapsed, the punctuation around
  names (".", ",", "-") as spaces;
- the abbreviations of agency names ``ABBREVIATIONS`` written out ("UBND" = "Ủy ban nhân dân").

Diacritics are significant: "Lê Văn Hân" is not "Lê Văn Hần" nor "Le Van Han" — except that
a certificate whose name is written entirely without diacritics (some CAs issue ASCII-only
names) matches a name that equals it once the diacritics are removed (``strip_marks``: "đ" →
"d"). A name with any diacritic must match exactly.

- A **person** (signer key, the signer's signature): the certificate's CN equals the person's
  full name (the account's name at upload; the name printed in the signer block at signing
  and on the page).
- An **agency** (seal key, the agency's signature): the CN or O equals the agency's name or
  abbreviation, or any attribute value equals or contains the agency's organisation code
  (mã định danh, ``000.00.00.H57``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

#: Abbreviations written out before agency names are compared (normalised forms).
ABBREVIATIONS = {
    "ubnd": "ủy ban nhân dân",
    "hđnd": "hội đồng nhân dân",
    "tp": "thành phố",
}

#: The two placements of the tone mark on a final "oa, oe, uy" ("hoà"/"hòa", "thuỷ"/"thủy";
#: both are seen in certificates): compared with the mark on the first vowel.
_TONES = "\u0300\u0301\u0309\u0303\u0323"  # grave, acute, hook, tilde, dot below
_OLD_TONE = re.compile(rf"([oO])([aAeE])([{_TONES}])(?!\w)|([uU])([yY])([{_TONES}])(?!\w)")

SubjectValues = Mapping[str, list[str]]


def _tone_first(m: re.Match[str]) -> str:
    first, second, tone = (m.group(1), m.group(2), m.group(3)) if m.group(1) else m.groups()[3:]
    return first + tone + second


def normalise(text: str) -> str:
    """The form two names are compared in (see the module's docstring)."""
    decomposed = unicodedata.normalize("NFD", text or "")
    # a tone mark on the second vowel of a final "oa, oe, uy" moves to the first
    decomposed = _OLD_TONE.sub(_tone_first, decomposed)
    composed = unicodedata.normalize("NFC", decomposed).casefold()
    words = re.sub(r"[.,;:\-–—_()\"“”']+", " ", composed).split()
    return " ".join(ABBREVIATIONS.get(w, w) for w in words)


def strip_marks(text: str) -> str:
    """``text`` without diacritics ("Nguyễn Đức" → "Nguyen Duc")."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def same_name(in_certificate: str, expected: str) -> bool:
    """The certificate's name and the expected one are the same name."""
    got, want = normalise(in_certificate), normalise(expected)
    if not got or not want:
        return False
    if got == want:
        return True
    return got.isascii() and got == strip_marks(want)


def subject_values(pairs: Iterable[tuple[str, object]]) -> dict[str, list[str]]:
    """(attribute name, value) pairs of a subject as a dict of string values."""
    out: dict[str, list[str]] = {}
    for key, value in pairs:
        values = value if isinstance(value, list | tuple) else [value]
        for v in values:
            if isinstance(v, str) and v.strip():
                out.setdefault(key, []).append(v.strip())
    return out


def common_name(subject: SubjectValues) -> str:
    return (subject.get("common_name") or [""])[0]


def person_matches(subject: SubjectValues, full_name: str) -> bool:
    return any(same_name(cn, full_name) for cn in subject.get("common_name", []))


def agency_matches(
    subject: SubjectValues, names: Iterable[str | None], organ_id: str | None
) -> bool:
    wanted = [n for n in names if n]
    for key in ("common_name", "organization_name"):
        for value in subject.get(key, []):
            if any(same_name(value, n) for n in wanted):
                return True
    if organ_id:
        code = organ_id.upper()
        return any(code in v.upper() for values in subject.values() for v in values)
    return False
