from celery import shared_task

from . import services


@shared_task(name="opendata.rebuild", soft_time_limit=120, time_limit=180)
def task_rebuild_open_data() -> list[str]:
    """Rebuild the open-data files whose data changed (idempotent)."""
    return services.rebuild_open_data()
