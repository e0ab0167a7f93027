"""A territory's challenges (défis), the local projects answering them and
their quantified objectives."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from frenchimpact.models import ScannedFileMixin, TimeStampedModel
from frenchimpact.text import fold

from .enums import NON_ADDITIVE_UNITS, CampaignStatus, StructureKind, Theme


class Indicator(TimeStampedModel):
    """A measure shared by objectives across territories (national
    catalogue), always in one unit: totals add up only where units match."""

    name = models.CharField(_("indicateur"), max_length=200)
    unit = models.CharField(
        _("unité"),
        max_length=50,
        help_text=_("Par exemple : personnes, emplois, logements, tonnes, %."),
    )
    folded_name = models.CharField(max_length=200, editable=False, unique=True)

    class Meta:
        verbose_name = _("indicateur")
        verbose_name_plural = _("indicateurs")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.unit})"

    def save(self, *args, **kwargs):
        self.folded_name = fold(self.name)
        super().save(*args, **kwargs)

    @property
    def is_additive(self) -> bool:
        unit = self.unit.strip().lower()
        return unit not in NON_ADDITIVE_UNITS and fold(unit) not in NON_ADDITIVE_UNITS


class Challenge(TimeStampedModel):
    territory = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("territoire"),
        on_delete=models.CASCADE,
        related_name="challenges",
    )
    title = models.CharField(_("intitulé"), max_length=200)
    theme = models.CharField(_("thème"), max_length=20, choices=Theme.choices)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    is_published = models.BooleanField(
        _("publié"),
        default=False,
        help_text=_(
            "Un défi publié, ses projets et leurs avancements sont visibles de "
            "tous sur la page du territoire."
        ),
    )

    class Meta:
        verbose_name = _("défi")
        verbose_name_plural = _("défis")
        ordering = ["territory", "position", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["territory", "title"], name="challenge_unique_title"
            ),
            models.CheckConstraint(
                condition=Q(theme__in=Theme.values), name="challenge_theme_valid"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("challenges:challenge", args=[self.pk])


class Project(TimeStampedModel):
    """A local project that answers a challenge."""

    challenge = models.ForeignKey(
        Challenge,
        verbose_name=_("défi"),
        on_delete=models.CASCADE,
        related_name="projects",
    )
    name = models.CharField(_("nom"), max_length=200)
    structure_kind = models.CharField(
        _("forme de la structure porteuse"),
        max_length=20,
        choices=StructureKind.choices,
    )
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("projet")
        verbose_name_plural = _("projets")
        ordering = ["challenge", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "name"], name="project_unique_name"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("challenges:project", args=[self.pk])


class Objective(TimeStampedModel):
    """A quantified objective of a project: indicator, unit, baseline, target."""

    project = models.ForeignKey(
        Project,
        verbose_name=_("projet"),
        on_delete=models.CASCADE,
        related_name="objectives",
    )
    statement = models.CharField(_("objectif"), max_length=300)
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicateur"),
        on_delete=models.PROTECT,
        related_name="objectives",
    )
    baseline = models.DecimalField(
        _("valeur de départ"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Vide si elle n'est pas encore connue."),
    )
    baseline_on = models.DateField(
        _("date de la valeur de départ"), null=True, blank=True
    )
    target = models.DecimalField(_("cible"), max_digits=12, decimal_places=2)
    deadline = models.DateField(_("échéance"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("objectif")
        verbose_name_plural = _("objectifs")
        ordering = ["project", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__isnull=True)
                | Q(baseline_on__isnull=True)
                | Q(deadline__gt=F("baseline_on")),
                name="objective_deadline_after_baseline",
            ),
        ]

    def __str__(self):
        return self.statement


def evidence_path(instance, filename):
    return f"evidence/{instance.objective_id}/{uuid.uuid4().hex}.{instance.kind}"


class ProgressReport(ScannedFileMixin, TimeStampedModel):
    """A measure of an objective's indicator at a date, with its evidence."""

    objective = models.ForeignKey(
        Objective,
        verbose_name=_("objectif"),
        on_delete=models.CASCADE,
        related_name="reports",
    )
    reported_on = models.DateField(_("date de la mesure"))
    value = models.DecimalField(_("valeur"), max_digits=12, decimal_places=2)
    comment = models.TextField(_("commentaire"), blank=True, max_length=2000)
    evidence = models.FileField(
        _("justificatif"), upload_to=evidence_path, blank=True, max_length=255
    )
    evidence_name = models.CharField(max_length=255, blank=True)
    kind = models.CharField(max_length=10, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    campaign = models.ForeignKey(
        "ReportingCampaign",
        verbose_name=_("campagne"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    SCANNED_FILE_FIELD = "evidence"
    SCANNED_NAME_FIELD = "evidence_name"
    SCANNED_UPLOADER_FIELD = "created_by"

    class Meta:
        verbose_name = _("point d'avancement")
        verbose_name_plural = _("points d'avancement")
        ordering = ["objective", "reported_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["objective", "reported_on"], name="report_one_per_day"
            ),
        ]

    def __str__(self):
        return f"{self.objective} — {self.reported_on}: {self.value}"


class ReportingCampaign(TimeStampedModel):
    """The yearly call to the labelled territories to report their progress."""

    year = models.PositiveSmallIntegerField(_("année"), unique=True)
    opens_on = models.DateField(_("ouverture"))
    closes_on = models.DateField(_("clôture"))
    status = models.CharField(
        _("état"),
        max_length=10,
        choices=CampaignStatus.choices,
        default=CampaignStatus.OPEN,
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("campagne de suivi")
        verbose_name_plural = _("campagnes de suivi")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gt=F("opens_on")),
                name="campaign_closes_after_opening",
            ),
        ]

    def __str__(self):
        return str(_("Campagne de suivi %(year)s") % {"year": self.year})


class CampaignSubmission(TimeStampedModel):
    """A territory's statement that its reports for a campaign are complete."""

    campaign = models.ForeignKey(
        ReportingCampaign, on_delete=models.CASCADE, related_name="submissions"
    )
    territory = models.ForeignKey(
        "territories.Territory",
        on_delete=models.CASCADE,
        related_name="campaign_submissions",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("suivi transmis")
        verbose_name_plural = _("suivis transmis")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "territory"], name="submission_once"
            ),
        ]


class CampaignReminder(models.Model):
    """A reminder sent to a territory's team, so that none is sent twice in
    the same week."""

    campaign = models.ForeignKey(
        ReportingCampaign, on_delete=models.CASCADE, related_name="reminders"
    )
    territory = models.ForeignKey(
        "territories.Territory", on_delete=models.CASCADE, related_name="+"
    )
    sent_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "territory", "sent_on"], name="reminder_once_a_day"
            ),
        ]

    def __str__(self):
        return f"{self.campaign} — {self.territory_id} — {self.sent_on}"
