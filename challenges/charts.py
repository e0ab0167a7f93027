"""Charts of progress, drawn on the server as plain SVG (no script): a bar
from the starting point to the target, and the history of the measures.
Each chart has a title and a description for screen readers; the pages
also give the figures as a table."""

from decimal import Decimal

from django.utils.formats import date_format, number_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

BLUE = "#000091"
LIGHT = "#e3e3fd"
GREY = "#666666"
TEXT = "#161616"
RED = "#ce0500"

BAR_WIDTH, BAR_HEIGHT = 480, 44
CHART_WIDTH, CHART_HEIGHT = 640, 260
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 64, 24, 16, 40


def _number(value) -> str:
    return number_format(Decimal(value).normalize(), use_l10n=True, force_grouping=True)


def progress_bar(objective, uid: str) -> str:
    """The share of the way done from the starting point to the target."""
    standing = objective.standing
    percent = standing.percent or 0
    unit = objective.indicator.unit
    if standing.latest is None:
        summary = _("Aucune mesure pour l'instant ; cible : %(target)s %(unit)s.") % {
            "target": _number(objective.target),
            "unit": unit,
        }
    else:
        summary = _(
            "Dernière mesure : %(latest)s %(unit)s pour une cible de %(target)s "
            "%(unit)s, soit %(percent)s %% du chemin."
        ) % {
            "latest": _number(standing.latest),
            "target": _number(objective.target),
            "unit": unit,
            "percent": percent,
        }
    filled = BAR_WIDTH * percent / 100
    colour = RED if standing.is_alarming else BLUE
    return mark_safe(  # noqa: S308 - every text part is escaped above and below
        f'<svg xmlns="http://www.w3.org/2000/svg" class="fi-chart" role="img" '
        f'width="{BAR_WIDTH}" height="{BAR_HEIGHT}" '
        f'viewBox="0 0 {BAR_WIDTH} {BAR_HEIGHT}" aria-labelledby="{uid}-t">'
        f'<title id="{uid}-t">{escape(summary)}</title>'
        f'<rect x="0" y="4" width="{BAR_WIDTH}" height="16" fill="{LIGHT}" rx="2"/>'
        f'<rect x="0" y="4" width="{filled:.1f}" height="16" fill="{colour}" rx="2"/>'
        f'<text x="0" y="38" font-size="12" fill="{TEXT}">'
        f"{escape(_number(standing.start) if standing.start is not None else '')}"
        f"</text>"
        f'<text x="{BAR_WIDTH}" y="38" font-size="12" fill="{TEXT}" '
        f'text-anchor="end">{escape(_("Cible"))} {escape(_number(objective.target))}'
        f" {escape(unit)}</text></svg>"
    )


def history(objective, reports, uid: str) -> str:
    """The measures over time, with the target as a dashed line."""
    points = [(r.reported_on, r.value) for r in reports]
    if objective.baseline is not None and objective.baseline_on:
        points.insert(0, (objective.baseline_on, objective.baseline))
    if not points:
        return ""
    start = points[0][0]
    end = max(
        [p[0] for p in points] + ([objective.deadline] if objective.deadline else [])
    )
    span = max((end - start).days, 1)
    values = [p[1] for p in points] + [objective.target]
    low, high = min(Decimal(0), *values), max(values)
    if high == low:
        high = low + 1
    inner_w = CHART_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    inner_h = CHART_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM

    def x(day) -> float:
        return MARGIN_LEFT + inner_w * (day - start).days / span

    def y(value) -> float:
        return MARGIN_TOP + inner_h * float((high - value) / (high - low))

    unit = objective.indicator.unit
    title = _("Évolution de l'indicateur « %(indicator)s » (%(unit)s)") % {
        "indicator": objective.indicator.name,
        "unit": unit,
    }
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="fi-chart" role="img" '
        f'width="{CHART_WIDTH}" height="{CHART_HEIGHT}" '
        f'viewBox="0 0 {CHART_WIDTH} {CHART_HEIGHT}" aria-labelledby="{uid}-t">'
        f'<title id="{uid}-t">{escape(title)}</title>',
        # axes
        f'<line x1="{MARGIN_LEFT}" y1="{MARGIN_TOP}" x2="{MARGIN_LEFT}" '
        f'y2="{MARGIN_TOP + inner_h}" stroke="{GREY}"/>',
        f'<line x1="{MARGIN_LEFT}" y1="{MARGIN_TOP + inner_h}" '
        f'x2="{MARGIN_LEFT + inner_w}" y2="{MARGIN_TOP + inner_h}" stroke="{GREY}"/>',
    ]
    for value in (low, high):
        parts.append(
            f'<text x="{MARGIN_LEFT - 6}" y="{y(value) + 4:.1f}" font-size="11" '
            f'text-anchor="end" fill="{TEXT}">{escape(_number(value))}</text>'
        )
    for day, anchor in ((start, "start"), (end, "end")):
        parts.append(
            f'<text x="{x(day):.1f}" y="{CHART_HEIGHT - 14}" font-size="11" '
            f'text-anchor="{anchor}" fill="{TEXT}">'
            f"{escape(date_format(day, 'SHORT_DATE_FORMAT'))}</text>"
        )
    target_y = y(objective.target)
    parts.append(
        f'<line x1="{MARGIN_LEFT}" y1="{target_y:.1f}" x2="{MARGIN_LEFT + inner_w}" '
        f'y2="{target_y:.1f}" stroke="{RED}" stroke-dasharray="6 4"/>'
        f'<text x="{MARGIN_LEFT + inner_w}" y="{target_y - 6:.1f}" font-size="11" '
        f'text-anchor="end" fill="{RED}">{escape(_("Cible"))} '
        f"{escape(_number(objective.target))}</text>"
    )
    path = " ".join(f"{x(day):.1f},{y(value):.1f}" for day, value in points)
    parts.append(
        f'<polyline points="{path}" fill="none" stroke="{BLUE}" stroke-width="2"/>'
    )
    for day, value in points:
        label = f"{date_format(day, 'SHORT_DATE_FORMAT')} : {_number(value)} {unit}"
        parts.append(
            f'<circle cx="{x(day):.1f}" cy="{y(value):.1f}" r="4" fill="{BLUE}">'
            f"<title>{escape(label)}</title></circle>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - text parts escaped above
