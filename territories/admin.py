from django.contrib import admin

from . import services
from .models import Department, Label, Organisation, PriorityArea, Region, Territory


class PriorityAreaInline(admin.TabularInline):
    model = PriorityArea
    extra = 0


class LabelInline(admin.TabularInline):
    model = Label
    extra = 0
    readonly_fields = ["verification_code"]


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "lead_organisation"]
    list_filter = ["kind", "regions"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["lead_organisation", "regions", "departments"]
    inlines = [PriorityAreaInline, LabelInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.refresh_search_text(territory=form.instance)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "siret", "town"]
    list_filter = ["kind"]
    search_fields = ["name", "siret", "town"]


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):
    list_display = ["number", "territory", "wave", "awarded_on", "status"]
    list_filter = ["status", "wave"]
    search_fields = ["number", "territory__name"]
    readonly_fields = ["verification_code"]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region"]
    search_fields = ["code", "name"]
    list_filter = ["region"]
