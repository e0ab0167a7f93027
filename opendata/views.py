"""The open-data page and files, the feed of labelled territories,
robots.txt."""

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from .exports import LICENCE
from .models import Dataset

DISALLOWED = [
    "/admin/",
    "/compte/",
    "/instruction/",
    "/candidatures/",
    "/mon-espace/",
    "/defis/suivi/",
    "/defis/pilotage/",
    "/accompagnement/",
]


@require_safe
def index(request):
    return render(
        request,
        "opendata/index.html",
        {"datasets": Dataset.objects.order_by("name"), "licence": LICENCE},
    )


@require_safe
@cache_control(public=True, max_age=300)
def download(request, name):
    dataset = Dataset.objects.filter(name=name).first()
    if dataset is None or not default_storage.exists(dataset.path):
        raise Http404
    response = FileResponse(
        default_storage.open(dataset.path, "rb"),
        as_attachment=True,
        filename=dataset.name,
        content_type=dataset.content_type,
    )
    response["ETag"] = f'"{dataset.sha256}"'
    response["Last-Modified"] = dataset.updated_at.strftime("%a, %d %b %Y %H:%M:%S GMT")
    return response


@require_safe
@cache_control(public=True, max_age=3600)
def robots_txt(request):
    lines = ["User-agent: *", "Allow: /"]
    for path in DISALLOWED:
        lines.append(f"Disallow: {path}")
        lines.append(f"Disallow: /en{path}")
    lines.append(f"Sitemap: {request.build_absolute_uri(reverse('sitemap_xml'))}")
    return HttpResponse(
        "\n".join(lines) + "\n", content_type="text/plain; charset=utf-8"
    )
