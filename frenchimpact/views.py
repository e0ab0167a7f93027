"""The portal's editorial pages and error pages."""

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.http import require_safe

from applications.models import Call
from frenchimpact.public_cache import public_page
from territories import selectors
from territories.models import Territory


@require_safe
@public_page
def home(request):
    territories = selectors.directory_territories()
    return render(
        request,
        "pages/home.html",
        {
            "labelled_count": Territory.objects.labelled().count(),
            "featured": territories.filter(
                slug=settings.HOME_FEATURED_TERRITORY
            ).first()
            or territories.order_by("-labels__awarded_on", "name").first(),
            "call": Call.objects.order_by("-opened_on").first(),
        },
    )


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


def permission_denied(request, exception):
    return render(request, "403.html", status=403)


def server_error(request):
    # no request context here: the error may come from a context processor
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        # the database is unreachable (restarting): a 503 that says to retry
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "10"
        return response
    return HttpResponseServerError(loader.get_template("500.html").render())


@require_safe
def healthz(request):
    """Liveness and readiness: the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any database failure makes the instance unhealthy
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok"})


def rate_limited(request, exception):
    """Too many requests from one address (django-ratelimit)."""
    return render(request, "429.html", status=429)
