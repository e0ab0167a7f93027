from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from frenchimpact.enums import DocumentStatus
from frenchimpact.imports import ImportAdminMixin

from . import services
from .models import Department, Label, Organisation, PriorityArea, Region, Territory
from .resources import OrganisationResource, TerritoryResource


class PriorityAreaInline(admin.TabularInline):
    model = PriorityArea
    extra = 0


class LabelInline(admin.TabularInline):
    model = Label
    extra = 0
    readonly_fields = ["verification_code"]


@admin.register(Territory)
class TerritoryAdmin(ImportAdminMixin, admin.ModelAdmin):
    """Territories; « Importer » loads many from a CSV or XLSX file."""

    import_resource_class = TerritoryResource
    list_display = ["name", "kind", "lead_organisation", "updated_at"]
    list_filter = ["kind", "regions"]
    list_select_related = ["lead_organisation"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["lead_organisation", "regions", "departments"]
    inlines = [PriorityAreaInline, LabelInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.refresh_search_text(territory=form.instance)


@admin.register(Organisation)
class OrganisationAdmin(ImportAdminMixin, admin.ModelAdmin):
    """Organisations; « Importer » loads many from a CSV or XLSX file."""

    import_resource_class = OrganisationResource
    list_display = ["name", "kind", "siret", "town"]
    list_filter = ["kind"]
    search_fields = ["name", "siret", "town"]
    # an address typed without its scheme is a secure one
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "territory",
        "wave",
        "awarded_on",
        "valid_until",
        "status",
    ]
    list_filter = ["status", "wave"]
    list_select_related = ["territory", "wave"]
    search_fields = ["number", "territory__name"]
    date_hierarchy = "awarded_on"
    readonly_fields = ["verification_code"]
    actions = ["generate_certificates"]

    @admin.action(
        description=gettext_lazy("Produire le certificat des labels choisis"),
        permissions=["change"],
    )
    def generate_certificates(self, request, queryset):
        """Queue each label's certificate through the service (one already
        rendered from the same inputs is not rendered again)."""
        for label in queryset.select_related("territory__lead_organisation", "wave"):
            certificate = services.request_certificate(label=label)
            if certificate.status == DocumentStatus.READY:
                messages.info(
                    request,
                    _("%(label)s : le certificat est déjà à jour.")
                    % {"label": label.number},
                )
            else:
                messages.success(
                    request,
                    _("%(label)s : le certificat est en production.")
                    % {"label": label.number},
                )


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region"]
    search_fields = ["code", "name"]
    list_filter = ["region"]
