"""Abstract bases shared by the apps' models, the audit trail and the e-mail
outbox."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Adds the creation and last-modification date-times."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


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
