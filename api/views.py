"""The public read-only API (``/api/v1/``).

Every endpoint refuses what it does not know: an unknown query parameter or
an unknown value of a closed vocabulary gets a 400 listing what is allowed,
a page out of range a 404 saying which page is the last.
"""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import mixins, viewsets
from rest_framework.decorators import api_view, schema
from rest_framework.response import Response

from frenchimpact.public_cache import public_page

from . import filters, selectors, serializers
from .exceptions import BadQuery

PAGINATION_PARAMETERS = frozenset({"page", "page_size"})


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter, with a 400 that lists the allowed values."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            raise BadQuery(_invalid_values(filterset))
        return filterset.qs


def _invalid_values(filterset) -> dict:
    errors = {}
    for name, messages in filterset.form.errors.items():
        field = filterset.form.fields[name]
        error = {"value": filterset.data.get(name), "messages": list(messages)}
        choices = getattr(field, "choices", None)
        if choices is not None:
            error["allowed_values"] = [
                str(value) for value, _label in choices if value != ""
            ]
        else:
            error["allowed_values"] = _("un entier entre %(min)s et %(max)s") % {
                "min": getattr(field, "min_value", 1),
                "max": getattr(field, "max_value", filters.MAX_ID),
            }
        errors[name] = error
    return {
        "detail": _("Valeur non reconnue pour : %(names)s.")
        % {"names": ", ".join(sorted(errors))},
        "errors": errors,
    }


class StrictQueryMixin:
    """Refuses unknown query parameters, with the list of allowed ones."""

    filter_backends = [StrictFilterBackend]

    def allowed_parameters(self) -> set[str]:
        if self.action != "list":
            return set()
        names = set(PAGINATION_PARAMETERS)
        if self.filterset_class is not None:
            names |= set(self.filterset_class.base_filters)
        return names

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        allowed = self.allowed_parameters()
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            raise BadQuery(
                {
                    "detail": _("Paramètres inconnus : %(names)s.")
                    % {"names": ", ".join(unknown)},
                    "unknown_parameters": unknown,
                    "allowed_parameters": sorted(allowed),
                }
            )


class PublicCacheMixin:
    """Anonymous answers come from the public page cache (they all are);
    the rate limit still counts the answers from the cache."""

    @classmethod
    def as_view(cls, *args, **kwargs):
        return public_page(
            super().as_view(*args, **kwargs), gate="api.throttling.allow_from_cache"
        )


class PublicViewSet(PublicCacheMixin, StrictQueryMixin, viewsets.ReadOnlyModelViewSet):
    pass


class TerritoryViewSet(PublicViewSet):
    """Labelled territories (with an active label, with or without conditions)."""

    queryset = selectors.api_territories()
    serializer_class = serializers.TerritorySerializer
    filterset_class = filters.TerritoryFilter
    lookup_field = "slug"


class LabelViewSet(PublicViewSet):
    """Active labels. A label's number is its identifier."""

    queryset = selectors.api_labels()
    serializer_class = serializers.LabelSerializer
    filterset_class = filters.LabelFilter
    lookup_field = "number"
    lookup_value_regex = "[A-Za-z0-9_-]+"


class WaveViewSet(
    PublicCacheMixin,
    StrictQueryMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Waves of labelling of the call, with their number of active labels."""

    queryset = selectors.api_waves()
    serializer_class = serializers.WaveSerializer
    filterset_class = filters.WaveFilter


class ChallengeViewSet(PublicViewSet):
    """Published challenges of labelled territories."""

    queryset = selectors.api_challenges()
    serializer_class = serializers.ChallengeSerializer
    filterset_class = filters.ChallengeFilter


class ProjectViewSet(PublicViewSet):
    queryset = selectors.api_projects()
    serializer_class = serializers.ProjectSerializer
    filterset_class = filters.ProjectFilter


class ObjectiveViewSet(PublicViewSet):
    """Quantified objectives: indicator, baseline, target, latest measure."""

    queryset = selectors.api_objectives()
    serializer_class = serializers.ObjectiveSerializer
    filterset_class = filters.ObjectiveFilter


class ProgressReportViewSet(PublicViewSet):
    """Measures of the objectives (date, value, comment)."""

    queryset = selectors.api_progress_reports()
    serializer_class = serializers.ProgressReportSerializer
    filterset_class = filters.ProgressReportFilter


@api_view(["GET"])
@schema(None)
def api_root(request):
    if request.query_params:
        raise BadQuery(
            {
                "detail": _("Paramètres inconnus : %(names)s.")
                % {"names": ", ".join(sorted(request.query_params))},
                "unknown_parameters": sorted(request.query_params),
                "allowed_parameters": [],
            }
        )
    return Response(serializers.api_root_links(request))


@require_safe
def docs(request):
    """Swagger UI, served from static files (no inline script: the CSP holds)."""
    return render(request, "api/docs.html")
