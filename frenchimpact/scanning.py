"""Antivirus scan of every uploaded file: the one place that asks for a
scan, applies a verdict and decides whether a file may be sent.

An upload service calls :func:`request_scan` after saving its row. A backend
that answers at once (``synchronous``) gives its verdict there; otherwise the
row is marked pending and ``task_scan_file`` runs after the commit. Until a
verdict, the file is not sent (:func:`blocked_response`). An infected file is
deleted from the storage, its row marked, its uploader told by e-mail and an
audit entry written. Scanning twice does no harm: a verdict already given is
kept.
"""

import logging

from django.apps import apps
from django.db import transaction
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit
from .antivirus import ScanError, get_scanner
from .enums import ScanStatus
from .mail import queue_email
from .queue import enqueue_on_commit

logger = logging.getLogger(__name__)

# every model with an uploaded file; generated documents are not scanned
SCANNED_MODELS = (
    "applications.Attachment",
    "challenges.ProgressReport",
    "reviews.ExpertRequest",
)
# a file whose scan failed this many times stays refused, waiting for a person
MAX_SCAN_ATTEMPTS = 10


def _label(instance) -> str:
    return instance._meta.label


def _file(instance):
    return getattr(instance, instance.SCANNED_FILE_FIELD)


def request_scan(instance) -> None:
    """Ask for the scan of the row's newly saved file (call it inside the
    upload's transaction)."""
    if not _file(instance):
        return
    scanner = get_scanner()
    if scanner.synchronous:
        _scan(instance, scanner)
        return
    type(instance).objects.filter(pk=instance.pk).update(
        scan_status=ScanStatus.PENDING,
        scan_detail="",
        scanned_at=None,
        updated_at=timezone.now(),
    )
    instance.scan_status = ScanStatus.PENDING
    from .tasks import task_scan_file

    enqueue_on_commit(task_scan_file, model=_label(instance), pk=instance.pk)


def _eligible(instance, scanner) -> bool:
    if not _file(instance):
        return False
    if instance.scan_status == ScanStatus.UNSCANNED:
        return getattr(scanner, "performs_scan", True)
    return instance.scan_status in (ScanStatus.PENDING, ScanStatus.ERROR)


def scan_file(*, model: str, pk: int) -> str | None:
    """Scan the file of one row, if it still waits for a verdict. Returns
    the new status (None when there was nothing to do); raises ScanError
    when the scanner failed (the row is marked in error)."""
    Model = apps.get_model(model)
    instance = Model.objects.filter(pk=pk).first()
    scanner = get_scanner()
    if instance is None or not _eligible(instance, scanner):
        return None
    return _scan(instance, scanner)


def _scan(instance, scanner) -> str | None:
    field = _file(instance)
    failure = None
    try:
        with field.open("rb") as stream:
            result = scanner.scan(stream)
    except (ScanError, OSError) as error:
        failure = error
    Model = type(instance)
    with transaction.atomic():
        row = Model.objects.select_for_update().filter(pk=instance.pk).first()
        if row is None or not _eligible(row, scanner):
            return None  # gone, or a verdict given meanwhile
        row.scan_attempts += 1
        row.scanned_at = timezone.now()
        if failure is not None:
            row.scan_status = ScanStatus.ERROR
            row.scan_detail = str(failure)[:255]
        else:
            row.scan_status = result.status
            row.scan_detail = result.detail[:255]
        if row.scan_status == ScanStatus.INFECTED:
            _quarantine(row)
        row.save(
            update_fields=[
                "scan_status",
                "scan_detail",
                "scan_attempts",
                "scanned_at",
                "updated_at",
                row.SCANNED_FILE_FIELD,
            ]
        )
    for name in ("scan_status", "scan_detail", "scan_attempts", "scanned_at"):
        setattr(instance, name, getattr(row, name))
    setattr(instance, row.SCANNED_FILE_FIELD, _file(row))
    if failure is not None:
        logger.warning("Antivirus scan of %s %s failed: %s", Model, row.pk, failure)
        raise ScanError(str(failure))
    return row.scan_status


def _quarantine(row) -> None:
    """Delete the infected file, tell its uploader, write the audit entry."""
    field = _file(row)
    stored, storage = field.name, field.storage
    setattr(row, row.SCANNED_FILE_FIELD, "")
    transaction.on_commit(lambda: storage.delete(stored))
    name = getattr(row, row.SCANNED_NAME_FIELD, "") or stored
    uploader = getattr(row, row.SCANNED_UPLOADER_FIELD)
    audit.record(
        actor=None,
        action="frenchimpact.upload.infected",
        obj=row,
        data={"name": name, "virus": row.scan_detail},
    )
    if uploader is not None and uploader.is_active:
        queue_email(
            to=[uploader.email],
            template="file_infected",
            context={"user": uploader, "name": name, "virus": row.scan_detail},
        )


def sweep() -> int:
    """Queue again the scans lost (pending for a while), failed (under the
    attempts' limit) and the files never scanned when a scanner is set."""
    import datetime as dt

    from django.db.models import Q

    from .tasks import task_scan_file

    scanner = get_scanner()
    stale = timezone.now() - dt.timedelta(minutes=5)
    wanted = Q(scan_status=ScanStatus.PENDING, updated_at__lt=stale) | Q(
        scan_status=ScanStatus.ERROR, scan_attempts__lt=MAX_SCAN_ATTEMPTS
    )
    if getattr(scanner, "performs_scan", True):
        wanted |= Q(scan_status=ScanStatus.UNSCANNED)
    queued = 0
    for label in SCANNED_MODELS:
        Model = apps.get_model(label)
        ids = (
            Model.objects.filter(wanted)
            .exclude(**{Model.SCANNED_FILE_FIELD: ""})
            .values_list("pk", flat=True)[:200]
        )
        for pk in ids:
            enqueue_on_commit(task_scan_file, model=label, pk=pk)
            queued += 1
    return queued


def blocked_response(request, instance):
    """The page sent instead of a file that may not be sent yet (409), or
    ever (410), or None when the file may be sent."""
    if instance.scan_servable:
        return None
    status = instance.scan_status
    if status == ScanStatus.INFECTED:
        message = _(
            "Ce fichier contenait un virus : il a été supprimé et n'est plus "
            "disponible. La personne qui l'a déposé a été prévenue."
        )
        code = 410
    elif status == ScanStatus.ERROR:
        message = _(
            "L'analyse antivirus de ce fichier n'a pas encore abouti : il "
            "sera disponible dès qu'elle aura réussi. Réessayez plus tard."
        )
        code = 409
    else:
        message = _(
            "Analyse antivirus en cours : ce fichier sera disponible dans "
            "quelques instants. Rechargez la page."
        )
        code = 409
    return render(
        request,
        "scan_blocked.html",
        {"message": message, "status": instance.get_scan_status_display()},
        status=code,
    )
