from django.contrib import admin

from .models import AuditEntry, LedgerEntry, OutboundEmail


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records written only by the services (audit trail, ledger,
    frozen versions): shown, never added, edited or deleted here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Read-only: the audit trail is appended to, never edited."""

    list_display = [
        "created_at",
        "action",
        "actor",
        "content_type",
        "object_id",
        "from_state",
        "to_state",
    ]
    list_filter = ["action", "content_type"]
    list_select_related = ["actor", "content_type"]
    search_fields = ["action", "comment", "actor__email"]
    date_hierarchy = "created_at"


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    """Read-only: the ledger is appended to by the services, never edited."""

    list_display = ["sequence", "created_at", "action", "object_type", "object_id"]
    list_filter = ["action", "object_type"]
    search_fields = ["action", "object_id", "hash"]
    readonly_fields = [
        "sequence",
        "created_at",
        "action",
        "object_type",
        "object_id",
        "payload",
        "actor",
        "previous_hash",
        "hash",
    ]


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status"]
    readonly_fields = [
        "to",
        "subject",
        "body",
        "status",
        "attempts",
        "sent_at",
        "last_error",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False
