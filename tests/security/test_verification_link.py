"""The e-mail verification link (``accounts:verify``) activates an account
and logs its owner in once; it must not stay a key to the account."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.services import register_applicant, verification_token

pytestmark = pytest.mark.django_db


def _registered() -> User:
    register_applicant(
        email="nouvelle@example.org",
        password="motdepasse-solide-1",
        first_name="Nina",
        last_name="Morel",
    )
    return User.objects.get(email="nouvelle@example.org")


def test_first_click_on_the_verification_link_activates_and_logs_in():
    user = _registered()
    link = reverse("accounts:verify", args=[verification_token(user)])

    response = Client().get(link)

    assert response.status_code == 302
    assert response.wsgi_request.user == user
    user.refresh_from_db()
    assert user.is_active
    assert user.last_login is not None


def test_verification_link_used_once_no_longer_logs_anyone_in():
    user = _registered()
    link = reverse("accounts:verify", args=[verification_token(user)])
    Client().get(link)  # the owner verifies the address and is logged in
    user.refresh_from_db()
    user.set_password("un-tout-nouveau-mot-de-passe")
    user.save()

    stranger = Client()
    stranger.get(link)  # the same link, from someone else's browser
    response = stranger.get(reverse("applications:dashboard"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
