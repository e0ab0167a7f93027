"""Sign-up and e-mail verification."""

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone

from frenchimpact import audit
from frenchimpact.mail import queue_email

from .enums import Role
from .models import User

SALT = "accounts.verify-email"


def verification_token(user: User) -> str:
    return signing.dumps({"id": user.pk, "email": user.email}, salt=SALT)


@transaction.atomic
def register_applicant(*, email: str, password: str, first_name: str, last_name: str):
    """Create an inactive applicant account and send the verification link.

    An address that already has an account gets a message saying so (with
    the password reset page) instead: the form never reveals which addresses
    are registered.
    """
    email = User.objects.normalize_email(email).lower()
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        queue_email(to=[email], template="account_exists", context={"user": existing})
        return None
    user = User(
        email=email,
        first_name=first_name,
        last_name=last_name,
        role=Role.APPLICANT,
        is_active=False,
    )
    user.set_password(password)
    user.save()
    audit.record(actor=None, action="accounts.user.registered", obj=user)
    queue_email(
        to=[email],
        template="verify_email",
        context={"user": user, "token": verification_token(user)},
    )
    return user


@transaction.atomic
def verify_email(*, token: str) -> tuple[User | None, bool]:
    """Activate the account of a valid, unexpired link. Returns the user (None
    for an invalid link) and whether this very call activated the account:
    only that first use may log the visitor in, so that a forwarded or
    leaked link is no login key."""
    try:
        data = signing.loads(
            token, salt=SALT, max_age=settings.EMAIL_VERIFICATION_MAX_AGE
        )
    except signing.BadSignature:
        return None, False
    user = (
        User.objects.select_for_update()
        .filter(pk=data.get("id"), email=data.get("email"))
        .first()
    )
    if user is None:
        return None, False
    if user.is_active or user.last_login is not None:
        return user, False
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit.record(actor=user, action="accounts.user.verified", obj=user)
    return user, True


def resend_verification(*, email: str) -> None:
    user = User.objects.filter(
        email__iexact=email.strip(), is_active=False, last_login__isnull=True
    ).first()
    if user is not None:
        with transaction.atomic():
            queue_email(
                to=[user.email],
                template="verify_email",
                context={"user": user, "token": verification_token(user)},
            )


def touch_login(user: User) -> None:
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
