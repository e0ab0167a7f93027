from celery import shared_task

from . import services


@shared_task(name="territories.expire_labels", soft_time_limit=120, time_limit=180)
def task_expire_labels() -> int:
    return services.expire_labels()
