"""Public pages of the territories: directory, territory page, map."""

import hashlib
import re

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import etag, require_safe
from django_ratelimit.decorators import ratelimit

from frenchimpact.enums import DocumentStatus
from frenchimpact.http import file_download
from frenchimpact.public_cache import public_page
from frenchimpact.public_data import CERTIFICATES

from . import geography, maps, selectors, services
from .filters import DirectoryFilter
from .models import Label


@require_safe
@public_page
def directory(request):
    filterset = DirectoryFilter(
        request.GET or None, queryset=selectors.directory_territories()
    )
    territories = filterset.qs
    page = Paginator(territories, settings.DIRECTORY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "territories/directory.html",
        {
            "filter": filterset,
            "page_obj": page,
            "page_range": page.paginator.get_elided_page_range(
                page.number, on_each_side=2, on_ends=1
            ),
            "markers": selectors.map_markers(territories),
            "map_width": maps.MAP_WIDTH,
            "map_height": maps.MAP_HEIGHT,
            "marker_radius": maps.MARKER_RADIUS,
            "is_filtered": any(request.GET.get(name) for name in filterset.filters),
        },
    )


@require_safe
@public_page
def detail(request, slug):
    territory = selectors.public_territory(slug)
    return render(
        request,
        "territories/detail.html",
        {
            "territory": territory,
            "breadcrumb_links": [
                (_("Territoires labellisés"), reverse("territories:directory"))
            ],
            "label": territory.public_labels[0] if territory.public_labels else None,
            "epcis": [
                geography.epcis()[code].name
                for code in territory.epci_codes
                if code in geography.epcis()
            ],
            "markers": maps.place_markers(
                [
                    (
                        territory.name,
                        territory.get_absolute_url(),
                        [d.code for d in territory.departments.all()],
                    )
                ]
            ),
            "map_width": maps.MAP_WIDTH,
            "map_height": maps.MAP_HEIGHT,
            "marker_radius": maps.MARKER_RADIUS,
        },
    )


def _map_etag(request):
    return hashlib.sha256(maps.base_map_svg().encode()).hexdigest()[:32]


@require_safe
@public_page  # compressed once (gzip, Brotli), kept with its cache lifetime
@cache_control(public=True, max_age=86400)
@etag(_map_etag)
def base_map(request):
    return HttpResponse(maps.base_map_svg(), content_type="image/svg+xml")


VERIFICATION_CODE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def _verified_label(code):
    """The label of a well-formed, known code, or 404 (nothing else leaks)."""
    if not VERIFICATION_CODE.match(code):
        raise Http404
    label = (
        Label.objects.select_related("territory__lead_organisation", "wave")
        .filter(verification_code=code)
        .first()
    )
    if label is None:
        raise Http404
    return label


@require_safe
# a known code's page comes from the cache before the rate limit, which is
# there against guessing codes (an unknown code is a 404, never cached); it
# shows the current certificate, so a new certificate refreshes it
@public_page(reads=(CERTIFICATES,))
@ratelimit(key="ip", rate="60/m", block=True)
def verify(request, code):
    label = _verified_label(code)
    certificate = (
        label.certificates.filter(status=DocumentStatus.READY, language="fr")
        .order_by("-created_at")
        .first()
    )
    data = {
        "number": label.number,
        "status": label.status,
        "status_label": str(label.get_status_display()),
        "territory": label.territory.name,
        "territory_url": request.build_absolute_uri(label.territory.get_absolute_url())
        if label.is_public
        else None,
        "wave": label.wave.name,
        "awarded_on": label.awarded_on.isoformat(),
        "valid_until": label.valid_until.isoformat() if label.valid_until else None,
        "certificate_sha256": certificate.sha256 if certificate else None,
    }
    if request.GET.get("format") == "json":
        return JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    return render(
        request,
        "territories/verify.html",
        {"label": label, "certificate": certificate, "data": data},
    )


@require_safe
@ratelimit(key="ip", rate="60/m", block=True)
def certificate_pdf(request, code):
    label = _verified_label(code)
    language = "en" if request.GET.get("lang") == "en" else "fr"
    certificate = (
        label.certificates.filter(status=DocumentStatus.READY, language=language)
        .order_by("-created_at")
        .first()
    )
    if certificate is None:
        if language == "en":
            services.request_certificate(label=label, language="en")
        raise Http404
    return file_download(
        certificate.file, filename=f"certificat-{label.number}-{language}.pdf"
    )
