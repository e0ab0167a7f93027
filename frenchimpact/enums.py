from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentStatus(models.TextChoices):
    QUEUED = "queued", _("En file d'attente")
    RENDERING = "rendering", _("En cours de production")
    READY = "ready", _("Prêt")
    FAILED = "failed", _("Échec")


class ScanStatus(models.TextChoices):
    """Antivirus verdict of an uploaded file."""

    PENDING = "pending", _("Analyse antivirus en cours")
    CLEAN = "clean", _("Sain")
    INFECTED = "infected", _("Infecté, supprimé")
    ERROR = "error", _("Analyse impossible")
    # uploaded before the antivirus, or in local development without one
    UNSCANNED = "unscanned", _("Non analysé")


# files that may be sent: clean, or never scanned (older files, and local
# development without a scanner); never pending, infected or in error
SERVABLE_SCAN_STATUSES = frozenset({ScanStatus.CLEAN, ScanStatus.UNSCANNED})
