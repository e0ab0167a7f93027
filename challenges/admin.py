from django.contrib import admin

from .models import Challenge, Objective, Project


class ProjectInline(admin.StackedInline):
    model = Project
    extra = 0


class ObjectiveInline(admin.TabularInline):
    model = Objective
    extra = 0


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    list_display = ["title", "territory", "theme", "is_published"]
    list_filter = ["theme", "is_published"]
    list_select_related = ["territory"]
    search_fields = ["title", "territory__name"]
    inlines = [ProjectInline]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "challenge", "structure_kind"]
    list_filter = ["structure_kind", "challenge__theme"]
    list_select_related = ["challenge"]
    search_fields = ["name", "challenge__title", "challenge__territory__name"]
    inlines = [ObjectiveInline]
