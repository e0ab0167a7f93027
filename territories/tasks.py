from celery import shared_task

from frenchimpact.documents import document_task, render_once, requeue_stale

from . import services
from .models import Certificate


@shared_task(name="territories.expire_labels", soft_time_limit=120, time_limit=180)
def task_expire_labels() -> int:
    return services.expire_labels()


@document_task("territories.render_certificate")
def task_render_certificate(self, *, certificate_id: int) -> None:
    render_once(
        self,
        model=Certificate,
        pk=certificate_id,
        render=lambda certificate: services.render_certificate(certificate=certificate),
        related=["label__territory__lead_organisation", "label__wave"],
    )


@shared_task(name="territories.sweep_certificates", soft_time_limit=60, time_limit=90)
def task_sweep_certificates() -> int:
    """Queue again certificates left queued (broker down when requested)."""
    return requeue_stale(
        model=Certificate, task=task_render_certificate, argument="certificate_id"
    )
