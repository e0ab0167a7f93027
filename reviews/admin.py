from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from territories.services import LabelError

from . import services
from .models import Assignment, Decision, ExpertRequest, Message, Review, Score


class ScoreInline(admin.TabularInline):
    model = Score
    extra = 0


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["candidacy", "reviewer", "conflict_status", "declared_at"]
    list_filter = ["conflict_status", "candidacy__wave"]
    list_select_related = ["candidacy", "reviewer"]
    search_fields = ["candidacy__reference", "reviewer__email"]
    date_hierarchy = "created_at"


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["assignment", "state", "recommendation", "submitted_at"]
    list_filter = ["state", "recommendation", "assignment__candidacy__wave"]
    list_select_related = ["assignment__candidacy", "assignment__reviewer"]
    search_fields = [
        "assignment__candidacy__reference",
        "assignment__reviewer__email",
    ]
    date_hierarchy = "submitted_at"
    inlines = [ScoreInline]


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    """Decisions are prepared and published from the wave dashboard; the
    action here publishes the chosen ones through the same service."""

    list_display = ["candidacy", "outcome", "published_at", "conditions_lifted_at"]
    list_filter = [
        "outcome",
        "candidacy__wave",
        ("published_at", admin.EmptyFieldListFilter),
    ]
    list_select_related = ["candidacy"]
    search_fields = ["candidacy__reference", "candidacy__territory_name"]
    date_hierarchy = "published_at"
    readonly_fields = [
        "candidacy",
        "published_at",
        "conditions_lifted_at",
        "prepared_by",
    ]
    actions = ["publish_decisions"]

    @admin.action(
        description=gettext_lazy("Publier les décisions choisies"),
        permissions=["change"],
    )
    def publish_decisions(self, request, queryset):
        """Each decision through ``services.publish_decision`` (exactly once,
        whoever clicks); one message per decision."""
        for decision in queryset.select_related("candidacy").order_by("pk"):
            reference = decision.candidacy.reference
            if decision.published_at:
                messages.info(
                    request,
                    _("%(reference)s : décision déjà publiée.")
                    % {"reference": reference},
                )
                continue
            try:
                _decision, label = services.publish_decision(
                    decision=decision, actor=request.user
                )
            except (services.CandidacyError, LabelError) as error:
                messages.error(
                    request,
                    _("%(reference)s : %(error)s")
                    % {"reference": reference, "error": error.message},
                )
                continue
            messages.success(
                request,
                _("%(reference)s : décision publiée (label %(label)s).")
                % {"reference": reference, "label": label.number}
                if label
                else _("%(reference)s : décision publiée.") % {"reference": reference},
            )


@admin.register(ExpertRequest)
class ExpertRequestAdmin(admin.ModelAdmin):
    """Read-only: experts answer from the portal, staff ask from there."""

    list_display = ["candidacy", "expert", "due_on", "answered_at"]
    list_filter = [("answered_at", admin.EmptyFieldListFilter), "candidacy__wave"]
    list_select_related = ["candidacy", "expert"]
    search_fields = ["candidacy__reference", "expert__email"]
    date_hierarchy = "due_on"
    readonly_fields = [
        "candidacy",
        "expert",
        "requested_by",
        "question",
        "due_on",
        "answer",
        "attachment_name",
        "answered_at",
        "reminded_on",
    ]
    exclude = ["attachment"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["candidacy", "author", "from_staff", "created_at"]
    list_filter = ["from_staff", "candidacy__wave"]
    list_select_related = ["candidacy", "author"]
    search_fields = ["candidacy__reference", "author__email", "body"]
    date_hierarchy = "created_at"
    readonly_fields = ["candidacy", "author", "from_staff", "body"]
