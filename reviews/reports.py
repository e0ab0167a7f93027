"""The review report of a candidacy: its figures, an SVG chart drawn on the
server, and its rendering to PDF by the worker."""

import hashlib
import json
from xml.sax.saxutils import escape

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from applications.models import Criterion
from frenchimpact.enums import DocumentStatus
from frenchimpact.queue import enqueue_on_commit

from .enums import ConflictStatus, ReviewState
from .models import Decision, ReviewReport, Score
from .scoring import scores_of
from .selectors import candidacy_for_review, submitted_reviews

CHART_WIDTH, ROW_HEIGHT, LABEL_WIDTH = 640, 34, 250


def wave_means(wave) -> dict[int, float]:
    """Mean score per criterion over every submitted review of the wave."""
    values: dict[int, list[int]] = {}
    for criterion_id, value in Score.objects.filter(
        review__state=ReviewState.SUBMITTED,
        review__assignment__conflict_status=ConflictStatus.NONE,
        review__assignment__candidacy__wave=wave,
    ).values_list("criterion_id", "value"):
        values.setdefault(criterion_id, []).append(value)
    return {k: round(sum(v) / len(v), 2) for k, v in values.items()}


def chart_svg(rows) -> str:
    """Horizontal bars: the territory's mean and the wave's mean per criterion,
    as a share of the criterion's scale. Plain SVG, no script."""
    height = ROW_HEIGHT * len(rows) + 40
    bar_area = CHART_WIDTH - LABEL_WIDTH - 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{CHART_WIDTH}" '
        f'height="{height}" viewBox="0 0 {CHART_WIDTH} {height}" '
        f'font-family="Marianne, sans-serif" font-size="10">'
    ]
    for index, row in enumerate(rows):
        y = 10 + index * ROW_HEIGHT
        scale = row["criterion"].scale_max
        title = row["criterion"].title
        title = escape(title if len(title) <= 40 else title[:39] + "…")
        parts.append(f'<text x="0" y="{y + 12}" fill="#161616">{title}</text>')
        for offset, value, colour in (
            (0, row["mean"], "#000091"),
            (12, row["wave_mean"], "#b1b1f9"),
        ):
            width = 0 if value is None else bar_area * value / scale
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y + offset}" width="{width:.1f}" '
                f'height="10" fill="{colour}"/>'
            )
            if value is not None:
                parts.append(
                    f'<text x="{LABEL_WIDTH + width + 4:.1f}" y="{y + offset + 9}" '
                    f'fill="#3a3a3a">{value:g}/{scale}</text>'
                )
    legend_y = height - 12
    parts.append(
        f'<rect x="{LABEL_WIDTH}" y="{legend_y - 8}" width="10" height="10" '
        f'fill="#000091"/><text x="{LABEL_WIDTH + 14}" y="{legend_y}">'
        f"{escape(_('Moyenne du territoire'))}</text>"
        f'<rect x="{LABEL_WIDTH + 170}" y="{legend_y - 8}" width="10" height="10" '
        f'fill="#b1b1f9"/><text x="{LABEL_WIDTH + 184}" y="{legend_y}">'
        f"{escape(_('Moyenne de la vague'))}</text></svg>"
    )
    return "".join(parts)


def report_context(candidacy, audience: str) -> dict:
    candidacy = candidacy_for_review(candidacy.pk)
    criteria = list(Criterion.objects.filter(wave=candidacy.wave).order_by("position"))
    reviews = submitted_reviews(candidacy)
    figures = scores_of(reviews, criteria)
    means = wave_means(candidacy.wave)
    named = audience == ReviewReport.STAFF
    reviewers = [
        str(review.assignment.reviewer) if named else _("Rapporteur %(n)d") % {"n": n}
        for n, review in enumerate(reviews, start=1)
    ]
    by_review = [{s.criterion_id: s for s in r.scores.all()} for r in reviews]
    rows = [
        {
            "criterion": criterion,
            "scores": [
                s.value if (s := scores.get(criterion.pk)) else None
                for scores in by_review
            ],
            "mean": figures.criterion_mean(criterion.pk),
            "median": figures.criterion_median(criterion.pk),
            "wave_mean": means.get(criterion.pk),
        }
        for criterion in criteria
    ]
    comments = [
        (reviewers[i], s.criterion.title, s.comment)
        for i, scores in enumerate(by_review)
        for s in scores.values()
        if s.comment and (named or s.shared)
    ]
    decision = Decision.objects.filter(candidacy=candidacy).first()
    return {
        "candidacy": candidacy,
        "audience": audience,
        "reviewers": reviewers,
        "rows": rows,
        "figures": figures,
        "comments": comments,
        "decision": decision if decision and decision.published_at else None,
        "chart": chart_svg(rows),
    }


def _digest(context) -> str:
    data = {
        "rows": [
            [r["criterion"].pk, r["scores"], r["mean"], r["median"], r["wave_mean"]]
            for r in context["rows"]
        ],
        "reviewers": context["reviewers"],
        "comments": context["comments"],
        "decision": [
            context["decision"].outcome,
            context["decision"].reasons,
            context["decision"].conditions,
        ]
        if context["decision"]
        else None,
        "template": 1,
    }
    return hashlib.sha256(json.dumps(data, default=str).encode()).hexdigest()


def request_review_report(*, candidacy, audience: str) -> ReviewReport:
    """The report as the data stand now, queued if not rendered before."""
    from .tasks import task_render_review_report

    digest = _digest(report_context(candidacy, audience))
    with transaction.atomic():
        report, created = ReviewReport.objects.get_or_create(
            candidacy=candidacy, audience=audience, inputs_hash=digest
        )
        if created:
            enqueue_on_commit(task_render_review_report, report_id=report.pk)
    return report


def render_review_report(*, report: ReviewReport) -> ReviewReport:
    from frenchimpact.pdf import render_pdf

    with translation.override("fr"):
        html = render_to_string(
            "documents/review_report.html",
            report_context(report.candidacy, report.audience),
        )
    pdf = render_pdf(html)
    with transaction.atomic():
        locked = ReviewReport.objects.select_for_update().get(pk=report.pk)
        if locked.status == DocumentStatus.READY and locked.file:
            return locked
        locked.file.save(
            f"rapport-{report.candidacy.reference}.pdf", ContentFile(pdf), save=False
        )
        locked.sha256 = hashlib.sha256(pdf).hexdigest()
        locked.status = DocumentStatus.READY
        locked.error = ""  # a retry that succeeded leaves no stale error
        locked.save(update_fields=["file", "sha256", "status", "error", "updated_at"])
    return locked


# --- Wave report -------------------------------------------------------------------


def wave_report_context(wave) -> dict:
    from territories import geography
    from territories.enums import TerritoryKind
    from territories.models import Territory

    from .selectors import ranking

    criteria, rows = ranking(wave)
    regions = geography.regions()
    # région codes of the territories of the candidacies that carry none of
    # their own (imported or admin-made data), in one query for all of them
    missing = {
        row["candidacy"].territory_id
        for row in rows
        if not row["candidacy"].region_codes and row["candidacy"].territory_id
    }
    territory_regions: dict[int, list[str]] = {}
    if missing:
        through = Territory.regions.through
        for territory_id, code in through.objects.filter(
            territory_id__in=missing
        ).values_list("territory_id", "region__code"):
            territory_regions.setdefault(territory_id, []).append(code)
    by_region: dict[str, dict] = {}
    by_kind: dict[str, dict] = {}
    for row in rows:
        candidacy, figures = row["candidacy"], row["figures"]
        decision = getattr(candidacy, "decision", None)
        labelled = bool(
            decision and decision.outcome != "reject" and decision.published_at
        )
        codes = candidacy.region_codes or territory_regions.get(
            candidacy.territory_id, []
        )
        for key, bucket in [
            *[(regions[c].name if c in regions else c, by_region) for c in codes],
            (
                TerritoryKind(candidacy.territory_kind).label
                if candidacy.territory_kind in TerritoryKind.values
                else _("Non précisée"),
                by_kind,
            ),
        ]:
            stats = bucket.setdefault(key, {"count": 0, "labelled": 0, "totals": []})
            stats["count"] += 1
            stats["labelled"] += labelled
            if figures.mean is not None:
                stats["totals"].append(figures.mean)
    for bucket in (by_region, by_kind):
        for stats in bucket.values():
            totals = stats.pop("totals")
            stats["mean"] = round(sum(totals) / len(totals), 1) if totals else None
    return {
        "wave": wave,
        "criteria": criteria,
        "rows": rows,
        "by_region": sorted(by_region.items()),
        "by_kind": sorted(by_kind.items()),
    }


def _wave_digest(context) -> str:
    data = {
        "rows": [
            [
                row["candidacy"].pk,
                row["candidacy"].state,
                row["figures"].totals,
                getattr(getattr(row["candidacy"], "decision", None), "outcome", None),
            ]
            for row in context["rows"]
        ],
        "template": 1,
    }
    return hashlib.sha256(json.dumps(data, default=str).encode()).hexdigest()


def request_wave_report(*, wave):
    from .models import WaveReport
    from .tasks import task_render_wave_report

    digest = _wave_digest(wave_report_context(wave))
    with transaction.atomic():
        report, created = WaveReport.objects.get_or_create(
            wave=wave, inputs_hash=digest
        )
        if created:
            enqueue_on_commit(task_render_wave_report, report_id=report.pk)
    return report


def render_wave_report(*, report):
    from frenchimpact.pdf import render_pdf

    from .models import WaveReport

    with translation.override("fr"):
        html = render_to_string(
            "documents/wave_report.html", wave_report_context(report.wave)
        )
    pdf = render_pdf(html)
    with transaction.atomic():
        locked = WaveReport.objects.select_for_update().get(pk=report.pk)
        if locked.status == DocumentStatus.READY and locked.file:
            return locked
        locked.file.save(
            f"vague-{report.wave.number}.pdf", ContentFile(pdf), save=False
        )
        locked.sha256 = hashlib.sha256(pdf).hexdigest()
        locked.status = DocumentStatus.READY
        locked.error = ""  # a retry that succeeded leaves no stale error
        locked.save(update_fields=["file", "sha256", "status", "error", "updated_at"])
    return locked
