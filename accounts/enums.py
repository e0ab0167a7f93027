from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a person does in the programme.

    Applicants belong to the team of a lead organisation's candidacy;
    reviewers (instructeurs) score candidacies; experts (AVISE) give opinions;
    staff (Haut-Commissariat) run the call and the committee decides.
    """

    APPLICANT = "applicant", _("Porteur de candidature")
    REVIEWER = "reviewer", _("Instructeur")
    EXPERT = "expert", _("Expert (AVISE)")
    STAFF = "staff", _("Haut-Commissariat (équipe et comité)")


# roles that work inside the review and need a second factor (security issue)
INTERNAL_ROLES = frozenset({Role.REVIEWER, Role.EXPERT, Role.STAFF})
