from celery import shared_task

from frenchimpact.documents import TRANSIENT_ERRORS, render_once

from . import services


@shared_task(name="reviews.remind_late_experts", soft_time_limit=120, time_limit=180)
def task_remind_late_experts() -> int:
    return services.remind_late_experts()


@shared_task(
    name="reviews.render_review_report",
    bind=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
    acks_late=True,
)
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


@shared_task(
    name="reviews.render_wave_report",
    bind=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=5,
    soft_time_limit=120,
    time_limit=180,
    acks_late=True,
)
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
