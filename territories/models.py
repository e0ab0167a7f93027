"""Territories, their organisations and their labels."""

import secrets
import uuid

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from frenchimpact.enums import DocumentStatus
from frenchimpact.models import TimeStampedModel

from .enums import PUBLIC_LABEL_STATUSES, LabelStatus, OrganisationKind, TerritoryKind
from .validators import (
    validate_commune_codes,
    validate_department_code,
    validate_epci_codes,
    validate_region_code,
    validate_siret,
)


class Region(models.Model):
    """A région of the Code officiel géographique (reference data)."""

    code = models.CharField(
        _("code INSEE"), max_length=3, unique=True, validators=[validate_region_code]
    )
    name = models.CharField(_("nom"), max_length=100)

    class Meta:
        verbose_name = _("région")
        verbose_name_plural = _("régions")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Department(models.Model):
    """A département of the Code officiel géographique (reference data)."""

    code = models.CharField(
        _("code INSEE"),
        max_length=3,
        unique=True,
        validators=[validate_department_code],
    )
    name = models.CharField(_("nom"), max_length=100)
    region = models.ForeignKey(
        Region,
        verbose_name=_("région"),
        on_delete=models.PROTECT,
        related_name="departments",
    )

    class Meta:
        verbose_name = _("département")
        verbose_name_plural = _("départements")
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"


class Organisation(TimeStampedModel):
    """A lead organisation (structure porteuse) or a local actor."""

    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(
        _("nature"), max_length=30, choices=OrganisationKind.choices
    )
    siret = models.CharField(
        _("SIRET"),
        max_length=14,
        blank=True,
        validators=[validate_siret],
        help_text=_("14 chiffres, sans espace."),
    )
    town = models.CharField(_("commune"), max_length=150, blank=True)
    website = models.URLField(_("site internet"), blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["siret"],
                condition=~Q(siret=""),
                name="organisation_siret_unique",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=OrganisationKind.values),
                name="organisation_kind_valid",
            ),
        ]

    def __str__(self):
        return self.name


class TerritoryQuerySet(models.QuerySet):
    def labelled(self):
        """Territories holding a label that is active or active under conditions.

        These are the territories of the public directory.
        """
        return self.filter(
            Exists(
                Label.objects.filter(
                    territory=OuterRef("pk"), status__in=PUBLIC_LABEL_STATUSES
                )
            )
        )


class Territory(TimeStampedModel):
    """A territory: a région, a métropole, a pays, a group of communes..."""

    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant d'adresse"), max_length=200, unique=True)
    kind = models.CharField(_("nature"), max_length=20, choices=TerritoryKind.choices)
    regions = models.ManyToManyField(
        Region, verbose_name=_("régions"), related_name="territories"
    )
    departments = models.ManyToManyField(
        Department, verbose_name=_("départements"), related_name="territories"
    )
    epci_codes = models.JSONField(
        _("EPCI (codes SIREN)"),
        default=list,
        blank=True,
        validators=[validate_epci_codes],
    )
    commune_codes = models.JSONField(
        _("communes (codes INSEE)"),
        default=list,
        blank=True,
        validators=[validate_commune_codes],
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    lead_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("structure porteuse"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_territories",
    )
    summary = models.CharField(_("résumé"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    # unaccented, lower-case text the directory searches (see services)
    search_text = models.TextField(editable=False, default="")

    objects = TerritoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("territoire")
        verbose_name_plural = _("territoires")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=TerritoryKind.values),
                name="territory_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True)
                | Q(latitude__gte=-90, latitude__lte=90),
                name="territory_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True)
                | Q(longitude__gte=-180, longitude__lte=180),
                name="territory_longitude_range",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("territories:detail", kwargs={"slug": self.slug})


class PriorityArea(models.Model):
    """A priority sector inside a territory (secteur prioritaire)."""

    territory = models.ForeignKey(
        Territory,
        verbose_name=_("territoire"),
        on_delete=models.CASCADE,
        related_name="priority_areas",
    )
    name = models.CharField(_("nom"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("secteur prioritaire")
        verbose_name_plural = _("secteurs prioritaires")
        ordering = ["territory", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["territory", "name"], name="priority_area_unique_name"
            )
        ]

    def __str__(self):
        return self.name


def new_verification_code() -> str:
    """An unguessable code for the public verification URL (128 bits)."""
    return secrets.token_urlsafe(16)


class LabelQuerySet(models.QuerySet):
    def public(self):
        """Labels that make their territory appear in the directory."""
        return self.filter(status__in=PUBLIC_LABEL_STATUSES)


class Label(TimeStampedModel):
    """The label « Territoire French Impact » of a territory, for one wave."""

    territory = models.ForeignKey(
        Territory,
        verbose_name=_("territoire"),
        on_delete=models.PROTECT,
        related_name="labels",
    )
    wave = models.ForeignKey(
        "applications.Wave",
        verbose_name=_("vague"),
        on_delete=models.PROTECT,
        related_name="labels",
    )
    number = models.CharField(_("numéro de label"), max_length=30, unique=True)
    awarded_on = models.DateField(_("date de labellisation"))
    valid_until = models.DateField(_("valable jusqu'au"), null=True, blank=True)
    status = models.CharField(
        _("statut"),
        max_length=20,
        choices=LabelStatus.choices,
        default=LabelStatus.ACTIVE,
    )
    verification_code = models.CharField(
        _("code de vérification"),
        max_length=64,
        unique=True,
        default=new_verification_code,
        editable=False,
    )

    objects = LabelQuerySet.as_manager()

    class Meta:
        verbose_name = _("label")
        verbose_name_plural = _("labels")
        ordering = ["-awarded_on", "territory__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["territory", "wave"], name="label_one_per_territory_and_wave"
            ),
            models.CheckConstraint(
                condition=Q(status__in=LabelStatus.values), name="label_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_until__gt=models.F("awarded_on")),
                name="label_validity_after_award",
            ),
        ]

    def __str__(self):
        return f"{self.number} — {self.territory}"

    def get_verification_url(self):
        return reverse("verify_label", kwargs={"code": self.verification_code})

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_LABEL_STATUSES


def certificate_path(instance, filename):
    return f"certificates/{instance.label_id}/{uuid.uuid4().hex}.pdf"


class Certificate(TimeStampedModel):
    """A rendering of a label's certificate (PDF). A new version is made when
    what it shows changes; earlier versions are kept."""

    label = models.ForeignKey(
        Label, on_delete=models.PROTECT, related_name="certificates"
    )
    language = models.CharField(max_length=5, default="fr")
    inputs_hash = models.CharField(max_length=64)
    status = models.CharField(
        _("statut"),
        max_length=20,
        choices=DocumentStatus.choices,
        default=DocumentStatus.QUEUED,
    )
    file = models.FileField(upload_to=certificate_path, blank=True, max_length=255)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("certificat")
        verbose_name_plural = _("certificats")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["label", "language", "inputs_hash"],
                name="certificate_one_per_inputs",
            )
        ]

    def __str__(self):
        return f"{self.label.number} ({self.language})"
