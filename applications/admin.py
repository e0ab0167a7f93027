from django.contrib import admin

from .models import Call, Wave


class WaveInline(admin.TabularInline):
    model = Wave
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
