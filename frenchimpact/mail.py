"""E-mails: rendered from templates, saved in the outbox in the caller's
transaction, sent by Celery once the transaction commits."""

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from .models import OutboundEmail
from .queue import enqueue


def queue_email(
    *, to: list[str], template: str, context: dict, language: str | None = None
) -> OutboundEmail:
    """Render ``emails/<template>.subject.txt`` and ``.body.txt`` and queue them."""
    context = {"site_url": settings.SITE_URL, **context}
    with translation.override(language or translation.get_language() or "fr"):
        subject = " ".join(
            render_to_string(f"emails/{template}.subject.txt", context).split()
        )
        body = render_to_string(f"emails/{template}.body.txt", context)
    email = OutboundEmail.objects.create(to=list(to), subject=subject, body=body)
    transaction.on_commit(lambda: dispatch(email.pk))
    return email


def dispatch(email_id: int) -> None:
    """Hand the e-mail to Celery; if the broker is down, the flush retries."""
    from .tasks import task_send_email

    enqueue(task_send_email, email_id=email_id)
