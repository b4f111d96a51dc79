"""One way to type a date everywhere: dd/mm/yyyy in a text box (native date inputs show
mm/dd/yyyy or the browser's locale), read also as d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy and ISO."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask_babel import gettext
from wtforms import DateField
from wtforms.validators import StopValidation
from wtforms.widgets import TextInput

_DMY = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def parse_dmy(text: str | None) -> date | None:
    """The date typed, or None if blank; ValueError if it is not a date."""
    s = (text or "").strip()
    if not s:
        return None
    m = _DMY.fullmatch(s)
    if m:
        d, mo, y = (int(g) for g in m.groups())
        return date(y, mo, d)
    m = _ISO.fullmatch(s)
    if m:
        return date.fromisoformat(s)
    raise ValueError(s)


def iso_or_text(text: Any) -> Any:
    """A typed dd/mm/yyyy as ISO text (what plan files keep); anything else unchanged."""
    if not isinstance(text, str):
        return text
    try:
        d = parse_dmy(text)
    except ValueError:
        return text
    return d.isoformat() if d else text


class DMYDateField(DateField):
    """A date typed dd/mm/yyyy; the error is Vietnamese and names the field."""

    widget = TextInput()
    data: Any

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        render_kw = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}
        render_kw.update(kwargs.pop("render_kw", None) or {})
        super().__init__(label, validators, format="%d/%m/%Y", render_kw=render_kw, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return " ".join(self.raw_data)
        return self.data.strftime("%d/%m/%Y") if self.data else ""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self._bad: str | None = None
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        try:
            self.data = parse_dmy(str(valuelist[0]))
        except ValueError:
            self.data = None
            label = str(self.label.text).split(" (")[0]
            # said before any "required" check, which would call a typed date "missing"
            self._bad = gettext(
                "“%(label)s” không phải là ngày hợp lệ (ngày/tháng/năm).", label=label
            )

    def pre_validate(self, form: Any) -> None:
        if getattr(self, "_bad", None):
            raise StopValidation(self._bad)
