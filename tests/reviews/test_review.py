import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.enums import Role
from applications.models import Candidacy
from frenchimpact.models import AuditEntry
from reviews import services
from reviews.models import Assignment, Decision
from territories.models import Label, Territory
from tests.factories import (
    UserFactory,
    candidacy_under_review,
    reviewed,
    wave_with_grid,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return UserFactory(role=Role.STAFF, is_staff=True)


def test_auto_assignment_balances_and_never_picks_conflicted(staff):
    wave = wave_with_grid()
    candidacies = [candidacy_under_review(wave) for _ in range(7)]
    reviewers = [UserFactory(role=Role.REVIEWER) for _ in range(4)]
    conflicted = services.assign_reviewer(
        candidacy=candidacies[0], reviewer=reviewers[0], actor=staff
    )
    services.declare_interests(
        assignment=conflicted,
        user=reviewers[0],
        has_conflict=True,
        reason="Je siège au conseil d'administration du porteur.",
    )

    services.auto_assign(wave=wave, per_candidacy=2, actor=staff)

    active = Assignment.objects.exclude(conflict_status="conflict")
    for candidacy in candidacies:
        assert active.filter(candidacy=candidacy).count() == 2
    assert not active.filter(candidacy=candidacies[0], reviewer=reviewers[0]).exists()
    loads = [active.filter(reviewer=r).count() for r in reviewers]
    assert max(loads) - min(loads) <= 1
    assert sum(loads) == 14


def test_conflict_declared_removes_reviewer_and_is_recorded(client, staff):
    candidacy = candidacy_under_review()
    reviewer = UserFactory(role=Role.REVIEWER)
    assignment = services.assign_reviewer(
        candidacy=candidacy, reviewer=reviewer, actor=staff
    )
    client.force_login(reviewer)
    url = reverse("reviews:assignment", args=[assignment.pk])

    page = client.get(url).content.decode()
    assert "Déclaration d&#x27;intérêts" in page or "Déclaration d'intérêts" in page
    assert candidacy.diagnosis not in page  # nothing of the file before declaring

    client.post(url, {"has_conflict": "yes", "reason": "Ancien salarié du porteur"})

    assignment.refresh_from_db()
    assert assignment.conflict_status == "conflict"
    assert client.get(url).status_code == 404
    assert AuditEntry.objects.filter(action="reviews.assignment.conflict").exists()
    with pytest.raises(services.ReviewError):
        services.assign_reviewer(candidacy=candidacy, reviewer=reviewer, actor=staff)


@pytest.mark.parametrize(
    "values, recommendation, message",
    [
        ((6, 3), "label", "entre 0 et 5"),
        ((4, None), "label", "incomplet"),
        ((4, 3), "", "incomplet"),
    ],
)
def test_bad_review_is_refused_and_nothing_changes(
    staff, values, recommendation, message
):
    candidacy = candidacy_under_review()
    reviewer = UserFactory(role=Role.REVIEWER)
    assignment = services.assign_reviewer(
        candidacy=candidacy, reviewer=reviewer, actor=staff
    )
    services.declare_interests(assignment=assignment, user=reviewer, has_conflict=False)
    criteria = list(candidacy.wave.criteria.order_by("position"))

    with pytest.raises(services.ReviewError, match=message):
        services.save_review(
            assignment=assignment,
            user=reviewer,
            version=0,
            scores={
                c.pk: (v, "", False) for c, v in zip(criteria, values, strict=True)
            },
            recommendation=recommendation,
            comment="",
            submit=True,
        )
    assert not hasattr(Assignment.objects.get(pk=assignment.pk), "review") or (
        Assignment.objects.get(pk=assignment.pk).review.state == "draft"
    )


def test_reviewer_sees_others_only_after_submitting(client, staff):
    candidacy = candidacy_under_review()
    reviewed(candidacy, (5, 5))
    late = UserFactory(role=Role.REVIEWER)
    assignment = services.assign_reviewer(
        candidacy=candidacy, reviewer=late, actor=staff
    )
    services.declare_interests(assignment=assignment, user=late, has_conflict=False)
    client.force_login(late)
    url = reverse("reviews:assignment", args=[assignment.pk])

    assert (
        "Les autres rapports vous seront visibles" in client.get(url).content.decode()
    )
    criteria = list(candidacy.wave.criteria.order_by("position"))
    data = {"version": 0, "recommendation": "reject", "comment": "", "action": "submit"}
    for criterion in criteria:
        data[f"score_{criterion.pk}"] = "1"
    client.post(url, data)

    page = client.get(url).content.decode()
    assert "Les autres rapports" in page
    assert "Moyenne" in page


def test_reviewer_not_assigned_gets_404(client, staff):
    candidacy = candidacy_under_review()
    assignment = services.assign_reviewer(
        candidacy=candidacy, reviewer=UserFactory(role=Role.REVIEWER), actor=staff
    )
    client.force_login(UserFactory(role=Role.REVIEWER))

    assert (
        client.get(reverse("reviews:assignment", args=[assignment.pk])).status_code
        == 404
    )


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.REVIEWER, Role.EXPERT])
def test_staff_pages_refused_to_others(client, role):
    candidacy = candidacy_under_review()
    client.force_login(UserFactory(role=role))

    for url in (
        reverse("reviews:waves"),
        reverse("reviews:wave", args=[candidacy.wave.pk]),
        reverse("reviews:candidacy", args=[candidacy.pk]),
    ):
        assert client.get(url).status_code == 403


def test_decision_refused_before_any_review(staff):
    candidacy = candidacy_under_review()

    with pytest.raises(services.ReviewError, match="Aucun rapport"):
        services.prepare_decision(
            candidacy=candidacy, actor=staff, outcome="label", reasons="Très bien"
        )
    assert not Decision.objects.exists()


def test_whole_review_path_with_conditions(
    client, staff, django_capture_on_commit_callbacks
):
    """Staff assign two reviewers, both declare no conflict and score, staff ask
    for complements, the team resubmits, the committee labels with
    conditions then lifts them; the territory appears in the directory."""
    from applications import services as applications

    candidacy = candidacy_under_review()
    lead = candidacy.created_by
    reviewed(candidacy, (4, 3), (5, 4))

    services.request_changes(
        candidacy=candidacy,
        actor=staff,
        message="Joignez la lettre d'engagement du département.",
    )
    candidacy.refresh_from_db()
    assert candidacy.state == "changes_requested"
    client.force_login(lead)
    page = client.get(candidacy.get_absolute_url()).content.decode()
    assert "Joignez la lettre d" in page and "Haut-Commissariat" in page
    applications.submit_candidacy(candidacy_id=candidacy.pk, user=lead)
    candidacy.refresh_from_db()
    assert candidacy.state == "resubmitted"

    decision = services.prepare_decision(
        candidacy=candidacy,
        actor=staff,
        outcome="label_conditions",
        reasons="Un projet solide.",
        conditions="Signer la convention.",
        conditions_due_on=candidacy.wave.closes_at.date(),
    )
    published = services.publish_wave_decisions(wave=candidacy.wave, actor=staff)

    assert published == 1
    candidacy.refresh_from_db()
    assert candidacy.state == "labelled"
    label = Label.objects.get(territory=candidacy.territory)
    assert label.status == "conditional"
    assert len(label.verification_code) >= 20
    directory = client.get(reverse("territories:directory")).content.decode()
    assert "Pays de Démonstration" in directory

    services.lift_conditions(decision=decision, actor=staff)
    label.refresh_from_db()
    assert label.status == "active"
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    for expected in (
        "reviews.assignment.created",
        "reviews.assignment.none",
        "reviews.review.submitted",
        "applications.candidacy.changes_requested",
        "applications.candidacy.resubmitted",
        "reviews.decision.prepared",
        "territories.label.issued",
        "reviews.decision.published",
        "territories.label.active",
    ):
        assert expected in actions


def test_publishing_twice_gives_one_label(staff):
    candidacy = candidacy_under_review()
    reviewed(candidacy, (4, 4))
    decision = services.prepare_decision(
        candidacy=candidacy, actor=staff, outcome="label", reasons="Oui"
    )

    services.publish_decision(decision=decision, actor=staff)
    services.publish_decision(decision=decision, actor=staff)
    services.publish_wave_decisions(wave=candidacy.wave, actor=staff)

    assert Label.objects.count() == 1
    assert Territory.objects.filter(name="Pays de Démonstration").count() == 1


def test_label_for_territory_already_labelled_in_wave_is_refused(staff):
    first = candidacy_under_review()
    reviewed(first, (4, 4))
    services.publish_decision(
        decision=services.prepare_decision(
            candidacy=first, actor=staff, outcome="label", reasons="Oui"
        ),
        actor=staff,
    )
    first.refresh_from_db()
    second = candidacy_under_review(first.wave)
    Candidacy.objects.filter(pk=second.pk).update(territory=first.territory)
    reviewed(second, (4, 4))
    decision = services.prepare_decision(
        candidacy=second, actor=staff, outcome="label", reasons="Oui"
    )

    with pytest.raises(services.ReviewError, match="déjà labellisé"):
        services.publish_decision(decision=decision, actor=staff)
    assert Candidacy.objects.get(pk=second.pk).state == "under_review"
    assert Label.objects.count() == 1


def test_label_lifecycle_suspend_reinstate_revoke(staff):
    from territories.services import LabelError, change_label_status

    candidacy = candidacy_under_review()
    reviewed(candidacy, (4, 4))
    _decision, label = services.publish_decision(
        decision=services.prepare_decision(
            candidacy=candidacy, actor=staff, outcome="label", reasons="Oui"
        ),
        actor=staff,
    )
    change_label_status(
        label=label, to_status="suspended", actor=staff, reason="Enquête"
    )
    change_label_status(label=label, to_status="active", actor=staff, reason="Levée")
    change_label_status(label=label, to_status="revoked", actor=staff, reason="Fraude")

    with pytest.raises(LabelError):
        change_label_status(label=label, to_status="active", actor=staff, reason="x")
    label.refresh_from_db()
    assert label.status == "revoked"


def _ranking_queries(client, wave):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("reviews:wave", args=[wave.pk]))
    assert response.status_code == 200
    return len(queries)


def test_ranking_query_count_same_with_5_and_many_candidacies(client, staff):
    wave = wave_with_grid()
    for n in range(5):
        reviewed(candidacy_under_review(wave), (n % 6, 3), (4, n % 6))
    client.force_login(staff)
    small = _ranking_queries(client, wave)
    for n in range(25):
        reviewed(candidacy_under_review(wave), (n % 6, 2))

    assert _ranking_queries(client, wave) == small


def test_ranking_pages_show_their_rows_whole_in_rank_order(client, staff, monkeypatch):
    """The page ranks the whole wave on light rows, then loads only the rows
    it shows: each page has its candidacies' names, states and decisions."""
    from reviews import views

    monkeypatch.setattr(views, "RANKING_PAGE_SIZE", 3)
    wave = wave_with_grid()
    candidacies = []
    for n in range(5):
        candidacy = candidacy_under_review(wave)
        Candidacy.objects.filter(pk=candidacy.pk).update(
            territory_name=f"Pays classé {5 - n}"
        )
        reviewed(candidacy, (n + 1, n + 1))
        candidacies.append(candidacy)
    client.force_login(staff)
    url = reverse("reviews:wave", args=[wave.pk])

    first = client.get(url).content.decode()
    second = client.get(url, {"page": 2}).content.decode()

    assert [first.index(f"Pays classé {n}") for n in (1, 2, 3)] == sorted(
        first.index(f"Pays classé {n}") for n in (1, 2, 3)
    )
    assert "Pays classé 4" not in first and "Pays classé 4" in second
    assert second.index("Pays classé 4") < second.index("Pays classé 5")
    assert first.count("En instruction") >= 3


def test_ranking_sorts_by_mean_and_exports_csv(client, staff):
    wave = wave_with_grid()
    low, high = candidacy_under_review(wave), candidacy_under_review(wave)
    reviewed(low, (1, 1))
    reviewed(high, (5, 4))
    client.force_login(staff)

    body = client.get(reverse("reviews:wave", args=[wave.pk])).content.decode()
    assert body.index(high.reference) < body.index(low.reference)
    csv = client.get(reverse("reviews:wave", args=[wave.pk]), {"format": "csv"})
    text = csv.content.decode("utf-8-sig")
    assert text.splitlines()[1].startswith(f"1,{high.reference}")
    assert "92.0" in text


@pytest.mark.parametrize("on", ["2026-13-45", "n'importe quoi", "<b>"])
def test_publish_with_bad_date_is_refused_with_message(client, staff, on):
    candidacy = candidacy_under_review()
    reviewed(candidacy, (4, 4))
    services.prepare_decision(
        candidacy=candidacy, actor=staff, outcome="label", reasons="Oui"
    )
    client.force_login(staff)

    response = client.post(
        reverse("reviews:wave", args=[candidacy.wave.pk]),
        {"action": "publish", "on": on},
        follow=True,
    )

    assert "La date de labellisation est invalide." in response.content.decode()
    assert not Label.objects.exists()


def test_publish_at_chosen_date(client, staff):
    candidacy = candidacy_under_review()
    reviewed(candidacy, (4, 4))
    services.prepare_decision(
        candidacy=candidacy, actor=staff, outcome="label", reasons="Oui"
    )
    client.force_login(staff)

    client.post(
        reverse("reviews:wave", args=[candidacy.wave.pk]),
        {"action": "publish", "on": "2026-12-15"},
    )

    label = Label.objects.get()
    assert label.awarded_on.isoformat() == "2026-12-15"
    assert label.valid_until.isoformat() == "2029-12-15"


def _bulk_reviewed_candidacies(wave, count, start=0):
    """Candidacies under review with two submitted reviews, written directly
    (fast), to measure the ranking at scale."""
    from django.utils import timezone

    from reviews.models import Review, Score

    criteria = list(wave.criteria.all())
    lead = UserFactory()
    reviewers = [UserFactory(role=Role.REVIEWER) for _ in range(2)]
    for n in range(start, start + count):
        candidacy = Candidacy.objects.create(
            wave=wave,
            reference=f"BULK-{wave.pk}-{n}",
            state="under_review",
            territory_name=f"Territoire {n}",
            created_by=lead,
        )
        for position, reviewer in enumerate(reviewers):
            assignment = Assignment.objects.create(
                candidacy=candidacy,
                reviewer=reviewer,
                assigned_by=lead,
                conflict_status="none",
            )
            review = Review.objects.create(
                assignment=assignment,
                state="submitted",
                recommendation="label",
                submitted_at=timezone.now(),
            )
            Score.objects.bulk_create(
                Score(review=review, criterion=c, value=(n + position) % 6)
                for c in criteria
            )


def test_ranking_query_count_same_with_5_and_200_candidacies(client, staff):
    wave = wave_with_grid()
    _bulk_reviewed_candidacies(wave, 5)
    client.force_login(staff)
    small = _ranking_queries(client, wave)
    _bulk_reviewed_candidacies(wave, 195, start=5)

    assert _ranking_queries(client, wave) == small
    # the ranking shows its rows a hundred per page: all 200, each once
    url = reverse("reviews:wave", args=[wave.pk])
    pages = [client.get(url, {"page": n}).content.decode() for n in (1, 2)]
    references = set()
    for body in pages:
        assert body.count("BULK-") == 100
        references |= set(re.findall(r"BULK-\d+-\d+", body))
    assert len(references) == 200
    assert "rangs 101 à 200 sur 200" in pages[1]


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_publications_give_one_label():
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection as default_connection

    staff = UserFactory(role=Role.STAFF, is_staff=True)
    candidacy = candidacy_under_review()
    reviewed(candidacy, (4, 4))
    decision = services.prepare_decision(
        candidacy=candidacy, actor=staff, outcome="label", reasons="Oui"
    )

    def publish(_n):
        from django.db import connection

        try:
            return services.publish_decision(decision=decision, actor=staff)[1]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        labels = [label for label in pool.map(publish, range(20)) if label]

    default_connection.close()
    assert len(labels) == 1
    assert Label.objects.count() == 1
    assert AuditEntry.objects.filter(action="territories.label.issued").count() == 1
    assert AuditEntry.objects.filter(action="reviews.decision.published").count() == 1


@pytest.mark.parametrize(
    "data, message",
    [
        ({"action": "assign", "reviewer": "999999"}, "Choisissez un instructeur."),
        ({"action": "message", "body": ""}, "Le message est vide ou trop long."),
        ({"action": "request_changes", "message": ""}, "Indiquez ce qui manque"),
        ({"action": "decide", "outcome": "empire", "reasons": ""}, "incomplète"),
        ({"action": "inconnue"}, "Action inconnue."),
    ],
)
def test_staff_bad_input_gets_message_and_no_change(client, staff, data, message):
    candidacy = candidacy_under_review()
    client.force_login(staff)

    response = client.post(
        reverse("reviews:candidacy", args=[candidacy.pk]), data, follow=True
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert Candidacy.objects.get(pk=candidacy.pk).state == "under_review"
    assert not Assignment.objects.filter(candidacy=candidacy).exists()


def test_team_posts_a_message_from_its_candidacy_page(client, mailoutbox_rows):
    candidacy = candidacy_under_review()
    UserFactory(role=Role.STAFF, is_staff=True, email="hc@example.org")
    client.force_login(candidacy.created_by)

    response = client.post(
        reverse("reviews:team_message", args=[candidacy.pk]),
        {"body": "Voici la lettre du département."},
        follow=True,
    )

    assert "Votre message est envoyé" in response.content.decode()
    assert candidacy.messages.get().body == "Voici la lettre du département."
    assert "hc@example.org" in mailoutbox_rows()[-1].to
