import csv
import datetime as dt
import io
import json
import re
import shutil
import subprocess

import pytest
from django.core.files.storage import default_storage

from challenges.models import ProgressReport
from opendata.models import Dataset
from opendata.services import rebuild_open_data
from territories.enums import LabelStatus
from tests.factories import (
    ChallengeFactory,
    LabelFactory,
    ObjectiveFactory,
    ProjectFactory,
    TerritoryFactory,
    UserFactory,
    candidacy_under_review,
    reviewed,
)

pytestmark = pytest.mark.django_db
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def _content(name: str) -> bytes:
    with default_storage.open(Dataset.objects.get(name=name).path, "rb") as file:
        return file.read()


def _label_through_commit(django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        territory = TerritoryFactory(**kwargs)
        LabelFactory(territory=territory)
    return territory


def test_labelling_a_territory_regenerates_every_file(
    django_capture_on_commit_callbacks,
):
    territory = _label_through_commit(
        django_capture_on_commit_callbacks,
        name="Pays Lédonien — Jura",
        departments=["39"],
    )

    assert set(Dataset.objects.values_list("name", flat=True)) == {
        "territoires-labellises.csv",
        "territoires-labellises.xlsx",
        "territoires-labellises.json",
        "territoires-labellises.geojson",
        "territoires-labellises.schema.json",
        "defis-objectifs.csv",
        "defis-objectifs.json",
        "defis-objectifs.schema.json",
    }
    raw = _content("territoires-labellises.csv")
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: spreadsheets read UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0]["nom"] == "Pays Lédonien — Jura"
    assert rows[0]["codes_departements"] == "39"
    assert rows[0]["slug"] == territory.slug
    assert (
        json.loads(_content("territoires-labellises.json"))[0]["nom"] == territory.name
    )


def test_rebuild_is_idempotent_and_follows_changes(django_capture_on_commit_callbacks):
    _label_through_commit(django_capture_on_commit_callbacks)
    before = {d.name: (d.path, d.updated_at) for d in Dataset.objects.all()}

    assert rebuild_open_data() == []
    assert {d.name: (d.path, d.updated_at) for d in Dataset.objects.all()} == before

    second = _label_through_commit(django_capture_on_commit_callbacks, name="Second")
    rows = json.loads(_content("territoires-labellises.json"))
    assert second.slug in {row["slug"] for row in rows}
    # the objectives' files did not change: they were not rewritten
    assert (
        Dataset.objects.get(name="defis-objectifs.csv").path
        == before["defis-objectifs.csv"][0]
    )


def test_a_new_progress_report_updates_the_objectives(
    django_capture_on_commit_callbacks,
):
    territory = _label_through_commit(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        objective = ObjectiveFactory(
            project=ProjectFactory(challenge=ChallengeFactory(territory=territory))
        )
    assert json.loads(_content("defis-objectifs.json"))[0]["derniere_valeur"] is None

    with django_capture_on_commit_callbacks(execute=True):
        ProgressReport.objects.create(
            objective=objective,
            reported_on=dt.date(2020, 6, 1),
            value=12,
            comment="Mesure",
            created_by=UserFactory(),
        )

    row = json.loads(_content("defis-objectifs.json"))[0]
    assert row["derniere_valeur"] == 12.0
    assert row["date_derniere_valeur"] == "2020-06-01"
    assert row["indicateur"] == "Personnes professionnalisées"


def test_geojson_xlsx_and_table_schema(django_capture_on_commit_callbacks):
    territory = _label_through_commit(
        django_capture_on_commit_callbacks, name="Côte-d'Or"
    )
    territory.latitude, territory.longitude = 47.32, 5.04
    with django_capture_on_commit_callbacks(execute=True):
        territory.save()

    feature = json.loads(_content("territoires-labellises.geojson"))["features"][0]
    assert feature["geometry"] == {"type": "Point", "coordinates": [5.04, 47.32]}
    assert feature["properties"]["nom"] == "Côte-d'Or"

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(_content("territoires-labellises.xlsx"))).active
    assert sheet["B1"].value == "nom" and sheet["B2"].value == "Côte-d'Or"

    schema = json.loads(_content("territoires-labellises.schema.json"))
    assert schema["primaryKey"] == "slug"
    assert schema["licenses"][0]["title"] == "Licence Ouverte / Open Licence 2.0"
    csv_header = (
        _content("territoires-labellises.csv").decode("utf-8-sig").splitlines()[0]
    )
    assert csv_header.split(",") == [field["name"] for field in schema["fields"]]


def test_no_private_data_in_any_file(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        candidacy = candidacy_under_review()  # its wave and grid are public
        reviewed(candidacy, (5, 4))
    territory = _label_through_commit(django_capture_on_commit_callbacks, name="Public")
    with django_capture_on_commit_callbacks(execute=True):
        ObjectiveFactory(
            project=ProjectFactory(challenge=ChallengeFactory(territory=territory))
        )
        ChallengeFactory(
            territory=territory, is_published=False, title="Défi brouillon"
        )
        hidden = TerritoryFactory(name="Territoire suspendu")
        LabelFactory(territory=hidden, status=LabelStatus.SUSPENDED)

    text = "\n".join(
        _content(d.name).decode("utf-8-sig")
        for d in Dataset.objects.exclude(name__endswith=".xlsx")
    )
    assert "Public" in text
    assert not EMAIL.search(text)
    for secret in (
        candidacy.reference,
        "Pays de Démonstration",
        "Défi brouillon",
        "suspendu",
    ):
        assert secret not in text
    assert territory.lead_organisation.siret not in text
    for word in ("score", "review", "candidac", "evidence", "justificatif"):
        assert word not in text.lower()


def test_download_view_and_page(client, django_capture_on_commit_callbacks):
    _label_through_commit(django_capture_on_commit_callbacks, name="Pays Lédonien")

    response = client.get("/donnees-ouvertes/fichiers/territoires-labellises.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        'attachment; filename="territoires-labellises.csv"'
        in response["Content-Disposition"]
    )
    assert "Pays Lédonien" in b"".join(response.streaming_content).decode("utf-8-sig")
    assert client.get("/donnees-ouvertes/fichiers/inconnu.csv").status_code == 404

    page = client.get("/donnees-ouvertes/").content.decode()
    assert "territoires-labellises.geojson" in page
    assert "Licence Ouverte / Open Licence 2.0" in page
    assert "fr-table" in page


@pytest.mark.skipif(
    shutil.which("soffice") is None,
    reason="LibreOffice absent (Debian package libreoffice-calc-nogui)",
)
def test_csv_opens_in_libreoffice_with_accents(
    tmp_path, django_capture_on_commit_callbacks
):
    _label_through_commit(
        django_capture_on_commit_callbacks, name="Pays Lédonien — Île-d'Ében"
    )
    source = tmp_path / "territoires.csv"
    source.write_bytes(_content("territoires-labellises.csv"))

    subprocess.run(  # noqa: S603 - fixed arguments
        [
            shutil.which("soffice"),
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            # UTF-8 (76), comma, double quotes: what the download page states
            "--infilter=CSV:44,34,76,1",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )

    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "territoires.xlsx").active
    assert sheet["B1"].value == "nom"
    assert sheet["B2"].value == "Pays Lédonien — Île-d'Ében"


def test_xlsx_keeps_a_name_that_looks_like_a_formula_as_text(
    django_capture_on_commit_callbacks,
):
    """The open-data workbook stores text as text: a name starting with « = »
    is data for its reusers, not a formula their spreadsheet would run."""
    name = '=HYPERLINK("http://example.org","Cliquez")'
    _label_through_commit(django_capture_on_commit_callbacks, name=name)

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(_content("territoires-labellises.xlsx"))).active
    assert sheet["B2"].value == name
    assert sheet["B2"].data_type == "s"  # not "f", a formula
