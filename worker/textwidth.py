"""Kept for imports: the width measure lives in :mod:`app.services.textwidth` (the app's header
name default needs it too, and the app never imports the worker)."""

from app.services.textwidth import bold_width_twips

__all__ = ["bold_width_twips"]
