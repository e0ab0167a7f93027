"""Shared pieces of the portal's forms."""

from crispy_forms.helper import FormHelper


def form_helper(*, required_notice: bool = True) -> FormHelper:
    """A crispy helper for a form whose <form> tag and CSRF token the
    template writes itself (crispy_dsfr pack)."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.show_required_notice = required_notice
    return helper
