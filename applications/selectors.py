"""Reads of calls, waves and candidacies."""

from django.db.models import Prefetch
from django.http import Http404

from frenchimpact.audit import entries_for

from .enums import CandidacyState
from .models import Call, Candidacy, Criterion, TeamMembership, Wave


def public_call() -> Call | None:
    criteria = Prefetch("criteria", queryset=Criterion.objects.order_by("position"))
    waves = Prefetch(
        "waves", queryset=Wave.objects.order_by("-number").prefetch_related(criteria)
    )
    return Call.objects.prefetch_related(waves).order_by("-opened_on").first()


def open_waves():
    from django.utils import timezone

    now = timezone.now()
    return Wave.objects.filter(opens_at__lte=now, closes_at__gt=now).order_by("number")


def _candidacies():
    return Candidacy.objects.select_related("wave", "territory").prefetch_related(
        Prefetch("memberships", queryset=TeamMembership.objects.select_related("user"))
    )


def candidacies_of_member(user):
    """The candidacies of the teams ``user`` belongs to (their own space)."""
    return _candidacies().for_member(user)


def candidacies_for_user(user):
    """The candidacies ``user`` may see: their teams' (staff see all)."""
    if user.is_authenticated and user.is_programme_staff:
        return _candidacies()
    return _candidacies().for_member(user)


def candidacy_for_user(user, pk) -> Candidacy:
    """One candidacy ``user`` may see, or 404 (never 403: no existence leak)."""
    candidacy = (
        candidacies_for_user(user)
        .prefetch_related(
            "contacts", "partners", "challenges", "attachments", "receipts"
        )
        .filter(pk=pk)
        .first()
    )
    if candidacy is None:
        raise Http404
    return candidacy


def history_for_team(candidacy) -> list:
    """The dated state changes of a candidacy, as its team sees them, with
    the states' labels (``from_label``, ``to_label``)."""
    entries = list(
        entries_for(candidacy).exclude(to_state="").order_by("created_at", "pk")
    )
    labels = dict(CandidacyState.choices)
    for entry in entries:
        entry.from_label = labels.get(entry.from_state, "")
        entry.to_label = labels.get(entry.to_state, entry.to_state)
    return entries
