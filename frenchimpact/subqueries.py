"""Annotations shared by the apps' selectors."""

from django.db.models import Count, IntegerField, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce


def count_of(queryset: QuerySet, outer: str) -> Coalesce:
    """A correlated COUNT(*) of ``queryset`` (filtered on an ``OuterRef``)
    per ``outer`` row, as an annotation: no join, so several counts on one
    query do not multiply each other; 0 when there is none."""
    counted = queryset.order_by().values(outer).annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(
        Subquery(counted, output_field=IntegerField()),
        Value(0),
        output_field=IntegerField(),
    )
