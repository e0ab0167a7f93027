"""System checks of the portal's own settings."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def antivirus_configured(app_configs, **kwargs):
    if settings.ANTIVIRUS_BACKEND.endswith(".NoScanner"):
        return [
            Warning(
                "ANTIVIRUS_BACKEND is NoScanner: uploaded files are not scanned.",
                hint="Point ANTIVIRUS_BACKEND to frenchimpact.antivirus."
                "ClamdScanner and set CLAMD_HOST and CLAMD_PORT.",
                id="frenchimpact.W001",
            )
        ]
    return []
