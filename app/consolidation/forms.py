from flask_wtf import FlaskForm


class CreateForm(FlaskForm):
    """Only the CSRF token: the consolidated report is drafted from the figures shown."""
