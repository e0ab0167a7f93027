"""Second factor (TOTP, backup codes) of staff, reviewers and experts."""

import re
import time

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.enums import Role
from frenchimpact.models import AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "motdepasse-solide-1"


@pytest.fixture(autouse=True)
def _required(settings):
    settings.TWO_FACTOR_REQUIRED = True


def code_for(device, offset=0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset * device.step
    return f"{totp.token():06d}"


def log_in(client, user):
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    return response


def confirmed_device(user):
    return TOTPDevice.objects.create(user=user, name="application", confirmed=True)


@pytest.mark.parametrize(
    ("role", "page"),
    [
        (Role.STAFF, "reviews:waves"),
        (Role.REVIEWER, "reviews:my_assignments"),
        (Role.EXPERT, "reviews:expert_requests"),
    ],
)
def test_privileged_user_without_device_is_sent_to_enrolment(client, role, page):
    user = UserFactory(role=role, is_staff=role == Role.STAFF)
    log_in(client, user)

    response = client.get(reverse(page))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_setup"))
    assert f"next={reverse(page)}".replace("/", "%2F") in response["Location"]


def test_enrolment_shows_qr_code_and_secret_then_backup_codes(client):
    user = UserFactory(role=Role.REVIEWER)
    log_in(client, user)

    page = client.get(reverse("accounts:otp_setup"))

    content = page.content.decode()
    assert 'src="data:image/svg+xml' in content
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    secret = re.search(r"<code[^>]*>([A-Z2-7 ]+)</code>", content).group(1)
    assert secret.replace(" ", "") in device.config_url

    wrong = client.post(reverse("accounts:otp_setup"), {"code": "000000"})
    assert wrong.status_code == 400
    assert "Code incorrect" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed

    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    done = client.post(
        reverse("accounts:otp_setup"),
        {"code": code_for(device), "next": reverse("reviews:my_assignments")},
    )

    assert done.status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    codes = re.findall(r"<code>(\d{8})</code>", done.content.decode())
    assert len(codes) == 10
    assert set(codes) == set(
        StaticToken.objects.filter(device__user=user).values_list("token", flat=True)
    )
    assert client.get(reverse("reviews:my_assignments")).status_code == 200
    assert AuditEntry.objects.filter(
        action="accounts.second_factor.enrolled", object_id=user.pk
    ).exists()


def test_device_but_unverified_session_is_sent_to_the_prompt(client):
    user = UserFactory(role=Role.EXPERT)
    confirmed_device(user)
    log_in(client, user)

    response = client.get(reverse("reviews:expert_requests"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_verify"))


def test_wrong_code_is_refused_and_grants_nothing(client):
    user = UserFactory(role=Role.STAFF, is_staff=True)
    device = confirmed_device(user)
    log_in(client, user)

    response = client.post(
        reverse("accounts:otp_verify"),
        {"code": str((int(code_for(device)) + 1) % 1_000_000).zfill(6)},
    )

    assert response.status_code == 400
    assert "Code incorrect" in response.content.decode()
    assert client.get(reverse("reviews:waves")).status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 1


def test_wrong_codes_are_throttled(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60  # a minute's wait: no race
    user = UserFactory(role=Role.REVIEWER)
    device = confirmed_device(user)
    log_in(client, user)
    client.post(reverse("accounts:otp_verify"), {"code": "000001"})

    # the right code, right after a wrong one: the device waits first
    response = client.post(reverse("accounts:otp_verify"), {"code": code_for(device)})

    assert response.status_code == 400
    assert "Trop de codes erronés" in response.content.decode()
    assert client.get(reverse("reviews:my_assignments")).status_code == 302


def test_right_code_grants_access_and_comes_back(client):
    user = UserFactory(role=Role.STAFF, is_staff=True)
    device = confirmed_device(user)
    log_in(client, user)
    prompt = client.get(reverse("reviews:waves"))
    next_url = prompt["Location"]

    response = client.post(
        next_url, {"code": code_for(device), "next": reverse("reviews:waves")}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("reviews:waves")
    page = client.get(reverse("reviews:waves"))
    assert page.status_code == 200


def test_backup_code_works_once(client):
    user = UserFactory(role=Role.REVIEWER)
    confirmed_device(user)
    from accounts.second_factor import reset_backup_codes

    code = reset_backup_codes(user=user)[0]
    log_in(client, user)

    assert (
        client.post(reverse("accounts:otp_verify"), {"code": code}).status_code == 302
    )
    assert client.get(reverse("reviews:my_assignments")).status_code == 200
    assert not StaticToken.objects.filter(token=code).exists()

    client.logout()
    log_in(client, user)
    again = client.post(reverse("accounts:otp_verify"), {"code": code})
    assert again.status_code == 400


def test_prompt_refuses_an_outside_next(client):
    user = UserFactory(role=Role.REVIEWER)
    device = confirmed_device(user)
    log_in(client, user)

    response = client.post(
        reverse("accounts:otp_verify"),
        {"code": code_for(device), "next": "https://ailleurs.example/"},
    )

    assert response["Location"] == reverse("applications:dashboard")


def test_malformed_code_is_a_form_error(client):
    user = UserFactory(role=Role.REVIEWER)
    confirmed_device(user)
    log_in(client, user)

    response = client.post(reverse("accounts:otp_verify"), {"code": "abc"})

    assert response.status_code == 400
    assert "Saisissez 6 chiffres" in response.content.decode()


def test_admin_requires_the_second_factor(client):
    user = UserFactory(role=Role.STAFF, is_staff=True, is_superuser=True)
    device = confirmed_device(user)
    log_in(client, user)

    refused = client.get("/admin/")
    assert refused.status_code == 302
    assert refused["Location"].startswith(reverse("accounts:otp_verify"))

    client.post(reverse("accounts:otp_verify"), {"code": code_for(device)})
    assert client.get("/admin/").status_code == 200


def test_applicant_is_never_asked(client):
    user = UserFactory(role=Role.APPLICANT)
    log_in(client, user)

    response = client.get(reverse("applications:dashboard"))

    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert client.get(reverse("accounts:otp_setup")).status_code == 404


def test_second_factor_off_lets_privileged_users_in(client, settings):
    settings.TWO_FACTOR_REQUIRED = False
    user = UserFactory(role=Role.STAFF, is_staff=True)
    log_in(client, user)

    assert client.get(reverse("reviews:waves")).status_code == 200
