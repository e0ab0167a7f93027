"""Filters of the public list of challenges (django-filter)."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from territories.models import Region, Territory

from .enums import Theme

MAX_QUERY_LENGTH = 100


class ChallengeFilter(django_filters.FilterSet):
    """Unknown values make the form invalid: the field shows an error and the
    filter is ignored."""

    q = django_filters.CharFilter(
        label=_("Rechercher"),
        method="search",
        max_length=MAX_QUERY_LENGTH,
        help_text=_("Intitulé du défi ou nom du territoire"),
    )
    theme = django_filters.ChoiceFilter(
        label=_("Thème"), choices=Theme.choices, empty_label=_("Tous les thèmes")
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Région"),
        queryset=Region.objects.filter(territories__challenges__is_published=True)
        .distinct()
        .order_by("name"),
        to_field_name="code",
        method="filter_region",
        empty_label=_("Toutes les régions"),
    )

    def search(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(
                Q(title__icontains=word) | Q(territory__name__icontains=word)
            )
        return queryset

    def filter_region(self, queryset, name, value):
        return queryset.filter(
            Exists(
                Territory.regions.through.objects.filter(
                    territory=OuterRef("territory"), region=value
                )
            )
        )
