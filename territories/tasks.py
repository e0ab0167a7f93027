from celery import shared_task

from . import services


@shared_task(name="territories.expire_labels", soft_time_limit=120, time_limit=180)
def task_expire_labels() -> int:
    return services.expire_labels()


@shared_task(
    name="territories.render_certificate",
    bind=True,
    autoretry_for=(OSError,),
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
    acks_late=True,
)
def task_render_certificate(self, *, certificate_id: int) -> None:
    from frenchimpact.enums import DocumentStatus

    from .models import Certificate

    certificate = (
        Certificate.objects.filter(pk=certificate_id)
        .select_related("label__territory__lead_organisation", "label__wave")
        .first()
    )
    if certificate is None or (
        certificate.status == DocumentStatus.READY and certificate.file
    ):
        return
    Certificate.objects.filter(pk=certificate_id).update(
        status=DocumentStatus.RENDERING, attempts=certificate.attempts + 1
    )
    try:
        services.render_certificate(certificate=certificate)
    except Exception as error:
        final = self.request.retries >= self.max_retries or not isinstance(
            error, OSError
        )
        Certificate.objects.filter(pk=certificate_id).update(
            status=DocumentStatus.FAILED if final else DocumentStatus.QUEUED,
            error=str(error)[:2000],
        )
        raise
