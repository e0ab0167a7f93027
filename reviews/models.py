"""The review of candidacies: assignments, conflicts of interest, scores,
messages between staff and teams, and the committee's decisions."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from applications.models import TEXT_MAX, Candidacy, Criterion
from frenchimpact.enums import DocumentStatus
from frenchimpact.models import ScannedFileMixin, TimeStampedModel

from .enums import ConflictStatus, Outcome, Recommendation, ReviewState


class Assignment(TimeStampedModel):
    """A reviewer (instructeur) assigned to a candidacy, with their
    declaration of interests."""

    candidacy = models.ForeignKey(
        Candidacy, on_delete=models.CASCADE, related_name="assignments"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    conflict_status = models.CharField(
        _("conflit d'intérêts"),
        max_length=10,
        choices=ConflictStatus.choices,
        default=ConflictStatus.PENDING,
    )
    conflict_reason = models.TextField(
        _("nature du conflit"), blank=True, max_length=TEXT_MAX
    )
    declared_at = models.DateTimeField(_("déclaré le"), null=True, blank=True)

    class Meta:
        verbose_name = _("affectation")
        verbose_name_plural = _("affectations")
        ordering = ["candidacy", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidacy", "reviewer"], name="assignment_unique_reviewer"
            ),
        ]

    def __str__(self):
        return f"{self.reviewer} → {self.candidacy.reference}"


class Review(TimeStampedModel):
    assignment = models.OneToOneField(
        Assignment, on_delete=models.CASCADE, related_name="review"
    )
    state = models.CharField(
        _("état"), max_length=10, choices=ReviewState.choices, default=ReviewState.DRAFT
    )
    recommendation = models.CharField(
        _("recommandation"), max_length=20, choices=Recommendation.choices, blank=True
    )
    comment = models.TextField(_("avis général"), blank=True, max_length=TEXT_MAX)
    version = models.PositiveIntegerField(default=0, editable=False)
    submitted_at = models.DateTimeField(_("remise le"), null=True, blank=True)

    class Meta:
        verbose_name = _("rapport d'instruction")
        verbose_name_plural = _("rapports d'instruction")

    def __str__(self):
        return f"{self.assignment}"


class Score(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField(_("note"))
    comment = models.TextField(_("commentaire"), blank=True, max_length=TEXT_MAX)
    shared = models.BooleanField(
        _("commentaire partagé avec l'équipe"),
        default=False,
        help_text=_("Repris, sans votre nom, dans le rapport remis au territoire."),
    )

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["criterion__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "criterion"], name="score_one_per_criterion"
            ),
        ]

    def __str__(self):
        return f"{self.criterion}: {self.value}"


class Message(TimeStampedModel):
    """The thread between the High Commission and a candidacy's team."""

    candidacy = models.ForeignKey(
        Candidacy, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    from_staff = models.BooleanField(default=False)
    body = models.TextField(_("message"), max_length=TEXT_MAX)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.body[:60]


class Decision(TimeStampedModel):
    """The committee's decision on a candidacy, prepared then published."""

    candidacy = models.OneToOneField(
        Candidacy, on_delete=models.PROTECT, related_name="decision"
    )
    outcome = models.CharField(_("décision"), max_length=20, choices=Outcome.choices)
    reasons = models.TextField(_("motifs"), max_length=TEXT_MAX)
    conditions = models.TextField(
        _("conditions à lever"), blank=True, max_length=TEXT_MAX
    )
    conditions_due_on = models.DateField(
        _("conditions à lever avant le"), null=True, blank=True
    )
    conditions_lifted_at = models.DateTimeField(null=True, blank=True)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("décision")
        verbose_name_plural = _("décisions")
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome=Outcome.LABEL_WITH_CONDITIONS)
                | (~Q(conditions="") & Q(conditions_due_on__isnull=False)),
                name="decision_conditions_stated",
            ),
        ]

    def __str__(self):
        return f"{self.candidacy.reference}: {self.get_outcome_display()}"


def expert_attachment_path(instance, filename):
    import uuid
    from pathlib import PurePath

    suffix = PurePath(filename).suffix.lower()
    return f"expert-opinions/{instance.candidacy_id}/{uuid.uuid4().hex}{suffix}"


class ExpertRequest(ScannedFileMixin, TimeStampedModel):
    """A question put to an expert (AVISE) on a candidacy; the answer is
    confidential to the High Commission."""

    candidacy = models.ForeignKey(
        Candidacy, on_delete=models.CASCADE, related_name="expert_requests"
    )
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="expert_requests",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    question = models.TextField(_("question"), max_length=TEXT_MAX)
    due_on = models.DateField(_("avis attendu pour le"))
    answer = models.TextField(_("avis"), blank=True, max_length=TEXT_MAX)
    attachment = models.FileField(
        _("pièce jointe"), upload_to=expert_attachment_path, blank=True, max_length=255
    )
    attachment_name = models.CharField(max_length=255, blank=True)
    answered_at = models.DateTimeField(_("rendu le"), null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)

    SCANNED_FILE_FIELD = "attachment"
    SCANNED_NAME_FIELD = "attachment_name"
    SCANNED_UPLOADER_FIELD = "expert"

    class Meta:
        verbose_name = _("demande d'avis d'expert")
        verbose_name_plural = _("demandes d'avis d'expert")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.candidacy.reference} — {self.expert}"


def report_path(instance, filename):
    import uuid

    return f"review-reports/{instance.candidacy_id}/{uuid.uuid4().hex}.pdf"


class ReviewReport(TimeStampedModel):
    """The review report of a candidacy (PDF): reviewers anonymised in the
    team's version, named in the staff's."""

    TEAM, STAFF = "team", "staff"
    AUDIENCES = [(TEAM, _("Équipe")), (STAFF, _("Haut-Commissariat"))]

    candidacy = models.ForeignKey(
        Candidacy, on_delete=models.CASCADE, related_name="review_reports"
    )
    audience = models.CharField(max_length=10, choices=AUDIENCES)
    inputs_hash = models.CharField(max_length=64)
    status = models.CharField(
        max_length=20, choices=DocumentStatus.choices, default=DocumentStatus.QUEUED
    )
    file = models.FileField(upload_to=report_path, blank=True, max_length=255)
    sha256 = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("rapport d'instruction (PDF)")
        verbose_name_plural = _("rapports d'instruction (PDF)")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidacy", "audience", "inputs_hash"],
                name="review_report_one_per_inputs",
            )
        ]

    def __str__(self):
        return f"{self.candidacy.reference} ({self.audience})"


def wave_report_path(instance, filename):
    import uuid

    return f"wave-reports/{instance.wave_id}/{uuid.uuid4().hex}.pdf"


class WaveReport(TimeStampedModel):
    """The committee's report on a wave (PDF): ranking and statistics."""

    wave = models.ForeignKey(
        "applications.Wave", on_delete=models.CASCADE, related_name="reports"
    )
    inputs_hash = models.CharField(max_length=64)
    status = models.CharField(
        max_length=20, choices=DocumentStatus.choices, default=DocumentStatus.QUEUED
    )
    file = models.FileField(upload_to=wave_report_path, blank=True, max_length=255)
    sha256 = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("rapport de vague")
        verbose_name_plural = _("rapports de vague")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "inputs_hash"], name="wave_report_one_per_inputs"
            )
        ]

    def __str__(self):
        return f"{self.wave} ({self.created_at:%Y-%m-%d})"
