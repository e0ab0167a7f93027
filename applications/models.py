"""The permanent call for expressions of interest (AMI) and its waves."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from challenges.enums import Theme
from frenchimpact.enums import DocumentStatus
from frenchimpact.models import ScannedFileMixin, TimeStampedModel
from territories.enums import OrganisationKind, TerritoryKind
from territories.validators import validate_siret

from .enums import CandidacyState, TeamRole, WaveStatus

TEXT_MAX = 5000  # characters of a long answer


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

    def is_open(self, at=None) -> bool:
        """Applications are accepted from ``opens_at`` up to ``closes_at``
        excluded; both are absolute instants, shown in Europe/Paris."""
        at = at or timezone.now()
        return self.opens_at <= at < self.closes_at


class Criterion(models.Model):
    """A criterion of a wave's published scoring grid."""

    wave = models.ForeignKey(
        Wave, verbose_name=_("vague"), on_delete=models.CASCADE, related_name="criteria"
    )
    title = models.CharField(_("critère"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    weight = models.DecimalField(_("poids"), max_digits=5, decimal_places=2)
    scale_max = models.PositiveSmallIntegerField(
        _("note maximale"), default=5, help_text=_("Les notes vont de 0 à ce maximum.")
    )
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("critère")
        verbose_name_plural = _("critères")
        ordering = ["wave", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gt=0), name="criterion_weight_positive"
            ),
            models.CheckConstraint(
                condition=Q(scale_max__gte=1), name="criterion_scale_at_least_one"
            ),
            models.UniqueConstraint(
                fields=["wave", "title"], name="criterion_unique_title"
            ),
        ]

    def __str__(self):
        return self.title


class CandidacyQuerySet(models.QuerySet):
    def for_member(self, user):
        """Candidacies of the teams ``user`` belongs to."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user)

    def submitted(self):
        from .enums import SUBMITTED_STATES

        return self.filter(state__in=SUBMITTED_STATES)


class Candidacy(TimeStampedModel):
    """A territory's application to a wave: a consortium's file."""

    wave = models.ForeignKey(
        Wave,
        verbose_name=_("vague"),
        on_delete=models.PROTECT,
        related_name="candidacies",
    )
    reference = models.CharField(_("référence"), max_length=20, unique=True)
    state = models.CharField(
        _("état"),
        max_length=20,
        choices=CandidacyState.choices,
        default=CandidacyState.DRAFT,
    )
    # section "territory"
    territory = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("territoire existant"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="candidacies",
    )
    territory_name = models.CharField(
        _("nom du territoire"), max_length=200, blank=True
    )
    territory_kind = models.CharField(
        _("nature du territoire"),
        max_length=20,
        choices=TerritoryKind.choices,
        blank=True,
    )
    region_codes = models.JSONField(
        _("régions (codes INSEE)"), default=list, blank=True
    )
    department_codes = models.JSONField(
        _("départements (codes INSEE)"), default=list, blank=True
    )
    epci_codes = models.JSONField(_("EPCI (codes SIREN)"), default=list, blank=True)
    commune_codes = models.JSONField(
        _("communes (codes INSEE)"), default=list, blank=True
    )
    perimeter = models.TextField(_("périmètre"), blank=True, max_length=TEXT_MAX)
    # section "lead"
    lead_name = models.CharField(_("structure porteuse"), max_length=200, blank=True)
    lead_kind = models.CharField(
        _("nature de la structure porteuse"),
        max_length=30,
        choices=OrganisationKind.choices,
        blank=True,
    )
    lead_siret = models.CharField(
        _("SIRET de la structure porteuse"),
        max_length=14,
        blank=True,
        validators=[validate_siret],
    )
    lead_town = models.CharField(_("commune du siège"), max_length=150, blank=True)
    # section "diagnosis"
    diagnosis = models.TextField(
        _("diagnostic de l'écosystème"), blank=True, max_length=TEXT_MAX
    )
    priority_areas = models.TextField(
        _("secteurs prioritaires"), blank=True, max_length=TEXT_MAX
    )
    # section "axes": {axis code: expectation}
    axis_expectations = models.JSONField(
        _("attentes par axe"), default=dict, blank=True
    )
    # section "governance"
    governance = models.TextField(
        _("gouvernance et coopération"), blank=True, max_length=TEXT_MAX
    )
    resources = models.TextField(
        _("moyens humains et financiers"), blank=True, max_length=TEXT_MAX
    )
    # optimistic locking, one counter per section: {section slug: version}
    section_versions = models.JSONField(default=dict, blank=True, editable=False)
    submitted_at = models.DateTimeField(_("déposée le"), null=True, blank=True)
    submission_count = models.PositiveSmallIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créée par"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = CandidacyQuerySet.as_manager()

    class Meta:
        verbose_name = _("candidature")
        verbose_name_plural = _("candidatures")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=CandidacyState.values),
                name="candidacy_state_valid",
            ),
        ]

    def __str__(self):
        return f"{self.reference} — {self.display_name}"

    def get_absolute_url(self):
        return reverse("applications:detail", kwargs={"pk": self.pk})

    @property
    def display_name(self) -> str:
        if self.territory_id:
            return self.territory.name
        return self.territory_name or str(_("Territoire à préciser"))

    def version_of(self, section: str) -> int:
        return int(self.section_versions.get(section, 0))


class TeamMembership(TimeStampedModel):
    candidacy = models.ForeignKey(
        Candidacy, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("rôle"), max_length=20, choices=TeamRole.choices)

    class Meta:
        verbose_name = _("membre de l'équipe")
        verbose_name_plural = _("membres de l'équipe")
        ordering = ["role", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidacy", "user"], name="membership_unique_user"
            ),
            models.UniqueConstraint(
                fields=["candidacy"],
                condition=Q(role=TeamRole.LEAD),
                name="membership_one_lead",
            ),
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()})"


class Invitation(TimeStampedModel):
    candidacy = models.ForeignKey(
        Candidacy, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("adresse électronique"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self):
        return self.email


class Contact(models.Model):
    candidacy = models.ForeignKey(
        Candidacy, on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("nom et prénom"), max_length=150)
    function = models.CharField(_("fonction"), max_length=150)
    email = models.EmailField(_("adresse électronique"))
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("personne à contacter")
        verbose_name_plural = _("personnes à contacter")
        ordering = ["pk"]

    def __str__(self):
        return self.name


class Partner(models.Model):
    """A member of the consortium around the lead organisation."""

    candidacy = models.ForeignKey(
        Candidacy, on_delete=models.CASCADE, related_name="partners"
    )
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(
        _("nature"), max_length=30, choices=OrganisationKind.choices
    )
    siret = models.CharField(
        _("SIRET"), max_length=14, blank=True, validators=[validate_siret]
    )
    role = models.CharField(_("rôle dans le consortium"), max_length=300)
    commitment = models.TextField(_("engagement"), max_length=TEXT_MAX)

    class Meta:
        verbose_name = _("partenaire")
        verbose_name_plural = _("partenaires")
        ordering = ["pk"]

    def __str__(self):
        return self.name


class ProposedChallenge(models.Model):
    """A challenge (défi) the territory sets itself, with its objectives."""

    candidacy = models.ForeignKey(
        Candidacy, on_delete=models.CASCADE, related_name="challenges"
    )
    title = models.CharField(_("défi"), max_length=200)
    theme = models.CharField(_("thème"), max_length=20, choices=Theme.choices)
    objectives = models.TextField(
        _("objectifs que le territoire se fixe"), max_length=TEXT_MAX
    )

    class Meta:
        verbose_name = _("défi proposé")
        verbose_name_plural = _("défis proposés")
        ordering = ["pk"]

    def __str__(self):
        return self.title


def attachment_path(instance, filename):
    # never the user's name on disk: a random name, outside the web root
    suffix = PurePath(filename).suffix.lower()
    return f"candidacies/{instance.candidacy_id}/{uuid.uuid4().hex}{suffix}"


class Attachment(ScannedFileMixin, TimeStampedModel):
    candidacy = models.ForeignKey(
        Candidacy, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=255)
    name = models.CharField(_("nom du fichier"), max_length=255)
    description = models.CharField(_("description"), max_length=200, blank=True)
    kind = models.CharField(max_length=10)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    SCANNED_FILE_FIELD = "file"
    SCANNED_NAME_FIELD = "name"
    SCANNED_UPLOADER_FIELD = "uploaded_by"

    class Meta:
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.name


def receipt_path(instance, filename):
    return f"receipts/{instance.candidacy_id}/{uuid.uuid4().hex}.pdf"


class Receipt(TimeStampedModel):
    """The dated deposit receipt of one submission (PDF, rendered by Celery)."""

    candidacy = models.ForeignKey(
        Candidacy, on_delete=models.CASCADE, related_name="receipts"
    )
    number = models.PositiveSmallIntegerField(_("dépôt n°"))
    submitted_at = models.DateTimeField(_("déposée le"))
    content_hash = models.CharField(_("empreinte du dossier (SHA-256)"), max_length=64)
    snapshot = models.JSONField(_("contenu déposé"))
    status = models.CharField(
        max_length=20, choices=DocumentStatus.choices, default=DocumentStatus.QUEUED
    )
    file = models.FileField(upload_to=receipt_path, blank=True, max_length=255)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("récépissé de dépôt")
        verbose_name_plural = _("récépissés de dépôt")
        ordering = ["candidacy", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidacy", "number"], name="receipt_one_per_submission"
            )
        ]

    def __str__(self):
        return f"{self.candidacy.reference} #{self.number}"


class ReminderSent(models.Model):
    """Marks a deadline reminder as sent, so that beat never sends it twice."""

    candidacy = models.ForeignKey(
        Candidacy, on_delete=models.CASCADE, related_name="reminders"
    )
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["candidacy", "days_before"], name="reminder_once"
            )
        ]

    def __str__(self):
        return f"{self.candidacy} J-{self.days_before}"
