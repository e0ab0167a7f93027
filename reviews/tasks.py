from celery import shared_task

from . import services


@shared_task(name="reviews.remind_late_experts", soft_time_limit=120, time_limit=180)
def task_remind_late_experts() -> int:
    return services.remind_late_experts()
