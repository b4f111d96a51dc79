"""Translation hook for the user-facing messages of the form engine.

The messages are written in Vietnamese (the msgid is the Vietnamese text). The package stays free of
Flask: the application installs its translator once, e.g. ``set_translator(flask_babel.gettext)``,
and every message is looked up when it is produced, so a request in English gets English.
"""

from __future__ import annotations

from collections.abc import Callable

_translator: Callable[[str], str] = lambda message: message  # noqa: E731


def set_translator(translator: Callable[[str], str]) -> None:
    """Install the gettext-like function used for every message of ``forms``."""
    global _translator
    _translator = translator


def _(message: str, **params: object) -> str:
    """Translate ``message`` and fill its ``{placeholders}`` with ``params``."""
    text = _translator(message)
    return text.format(**params) if params else text
