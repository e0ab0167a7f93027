"""The second factor (TOTP, with single-use backup codes) of the people who
work inside the review: staff, reviewers and experts (django-otp)."""

import base64
import secrets

from django.db import transaction
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from frenchimpact import audit

from .enums import INTERNAL_ROLES

BACKUP_CODES = 10
DEVICE_NAME = "application"
BACKUP_NAME = "codes de secours"


def is_privileged(user) -> bool:
    """Staff, reviewers, experts, and anyone with the back office."""
    return bool(
        user.is_authenticated
        and (user.role in INTERNAL_ROLES or user.is_staff or user.is_superuser)
    )


def has_confirmed_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_device(user) -> TOTPDevice:
    """The unconfirmed authenticator being enrolled (made on first call, the
    same secret shown again until it is confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing by hand."""
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def qr_svg_data_uri(device: TOTPDevice) -> str:
    import segno

    return segno.make(device.config_url, error="m").svg_data_uri(scale=5)


def _new_code() -> str:
    return f"{secrets.randbelow(10**8):08d}"


@transaction.atomic
def confirm_device(*, request, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the enrolment with a first code from the authenticator. On
    success, the other authenticators of the person are removed, a new set
    of single-use backup codes is made and returned (shown once), and the
    session counts as verified. Returns None for a wrong code."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    user = request.user
    if device.user_id != user.pk or device.confirmed:
        return None
    if not device.verify_is_allowed()[0] or not device.verify_token(token):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    codes = reset_backup_codes(user=user)
    otp_login(request, device)
    audit.record(actor=user, action="accounts.second_factor.enrolled", obj=user)
    return codes


def reset_backup_codes(*, user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=BACKUP_NAME, confirmed=True)
    codes = [_new_code() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(
        [StaticToken(device=static, token=code) for code in codes]
    )
    return codes


def verify(*, request, token: str) -> tuple[bool, bool]:
    """Check a code from the authenticator (6 digits) or a backup code (8
    digits, used up). Returns (verified, throttled): each wrong code doubles
    the wait before the next try on that device (django-otp's throttling)."""
    user = request.user
    token = "".join(token.split())
    model = StaticDevice if len(token) == 8 else TOTPDevice
    throttled = False
    with transaction.atomic():
        for device in model.objects.select_for_update().filter(
            user=user, confirmed=True
        ):
            if not device.verify_is_allowed()[0]:
                throttled = True
                continue
            if device.verify_token(token):
                otp_login(request, device)
                if model is StaticDevice:
                    audit.record(
                        actor=user,
                        action="accounts.second_factor.backup_code_used",
                        obj=user,
                    )
                return True, False
    return False, throttled
