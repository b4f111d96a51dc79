from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, TextAreaField

import forms as form_engine
from app.inputs import BoundedForm


class ActionForm(BoundedForm):
    trigger = HiddenField()
    version = HiddenField()
    comment = TextAreaField(_l("Lý do trả lại"))


def report_form_class(schema: dict) -> type:
    """The generated form for a report schema, with CSRF and the hidden edit version."""
    cls = form_engine.build_form_class(schema, base=BoundedForm)
    return type(cls.__name__, (cls,), {"kh_version": HiddenField()})
