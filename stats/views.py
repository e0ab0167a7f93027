"""The public statistics page and the High Commission's figures."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from reviews.views import staff_required
from territories import maps

from . import charts, selectors


@require_safe
def public(request):
    waves = selectors.waves_figures()
    regions = selectors.labelled_by_region()
    themes = selectors.challenges_per_theme()
    progress = selectors.progress_totals()
    return render(
        request,
        "stats/public.html",
        {
            "waves": waves,
            "regions": regions,
            "themes": themes,
            "progress": progress,
            "waves_chart": charts.bar_chart(
                [(w.name, w.labels) for w in waves],
                title=_("Labels attribués par vague"),
                uid="chart-waves",
            ),
            "themes_chart": charts.bar_chart(
                [(label, count) for _value, label, count in themes],
                title=_("Défis publiés par thème"),
                uid="chart-themes",
            ),
            "progress_chart": charts.bar_chart(
                [(label, count) for _value, label, count in progress],
                title=_("Où en sont les objectifs des défis"),
                uid="chart-progress",
            ),
            "markers": selectors.region_markers(regions),
            "map_width": maps.MAP_WIDTH,
            "map_height": maps.MAP_HEIGHT,
            "marker_radius": maps.MARKER_RADIUS,
            "total_labelled": sum(w.labels for w in waves),
            "total_candidacies": sum(w.candidacies for w in waves),
            "unrecorded_waves": any(not w.candidacies_recorded for w in waves),
        },
    )


@require_safe
@staff_required
def staff(request):
    return render(
        request,
        "stats/staff.html",
        {
            "delays": selectors.decision_delays(),
            "workload": selectors.reviewer_workload(),
            "late_experts": selectors.late_expert_requests(),
            "expected_days": selectors.REVIEW_EXPECTED_DAYS,
            "breadcrumb_links": [(_("Statistiques"), reverse("stats:public"))],
        },
    )
