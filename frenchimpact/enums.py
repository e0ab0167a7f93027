from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentStatus(models.TextChoices):
    QUEUED = "queued", _("En file d'attente")
    RENDERING = "rendering", _("En cours de production")
    READY = "ready", _("Prêt")
    FAILED = "failed", _("Échec")
