"""The back office: actions through the services, read-only audit trail."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.enums import Role
from frenchimpact.models import AuditEntry
from reviews import services
from reviews.models import Decision
from territories.models import Certificate, Label
from tests.factories import (
    UserFactory,
    candidacy_under_review,
    labelled_territory,
    reviewed,
    wave_with_grid,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser():
    return UserFactory(role=Role.STAFF, is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def _prepared(staff, name):
    candidacy = candidacy_under_review()
    candidacy.territory_name = name
    candidacy.save(update_fields=["territory_name"])
    reviewed(candidacy, (4, 4))
    return services.prepare_decision(
        candidacy=candidacy, actor=staff, outcome="label", reasons="Solide."
    )


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_publish_action_publishes_through_the_service(admin_client, superuser):
    first = _prepared(superuser, "Pays du Premier")
    second = _prepared(superuser, "Pays du Second")
    services.publish_decision(decision=second, actor=superuser)

    response = admin_client.post(
        reverse("admin:reviews_decision_changelist"),
        {"action": "publish_decisions", "_selected_action": [first.pk, second.pk]},
    )

    assert response.status_code == 302
    first.refresh_from_db()
    assert first.published_at is not None
    label = Label.objects.get(territory__name="Pays du Premier")
    assert label.wave == first.candidacy.wave
    assert Label.objects.filter(territory__name="Pays du Second").count() == 1
    assert _messages(response) == [
        f"{first.candidacy.reference} : décision publiée (label {label.number}).",
        f"{second.candidacy.reference} : décision déjà publiée.",
    ]
    assert AuditEntry.objects.filter(
        action="reviews.decision.published", object_id=first.candidacy_id
    ).exists()


def test_publish_action_reports_a_refusal_per_decision(admin_client, superuser):
    decision = _prepared(superuser, "Pays Retiré")
    # the candidacy left the review before the click: the service refuses
    from applications.models import Candidacy

    Candidacy.objects.filter(pk=decision.candidacy_id).update(state="withdrawn")

    response = admin_client.post(
        reverse("admin:reviews_decision_changelist"),
        {"action": "publish_decisions", "_selected_action": [decision.pk]},
    )

    assert _messages(response) == [
        f"{decision.candidacy.reference} : Une candidature « Retirée » ne peut "
        "pas passer à « Labellisée »."
    ]
    assert Decision.objects.get(pk=decision.pk).published_at is None


def test_certificate_action_queues_each_labels_certificate(admin_client):
    labels = [labelled_territory().labels.get() for _ in range(2)]

    response = admin_client.post(
        reverse("admin:territories_label_changelist"),
        {
            "action": "generate_certificates",
            "_selected_action": [label.pk for label in labels],
        },
    )

    assert response.status_code == 302
    assert Certificate.objects.filter(label__in=labels).count() == 2
    assert sorted(_messages(response)) == sorted(
        f"{label.number} : le certificat est en production." for label in labels
    )


def test_wave_export_actions_send_one_wave_to_its_export(admin_client):
    wave, other = wave_with_grid(), wave_with_grid()
    url = reverse("admin:applications_wave_changelist")

    response = admin_client.post(
        url, {"action": "export_candidacies", "_selected_action": [wave.pk]}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "reviews:wave_export", kwargs={"wave_pk": wave.pk, "fmt": "xlsx"}
    )

    response = admin_client.post(
        url, {"action": "export_reviewers", "_selected_action": [wave.pk, other.pk]}
    )
    assert _messages(response) == ["Choisissez un seul élément à exporter."]


def test_candidacy_audit_action_is_offered_to_programme_staff(client):
    candidacy = candidacy_under_review()
    client.force_login(UserFactory(role=Role.STAFF, is_staff=True))

    response = client.post(
        reverse("admin:applications_candidacy_changelist"),
        {"action": "export_audit", "_selected_action": [candidacy.pk]},
    )

    assert response["Location"] == reverse(
        "reviews:candidacy_audit_export", kwargs={"pk": candidacy.pk, "fmt": "xlsx"}
    )


def test_audit_entries_are_read_only_even_for_a_superuser(admin_client):
    candidacy = candidacy_under_review()
    entry = AuditEntry.objects.filter(object_id=candidacy.pk).first()
    before = (entry.action, entry.comment)

    assert (
        admin_client.get(reverse("admin:frenchimpact_auditentry_add")).status_code
        == 403
    )
    change = reverse("admin:frenchimpact_auditentry_change", args=[entry.pk])
    page = admin_client.get(change)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    admin_client.post(change, {"action": "x.y", "comment": "falsifié"})
    delete = reverse("admin:frenchimpact_auditentry_delete", args=[entry.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    changelist = admin_client.get(reverse("admin:frenchimpact_auditentry_changelist"))
    assert "delete_selected" not in changelist.content.decode()
    admin_client.post(
        reverse("admin:frenchimpact_auditentry_changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    entry.refresh_from_db()
    assert (entry.action, entry.comment) == before


@pytest.mark.parametrize(
    "name",
    [
        "admin:applications_candidacy_changelist",
        "admin:applications_wave_changelist",
        "admin:reviews_decision_changelist",
        "admin:reviews_review_changelist",
        "admin:reviews_expertrequest_changelist",
        "admin:reviews_message_changelist",
        "admin:territories_label_changelist",
        "admin:territories_territory_changelist",
        "admin:frenchimpact_auditentry_changelist",
    ],
)
def test_changelists_open_with_filters_and_search(admin_client, name):
    candidacy = candidacy_under_review()
    reviewed(candidacy, (4, 4))

    response = admin_client.get(reverse(name), {"q": "Démonstration"})

    assert response.status_code == 200
    assert 'id="changelist-search"' in response.content.decode()


def test_an_organisation_website_typed_without_scheme_is_saved_as_https(
    admin_client,
):
    from territories.models import Organisation

    response = admin_client.post(
        reverse("admin:territories_organisation_add"),
        {
            "name": "Clus'Ter Jura",
            "kind": "association",
            "siret": "",
            "town": "Conliège",
            "website": "clusterjura.fr",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert Organisation.objects.get(name="Clus'Ter Jura").website == (
        "https://clusterjura.fr"
    )
