"""A user without a browser: real HTTP (requests), real forms parsed from the page, the CSRF
token and every hidden field sent back as a browser would. Forms are chosen by the text of the
button a user would press."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

import requests


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self.links: list[tuple[str, str]] = []
        self._form: dict | None = None
        self._button: dict | None = None
        self._link: list | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = {
                "action": a.get("action", ""),
                "method": a.get("method", "get").lower(),
                "fields": [],
                "buttons": [],
            }
            self.forms.append(self._form)
        elif tag == "a" and "href" in a:
            self._link = [a["href"], ""]
        elif self._form is None:
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                self._form["fields"].append((a.get("name"), None, kind, a.get("value", "on")))
                return
            if kind == "file":
                return
            self._form["fields"].append((a.get("name"), a.get("value", ""), kind, None))
        elif tag == "button":
            self._button = {"name": a.get("name"), "value": a.get("value", ""), "text": ""}
            self._form["buttons"].append(self._button)
        elif tag == "select":
            self._select = a.get("name")
            self._form["fields"].append((self._select, None, "select", None))
        elif tag == "option" and self._select is not None:
            fields = self._form["fields"]
            name, value, kind, _ = fields[-1]
            if value is None or "selected" in a:
                fields[-1] = (name, a.get("value", ""), kind, None)
        elif tag == "textarea":
            self._textarea = a.get("name")
            self._form["fields"].append((self._textarea, "", "textarea", None))

    def handle_data(self, data: str) -> None:
        if self._button is not None:
            self._button["text"] += data
        if self._link is not None:
            self._link[1] += data
        if self._textarea is not None and self._form is not None:
            name, value, kind, extra = self._form["fields"][-1]
            self._form["fields"][-1] = (name, value + data, kind, extra)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "button":
            self._button = None
        elif tag == "a" and self._link is not None:
            self.links.append((self._link[0], " ".join(self._link[1].split())))
            self._link = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


class User:
    def __init__(self, base: str) -> None:
        self.base = base
        self.http = requests.Session()
        self.page = ""
        self.url = base

    def get(self, path: str) -> str:
        resp = self.http.get(urljoin(self.base, path), timeout=60)
        assert resp.status_code == 200, (path, resp.status_code, resp.text[:500])
        self.page, self.url = resp.text, resp.url
        return self.page

    def link(self, text: str) -> str:
        parser = _Forms()
        parser.feed(self.page)
        for href, label in parser.links:
            if label == text:
                return urljoin(self.url, href)
        raise AssertionError(f"no link “{text}” on {self.url}")

    def press(
        self, button: str, fill: dict | None = None, expect: int = 200, action: str | None = None
    ) -> str:
        """Submit the form holding ``button`` (its text) with ``fill`` over its fields; with
        ``action``, only a form posting to that path (when the page has several such buttons)."""
        parser = _Forms()
        parser.feed(self.page)
        for form in parser.forms:
            if (
                action is not None
                and urlparse(urljoin(self.url, form["action"] or self.url)).path != action
            ):
                continue
            pressed = next(
                (b for b in form["buttons"] if " ".join(b["text"].split()) == button), None
            )
            if pressed is None:
                continue
            data: list[tuple[str, str]] = []
            fill = dict(fill or {})
            for name, value, kind, option in form["fields"]:
                if not name:
                    continue
                if name in fill:
                    if kind in ("checkbox", "radio"):
                        if str(fill[name]) == (option if value is None else value):
                            data.append((name, str(fill[name])))
                        continue
                    data.append((name, str(fill.pop(name))))
                elif value is not None:
                    data.append((name, value))
            data += [(k, str(v)) for k, v in fill.items() if k not in dict(data)]
            if pressed["name"]:
                data.append((pressed["name"], pressed["value"]))
            url = urljoin(self.url, form["action"] or self.url)
            resp = self.http.post(url, data=data, timeout=120)
            assert resp.status_code == expect, (button, resp.status_code, resp.text[:800])
            self.page, self.url = resp.text, resp.url
            return self.page
        raise AssertionError(f"no button “{button}” on {self.url}")

    def login(self, username: str, password: str) -> None:
        self.http.cookies.clear()
        self.get("/auth/login")
        self.press("Đăng nhập", {"username": username, "password": password})
        assert not re.search(r'id="password"', self.page), "login refused"
