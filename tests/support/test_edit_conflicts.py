"""Two people editing the same action of a support plan: the second save,
made from a stale version, is refused with the other version shown, and the
first edit is kept (optimistic locking under the row lock)."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from support import services
from support.models import Action

from .helpers import empty_plan

pytestmark = pytest.mark.django_db


def _action(team):
    plan = empty_plan(team)
    return services.add_action(
        plan=plan,
        actor=team.member,
        axis="financing",
        title="Financer l'habitat inclusif",
        owner_kind="partner",
        owner_name="Banque des Territoires",
    )


def _edit(client, action, token, title):
    return client.post(
        reverse("support:action_edit", args=[action.pk]),
        {
            "axis": "financing",
            "title": title,
            "owner_kind": "partner",
            "owner_name": "Banque des Territoires",
            "edited_from": token,
        },
    )


def _token_in_form(client, action):
    import re

    page = client.get(reverse("support:action_edit", args=[action.pk]))
    return re.search(r'name="edited_from" value="([^"]+)"', page.content.decode())[1]


def test_second_stale_save_is_refused_and_first_edit_kept(client, team):
    action = _action(team)
    client.force_login(team.member)
    other = Client()
    other.force_login(team.member)
    first_token = _token_in_form(client, action)
    second_token = _token_in_form(other, action)
    assert first_token == second_token

    first = _edit(client, action, first_token, "Version de Camille")
    second = _edit(other, action, second_token, "Version de Dominique")

    assert first.status_code == 302
    assert second.status_code == 409
    page = second.content.decode()
    assert "Quelqu&#x27;un d&#x27;autre a modifié cette action" in page
    assert "Version de Camille" in page  # the other version, shown
    assert 'value="Version de Dominique"' in page  # what was typed, kept
    action.refresh_from_db()
    assert action.title == "Version de Camille"

    # saving again from the conflict page overwrites, knowingly
    token = _token_in_form_page(page)
    assert _edit(other, action, token, "Version de Dominique").status_code == 302
    action.refresh_from_db()
    assert action.title == "Version de Dominique"


def _token_in_form_page(page):
    import re

    return re.search(r'name="edited_from" value="([^"]+)"', page)[1]


def test_stale_token_is_refused_by_the_service(team):
    action = _action(team)
    token = services.edit_token(action)
    services.update_action(
        action=action,
        actor=team.member,
        axis="financing",
        title="Première",
        owner_kind="partner",
        owner_name="X",
        edited_from=token,
    )

    with pytest.raises(services.EditConflict) as conflict:
        services.update_action(
            action=action,
            actor=team.member,
            axis="financing",
            title="Seconde",
            owner_kind="partner",
            owner_name="X",
            edited_from=token,
        )
    assert conflict.value.current.title == "Première"
    assert Action.objects.get(pk=action.pk).title == "Première"


@pytest.mark.django_db(transaction=True)
def test_two_threads_saving_the_same_version_one_wins(team):
    """Both threads read the same version, then save at the same moment: the
    row lock orders them, the second sees the first's save and is refused."""
    action = _action(team)
    token = services.edit_token(action)
    barrier = threading.Barrier(2)
    outcomes = {}

    def save(title):
        from django.db import connection as thread_connection

        try:
            barrier.wait(timeout=10)
            services.update_action(
                action=Action.objects.get(pk=action.pk),
                actor=team.member,
                axis="financing",
                title=title,
                owner_kind="partner",
                owner_name="X",
                edited_from=token,
            )
            outcomes[title] = "saved"
        except services.EditConflict:
            outcomes[title] = "conflict"
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=save, args=(t,)) for t in ("A", "B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    connection.close()

    assert sorted(outcomes.values()) == ["conflict", "saved"]
    winner = next(t for t, o in outcomes.items() if o == "saved")
    assert Action.objects.get(pk=action.pk).title == winner
