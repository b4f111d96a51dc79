"""The password policy (NIST SP 800-63B, 5.1.1.2): at least 10 characters, at most 128, no
control characters, not a commonly used password (the bundled list), nothing derived from the
user's name; no composition rules, no expiry. Every message is Vietnamese."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

from flask_babel import gettext

from forms import bounds

MIN_LENGTH = 10
MAX_LENGTH = 128
_LIST = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt"


@cache
def common_passwords() -> frozenset[str]:
    """The bundled list of commonly used passwords (lower case)."""
    lines = _LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(ln.strip() for ln in lines if ln.strip() and not ln.startswith("#"))


def _fold(text: str) -> str:
    s = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in s if unicodedata.category(c) != "Mn").lower()


def _letters_digits(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", _fold(text))


def problems(password: str, username: str = "", full_name: str = "") -> list[str]:
    """Why ``password`` may not be used by this user (an empty list: it may)."""
    out: list[str] = []
    if len(password) < MIN_LENGTH or len(password) > MAX_LENGTH:
        out.append(
            gettext(
                "Mật khẩu phải có từ %(min)s đến %(max)s ký tự.", min=MIN_LENGTH, max=MAX_LENGTH
            )
        )
    if bounds.control_char(password) is not None:
        out.append(gettext("Mật khẩu không được chứa ký tự điều khiển."))
    folded = _fold(password)
    core = _letters_digits(password)
    stripped = re.sub(r"\d+$", "", core)  # "matkhau2024" → "matkhau"
    common = common_passwords()
    if folded in common or core in common or (len(stripped) >= 4 and stripped in common):
        out.append(gettext("Mật khẩu này quá phổ biến, dễ bị đoán; vui lòng chọn mật khẩu khác."))
    elif (
        len(set(password)) <= 2
        or core in "01234567890123456789"
        or core in "abcdefghijklmnopqrstuvwxyz"
    ):
        out.append(
            gettext("Mật khẩu quá đơn giản (lặp lại hoặc theo dãy); vui lòng chọn mật khẩu khác.")
        )
    user = _letters_digits(username)
    parts = [_letters_digits(p) for p in full_name.split()]
    derived = [n for n in (user, *parts, _letters_digits(full_name)) if len(n) >= 4]
    derived += [user] if len(user) == 3 else []
    if any(n in core or (core and core in n) or n[::-1] in core for n in derived):
        out.append(gettext("Mật khẩu không được chứa tên đăng nhập hoặc họ tên của bạn."))
    return out
