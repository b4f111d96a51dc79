"""Helpers for the editor tests: read a page's <form> inputs as the browser would send them."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.web.conftest import login, people, plan  # noqa: F401  (fixtures)


class _Form(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: list[tuple[str, str]] = []
        self._in_form = False
        self._textarea: str | None = None
        self._text = ""
        self._select: str | None = None
        self._selected: str | None = None
        self._first_option: str | None = None

    def handle_starttag(self, tag, attrs):  # noqa: ANN001, ANN201
        a = dict(attrs)
        if tag == "form" and "editor" in (a.get("class") or ""):
            self._in_form = True
        if not self._in_form:
            return
        if tag == "input" and a.get("name"):
            t = a.get("type", "text")
            if t == "checkbox":
                if "checked" in a:
                    self.fields.append((a["name"], a.get("value", "on")))
            elif t not in ("submit", "button"):
                self.fields.append((a["name"], a.get("value") or ""))
        elif tag == "textarea":
            self._textarea, self._text = a["name"], ""
        elif tag == "select":
            self._select, self._selected, self._first_option = a["name"], None, None
        elif tag == "option" and self._select:
            if self._first_option is None:
                self._first_option = a.get("value", "")
            if "selected" in a:
                self._selected = a.get("value", "")

    def handle_data(self, data):  # noqa: ANN001, ANN201
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag):  # noqa: ANN001, ANN201
        if tag == "form":
            self._in_form = False
        if tag == "textarea" and self._textarea is not None:
            text = self._text[1:] if self._text.startswith("\n") else self._text
            self.fields.append((self._textarea, text))
            self._textarea = None
        if tag == "select" and self._select is not None:
            self.fields.append(
                (
                    self._select,
                    self._selected if self._selected is not None else (self._first_option or ""),
                )
            )
            self._select = None


def form_fields(html: str) -> dict[str, str]:
    p = _Form()
    p.feed(html)
    return dict(p.fields)


@pytest.fixture
def form_of():  # noqa: ANN201
    return form_fields
