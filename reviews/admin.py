from django.contrib import admin

from .models import Assignment, Decision, Message, Review, Score


class ScoreInline(admin.TabularInline):
    model = Score
    extra = 0


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["candidacy", "reviewer", "conflict_status", "declared_at"]
    list_filter = ["conflict_status", "candidacy__wave"]
    search_fields = ["candidacy__reference", "reviewer__email"]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["assignment", "state", "recommendation", "submitted_at"]
    list_filter = ["state", "recommendation"]
    inlines = [ScoreInline]


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    """Decisions are prepared and published from the wave dashboard."""

    list_display = ["candidacy", "outcome", "published_at", "conditions_lifted_at"]
    list_filter = ["outcome", "candidacy__wave"]
    readonly_fields = [
        "candidacy",
        "published_at",
        "conditions_lifted_at",
        "prepared_by",
    ]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["candidacy", "author", "from_staff", "created_at"]
    readonly_fields = ["candidacy", "author", "from_staff", "body"]
