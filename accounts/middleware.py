"""Guards of the privileged sessions (staff, reviewers, experts).

One middleware, after django-otp's (which sets ``request.user.otp_device``):

- when ``TWO_FACTOR_REQUIRED`` is on, a privileged person whose session has
  not passed the second factor reaches nothing but the account pages (the
  code prompt, the enrolment, the log-out): every other page, the back office
  included, sends them to the enrolment (no confirmed device yet) or to the
  code prompt, then back where they were going;
- a privileged session ends after ``PRIVILEGED_SESSION_IDLE_SECONDS`` without
  a request (0 turns this off); applicants keep Django's usual session.
"""

import datetime as dt
from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils import timezone

from . import second_factor

# account pages reachable before the second factor: the prompt and the
# enrolment themselves, the log-out, the password pages
OPEN_BEFORE_SECOND_FACTOR = frozenset(
    {
        "accounts:otp_verify",
        "accounts:otp_setup",
        "accounts:logout",
        "accounts:login",
        "accounts:password_reset",
        "accounts:password_reset_done",
        "accounts:password_reset_confirm",
        "accounts:password_reset_complete",
        "healthz",
    }
)


def _url_name(request) -> str | None:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    return match.view_name


def _extend_idle_expiry(session) -> None:
    """Move the end of the session to ``PRIVILEGED_SESSION_IDLE_SECONDS``
    from now (an absolute date, stored in the session and by the session
    store). Written again only once the date is a minute old, so that most
    requests do not save the session."""
    idle = settings.PRIVILEGED_SESSION_IDLE_SECONDS
    if not idle:
        return
    stored = session.get("_session_expiry")
    if not isinstance(stored, str) or session.get_expiry_age() < idle - 60:
        session.set_expiry(timezone.now() + dt.timedelta(seconds=idle))


class PrivilegedSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and second_factor.is_privileged(user):
            _extend_idle_expiry(request.session)
            if (
                settings.TWO_FACTOR_REQUIRED
                and not user.is_verified()
                and _url_name(request) not in OPEN_BEFORE_SECOND_FACTOR
            ):
                target = (
                    "accounts:otp_verify"
                    if second_factor.has_confirmed_device(user)
                    else "accounts:otp_setup"
                )
                url = redirect(target).url
                if request.method in ("GET", "HEAD"):
                    url += "?" + urlencode({"next": request.get_full_path()})
                return redirect(url)
        return self.get_response(request)
