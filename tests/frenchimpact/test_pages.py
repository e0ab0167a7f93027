import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGES = [
    ("home", "Territoire French Impact"),
    ("programme", "Un accompagnement sur mesure en six axes"),
    ("manifesto", "Le manifeste du French Impact"),
    ("accessibility", "Déclaration d'accessibilité"),
    ("legal", "Mentions légales"),
    ("privacy", "Données personnelles et cookies"),
    ("sitemap", "Plan du site"),
]


@pytest.mark.parametrize("name, heading", PAGES)
def test_page_renders_in_dsfr_with_mandatory_parts(client, name, heading):
    response = client.get(reverse(name))

    body = response.content.decode()
    assert response.status_code == 200
    assert heading in body
    assert 'class="fr-skiplinks"' in body
    assert '<p class="fr-logo">République<br>Française</p>' in body
    assert "Le French Impact — Territoires" in body
    for footer_link in (
        "Plan du site",
        "Accessibilité : non conforme",
        "Mentions légales",
        "Données personnelles",
    ):
        assert footer_link in body
    assert 'hreflang="en"' in body


def test_programme_lists_the_six_axes(client):
    body = client.get(reverse("programme")).content.decode()

    assert body.count('<h3 class="fr-h6 fr-mb-1v">') == 6
    for partner in (
        "FISO #2",
        "Novess",
        "HubESS",
        "Hackers French Impact",
        "France Expérimentation",
        "La French Tech",
        "ADMICAL",
    ):
        assert partner in body


def test_english_version_is_served_under_en_prefix(client):
    response = client.get("/en/programme/")

    assert response.status_code == 200
    assert '<html lang="en"' in response.content.decode()


def test_language_switch_points_to_the_same_page(client):
    body = client.get("/territoires/").content.decode()

    assert 'href="/en/territoires/"' in body


def test_pages_send_a_strict_content_security_policy(client):
    policy = client.get(reverse("home"))["Content-Security-Policy"]

    assert "object-src 'none'" in policy
    assert "base-uri 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy


def test_base_map_is_cacheable_svg(client):
    response = client.get(reverse("territories:base_map"))

    assert response["Content-Type"] == "image/svg+xml"
    assert "max-age=86400" in response["Cache-Control"]
    assert response.content.count(b"<path ") == 96
    again = client.get(
        reverse("territories:base_map"), HTTP_IF_NONE_MATCH=response["ETag"]
    )
    assert again.status_code == 304


def test_server_error_page_renders_without_request_context():
    from frenchimpact.views import server_error

    response = server_error(None)

    assert response.status_code == 500
    assert "Erreur inattendue" in response.content.decode()


def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")

    assert response.json() == {"status": "ok"}
