from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language


def portal(request):
    """Language switch links and the current section for the navigation."""
    path = request.path
    current = get_language()
    languages = [
        {
            "code": code,
            "name": name,
            "url": translate_url(path, code),
            "current": code == current,
        }
        for code, name in settings.LANGUAGES
    ]
    return {
        "portal_languages": languages,
        "portal_section": path.removeprefix(f"/{current}").strip("/").split("/")[0],
    }
