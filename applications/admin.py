from django.contrib import admin

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


@admin.register(Wave)
class WaveAdmin(admin.ModelAdmin):
    list_display = ["name", "call", "number", "opens_at", "closes_at", "status"]
    list_filter = ["status", "call"]
    inlines = [CriterionInline]


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
    list_filter = ["state", "wave"]
    search_fields = ["reference", "territory_name", "territory__name", "lead_name"]
    readonly_fields = ["state", "reference", "wave", "submitted_at", "created_by"]
    inlines = [
        MembershipInline,
        ContactInline,
        PartnerInline,
        ChallengeInline,
        AttachmentInline,
        ReceiptInline,
    ]
