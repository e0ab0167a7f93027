import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from frenchimpact.models import OutboundEmail
from reviews import services
from reviews.models import ExpertRequest
from tests.factories import UserFactory, candidacy_under_review

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def asked():
    staff = UserFactory(role=Role.STAFF, is_staff=True)
    expert = UserFactory(role=Role.EXPERT)
    candidacy = candidacy_under_review()
    request = services.request_expert_opinion(
        candidacy=candidacy,
        expert=expert,
        actor=staff,
        question="Le modèle économique de la SCIC est-il solide ?",
        due_on=timezone.localdate() + dt.timedelta(days=10),
    )
    return staff, expert, candidacy, request


def test_expert_answers_with_attachment_confidential_to_staff(client, asked):
    staff, expert, candidacy, request = asked
    client.force_login(expert)
    url = reverse("reviews:expert_request", args=[request.pk])
    assert "modèle économique" in client.get(url).content.decode()

    client.post(
        url,
        {
            "answer": "Oui, sous réserve d'un second financeur.",
            "file": SimpleUploadedFile("avis.pdf", PDF),
        },
    )

    request.refresh_from_db()
    assert request.answered_at and request.attachment_name == "avis.pdf"
    client.force_login(staff)
    page = client.get(
        reverse("reviews:candidacy", args=[candidacy.pk])
    ).content.decode()
    assert "second financeur" in page
    client.force_login(candidacy.created_by)
    team_page = client.get(candidacy.get_absolute_url()).content.decode()
    assert "second financeur" not in team_page
    assert (
        client.get(reverse("reviews:expert_attachment", args=[request.pk])).status_code
        == 403
    )


def test_expert_not_asked_gets_404(client, asked):
    _staff, _expert, _candidacy, request = asked
    client.force_login(UserFactory(role=Role.EXPERT))

    assert (
        client.get(reverse("reviews:expert_request", args=[request.pk])).status_code
        == 404
    )


def test_late_experts_are_reminded_once_a_week(asked):
    _staff, expert, _candidacy, request = asked
    late_day = request.due_on + dt.timedelta(days=1)

    assert services.remind_late_experts(today=late_day) == 1
    assert services.remind_late_experts(today=late_day + dt.timedelta(days=3)) == 0
    assert services.remind_late_experts(today=late_day + dt.timedelta(days=7)) == 1
    reminders = OutboundEmail.objects.filter(subject__startswith="Rappel")
    assert reminders.count() == 2 and reminders.first().to == [expert.email]


def test_expert_opinion_bad_input(asked):
    staff, expert, candidacy, request = asked

    with pytest.raises(services.ReviewError, match="déjà passée"):
        services.request_expert_opinion(
            candidacy=candidacy,
            expert=expert,
            actor=staff,
            question="?",
            due_on=timezone.localdate() - dt.timedelta(days=1),
        )
    with pytest.raises(services.ReviewError, match="n'est pas experte"):
        services.request_expert_opinion(
            candidacy=candidacy,
            expert=UserFactory(),
            actor=staff,
            question="?",
            due_on=timezone.localdate(),
        )
    with pytest.raises(services.ReviewError, match="Seul l'expert"):
        services.answer_expert_opinion(request=request, user=staff, answer="x")
    assert ExpertRequest.objects.count() == 1
