"""HTML and JavaScript typed by users come back escaped on every page.

Every free-text column of the project's models (CharField and TextField
without choices, identifiers aside) gets the payload appended in the world
of the permission matrix; then every page of the matrix is requested as
each role allowed to see it. No HTML page may contain the payload as markup;
the escaped payload must show on many of them (proof that the fields are
displayed). E-mails are plain text only (no HTML part), their subject on one
line. PDFs: tests/frenchimpact/test_document_escaping.py.
"""

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core import mail
from django.db import models, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Left
from django.test import Client
from django.urls import reverse

from frenchimpact.models import OutboundEmail

from .test_hostile_input import _record
from .test_permission_matrix import OK, URLS, _body
from .world import ANON, COEDITOR_A, EXPERT_A, LEAD_A, REVIEWER_A, STAFF

pytestmark = pytest.mark.django_db

PAYLOAD = "<script>alert(1)</script>\"'><img src=x onerror=alert(1)>"
LIVE = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"

# columns that are identifiers, codes or machine values, not free text
NOT_FREE_TEXT = {
    "slug",
    "code",
    "codes",
    "number",
    "reference",
    "email",
    "sha256",
    "hash",
    "previous_hash",
    "token",
    "verification_code",
    "search_text",
    "siret",
    "lead_siret",
    "content_type",
    "password",
    "file",
    "evidence",
    "attachment",
    "phone",
    "website",
    "url",
    "language",
    "template",
    "action",
    "object_type",
    "object_id",
    "actor",
    "last_error",
    "username",
    "session_key",
    "key",
    "unit",
    "insee_code",
}


def free_text_fields():
    root = django_settings.BASE_DIR
    found = []
    for model in apps.get_models():
        config = apps.get_app_config(model._meta.app_label)
        if str(config.path).rsplit("/", 1)[0] != str(root) or model._meta.proxy:
            continue
        for field in model._meta.concrete_fields:
            if (
                isinstance(field, models.CharField | models.TextField)
                and not field.choices
                and not field.unique
                and not field.primary_key
                and field.name not in NOT_FREE_TEXT
                and not isinstance(field, models.EmailField | models.URLField)
                and (field.max_length is None or field.max_length >= 60)
            ):
                found.append((model, field))
    return found


def _poison():
    """Append the payload to every free-text column of every row."""
    for model, field in free_text_fields():
        if model._meta.label == "frenchimpact.LedgerEntry":
            continue  # append-only
        value = F(field.name)
        if field.max_length:
            value = Left(value, field.max_length - len(PAYLOAD) - 1)
        model._base_manager.exclude(**{field.name: ""}).update(
            **{field.name: Concat(value, Value(" " + PAYLOAD))}
        )


ROLES = [ANON, LEAD_A, COEDITOR_A, REVIEWER_A, EXPERT_A, STAFF]


def test_payload_never_comes_back_as_markup(world):
    fields = free_text_fields()
    assert len(fields) >= 40
    pages, showing, problems = 0, set(), []
    with transaction.atomic():
        _poison()
        for role in ROLES:
            client = Client(raise_request_exception=False)
            if world.users.get(role) is not None:
                client.force_login(world.users[role])
            for name, url in URLS.items():
                if url.post_only or url.get_outcome(role) != OK:
                    continue
                response = client.get(reverse(name, kwargs=url.kwargs(world)))
                if not response.get("Content-Type", "").startswith("text/html"):
                    continue
                body = _body(response)
                pages += 1
                for live in LIVE:
                    if live in body:
                        problems.append(f"{name} as {role}: {live}")
                if ESCAPED in body:
                    showing.add(name)
        transaction.set_rollback(True)

    assert not problems, "\n".join(problems)
    assert pages > 100
    assert len(showing) >= 25, sorted(showing)
    _record(
        "escaping",
        {"fields": len(fields), "html pages": pages, "urls showing": len(showing)},
    )


def test_emails_carry_the_payload_as_plain_text(
    world, django_capture_on_commit_callbacks
):
    from reviews import services

    with transaction.atomic():
        before = OutboundEmail.objects.count()
        with django_capture_on_commit_callbacks(execute=True):
            services.post_message(
                candidacy=world.review, author=world.users[STAFF], body=PAYLOAD
            )
            client = Client()
            client.force_login(world.users[LEAD_A])
            client.post(
                reverse("reviews:team_message", kwargs={"pk": world.review.pk}),
                {"body": PAYLOAD},
            )
        rows = list(OutboundEmail.objects.order_by("pk")[before:])
        transaction.set_rollback(True)

    assert rows
    for row in rows:
        assert PAYLOAD in row.body  # as typed: text, not markup
        assert "\n" not in row.subject and "\r" not in row.subject
    assert mail.outbox
    for message in mail.outbox:
        assert message.content_subtype == "plain"
        assert not getattr(message, "alternatives", None)
