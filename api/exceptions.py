"""Errors of the public API: a JSON body that says what is allowed."""

from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound
from rest_framework.views import exception_handler


class _WithPayload:
    def __init__(self, payload: dict):
        self.payload = payload
        super().__init__(payload["detail"])


class BadQuery(_WithPayload, APIException):
    """A request the API refuses: unknown parameter or value (400)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("Requête invalide.")
    default_code = "bad_query"


class PageNotFound(_WithPayload, NotFound):
    """A page past the last one (404)."""


def handler(exc, context):
    """DRF's handler, with the payload of our errors kept as it is (DRF
    would turn its numbers into strings)."""
    response = exception_handler(exc, context)
    if response is not None and isinstance(exc, _WithPayload):
        response.data = exc.payload
    return response
