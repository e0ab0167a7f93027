from celery import shared_task

from . import services


@shared_task(
    name="challenges.send_campaign_reminders", soft_time_limit=300, time_limit=360
)
def task_send_campaign_reminders() -> int:
    """Remind the teams that have not sent their yearly follow-up (at most
    once a week each; running it again the same day sends nothing)."""
    return services.send_campaign_reminders()
