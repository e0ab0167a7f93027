"""Horizontal bar charts drawn on the server as plain SVG (no script), like
the progress charts of the challenges. Each has a title naming every figure
for screen readers; the pages give the same figures as tables."""

from django.utils.html import escape
from django.utils.safestring import mark_safe

from challenges.charts import BLUE, LIGHT, TEXT

WIDTH = 640
LABEL_WIDTH = 240
ROW_HEIGHT = 28
BAR_HEIGHT = 16


def bar_chart(rows: list[tuple[str, int]], *, title: str, uid: str) -> str:
    """One bar per ``(label, value)``, scaled to the largest value."""
    largest = max((value for _label, value in rows), default=0) or 1
    room = WIDTH - LABEL_WIDTH - 48
    summary = title + " : " + " ; ".join(f"{label} : {value}" for label, value in rows)
    height = ROW_HEIGHT * len(rows) + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="fi-chart" role="img" '
        f'width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" '
        f'aria-labelledby="{uid}-t">'
        f'<title id="{uid}-t">{escape(summary)}</title>'
    ]
    for index, (label, value) in enumerate(rows):
        y = 4 + index * ROW_HEIGHT
        length = room * value / largest
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 13}" font-size="12" '
            f'fill="{TEXT}" text-anchor="end">{escape(label[:40])}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{room}" height="{BAR_HEIGHT}" '
            f'fill="{LIGHT}" rx="2"/>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" '
            f'height="{BAR_HEIGHT}" fill="{BLUE}" rx="2"/>'
            f'<text x="{LABEL_WIDTH + room + 6}" y="{y + 13}" font-size="12" '
            f'fill="{TEXT}">{value}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text part is escaped
