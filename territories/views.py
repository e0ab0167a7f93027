"""Public pages of the territories: directory, territory page, map."""

import hashlib

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import etag, require_safe

from . import geography, maps, selectors
from .filters import DirectoryFilter


@require_safe
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
@cache_control(public=True, max_age=86400)
@etag(_map_etag)
def base_map(request):
    return HttpResponse(maps.base_map_svg(), content_type="image/svg+xml")
