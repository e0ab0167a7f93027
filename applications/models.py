"""The permanent call for expressions of interest (AMI) and its waves."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from frenchimpact.models import TimeStampedModel

from .enums import WaveStatus


class Call(TimeStampedModel):
    """The permanent AMI « Territoire French Impact »."""

    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant d'adresse"), unique=True)
    opened_on = models.DateField(_("ouvert le"))
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("appel à manifestation d'intérêt")
        verbose_name_plural = _("appels à manifestation d'intérêt")
        ordering = ["-opened_on"]

    def __str__(self):
        return self.name


class Wave(TimeStampedModel):
    """A round of labelling of the call (vague)."""

    call = models.ForeignKey(
        Call, verbose_name=_("appel"), on_delete=models.PROTECT, related_name="waves"
    )
    number = models.PositiveSmallIntegerField(_("numéro"))
    name = models.CharField(_("nom"), max_length=200)
    opens_at = models.DateTimeField(_("ouverture des candidatures"))
    closes_at = models.DateTimeField(_("clôture des candidatures"))
    decisions_published_on = models.DateField(
        _("décisions publiées le"), null=True, blank=True
    )
    status = models.CharField(
        _("statut"),
        max_length=20,
        choices=WaveStatus.choices,
        default=WaveStatus.UPCOMING,
    )

    class Meta:
        verbose_name = _("vague")
        verbose_name_plural = _("vagues")
        ordering = ["call", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["call", "number"], name="wave_unique_number_per_call"
            ),
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")),
                name="wave_closes_after_opening",
            ),
            models.CheckConstraint(
                condition=Q(status__in=WaveStatus.values), name="wave_status_valid"
            ),
        ]

    def __str__(self):
        return self.name
