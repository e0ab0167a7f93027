"""Page-number pagination with a bounded page size and explicit errors."""

from django.core.paginator import Paginator
from django.utils.translation import gettext as _
from rest_framework.pagination import PageNumberPagination

from .exceptions import BadQuery, PageNotFound

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def _positive_int(request, name: str, maximum: int | None = None) -> int | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1 or (maximum is not None and value > maximum):
        bounds = f"1–{maximum}" if maximum else "≥ 1"
        raise BadQuery(
            {
                "detail": _(
                    "Le paramètre « %(name)s » doit être un entier (%(bounds)s)."
                )
                % {"name": name, "bounds": bounds},
                "parameter": name,
                "allowed_values": bounds,
            }
        )
    return value


class Pagination(PageNumberPagination):
    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    django_paginator_class = Paginator

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        number = _positive_int(request, self.page_query_param) or 1
        size = _positive_int(request, self.page_size_query_param, MAX_PAGE_SIZE)
        paginator = self.django_paginator_class(queryset, size or self.page_size)
        if number > paginator.num_pages:
            raise PageNotFound(
                {
                    "detail": _(
                        "La page %(page)s n'existe pas : "
                        "la dernière page est la %(last)s."
                    )
                    % {"page": number, "last": paginator.num_pages},
                    "last_page": paginator.num_pages,
                }
            )
        self.page = paginator.page(number)
        return list(self.page)

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["page"] = self.page.number
        response.data["pages"] = self.page.paginator.num_pages
        return response

    def get_paginated_response_schema(self, schema):
        result = super().get_paginated_response_schema(schema)
        result["properties"]["page"] = {"type": "integer", "example": 1}
        result["properties"]["pages"] = {"type": "integer", "example": 3}
        result["required"] = ["count", "next", "previous", "results", "page", "pages"]
        return result
