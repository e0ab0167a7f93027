import re

import pytest
from django.core import signing
from django.urls import reverse

from accounts.models import User
from accounts.services import SALT, verification_token
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "un-Mot-de-passe-solide-42"


def signup(client, email="nouvelle@example.org", password=PASSWORD, **extra):
    return client.post(
        reverse("accounts:signup"),
        {
            "first_name": "Camille",
            "last_name": "Martin",
            "email": email,
            "password1": password,
            "password2": extra.get("password2", password),
        },
    )


def test_signup_sends_a_link_that_activates_and_logs_in(client, mailoutbox_rows):
    response = signup(client)

    assert "Consultez votre messagerie" in response.content.decode()
    user = User.objects.get(email="nouvelle@example.org")
    assert not user.is_active
    email = mailoutbox_rows()[-1]
    assert email.to == ["nouvelle@example.org"]
    link = re.search(r"http://[^\s]+(/compte/confirmer/[^\s]+/)", email.body).group(1)

    response = client.get(link, follow=True)

    assert response.redirect_chain[-1][0] == reverse("applications:dashboard")
    assert "Votre adresse est confirmée" in response.content.decode()
    user.refresh_from_db()
    assert user.is_active
    assert response.wsgi_request.user == user


def test_expired_or_tampered_link_is_refused(client, settings):
    signup(client)
    user = User.objects.get(email="nouvelle@example.org")
    token = verification_token(user)

    assert client.get(reverse("accounts:verify", args=[token + "x"])).status_code == 400
    settings.EMAIL_VERIFICATION_MAX_AGE = -1
    response = client.get(reverse("accounts:verify", args=[token]))
    assert response.status_code == 400
    assert "a expiré" in response.content.decode()
    user.refresh_from_db()
    assert not user.is_active


def test_signup_with_existing_address_reveals_nothing(client, mailoutbox_rows):
    UserFactory(email="deja@example.org")

    response = signup(client, email="deja@example.org")

    assert "Consultez votre messagerie" in response.content.decode()
    assert User.objects.filter(email="deja@example.org").count() == 1
    assert "possède déjà un" in mailoutbox_rows()[-1].body


@pytest.mark.parametrize(
    "password, password2, message",
    [
        ("court", "court", "trop court"),
        ("123456789012345", "123456789012345", "entièrement numérique"),
        (PASSWORD, PASSWORD + "x", "pas identiques"),
    ],
)
def test_password_policy(client, password, password2, message):
    response = signup(client, password=password, password2=password2)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not User.objects.exists()


def test_login_is_throttled_after_repeated_failures(client, settings):
    user = UserFactory(email="cible@example.org")
    url = reverse("accounts:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": user.email, "password": "mauvais"})

    response = client.post(
        url, {"username": user.email, "password": "motdepasse-solide-1"}
    )

    assert response.status_code == 429
    assert "Connexion temporairement bloquée" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_and_logout(client):
    user = UserFactory()

    response = client.post(
        reverse("accounts:login"),
        {"username": user.email, "password": "motdepasse-solide-1"},
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    client.post(reverse("accounts:logout"))
    assert "_auth_user_id" not in client.session


def test_password_reset_goes_through_the_outbox(client, mailoutbox_rows):
    user = UserFactory(email="oubli@example.org")

    client.post(reverse("accounts:password_reset"), {"email": user.email})

    body = mailoutbox_rows()[-1].body
    link = re.search(r"http://[^\s]+(/compte/mot-de-passe/[^\s]+/)", body).group(1)
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0]
    client.post(form_url, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_verification_salt_is_specific():
    assert signing.dumps({"id": 1}, salt="other") != signing.dumps({"id": 1}, salt=SALT)
