from app.inputs import BoundedForm


class CreateForm(BoundedForm):
    """Only the CSRF token: the consolidated report is drafted from the figures shown."""
