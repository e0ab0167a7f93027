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


@shared_task(name="territories.sweep_certificates", soft_time_limit=60, time_limit=90)
def task_sweep_certificates() -> int:
    """Queue again certificates left queued (broker down when requested)."""
    import datetime as dt

    from django.utils import timezone

    from frenchimpact.enums import DocumentStatus

    from .models import Certificate

    stale = timezone.now() - dt.timedelta(minutes=2)
    ids = list(
        Certificate.objects.filter(
            status=DocumentStatus.QUEUED, updated_at__lt=stale
        ).values_list("pk", flat=True)[:500]
    )
    for certificate_id in ids:
        task_render_certificate.delay(certificate_id=certificate_id)
    return len(ids)
