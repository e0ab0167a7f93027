"""The pages at work: the team's plan, the desk, bad input, hostile text,
and the number of queries of the list and plan pages."""

import datetime as dt

import pytest
from django.urls import reverse

from support import services
from support.models import Action, Comment, Milestone, RegulatoryBarrier, SupportPlan

from .helpers import empty_plan, plan_with, team_territory

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- the team builds its plan -------------------------------------------------


def test_team_starts_its_plan_from_the_programme_offer(client, team):
    client.force_login(team.member)

    response = client.post(
        reverse("support:plan_create"), {"territory": team.territory.pk}, follow=True
    )

    html = response.content.decode()
    plan = SupportPlan.objects.get(territory=team.territory)
    assert plan.actions.count() == 23
    assert "Bpifrance — FISO #2" in html
    assert "Hackers French Impact (guichet unique)" in html
    assert "Croissance +" in html
    assert "retirez ou adaptez ce qui ne s&#x27;applique pas" in html


def test_team_adds_edits_and_removes_an_action(client, team):
    plan = empty_plan(team)
    client.force_login(team.member)

    client.post(
        reverse("support:action_add", args=[plan.pk]),
        {
            "axis": "financing",
            "lever": "novess",
            "title": "Financer l'habitat inclusif",
            "description": "Présenter le projet au fonds.",
            "owner_kind": "partner",
            "owner_name": "Banque des Territoires",
        },
    )
    action = Action.objects.get()
    client.post(
        reverse("support:action_edit", args=[action.pk]),
        {
            "axis": "financing",
            "lever": "hubess",
            "title": "Orienter vers HubESS",
            "owner_kind": "partner",
            "owner_name": "HubESS",
        },
    )
    action.refresh_from_db()
    assert (action.title, action.lever, action.description) == (
        "Orienter vers HubESS",
        "hubess",
        "",
    )
    page = client.get(reverse("support:plan", args=[plan.pk])).content.decode()
    assert "Orienter vers HubESS" in page and "Levier : HubESS" in page

    response = client.post(
        reverse("support:action_delete", args=[action.pk]), follow=True
    )

    assert not Action.objects.exists()
    assert "est retirée du plan" in " ".join(_messages(response))


def test_action_add_preselects_the_axis(client, team):
    plan = empty_plan(team)
    client.force_login(team.member)

    html = client.get(
        reverse("support:action_add", args=[plan.pk]) + "?axe=impact"
    ).content.decode()

    assert '<option value="impact" selected>' in html


def test_empty_title_gives_a_form_error(client, team):
    plan = empty_plan(team)
    client.force_login(team.member)

    response = client.post(
        reverse("support:action_add", args=[plan.pk]),
        {
            "axis": "impact",
            "title": "   ",
            "owner_kind": "territory",
            "owner_name": "Équipe",
        },
    )

    assert response.status_code == 400
    assert "Ce champ est obligatoire." in response.content.decode()
    assert not Action.objects.exists()


def test_lever_of_another_axis_gives_a_form_error(client, team):
    plan = empty_plan(team)
    client.force_login(team.member)

    response = client.post(
        reverse("support:action_add", args=[plan.pk]),
        {
            "axis": "strategy",
            "lever": "bpifrance_fiso",
            "title": "Financer",
            "owner_kind": "partner",
            "owner_name": "Bpifrance",
        },
    )

    assert response.status_code == 400
    assert "Ce levier relève de l&#x27;axe « Soutenir le financement" in (
        response.content.decode()
    )
    assert not Action.objects.exists()


@pytest.mark.parametrize("due_on", ["32/13/2025", "demain", "2025-02-30", ""])
def test_unparseable_due_date_gives_a_form_error(client, team, due_on):
    plan = plan_with(team, actions=1)
    client.force_login(team.member)

    response = client.post(
        reverse("support:milestone_add", args=[plan.actions.get().pk]),
        {"title": "Comité de pilotage", "due_on": due_on},
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "Saisissez une date valide" in html or "Ce champ est obligatoire." in html
    assert not Milestone.objects.exists()


def test_milestone_is_added_with_a_french_date(client, team):
    plan = plan_with(team, actions=1)
    client.force_login(team.member)

    client.post(
        reverse("support:milestone_add", args=[plan.actions.get().pk]),
        {"title": "Comité de pilotage", "due_on": "15/09/2030"},
    )

    assert Milestone.objects.get().due_on == dt.date(2030, 9, 15)


def test_status_change_not_allowed_is_a_message_on_the_page(client, team):
    plan_with(team, actions=1, milestones=1)
    milestone = Milestone.objects.get()
    Milestone.objects.filter(pk=milestone.pk).update(status="done")
    client.force_login(team.member)

    response = client.post(
        reverse("support:milestone_status", args=[milestone.pk]),
        {"status": "planned"},
        follow=True,
    )

    assert response.status_code == 200
    assert "Un jalon « Réalisé » ne peut pas passer à « Prévu »." in _messages(response)
    milestone.refresh_from_db()
    assert milestone.status == "done"


def test_unknown_status_is_a_message_on_the_page(client, team):
    plan_with(team, actions=1, milestones=1)
    milestone = Milestone.objects.get()
    client.force_login(team.member)

    response = client.post(
        reverse("support:milestone_status", args=[milestone.pk]),
        {"status": "termine"},
        follow=True,
    )

    assert "Choisissez un des statuts proposés." in _messages(response)
    assert Milestone.objects.get().status == "planned"


def test_status_select_offers_only_allowed_moves(client, team):
    plan = plan_with(team, actions=1, milestones=1)
    milestone = Milestone.objects.get()
    Milestone.objects.filter(pk=milestone.pk).update(status="blocked")
    client.force_login(team.member)

    html = client.get(reverse("support:plan", args=[plan.pk])).content.decode()
    select = html.split(f'id="milestone-{milestone.pk}-status"')[1].split("</select>")[
        0
    ]

    assert '"planned"' in select and '"in_progress"' in select
    assert '"done"' not in select and '"blocked"' not in select


def test_comments_on_the_plan_and_on_an_action(client, team, staff):
    plan = plan_with(team, actions=1)
    action = plan.actions.get()
    client.force_login(team.member)

    empty = client.post(reverse("support:plan", args=[plan.pk]), {"body": "  "})
    client.post(
        reverse("support:plan", args=[plan.pk]),
        {"body": "Qui anime le comité ?", "action": action.pk},
    )
    client.force_login(staff)
    client.post(reverse("support:plan", args=[plan.pk]), {"body": "Le Clus'Ter."})

    assert empty.status_code == 400
    assert "Ce champ est obligatoire." in empty.content.decode()
    on_action = Comment.objects.get(action=action)
    assert (on_action.body, on_action.author_role) == ("Qui anime le comité ?", "team")
    general = Comment.objects.get(action__isnull=True)
    assert (general.body, general.author_role) == ("Le Clus'Ter.", "staff")
    html = client.get(reverse("support:plan", args=[plan.pk])).content.decode()
    assert "Qui anime le comité ?" in html and "Le Clus&#x27;Ter." in html


def test_comment_on_an_action_of_another_plan_is_refused(client, team, other_team):
    plan = plan_with(team, actions=1)
    foreign = plan_with(other_team, actions=1).actions.get()
    client.force_login(team.member)

    response = client.post(
        reverse("support:plan", args=[plan.pk]),
        {"body": "Ailleurs", "action": foreign.pk},
    )

    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not Comment.objects.exists()


def test_hostile_html_comes_back_escaped(client, team, staff):
    plan = empty_plan(team)
    client.force_login(team.member)
    client.post(
        reverse("support:action_add", args=[plan.pk]),
        {
            "axis": "impact",
            "title": HOSTILE,
            "description": HOSTILE,
            "owner_kind": "partner",
            "owner_name": HOSTILE,
        },
    )
    client.post(reverse("support:plan", args=[plan.pk]), {"body": HOSTILE})
    client.post(
        reverse("support:barrier_report"),
        {
            "territory": team.territory.pk,
            "title": HOSTILE,
            "blocking": HOSTILE,
            "legal_text": HOSTILE,
            "impact": HOSTILE,
            "project": HOSTILE,
        },
    )
    barrier = RegulatoryBarrier.objects.get()
    services.study_barrier(barrier=barrier, actor=staff)
    services.answer_barrier(barrier=barrier, actor=staff, response=HOSTILE)
    services.set_barrier_published(barrier=barrier, actor=staff, published=True)
    services.submit_plan(plan=plan, actor=team.member)
    services.validate_plan(plan=plan, actor=staff)

    pages = [
        (team.member, reverse("support:plan", args=[plan.pk])),
        (team.member, reverse("support:plan_version", args=[plan.pk, 1])),
        (team.member, reverse("support:barrier", args=[barrier.pk])),
        (team.member, reverse("support:barriers")),
        (team.member, reverse("support:home")),
        (staff, reverse("support:desk")),
        (staff, reverse("support:desk_barrier", args=[barrier.pk])),
        (None, reverse("support:public_barriers")),
        (None, reverse("support:public_plan", args=[team.territory.slug])),
    ]
    for user, url in pages:
        client.logout()
        if user:
            client.force_login(user)
        html = client.get(url).content.decode()
        assert ESCAPED in html, url
        assert "<script>alert" not in html, url
        assert "<img src=x" not in html, url


# --- submission and validation through the pages ------------------------------


def test_submit_validate_then_edit_keeps_v1_public(client, team, staff):
    plan = plan_with(team, actions=1, milestones=1)
    public = reverse("support:public_plan", args=[team.territory.slug])
    client.force_login(team.member)
    client.post(reverse("support:plan_submit", args=[plan.pk]))
    client.force_login(staff)
    response = client.post(
        reverse("support:plan_validate", args=[plan.pk]), follow=True
    )
    assert "Le plan est validé" in " ".join(_messages(response))
    client.force_login(team.member)

    client.post(
        reverse("support:action_edit", args=[plan.actions.get().pk]),
        {
            "axis": "strategy",
            "title": "Titre de la version 2",
            "owner_kind": "territory",
            "owner_name": "Équipe",
        },
    )

    plan.refresh_from_db()
    assert (plan.state, plan.version) == ("draft", 2)
    client.logout()
    html = client.get(public).content.decode()
    assert "Action 0" in html and "Titre de la version 2" not in html
    assert "Version 1 validée" in html

    client.force_login(team.member)
    client.post(reverse("support:plan_submit", args=[plan.pk]))
    client.force_login(staff)
    client.post(reverse("support:plan_validate", args=[plan.pk]))
    client.logout()
    html = client.get(public).content.decode()
    assert "Titre de la version 2" in html and "Version 2 validée" in html


def test_submitted_plan_cannot_be_edited_from_the_pages(client, team):
    plan = plan_with(team, actions=1)
    services.submit_plan(plan=plan, actor=team.member)
    client.force_login(team.member)

    response = client.get(reverse("support:action_add", args=[plan.pk]), follow=True)

    assert "soumis à validation" in " ".join(_messages(response))
    assert response.redirect_chain[-1][0] == plan.get_absolute_url()


def test_validating_a_draft_is_a_message_not_an_error(client, team, staff):
    plan = plan_with(team, actions=1)
    client.force_login(staff)

    response = client.post(
        reverse("support:plan_validate", args=[plan.pk]), follow=True
    )

    assert (
        "Un plan « En cours d'élaboration » ne peut pas passer à « Validé »."
        in _messages(response)
    )
    plan.refresh_from_db()
    assert plan.state == "draft"


def test_send_back_without_comment_is_a_message(client, team, staff):
    plan = plan_with(team, actions=1)
    services.submit_plan(plan=plan, actor=team.member)
    client.force_login(staff)

    empty = client.post(
        reverse("support:plan_send_back", args=[plan.pk]), {"comment": ""}, follow=True
    )
    client.post(
        reverse("support:plan_send_back", args=[plan.pk]),
        {"comment": "Ajoutez des jalons datés."},
    )

    assert "Indiquez à l'équipe ce qu'elle doit reprendre dans le plan." in (
        _messages(empty)
    )
    plan.refresh_from_db()
    assert plan.state == "draft"
    assert plan.comments.get().body == "Ajoutez des jalons datés."


# --- the desk -----------------------------------------------------------------


def test_barrier_report_answer_and_publication(client, team, staff, mailoutbox_rows):
    client.force_login(team.member)
    response = client.post(
        reverse("support:barrier_report"),
        {
            "territory": team.territory.pk,
            "title": "Agrément d'entreprise adaptée",
            "blocking": "La demande d'agrément prend un an.",
            "legal_text": "Code du travail",
            "impact": "Dix emplois retardés.",
            "project": "EA agrobiologique",
        },
        follow=True,
    )
    barrier = RegulatoryBarrier.objects.get()
    assert barrier.reporter == team.member and barrier.state == "received"
    assert "Agrément d&#x27;entreprise adaptée" in response.content.decode()
    assert mailoutbox_rows()[-1].to == [staff.email]

    client.force_login(staff)
    desk = reverse("support:desk_barrier", args=[barrier.pk])
    client.post(desk, {"action": "study"})
    empty = client.post(desk, {"action": "answer", "answer-response": ""})
    assert empty.status_code == 400
    assert "Ce champ est obligatoire." in empty.content.decode()
    client.post(
        desk,
        {"action": "answer", "answer-response": "Une procédure accélérée existe."},
    )
    client.post(desk, {"action": "publish"})

    barrier.refresh_from_db()
    assert barrier.state == "answered" and barrier.published_at is not None
    mail = mailoutbox_rows()[-1]
    assert mail.to == [team.member.email]
    assert "Une procédure accélérée existe." in mail.body
    assert "Agrément d'entreprise adaptée" in mail.subject
    client.force_login(team.member)
    mine = client.get(reverse("support:barriers")).content.decode()
    assert "Une procédure accélérée existe." in mine


def test_desk_refuses_a_move_from_the_wrong_state_with_a_message(client, team, staff):
    barrier = services.report_barrier(
        territory=team.territory,
        reporter=team.member,
        title="Frein",
        blocking="x",
        legal_text="x",
        impact="x",
    )
    client.force_login(staff)
    desk = reverse("support:desk_barrier", args=[barrier.pk])

    response = client.post(
        desk, {"action": "answer", "answer-response": "Trop tôt"}, follow=True
    )

    assert "Un signalement « Reçu » ne peut pas passer à « Répondu »." in (
        response.content.decode().replace("&#x27;", "'")
    )
    barrier.refresh_from_db()
    assert barrier.state == "received"


def test_desk_filters_by_state(client, team, staff):
    for title in ("Reçu un", "À étudier"):
        services.report_barrier(
            territory=team.territory,
            reporter=team.member,
            title=title,
            blocking="x",
            legal_text="x",
            impact="x",
        )
    services.study_barrier(
        barrier=RegulatoryBarrier.objects.get(title="À étudier"), actor=staff
    )
    client.force_login(staff)

    html = client.get(reverse("support:desk") + "?etat=under_study").content.decode()
    everything = client.get(reverse("support:desk") + "?etat=nimporte").content.decode()

    assert "À étudier" in html and "Reçu un" not in html
    assert 'aria-current="page">À l&#x27;étude (1)' in html
    assert "À étudier" in everything and "Reçu un" in everything


def test_user_without_territory_sees_why_they_cannot_report(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory())

    html = client.get(reverse("support:barrier_report")).content.decode()

    assert "aucun territoire labellisé" in html
    assert '<form method="post" novalidate>' not in html


# --- queries ------------------------------------------------------------------


def _measure(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


STAFF_PLANS_QUERIES = 4  # session, user, plans with their counts, territories
# session, user, plan, actions, milestones, comments of the actions, versions,
# the team rule (three permission checks), comments on the plan
TEAM_PLAN_QUERIES = 11


@pytest.mark.parametrize("plans", [1, 6])
def test_staff_plan_list_queries_do_not_grow(
    client, staff, django_assert_num_queries, plans
):
    for n in range(plans):
        team = team_territory()
        plan_with(team, actions=3, milestones=2)
        if n % 2:
            Milestone.objects.filter(action__plan__territory=team.territory).update(
                due_on=dt.date(2020, 1, 1)
            )
    team_territory()  # a labelled territory without a plan
    client.force_login(staff)

    with django_assert_num_queries(STAFF_PLANS_QUERIES):
        response = client.get(reverse("support:staff_plans"))

    html = response.content.decode()
    assert html.count('href="/accompagnement/plans/') == plans
    assert html.count("6 en retard") == plans // 2


@pytest.mark.parametrize(("actions", "milestones"), [(1, 1), (12, 4)])
def test_team_plan_page_queries_do_not_grow(
    client, team, django_assert_num_queries, actions, milestones
):
    plan = plan_with(team, actions=actions, milestones=milestones)
    for action in plan.actions.all():
        services.add_comment(plan=plan, actor=team.member, body="Vu", action=action)
    services.add_comment(plan=plan, actor=team.member, body="Général")
    client.force_login(team.member)

    with django_assert_num_queries(TEAM_PLAN_QUERIES):
        response = client.get(reverse("support:plan", args=[plan.pk]))

    html = response.content.decode()
    assert html.count('<article class="fi-row') == actions
    assert html.count("Changer le statut") == actions * milestones


def test_answer_email_leaves_after_the_commit(
    team, staff, django_capture_on_commit_callbacks
):
    from django.core import mail

    barrier = services.report_barrier(
        territory=team.territory,
        reporter=team.member,
        title="Frein",
        blocking="x",
        legal_text="x",
        impact="x",
    )
    services.study_barrier(barrier=barrier, actor=staff)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.answer_barrier(barrier=barrier, actor=staff, response="Réponse.")
        assert mail.outbox == []  # nothing leaves before the commit

    assert len(callbacks) == 1
    assert [m.to for m in mail.outbox] == [[team.member.email]]
    assert "Réponse." in mail.outbox[0].body
