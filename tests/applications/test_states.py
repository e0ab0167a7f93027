import itertools

import pytest

from applications import services
from applications.enums import TRANSITIONS, CandidacyState
from applications.models import Candidacy
from frenchimpact.models import AuditEntry
from tests.factories import UserFactory, candidacy_for

pytestmark = pytest.mark.django_db
ALL_MOVES = list(itertools.product(CandidacyState.values, CandidacyState.values))


@pytest.mark.parametrize("from_state, to_state", ALL_MOVES)
def test_transition_allowed_or_refused_as_declared(from_state, to_state):
    actor = UserFactory()
    candidacy = candidacy_for(actor)
    Candidacy.objects.filter(pk=candidacy.pk).update(state=from_state)
    entries_before = AuditEntry.objects.count()

    if from_state == to_state:
        moved = services.transition(
            candidacy_id=candidacy.pk, to_state=to_state, actor=actor
        )[1]
        assert moved is False
        assert AuditEntry.objects.count() == entries_before
    elif to_state in TRANSITIONS[from_state]:
        candidacy, moved = services.transition(
            candidacy_id=candidacy.pk, to_state=to_state, actor=actor, comment="ok"
        )
        assert moved is True
        assert Candidacy.objects.get(pk=candidacy.pk).state == to_state
        entry = AuditEntry.objects.latest("pk")
        assert (entry.action, entry.from_state, entry.to_state, entry.actor) == (
            f"applications.candidacy.{to_state}",
            from_state,
            to_state,
            actor,
        )
        assert entry.comment == "ok"
    else:
        with pytest.raises(services.CandidacyError) as error:
            services.transition(
                candidacy_id=candidacy.pk, to_state=to_state, actor=actor
            )
        assert "ne peut pas passer" in error.value.message
        assert Candidacy.objects.get(pk=candidacy.pk).state == from_state
        assert AuditEntry.objects.count() == entries_before


def test_final_states_allow_no_move():
    for state in (
        CandidacyState.LABELLED,
        CandidacyState.REJECTED,
        CandidacyState.WITHDRAWN,
    ):
        assert TRANSITIONS[state] == frozenset()


def test_withdraw_only_from_draft_or_submitted():
    assert {
        state
        for state, moves in TRANSITIONS.items()
        if CandidacyState.WITHDRAWN in moves
    } == {CandidacyState.DRAFT, CandidacyState.SUBMITTED}
