"""Back-office views of the support plans and barriers.

Read-only where a change must go through the services (states, validated
versions, comments, audit): the admin shows, the portal's pages act.
"""

from django.contrib import admin

from frenchimpact.admin import ReadOnlyAdmin

from .models import (
    Action,
    Comment,
    Milestone,
    PlanVersion,
    RegulatoryBarrier,
    SupportPlan,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ActionInline(ReadOnlyInline):
    model = Action
    fields = ["axis", "lever", "title", "owner_kind", "owner_name"]


class VersionInline(ReadOnlyInline):
    model = PlanVersion
    fields = ["number", "validated_by", "validated_at"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    fields = ["title", "due_on", "status"]
    readonly_fields = ["status"]  # changed through the portal's state machine


@admin.register(SupportPlan)
class SupportPlanAdmin(admin.ModelAdmin):
    list_display = ["territory", "state", "version", "updated_at"]
    list_filter = ["state"]
    search_fields = ["territory__name"]
    readonly_fields = ["territory", "state", "version", "created_by"]
    inlines = [ActionInline, VersionInline]

    def has_add_permission(self, request):
        return False  # a plan is created by the service, seeded with the offer


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ["title", "plan", "axis", "lever", "owner_kind", "owner_name"]
    list_filter = ["axis", "owner_kind", "lever"]
    search_fields = ["title", "owner_name", "plan__territory__name"]
    readonly_fields = ["plan"]
    inlines = [MilestoneInline]

    def has_add_permission(self, request):
        return False


@admin.register(PlanVersion)
class PlanVersionAdmin(ReadOnlyAdmin):
    list_display = ["plan", "number", "validated_by", "validated_at"]
    search_fields = ["plan__territory__name"]
    readonly_fields = ["plan", "number", "snapshot", "validated_by", "validated_at"]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["plan", "action", "author", "author_role", "created_at"]
    list_filter = ["author_role"]
    readonly_fields = ["plan", "action", "author", "author_role", "body", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RegulatoryBarrier)
class RegulatoryBarrierAdmin(admin.ModelAdmin):
    list_display = ["title", "territory", "state", "created_at", "published_at"]
    list_filter = ["state", ("published_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "territory__name", "legal_text"]
    readonly_fields = [
        "territory",
        "reporter",
        "state",
        "response",
        "responded_at",
        "responded_by",
        "published_at",
        "created_at",
    ]
    fields = [
        "territory",
        "reporter",
        "title",
        "blocking",
        "legal_text",
        "impact",
        "project",
        "state",
        "response",
        "responded_at",
        "responded_by",
        "published_at",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False
