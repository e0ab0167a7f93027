"""A territory's challenges (défis), the local projects answering them and
their quantified objectives."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from frenchimpact.models import TimeStampedModel

from .enums import StructureKind, Theme


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


class Objective(TimeStampedModel):
    """A quantified objective of a project: indicator, unit, baseline, target."""

    project = models.ForeignKey(
        Project,
        verbose_name=_("projet"),
        on_delete=models.CASCADE,
        related_name="objectives",
    )
    statement = models.CharField(_("objectif"), max_length=300)
    indicator = models.CharField(_("indicateur"), max_length=200)
    unit = models.CharField(_("unité"), max_length=50)
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
