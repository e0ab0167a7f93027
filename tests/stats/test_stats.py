"""Statistics: the public page (counts only, nothing private) and the High
Commission's figures, on a small known world."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from challenges.enums import Progress, Theme
from challenges.models import ProgressReport
from reviews.models import Assignment, Decision, ExpertRequest
from stats import selectors
from territories.enums import LabelStatus
from tests.factories import (
    ChallengeFactory,
    LabelFactory,
    ObjectiveFactory,
    ProjectFactory,
    TerritoryFactory,
    UserFactory,
    WaveFactory,
    candidacy_for,
    candidacy_under_review,
    open_wave,
    reviewed,
)

pytestmark = pytest.mark.django_db

SECRET = "Pays Secret Non Retenu"


def _submitted(wave, name, state="submitted"):
    return candidacy_for(
        wave=wave, territory_name=name, state=state, submitted_at=timezone.now()
    )


@pytest.fixture
def world():
    """Wave 1: three candidacies submitted (one rejected, named SECRET), a
    draft, two labels; wave 2: one candidacy; an upcoming wave 3. Labelled:
    two territories in Bourgogne-Franche-Comté (Jura), one in
    Auvergne-Rhône-Alpes (Rhône); a revoked one in Île-de-France."""
    wave1 = open_wave(number=1, name="Vague 1")
    wave2 = open_wave(number=2, name="Vague 2")
    WaveFactory(
        number=3,
        name="Vague 3",
        opens_at=timezone.now() + dt.timedelta(days=10),
        closes_at=timezone.now() + dt.timedelta(days=40),
    )
    _submitted(wave1, "Territoire Lédonien", state="labelled")
    _submitted(wave1, "Haut-Jura", state="labelled")
    _submitted(wave1, SECRET, state="rejected")
    candidacy_for(wave=wave1, territory_name="Brouillon Caché")
    _submitted(wave2, "Métropole en instruction", state="under_review")
    jura1 = TerritoryFactory(name="Territoire Lédonien", departments=["39"])
    jura2 = TerritoryFactory(name="Haut-Jura", departments=["39"])
    rhone = TerritoryFactory(name="Lyon Solidaire", departments=["69"])
    paris = TerritoryFactory(name="Paris Retiré", departments=["75"])
    LabelFactory(territory=jura1, wave=wave1)
    LabelFactory(territory=jura2, wave=wave1)
    LabelFactory(territory=rhone, wave=wave2, status=LabelStatus.CONDITIONAL)
    LabelFactory(territory=paris, wave=wave2, status=LabelStatus.REVOKED)
    # challenges: two published on employment, one on housing; one unpublished
    # and one of a territory whose label was revoked do not count
    employment = ChallengeFactory(territory=jura1, theme=Theme.EMPLOI)
    ChallengeFactory(territory=rhone, theme=Theme.EMPLOI)
    ChallengeFactory(territory=jura2, theme=Theme.HABITAT)
    ChallengeFactory(territory=jura1, theme=Theme.SANTE, is_published=False)
    ChallengeFactory(territory=paris, theme=Theme.MOBILITE)
    # objectives: achieved, missed (deadline passed, no measure), no data
    project = ProjectFactory(challenge=employment)
    achieved = ObjectiveFactory(project=project, target=10)
    ProgressReport.objects.create(
        objective=achieved,
        reported_on=timezone.localdate() - dt.timedelta(days=5),
        value=Decimal(12),
        created_by=UserFactory(),
    )
    ObjectiveFactory(
        project=project, deadline=timezone.localdate() - dt.timedelta(days=1)
    )
    ObjectiveFactory(project=project)
    return {"wave1": wave1, "wave2": wave2}


def test_waves_figures_count_submitted_candidacies_and_labels(world):
    figures = selectors.waves_figures()

    assert [(w.name, w.candidacies, w.labels) for w in figures] == [
        ("Vague 1", 3, 2),
        ("Vague 2", 1, 2),
    ]


def test_labelled_by_region_counts_public_labels_only(world):
    rows = selectors.labelled_by_region()

    assert [(r.name, r.territories) for r in rows] == [
        ("Auvergne-Rhône-Alpes", 1),
        ("Bourgogne-Franche-Comté", 2),
    ]
    markers = selectors.region_markers(rows)
    assert [m.count for m in markers] == [1, 2]
    assert markers[1].label == "Bourgogne-Franche-Comté : 2 territoires labellisés"
    assert markers[1].url.endswith("?region=27")


def test_challenges_per_theme_and_progress_totals(world):
    themes = {value: count for value, _label, count in selectors.challenges_per_theme()}
    progress = {value: count for value, _label, count in selectors.progress_totals()}

    assert themes[Theme.EMPLOI] == 2
    assert themes[Theme.HABITAT] == 1
    assert themes[Theme.SANTE] == 0  # unpublished
    assert themes[Theme.MOBILITE] == 0  # label revoked
    assert progress == {
        Progress.NO_DATA: 1,
        Progress.ACHIEVED: 1,
        Progress.ON_TRACK: 0,
        Progress.AT_RISK: 0,
        Progress.MISSED: 1,
    }


def test_public_page_shows_the_figures_and_nothing_private(client, world):
    response = client.get(reverse("stats:public"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "4 labels attribués" in body
    assert "4 candidatures déposées" in body
    assert '<th scope="row">Vague 1</th><td>3</td><td>2</td>' in body
    assert "Vague 3" not in body  # not opened yet
    assert "Bourgogne-Franche-Comté : 2 territoires labellisés" in body  # the map
    assert 'href="/territoires/?region=27">Bourgogne-Franche-Comté</a>' in body
    assert 'aria-labelledby="chart-waves-t"' in body  # the chart's text
    for private in (
        SECRET,
        "Brouillon Caché",
        "Métropole en instruction",
        "Paris Retiré",
    ):
        assert private not in body
    assert reverse("stats:staff") not in body  # the staff link is for staff
    assert reverse("stats:public") in client.get(reverse("home")).content.decode()


def test_public_page_query_count_does_not_depend_on_rows(
    client, world, django_assert_num_queries
):
    url = reverse("stats:public")
    client.get(url)

    with django_assert_num_queries(5) as few:
        client.get(url)
    wave = open_wave(number=9, name="Vague 9")
    for code in ("13", "29", "59"):
        territory = TerritoryFactory(departments=[code])
        LabelFactory(territory=territory, wave=wave)
        project = ProjectFactory(challenge=ChallengeFactory(territory=territory))
        ObjectiveFactory(project=project)
        _submitted(wave, "Autre")
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert (
        '<th scope="row">Vague 9</th><td>3</td><td>3</td>' in response.content.decode()
    )


@pytest.fixture
def review_world():
    """Two published decisions of wave 1, 10 and 30 days after submission; a
    reviewer with one late and one recent pending report; one expert late."""
    staff = UserFactory(role=Role.STAFF, is_staff=True)
    first = candidacy_under_review()
    wave = first.wave
    second = candidacy_under_review(wave)
    from reviews import services

    for candidacy, days in ((first, 10), (second, 30)):
        reviewed(candidacy, (4, 4))
        decision = services.prepare_decision(
            candidacy=candidacy, actor=staff, outcome="reject", reasons="Non."
        )
        services.publish_decision(decision=decision, actor=staff)
        Decision.objects.filter(pk=decision.pk).update(
            published_at=candidacy.submitted_at + dt.timedelta(days=days, hours=1)
        )
    reviewer = UserFactory(role=Role.REVIEWER, email="lente@example.org")
    late = candidacy_under_review(wave)
    recent = candidacy_under_review(wave)
    old = services.assign_reviewer(candidacy=late, reviewer=reviewer, actor=staff)
    Assignment.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(days=30)
    )
    services.assign_reviewer(candidacy=recent, reviewer=reviewer, actor=staff)
    expert = UserFactory(role=Role.EXPERT, email="expert@example.org")
    for due in (-3, 5):
        ExpertRequest.objects.create(
            candidacy=late,
            expert=expert,
            requested_by=staff,
            question="Avis ?",
            due_on=timezone.localdate() + dt.timedelta(days=due),
        )
    return {"staff": staff, "wave": wave, "reviewer": reviewer, "late": late}


def test_decision_delays_give_median_and_spread(review_world):
    [row] = [d for d in selectors.decision_delays() if d.wave == review_world["wave"]]

    assert (row.decisions, row.median, row.shortest, row.longest) == (2, 20, 10, 30)
    assert (row.first_quartile, row.third_quartile) == (15, 25)


def test_reviewer_workload_counts_pending_and_late(review_world):
    rows = {w.reviewer.email: w for w in selectors.reviewer_workload()}

    slow = rows["lente@example.org"]
    assert (slow.assignments, slow.submitted, slow.pending, slow.late) == (2, 0, 2, 1)
    assert all(w.pending == 0 for e, w in rows.items() if e != "lente@example.org")


def test_reviewer_workload_counted_in_sql_matches_the_assignments(
    review_world, django_assert_num_queries
):
    """Conflicts, draft and submitted reviews, late and recent assignments:
    the database's counts are those read off each assignment."""
    from reviews.enums import ConflictStatus, ReviewState

    staff, reviewer = review_world["staff"], review_world["reviewer"]
    from reviews import services

    conflicted = services.assign_reviewer(
        candidacy=candidacy_under_review(review_world["wave"]),
        reviewer=reviewer,
        actor=staff,
    )
    Assignment.objects.filter(pk=conflicted.pk).update(
        conflict_status=ConflictStatus.CONFLICT,
        created_at=timezone.now() - dt.timedelta(days=40),
    )
    [draft_one, _] = reviewed(
        candidacy_under_review(review_world["wave"]), (3, 3), (2, 2)
    )
    draft_one.__class__.objects.filter(pk=draft_one.pk).update(state=ReviewState.DRAFT)
    Assignment.objects.filter(pk=draft_one.assignment_id).update(
        created_at=timezone.now() - dt.timedelta(days=40)
    )
    limit = timezone.now() - dt.timedelta(days=selectors.REVIEW_EXPECTED_DAYS)
    expected = {}
    for assignment in Assignment.objects.select_related("review", "candidacy"):
        row = expected.setdefault(assignment.reviewer_id, [0, 0, 0, 0, 0])
        row[0] += 1
        if assignment.conflict_status == ConflictStatus.CONFLICT:
            row[4] += 1
            continue
        review = getattr(assignment, "review", None)
        if review is not None and review.state == ReviewState.SUBMITTED:
            row[1] += 1
            continue
        row[2] += 1
        if (
            assignment.candidacy.state in ("under_review", "resubmitted")
            and assignment.created_at < limit
        ):
            row[3] += 1

    with django_assert_num_queries(1):
        rows = selectors.reviewer_workload()

    assert {
        w.reviewer.pk: [w.assignments, w.submitted, w.pending, w.late, w.conflicts]
        for w in rows
    } == expected
    assert expected[reviewer.pk] == [3, 0, 2, 1, 1]
    assert expected[draft_one.assignment.reviewer_id] == [1, 0, 1, 1, 0]  # draft, late


def test_late_expert_requests_are_those_past_due(review_world):
    [late] = selectors.late_expert_requests()

    assert late.candidacy == review_world["late"]
    assert late.due_on < timezone.localdate()


def test_staff_page_shows_the_figures(client, review_world, django_assert_num_queries):
    client.force_login(review_world["staff"])
    url = reverse("stats:staff")
    client.get(url)

    with django_assert_num_queries(6) as few:
        response = client.get(url)
    body = response.content.decode()
    assert review_world["late"].reference in body
    assert '<span class="fr-badge fr-badge--sm fr-badge--error">1</span>' in body
    assert "<td>20</td>" in body  # the median
    reviewed(candidacy_under_review(review_world["wave"]), (3, 3), (2, 2))
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(url)


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.REVIEWER, Role.EXPERT])
def test_staff_page_is_refused_to_others(client, review_world, role):
    client.force_login(UserFactory(role=role))

    response = client.get(reverse("stats:staff"))

    assert response.status_code == 403
    assert review_world["late"].reference not in response.content.decode()


def test_staff_page_sends_anonymous_people_to_login(client):
    response = client.get(reverse("stats:staff"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_pages_render_on_the_demo_data(client):
    from io import StringIO

    from django.core.management import call_command

    call_command("load_demo", stdout=StringIO())

    body = client.get(reverse("stats:public")).content.decode()
    assert "Bourgogne-Franche-Comté" in body
    assert "20 labels attribués" in body
    client.force_login(UserFactory(role=Role.STAFF, is_staff=True))
    assert client.get(reverse("stats:staff")).status_code == 200


def test_wave_awarded_before_the_portal_shows_no_candidacy_count(client):
    """A wave whose labels were awarded before the portal existed has no
    candidacy deposited here: the page says so instead of « 0 »."""
    wave = open_wave(number=1, name="Vague historique")
    LabelFactory(territory=TerritoryFactory(departments=["39"]), wave=wave)

    [figures] = selectors.waves_figures()
    assert (figures.candidacies, figures.labels) == (0, 1)
    assert not figures.candidacies_recorded

    page = client.get(reverse("stats:public")).content.decode()
    assert "non enregistrées sur le portail" in page
    assert "instruite avant l'ouverture du portail" in page
