"""Celery tasks of the accounts: retention of personal data."""

from celery import shared_task


@shared_task(name="accounts.enforce_retention", soft_time_limit=600, time_limit=660)
def task_enforce_retention() -> dict[str, int]:
    """Delete what has outlived its retention period (idempotent: a second
    run finds nothing more to delete)."""
    from .personal_data import enforce_retention

    return enforce_retention()
