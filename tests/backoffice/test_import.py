"""Bulk import of organisations and territories in the back office: whole
files or nothing, with a validation report in French."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from accounts.enums import Role
from territories.models import Organisation, Territory
from tests.factories import OrganisationFactory, UserFactory, valid_siret

pytestmark = pytest.mark.django_db

ORGANISATIONS = reverse("admin:territories_organisation_import")
TERRITORIES = reverse("admin:territories_territory_import")
SIRET_1, SIRET_2 = valid_siret(910001), valid_siret(910002)


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(role=Role.STAFF, is_staff=True, is_superuser=True))
    return client


def _csv(rows, delimiter=","):
    text = "\n".join(delimiter.join(row) for row in rows) + "\n"
    return SimpleUploadedFile("import.csv", text.encode("utf-8"), "text/csv")


def _xlsx(rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(
        "import.xlsx",
        buffer.getvalue(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def _report(response) -> list[tuple[str, str, str]]:
    """The rows of the validation report: (line, column, message)."""
    import re
    from html import unescape

    body = response.content.decode()
    table = re.search(r'<table id="import-report">(.*?)</table>', body, re.S)
    if table is None:
        return []
    rows = re.findall(
        r"<tr>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>", table[1], re.S
    )
    return [tuple(unescape(cell.strip()) for cell in row) for row in rows]


ORGANISATION_ROWS = [
    ["nom", "nature", "siret", "commune", "site_internet"],
    ["Clus'Ter Jura", "association", SIRET_1, "Conliège", "https://example.org"],
    [
        "SCIC Juralliance",
        "Coopérative / SCIC",
        SIRET_2[:3] + " " + SIRET_2[3:],
        "Lons-le-Saunier",
        "",
    ],
]
TERRITORY_ROWS = [
    [
        "nom",
        "nature",
        "codes_regions",
        "codes_departements",
        "codes_communes",
        "siret_structure_porteuse",
    ],
    ["Territoire Lédonien", "pays", "27", "39", "39300|39198", SIRET_1],
    ["Métropole de Démonstration", "metropole", "84|27", "69|39", "", ""],
]


@pytest.mark.parametrize("make", [_csv, _xlsx], ids=["csv", "xlsx"])
def test_import_clean_organisations_creates_every_row(admin_client, make):
    response = admin_client.post(ORGANISATIONS, {"file": make(ORGANISATION_ROWS)})

    assert response.status_code == 302
    names = dict(Organisation.objects.values_list("siret", "name"))
    assert names == {SIRET_1: "Clus'Ter Jura", SIRET_2: "SCIC Juralliance"}
    assert Organisation.objects.get(siret=SIRET_2).kind == "cooperative"


def test_import_organisations_again_updates_by_siret(admin_client):
    OrganisationFactory(siret=SIRET_1, name="Ancien nom")

    admin_client.post(ORGANISATIONS, {"file": _csv(ORGANISATION_ROWS, ";")})

    assert Organisation.objects.count() == 2
    assert Organisation.objects.get(siret=SIRET_1).name == "Clus'Ter Jura"


@pytest.mark.parametrize("make", [_csv, _xlsx], ids=["csv", "xlsx"])
def test_import_clean_territories_creates_every_row(admin_client, make):
    lead = OrganisationFactory(siret=SIRET_1)

    response = admin_client.post(TERRITORIES, {"file": make(TERRITORY_ROWS)})

    assert response.status_code == 302
    ledonien = Territory.objects.get(slug="territoire-ledonien")
    assert ledonien.kind == "pays"
    assert ledonien.lead_organisation == lead
    assert ledonien.commune_codes == ["39300", "39198"]
    assert [d.code for d in ledonien.departments.all()] == ["39"]
    assert "ledonien" in ledonien.search_text
    metropole = Territory.objects.get(slug="metropole-de-demonstration")
    assert sorted(r.code for r in metropole.regions.all()) == ["27", "84"]


BAD_TERRITORY_ROWS = [
    TERRITORY_ROWS[0],
    ["Territoire correct", "pays", "27", "39", "", ""],
    ["Région inconnue", "pays", "99", "39", "", ""],
    ["Nature inconnue", "galaxie", "27", "39", "", ""],
    ["Commune inconnue", "pays", "27", "39", "00000", ""],
]


@pytest.mark.parametrize("make", [_csv, _xlsx], ids=["csv", "xlsx"])
def test_import_with_three_bad_rows_lists_them_and_creates_nothing(admin_client, make):
    response = admin_client.post(TERRITORIES, {"file": make(BAD_TERRITORY_ROWS)})

    assert response.status_code == 200
    report = _report(response)
    assert [(line, column) for line, column, _ in report] == [
        ("3", "codes_regions"),
        ("4", "nature"),
        ("5", "codes_communes"),
    ]
    assert "Code de région inconnu du Code officiel géographique : 99." in report[0][2]
    assert "galaxie" in report[1][2]
    assert "00000" in report[2][2]
    assert "Rien n'a été importé : 3 problèmes à corriger." in response.content.decode()
    assert not Territory.objects.exists()


def test_import_bad_siret_and_unknown_lead_are_reported(admin_client):
    rows = [
        ORGANISATION_ROWS[0],
        ["Bonne structure", "association", SIRET_1, "", ""],
        ["Mauvais SIRET", "association", "12345678901234", "", ""],
    ]

    response = admin_client.post(ORGANISATIONS, {"file": _csv(rows)})

    report = _report(response)
    assert [(line, column) for line, column, _ in report] == [("3", "siret")]
    assert "n'est pas un numéro SIRET valide" in report[0][2]
    assert not Organisation.objects.exists()

    rows = [TERRITORY_ROWS[0], ["Sans porteur connu", "pays", "27", "39", "", SIRET_2]]
    response = admin_client.post(TERRITORIES, {"file": _csv(rows)})

    report = _report(response)
    assert [(line, column) for line, column, _ in report] == [
        ("2", "siret_structure_porteuse")
    ]
    assert "importez d'abord les organisations" in report[0][2]


def test_import_department_outside_the_regions_is_refused(admin_client):
    rows = [TERRITORY_ROWS[0], ["Incohérent", "pays", "84", "39", "", ""]]

    response = admin_client.post(TERRITORIES, {"file": _csv(rows)})

    report = _report(response)
    assert report == [
        (
            "2",
            "codes_departements",
            "Ces départements ne sont dans aucune des régions indiquées : 39.",
        )
    ]
    assert not Territory.objects.exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("notes.txt", b"nom,nature\nA,pays\n"),
            "Seuls les fichiers CSV et XLSX sont acceptés.",
        ),
        (
            SimpleUploadedFile(
                "latin.csv", "nom,nature\nBéziers,pays\n".encode("latin-1")
            ),
            "n'est pas encodé en UTF-8",
        ),
        (SimpleUploadedFile("vide.csv", b""), "Le fichier est vide."),
        (SimpleUploadedFile("entete.csv", b"nom,nature\n"), "aucune ligne à importer"),
        (
            SimpleUploadedFile("faux.xlsx", b"ceci n'est pas un classeur"),
            "n'est pas un classeur XLSX lisible",
        ),
        (
            SimpleUploadedFile("colonnes.csv", b"nom;pays\nA;B\n"),
            "Colonne obligatoire absente du fichier.",
        ),
    ],
    ids=["not-csv", "latin-1", "empty", "header-only", "fake-xlsx", "missing-columns"],
)
def test_import_malformed_file_gets_the_report(admin_client, upload, message):
    response = admin_client.post(TERRITORIES, {"file": upload})

    assert response.status_code == 200
    assert any(message in problem for _, _, problem in _report(response))
    assert not Territory.objects.exists()


def test_import_page_lists_the_columns(admin_client):
    response = admin_client.get(TERRITORIES)

    assert response.status_code == 200
    assert "codes_departements" in response.content.decode()
    changelist = admin_client.get(reverse("admin:territories_territory_changelist"))
    assert TERRITORIES in changelist.content.decode()


def test_import_is_refused_without_model_permissions(client):
    client.force_login(UserFactory(role=Role.STAFF, is_staff=True))

    response = client.post(TERRITORIES, {"file": _csv(TERRITORY_ROWS)})

    assert response.status_code == 403
    assert not Territory.objects.exists()


def test_import_sends_anonymous_people_to_the_admin_login(client):
    response = client.get(TERRITORIES)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_import_xlsx_gives_back_the_zeros_a_spreadsheet_drops(admin_client):
    rows = [TERRITORY_ROWS[0], ["Pays de l'Ain", "pays", 84, 1, 1004, ""]]

    response = admin_client.post(TERRITORIES, {"file": _xlsx(rows)})

    assert response.status_code == 302
    territory = Territory.objects.get(slug="pays-de-lain")
    assert [d.code for d in territory.departments.all()] == ["01"]
    assert territory.commune_codes == ["01004"]


def test_import_organisations_without_a_siret_column_creates_them(admin_client):
    rows = [["nom", "nature"], ["Réseau sans SIRET", "association"]]

    response = admin_client.post(ORGANISATIONS, {"file": _csv(rows)})

    assert response.status_code == 302
    assert Organisation.objects.get().name == "Réseau sans SIRET"
