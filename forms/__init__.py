"""The form engine: schema → validated field types → WTForms class; consolidation of reports.

Pure: imports neither ``app`` nor ``worker``. The app serves ``TEMPLATE_FOLDER`` (macro
``kehoach_forms/render.html``) and ``STATIC_FOLDER`` (``kehoach_forms/forms.js``), e.g. through a
blueprint created with these folders.
"""

from pathlib import Path

from .build import (
    ADD_ROW,
    DRAFT,
    REMOVE_ROW,
    SUBMIT,
    build_form_class,
    data_from_json,
    data_to_formdata,
    form_to_data,
    handle_row_actions,
)
from .consolidate import consolidate
from .exceptions import Problem, SchemaError
from .schema import FormSchema, parse_schema

TEMPLATE_FOLDER = str(Path(__file__).parent / "templates")
STATIC_FOLDER = str(Path(__file__).parent / "static")

__all__ = [
    "ADD_ROW",
    "DRAFT",
    "REMOVE_ROW",
    "STATIC_FOLDER",
    "SUBMIT",
    "TEMPLATE_FOLDER",
    "FormSchema",
    "Problem",
    "SchemaError",
    "build_form_class",
    "consolidate",
    "data_from_json",
    "data_to_formdata",
    "form_to_data",
    "handle_row_actions",
    "parse_schema",
]
