from django.db import models
from django.utils.translation import gettext_lazy as _


class ConflictStatus(models.TextChoices):
    PENDING = "pending", _("À déclarer")
    NONE = "none", _("Aucun conflit d'intérêts")
    CONFLICT = "conflict", _("Conflit d'intérêts déclaré")


class ReviewState(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Remise")


class Recommendation(models.TextChoices):
    LABEL = "label", _("Labelliser")
    LABEL_WITH_CONDITIONS = "label_conditions", _("Labelliser sous conditions")
    REJECT = "reject", _("Ne pas retenir")


class Outcome(models.TextChoices):
    LABEL = "label", _("Labellisé")
    LABEL_WITH_CONDITIONS = "label_conditions", _("Labellisé sous conditions")
    REJECT = "reject", _("Non retenu")


# a candidacy's reviewers disagree when the standard deviation of their
# weighted totals (out of 100) exceeds this many points
DISAGREEMENT_THRESHOLD = 15
