from django.db import models
from django.utils.translation import gettext_lazy as _


class WaveStatus(models.TextChoices):
    UPCOMING = "upcoming", _("À venir")
    OPEN = "open", _("Ouverte")
    CLOSED = "closed", _("Close")
    UNDER_REVIEW = "under_review", _("En instruction")
    DECIDED = "decided", _("Décisions publiées")
