"""Abstract bases shared by the apps' models, the audit trail and the e-mail
outbox."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from .enums import SERVABLE_SCAN_STATUSES, ScanStatus


class TimeStampedModel(models.Model):
    """Adds the creation and last-modification date-times."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class ScannedFileMixin(models.Model):
    """The antivirus verdict of the row's uploaded file (see
    ``frenchimpact.scanning``). The model names its file field in
    ``SCANNED_FILE_FIELD`` and its uploader in ``SCANNED_UPLOADER_FIELD``."""

    scan_status = models.CharField(
        _("analyse antivirus"),
        max_length=10,
        choices=ScanStatus.choices,
        default=ScanStatus.UNSCANNED,
    )
    scan_detail = models.CharField(max_length=255, blank=True)
    scan_attempts = models.PositiveSmallIntegerField(default=0)
    scanned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def scan_servable(self) -> bool:
        return self.scan_status in SERVABLE_SCAN_STATUSES


class AuditEntry(models.Model):
    """One line of the audit trail: who did what, when, from which state to
    which, and why. Written only through :func:`frenchimpact.audit.record`;
    never updated."""

    created_at = models.DateTimeField(_("date"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=100, db_index=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    from_state = models.CharField(_("état de départ"), max_length=30, blank=True)
    to_state = models.CharField(_("état d'arrivée"), max_length=30, blank=True)
    comment = models.TextField(_("commentaire"), blank=True)
    data = models.JSONField(_("données"), default=dict, blank=True)

    class Meta:
        verbose_name = _("entrée du journal d'audit")
        verbose_name_plural = _("journal d'audit")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"])]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"


class LedgerError(Exception):
    """Raised when someone tries to change or delete a ledger entry."""


class LedgerQuerySet(models.QuerySet):
    """Refuses bulk changes: the ledger is appended to, never edited."""

    def update(self, **kwargs):
        raise LedgerError(_("Le registre est en ajout seul : aucune modification."))

    def delete(self):
        raise LedgerError(_("Le registre est en ajout seul : aucune suppression."))


class LedgerEntry(models.Model):
    """One link of the append-only, hash-chained ledger of the decisions that
    matter to the public: labels issued, decisions prepared and published,
    label status changes. Written only by :func:`frenchimpact.ledger.append`.

    ``hash`` is the SHA-256 of a canonical JSON of the entry, previous hash
    included: changing any past entry breaks every link after it, which
    ``manage.py verify_ledger`` finds. The actor is a text snapshot, not a
    foreign key, so that deleting (anonymising) an account changes nothing
    here. On PostgreSQL a trigger refuses UPDATE and DELETE."""

    sequence = models.PositiveBigIntegerField(_("numéro"), unique=True)
    created_at = models.DateTimeField(_("date"))
    action = models.CharField(_("action"), max_length=100)
    object_type = models.CharField(_("type d'objet"), max_length=100)
    object_id = models.CharField(_("identifiant de l'objet"), max_length=64)
    payload = models.JSONField(_("données"), default=dict, blank=True)
    actor = models.CharField(_("auteur"), max_length=300, blank=True)
    previous_hash = models.CharField(_("empreinte précédente"), max_length=64)
    hash = models.CharField(_("empreinte"), max_length=64, unique=True)

    objects = LedgerQuerySet.as_manager()

    class Meta:
        verbose_name = _("entrée du registre")
        verbose_name_plural = _("registre des décisions")
        ordering = ["sequence"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sequence__gte=1), name="ledger_sequence_positive"
            )
        ]

    def __str__(self):
        return f"#{self.sequence} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise LedgerError(_("Le registre est en ajout seul : aucune modification."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerError(_("Le registre est en ajout seul : aucune suppression."))


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("À envoyer")
    SENT = "sent", _("Envoyé")
    FAILED = "failed", _("Échec")


class OutboundEmail(models.Model):
    """A transactional outbox: the e-mail is saved with the change that causes
    it, in the same transaction, and a Celery task sends it after the commit.
    If the broker is down, the periodic flush sends it later: nothing is lost
    and nothing is sent twice."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    to = models.JSONField(_("destinataires"))
    subject = models.CharField(_("objet"), max_length=250)
    body = models.TextField(_("texte"))
    status = models.CharField(
        max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("courriel")
        verbose_name_plural = _("courriels")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return self.subject
