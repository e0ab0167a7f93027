import pytest
from django.core import mail

from frenchimpact.mail import queue_email
from frenchimpact.models import OutboundEmail
from frenchimpact.tasks import task_flush_outbox, task_send_email
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_email_is_sent_after_commit_exactly_once(django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        email = queue_email(
            to=[user.email], template="account_exists", context={"user": user}
        )

    email.refresh_from_db()
    assert email.status == "sent"
    assert len(mail.outbox) == 1
    task_send_email(email_id=email.pk)  # a second delivery of the task
    assert len(mail.outbox) == 1


def test_email_waits_in_outbox_when_broker_is_down(monkeypatch):
    from frenchimpact import mail as portal_mail
    from frenchimpact.tasks import task_send_email as task

    def broker_down(**kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(task, "delay", broker_down)
    user = UserFactory()
    email = queue_email(
        to=[user.email], template="account_exists", context={"user": user}
    )
    portal_mail.dispatch(email.pk)  # what on-commit does: no exception escapes

    assert OutboundEmail.objects.get(pk=email.pk).status == "pending"
    monkeypatch.undo()
    OutboundEmail.objects.filter(pk=email.pk).update(
        created_at=email.created_at.replace(year=2020)
    )
    assert task_flush_outbox() == 1
    assert OutboundEmail.objects.get(pk=email.pk).status == "sent"
    assert len(mail.outbox) == 1


def test_report_requested_while_broker_is_down_is_swept_later(
    monkeypatch, django_capture_on_commit_callbacks
):
    from reviews import reports
    from reviews.models import ReviewReport
    from reviews.tasks import task_render_review_report, task_sweep_reports
    from tests.factories import candidacy_under_review, reviewed

    candidacy = candidacy_under_review()
    reviewed(candidacy, (4, 4))

    def broker_down(**kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(task_render_review_report, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        report = reports.request_review_report(candidacy=candidacy, audience="staff")
    assert ReviewReport.objects.get(pk=report.pk).status == "queued"

    monkeypatch.undo()
    ReviewReport.objects.filter(pk=report.pk).update(
        updated_at=report.updated_at.replace(year=2020)
    )
    assert task_sweep_reports() == 1
    assert ReviewReport.objects.get(pk=report.pk).status == "ready"
