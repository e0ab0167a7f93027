"""Writes of the follow-up of labelled territories: challenges, projects,
objectives, progress reports and the yearly reporting campaigns.

Every write checks the territory's rule (its team or programme staff) and
leaves an audit entry. Rule breaches found here (a unit that is not the
indicator's, a measure dated in the future...) raise ``ValidationError``
keyed by field, so that the form shows them next to what the user typed.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from applications import uploads
from applications.enums import CandidacyState
from frenchimpact import audit, scanning
from frenchimpact.mail import queue_email
from frenchimpact.text import fold

from . import selectors
from .enums import CampaignStatus
from .models import (
    CampaignReminder,
    CampaignSubmission,
    Challenge,
    Indicator,
    Objective,
    ProgressReport,
    Project,
    ReportingCampaign,
)

REMINDER_INTERVAL = dt.timedelta(days=7)


def _require_editor(user, territory) -> None:
    if not user.has_perm("territories.edit_follow_up", territory):
        raise PermissionDenied


def _require_staff(user) -> None:
    if not user.has_perm("territories.manage_follow_up"):
        raise PermissionDenied


def _assign(instance, data: dict):
    for name, value in data.items():
        setattr(instance, name, value)
    return instance


@transaction.atomic
def save_challenge(*, user, territory, data: dict, challenge=None) -> Challenge:
    _require_editor(user, territory)
    challenge = _assign(challenge or Challenge(territory=territory), data)
    if (
        Challenge.objects.filter(territory=territory, title__iexact=challenge.title)
        .exclude(pk=challenge.pk)
        .exists()
    ):
        raise ValidationError({"title": _("Ce territoire a déjà un défi de ce nom.")})
    created = challenge.pk is None
    challenge.save()
    audit.record(
        actor=user,
        action="challenges.challenge." + ("created" if created else "changed"),
        obj=challenge,
        data={"title": challenge.title, "published": challenge.is_published},
    )
    return challenge


@transaction.atomic
def save_project(*, user, challenge, data: dict, project=None) -> Project:
    _require_editor(user, challenge.territory)
    project = _assign(project or Project(challenge=challenge), data)
    if (
        Project.objects.filter(challenge=challenge, name__iexact=project.name)
        .exclude(pk=project.pk)
        .exists()
    ):
        raise ValidationError({"name": _("Ce défi a déjà un projet de ce nom.")})
    created = project.pk is None
    project.save()
    audit.record(
        actor=user,
        action="challenges.project." + ("created" if created else "changed"),
        obj=project,
        data={"name": project.name},
    )
    return project


def resolve_indicator(name: str, unit: str) -> Indicator:
    """The catalogue's indicator of that name, which must be measured in the
    same unit; a new one if the name is new."""
    name, unit = " ".join(name.split()), " ".join(unit.split())
    indicator = Indicator.objects.filter(folded_name=fold(name)).first()
    if indicator is None:
        return Indicator.objects.create(name=name, unit=unit)
    if fold(indicator.unit) != fold(unit):
        raise ValidationError(
            {
                "unit": _(
                    "L'indicateur « %(indicator)s » se mesure en %(unit)s : "
                    "exprimez la cible et les mesures dans cette unité, ou "
                    "nommez un autre indicateur."
                )
                % {"indicator": indicator.name, "unit": indicator.unit}
            }
        )
    return indicator


@transaction.atomic
def save_objective(*, user, project, data: dict, objective=None) -> Objective:
    _require_editor(user, project.challenge.territory)
    data = dict(data)
    indicator = resolve_indicator(data.pop("indicator_name"), data.pop("unit"))
    baseline_on, deadline = data.get("baseline_on"), data.get("deadline")
    if baseline_on and deadline and deadline <= baseline_on:
        raise ValidationError(
            {"deadline": _("L'échéance doit suivre la date de la valeur de départ.")}
        )
    objective = _assign(objective or Objective(project=project), data)
    objective.indicator = indicator
    created = objective.pk is None
    objective.save()
    audit.record(
        actor=user,
        action="challenges.objective." + ("created" if created else "changed"),
        obj=objective,
        data={"indicator": indicator.name, "target": str(objective.target)},
    )
    return objective


@transaction.atomic
def record_progress(
    *, user, objective, reported_on, value, comment="", evidence=None
) -> ProgressReport:
    """Record a measure of the objective's indicator, with an optional
    evidence file (checked like every upload), in the open campaign if any."""
    territory = objective.project.challenge.territory
    _require_editor(user, territory)
    errors = {}
    if reported_on > timezone.localdate():
        errors["reported_on"] = _("Une mesure ne peut pas être datée dans le futur.")
    elif objective.baseline_on and reported_on < objective.baseline_on:
        errors["reported_on"] = _(
            "Une mesure ne peut pas précéder la date de la valeur de départ (%(date)s)."
        ) % {"date": objective.baseline_on.strftime("%d/%m/%Y")}
    if ProgressReport.objects.filter(
        objective=objective, reported_on=reported_on
    ).exists():
        errors["reported_on"] = _(
            "Une mesure existe déjà à cette date : modifiez-la ou choisissez "
            "une autre date."
        )
    checked = None
    if evidence is not None:
        try:
            checked = uploads.check_upload(
                evidence, max_bytes=settings.UPLOAD_MAX_BYTES
            )
        except ValidationError as error:
            errors["evidence"] = error.messages
    if errors:
        raise ValidationError(errors)
    report = ProgressReport(
        objective=objective,
        reported_on=reported_on,
        value=value,
        comment=comment,
        campaign=selectors.open_campaign(),
        created_by=user,
    )
    if checked:
        report.kind = checked.kind
        report.content_type = checked.content_type
        report.evidence_name = checked.safe_name
        report.evidence.save(checked.safe_name, evidence, save=False)
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:  # the same date recorded by a concurrent request
        raise ValidationError(
            {"reported_on": _("Une mesure existe déjà à cette date.")}
        ) from None
    if checked:
        scanning.request_scan(report)
    audit.record(
        actor=user,
        action="challenges.progress.recorded",
        obj=objective,
        data={"on": reported_on.isoformat(), "value": str(value)},
    )
    return report


@transaction.atomic
def delete_report(*, user, report: ProgressReport) -> None:
    objective = report.objective
    _require_editor(user, objective.project.challenge.territory)
    audit.record(
        actor=user,
        action="challenges.progress.deleted",
        obj=objective,
        data={"on": report.reported_on.isoformat(), "value": str(report.value)},
    )
    if report.evidence:
        report.evidence.delete(save=False)
    report.delete()


# --- campaigns ---------------------------------------------------------------


@transaction.atomic
def open_campaign(*, user, year: int, opens_on, closes_on) -> ReportingCampaign:
    _require_staff(user)
    if closes_on <= opens_on:
        raise ValidationError({"closes_on": _("La clôture doit suivre l'ouverture.")})
    if ReportingCampaign.objects.filter(year=year).exists():
        raise ValidationError({"year": _("Une campagne existe déjà pour cette année.")})
    campaign = ReportingCampaign.objects.create(
        year=year, opens_on=opens_on, closes_on=closes_on, opened_by=user
    )
    audit.record(actor=user, action="challenges.campaign.opened", obj=campaign)
    return campaign


@transaction.atomic
def close_campaign(*, user, campaign: ReportingCampaign) -> ReportingCampaign:
    _require_staff(user)
    updated = ReportingCampaign.objects.filter(
        pk=campaign.pk, status=CampaignStatus.OPEN
    ).update(status=CampaignStatus.CLOSED, updated_at=timezone.now())
    if updated:
        audit.record(actor=user, action="challenges.campaign.closed", obj=campaign)
    campaign.refresh_from_db()
    return campaign


@transaction.atomic
def submit_campaign(*, user, territory, campaign) -> CampaignSubmission:
    """The team states that its follow-up for the campaign is complete
    (once; a second click changes nothing)."""
    _require_editor(user, territory)
    if campaign.status != CampaignStatus.OPEN:
        raise ValidationError(_("Cette campagne est close."))
    submission, created = CampaignSubmission.objects.get_or_create(
        campaign=campaign, territory=territory, defaults={"submitted_by": user}
    )
    if created:
        audit.record(
            actor=user,
            action="challenges.campaign.submitted",
            obj=territory,
            data={"year": campaign.year},
        )
    return submission


def send_campaign_reminders(*, today=None) -> int:
    """Remind the teams that have not sent their follow-up of an open
    campaign, at most once a week each. Returns the number of territories
    reminded. Idempotent within a day."""
    today = today or timezone.localdate()
    sent = 0
    for campaign in ReportingCampaign.objects.filter(
        status=CampaignStatus.OPEN, opens_on__lte=today
    ):
        for territory in selectors.territories_to_remind(campaign):
            recent = CampaignReminder.objects.filter(
                campaign=campaign,
                territory=territory,
                sent_on__gt=today - REMINDER_INTERVAL,
            ).exists()
            if recent:
                continue
            sent += _remind(campaign, territory, today)
    return sent


@transaction.atomic
def _remind(campaign, territory, today) -> int:
    try:
        with transaction.atomic():
            CampaignReminder.objects.create(
                campaign=campaign, territory=territory, sent_on=today
            )
    except IntegrityError:  # another worker sent it today
        return 0
    emails = list(
        User.objects.filter(
            memberships__candidacy__territory=territory,
            memberships__candidacy__state=CandidacyState.LABELLED,
            is_active=True,
        )
        .values_list("email", flat=True)
        .distinct()
    )
    if not emails:
        return 0
    queue_email(
        to=emails,
        template="campaign_reminder",
        context={"campaign": campaign, "territory": territory},
    )
    return 1
