from celery import shared_task

from frenchimpact.documents import document_task, render_once, requeue_stale

from . import services


@shared_task(name="reviews.remind_late_experts", soft_time_limit=120, time_limit=180)
def task_remind_late_experts() -> int:
    return services.remind_late_experts()


@document_task("reviews.render_review_report")
def task_render_review_report(self, *, report_id: int) -> None:
    from . import reports
    from .models import ReviewReport

    render_once(
        self,
        model=ReviewReport,
        pk=report_id,
        render=lambda report: reports.render_review_report(report=report),
        related=["candidacy__wave"],
    )


@document_task("reviews.render_wave_report", soft_time_limit=120, time_limit=180)
def task_render_wave_report(self, *, report_id: int) -> None:
    from . import reports
    from .models import WaveReport

    render_once(
        self,
        model=WaveReport,
        pk=report_id,
        render=lambda report: reports.render_wave_report(report=report),
        related=["wave"],
    )


@shared_task(name="reviews.sweep_reports", soft_time_limit=60, time_limit=90)
def task_sweep_reports() -> int:
    """Queue again review and wave reports left queued (broker down)."""
    from .models import ReviewReport, WaveReport

    return requeue_stale(
        model=ReviewReport, task=task_render_review_report, argument="report_id"
    ) + requeue_stale(
        model=WaveReport, task=task_render_wave_report, argument="report_id"
    )
