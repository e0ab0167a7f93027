"""The follow-up's templates hold under a strict Content-Security-Policy and
mark their text for translation."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

TEMPLATES = sorted(
    (Path(__file__).resolve().parents[2] / "templates" / "support").rglob("*.html")
)
EMAILS = sorted(
    (Path(__file__).resolve().parents[2] / "templates" / "emails").glob("support_*")
)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_template_has_no_inline_script_or_style(path):
    text = path.read_text()

    assert "<script" not in text
    assert not re.search(r"\sstyle=", text)
    assert not re.search(r"\son[a-z]+=", text)


@pytest.mark.parametrize("path", TEMPLATES + EMAILS, ids=lambda p: p.name)
def test_template_loads_i18n_sorted(path):
    text = path.read_text()
    loads = [name.split() for name in re.findall(r"{% load ([^%]+) %}", text)]

    if "translate" in text:
        assert any("i18n" in names for names in loads)
    for names in loads:
        assert names == sorted(names)


@pytest.mark.django_db
def test_support_pages_send_the_strict_policy(client):
    response = client.get(reverse("support:public_barriers"))

    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "'unsafe-inline'" not in policy


@pytest.mark.django_db
def test_public_pages_are_served_in_english_too(client):
    from django.utils import translation

    with translation.override("en"):
        url = reverse("support:public_barriers")

    response = client.get(url)

    assert url.startswith("/en/")
    assert response.status_code == 200
    assert '<html lang="en"' in response.content.decode()
