"""The support plan of a labelled territory (axes, actions, milestones,
comments, validated versions) and the regulatory-barrier desk."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from frenchimpact.models import TimeStampedModel
from territories.enums import SupportAxis

from .enums import (
    AXIS_LEVERS,
    BarrierState,
    CommentAuthorRole,
    Lever,
    MilestoneStatus,
    OwnerKind,
    PlanState,
)

TEXT_MAX = 5000  # characters of a long text
TITLE_MAX = 200


class SupportPlan(TimeStampedModel):
    """The tailored support plan of a labelled territory, co-built by its
    team and the High Commission, validated by the High Commission.

    ``version`` is the number of the version being worked on: it is validated
    as :class:`PlanVersion` ``version``; editing the plan afterwards opens the
    next one.
    """

    territory = models.OneToOneField(
        "territories.Territory",
        verbose_name=_("territoire"),
        on_delete=models.PROTECT,
        related_name="support_plan",
    )
    state = models.CharField(
        _("état"), max_length=20, choices=PlanState.choices, default=PlanState.DRAFT
    )
    version = models.PositiveSmallIntegerField(_("version en cours"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("plan d'accompagnement")
        verbose_name_plural = _("plans d'accompagnement")
        ordering = ["territory__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=PlanState.values), name="support_plan_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1), name="support_plan_version_positive"
            ),
        ]

    def __str__(self):
        return str(self.territory)

    def get_absolute_url(self):
        return reverse("support:plan", kwargs={"pk": self.pk})


def _lever_matches_axis() -> Q:
    """An action's lever, when it has one, belongs to the action's axis."""
    condition = Q(lever="")
    for axis, levers in AXIS_LEVERS.items():
        condition |= Q(axis=axis, lever__in=list(levers))
    return condition


class Action(TimeStampedModel):
    """One action of the plan, under one of the six axes."""

    plan = models.ForeignKey(
        SupportPlan,
        verbose_name=_("plan"),
        on_delete=models.CASCADE,
        related_name="actions",
    )
    axis = models.CharField(_("axe"), max_length=20, choices=SupportAxis.choices)
    lever = models.CharField(
        _("levier du programme"),
        max_length=30,
        choices=Lever.choices,
        blank=True,
    )
    title = models.CharField(_("intitulé"), max_length=TITLE_MAX)
    description = models.TextField(_("description"), blank=True)
    owner_kind = models.CharField(
        _("porteur de l'action"), max_length=20, choices=OwnerKind.choices
    )
    owner_name = models.CharField(_("nom du porteur"), max_length=TITLE_MAX)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["plan", "axis", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(axis__in=SupportAxis.values),
                name="support_action_axis_valid",
            ),
            models.CheckConstraint(
                condition=Q(owner_kind__in=OwnerKind.values),
                name="support_action_owner_kind_valid",
            ),
            models.CheckConstraint(
                condition=_lever_matches_axis(),
                name="support_action_lever_of_axis",
            ),
        ]

    def __str__(self):
        return self.title


class Milestone(TimeStampedModel):
    """A dated step of an action, with its progress."""

    action = models.ForeignKey(
        Action,
        verbose_name=_("action"),
        on_delete=models.CASCADE,
        related_name="milestones",
    )
    title = models.CharField(_("intitulé"), max_length=TITLE_MAX)
    due_on = models.DateField(_("échéance"))
    status = models.CharField(
        _("statut"),
        max_length=20,
        choices=MilestoneStatus.choices,
        default=MilestoneStatus.PLANNED,
    )

    class Meta:
        verbose_name = _("jalon")
        verbose_name_plural = _("jalons")
        ordering = ["action", "due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=MilestoneStatus.values),
                name="support_milestone_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["due_on", "status"])]

    def __str__(self):
        return self.title

    def is_late(self, today) -> bool:
        return self.status != MilestoneStatus.DONE and self.due_on < today


class Comment(models.Model):
    """A comment by the team or the High Commission, on the plan or on one of
    its actions."""

    created_at = models.DateTimeField(_("date"), auto_now_add=True)
    plan = models.ForeignKey(
        SupportPlan,
        verbose_name=_("plan"),
        on_delete=models.CASCADE,
        related_name="comments",
    )
    action = models.ForeignKey(
        Action,
        verbose_name=_("action"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="comments",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    author_role = models.CharField(
        _("au titre de"), max_length=10, choices=CommentAuthorRole.choices
    )
    body = models.TextField(_("commentaire"))

    class Meta:
        verbose_name = _("commentaire")
        verbose_name_plural = _("commentaires")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(author_role__in=CommentAuthorRole.values),
                name="support_comment_role_valid",
            ),
            models.CheckConstraint(
                condition=~Q(body=""), name="support_comment_not_empty"
            ),
        ]

    def __str__(self):
        return self.body[:60]


class PlanVersion(models.Model):
    """A validated version of a plan, frozen: what was validated, as data.
    Never updated."""

    plan = models.ForeignKey(
        SupportPlan,
        verbose_name=_("plan"),
        on_delete=models.CASCADE,
        related_name="versions",
    )
    number = models.PositiveSmallIntegerField(_("numéro"))
    snapshot = models.JSONField(_("contenu validé"))
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("validé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    validated_at = models.DateTimeField(_("validé le"))

    class Meta:
        verbose_name = _("version validée")
        verbose_name_plural = _("versions validées")
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "number"], name="support_plan_version_unique"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="support_plan_version_number_positive"
            ),
        ]

    def __str__(self):
        return f"{self.plan} — v{self.number}"


# --- Regulatory barriers -------------------------------------------------------


class BarrierQuerySet(models.QuerySet):
    def published(self):
        """Answered barriers the High Commission made public."""
        return self.filter(state=BarrierState.ANSWERED, published_at__isnull=False)


class RegulatoryBarrier(TimeStampedModel):
    """A regulatory barrier reported to the single desk of the Hackers French
    Impact by the team of a labelled territory."""

    territory = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("territoire"),
        on_delete=models.PROTECT,
        related_name="regulatory_barriers",
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signalé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    title = models.CharField(_("intitulé"), max_length=TITLE_MAX)
    blocking = models.TextField(_("ce qui bloque"))
    legal_text = models.TextField(_("texte en cause"))
    impact = models.TextField(_("conséquences pour le projet"))
    project = models.CharField(_("projet concerné"), max_length=TITLE_MAX, blank=True)
    state = models.CharField(
        _("état"),
        max_length=20,
        choices=BarrierState.choices,
        default=BarrierState.RECEIVED,
    )
    response = models.TextField(
        _("réponse du guichet"),
        blank=True,
        help_text=_(
            "La réponse, l'orientation vers France Expérimentation ou le motif "
            "de non-recevabilité."
        ),
    )
    responded_at = models.DateTimeField(_("répondu le"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("répondu par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(_("publié le"), null=True, blank=True)

    objects = BarrierQuerySet.as_manager()

    class Meta:
        verbose_name = _("frein réglementaire")
        verbose_name_plural = _("freins réglementaires")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=BarrierState.values),
                name="support_barrier_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(state=BarrierState.ANSWERED),
                name="support_barrier_published_only_answered",
            ),
            models.CheckConstraint(
                condition=Q(state__in=[BarrierState.RECEIVED, BarrierState.UNDER_STUDY])
                | ~Q(response=""),
                name="support_barrier_outcome_has_response",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("support:barrier", kwargs={"pk": self.pk})
