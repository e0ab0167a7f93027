from django.contrib import admin, messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import (
    Attachment,
    Call,
    Candidacy,
    Contact,
    Criterion,
    Partner,
    ProposedChallenge,
    Receipt,
    TeamMembership,
    Wave,
)


class WaveInline(admin.TabularInline):
    model = Wave
    extra = 0


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ["name", "opened_on"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [WaveInline]


def _one(request, queryset):
    """The one object an export action works on, or None with a message."""
    if queryset.count() != 1:
        messages.error(request, _("Choisissez un seul élément à exporter."))
        return None
    return queryset.get()


@admin.register(Wave)
class WaveAdmin(admin.ModelAdmin):
    list_display = ["name", "call", "number", "opens_at", "closes_at", "status"]
    list_filter = ["status", "call"]
    list_select_related = ["call"]
    search_fields = ["name"]
    date_hierarchy = "opens_at"
    inlines = [CriterionInline]
    actions = [
        "export_candidacies",
        "export_reviewers",
        "generate_certificates",
    ]

    @admin.action(
        description=gettext_lazy("Exporter les candidatures, notes et décisions (XLSX)")
    )
    def export_candidacies(self, request, queryset):
        wave = _one(request, queryset)
        if wave is not None:
            return redirect("reviews:wave_export", wave_pk=wave.pk, fmt="xlsx")
        return None

    @admin.action(
        description=gettext_lazy("Exporter l'instruction par instructeur (XLSX)")
    )
    def export_reviewers(self, request, queryset):
        wave = _one(request, queryset)
        if wave is not None:
            return redirect(
                "reviews:wave_reviewers_export", wave_pk=wave.pk, fmt="xlsx"
            )
        return None

    @admin.action(
        description=gettext_lazy("Produire les certificats des labels des vagues"),
        permissions=["change"],
    )
    def generate_certificates(self, request, queryset):
        """Through the service the wave dashboard uses (idempotent)."""
        from territories.services import generate_wave_certificates

        for wave in queryset:
            count = generate_wave_certificates(wave=wave)
            messages.success(
                request,
                _("%(wave)s : certificats de %(count)d label(s) demandés.")
                % {"wave": wave.name, "count": count},
            )


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class MembershipInline(ReadOnlyInline):
    model = TeamMembership
    fields = ["user", "role"]


class ContactInline(ReadOnlyInline):
    model = Contact


class PartnerInline(ReadOnlyInline):
    model = Partner


class ChallengeInline(ReadOnlyInline):
    model = ProposedChallenge


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ["name", "kind", "size", "sha256", "uploaded_by", "created_at"]
    readonly_fields = fields


class ReceiptInline(ReadOnlyInline):
    model = Receipt
    fields = ["number", "submitted_at", "content_hash", "status", "file"]


@admin.register(Candidacy)
class CandidacyAdmin(admin.ModelAdmin):
    """Staff read candidacies here; states change only through the services."""

    list_display = ["reference", "display_name", "wave", "state", "submitted_at"]
    list_filter = ["state", "wave", "territory_kind"]
    list_select_related = ["wave", "territory"]
    search_fields = ["reference", "territory_name", "territory__name", "lead_name"]
    date_hierarchy = "submitted_at"
    actions = ["export_audit"]
    readonly_fields = ["state", "reference", "wave", "submitted_at", "created_by"]
    inlines = [
        MembershipInline,
        ContactInline,
        PartnerInline,
        ChallengeInline,
        AttachmentInline,
        ReceiptInline,
    ]

    @admin.action(description=gettext_lazy("Exporter le journal d'audit (XLSX)"))
    def export_audit(self, request, queryset):
        candidacy = _one(request, queryset)
        if candidacy is not None:
            return redirect(
                "reviews:candidacy_audit_export", pk=candidacy.pk, fmt="xlsx"
            )
        return None
