from django.contrib import admin

from .models import AuditEntry, OutboundEmail


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
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
    search_fields = ["action", "comment", "actor__email"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
