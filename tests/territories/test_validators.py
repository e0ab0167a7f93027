import pytest
from django.core.exceptions import ValidationError

from territories.validators import (
    clean_siret,
    validate_commune_codes,
    validate_department_code,
    validate_epci_codes,
    validate_region_code,
    validate_siret,
)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("73282932000074", "73282932000074"),  # a real, public SIRET
        ("732 829 320 00074", "73282932000074"),
    ],
)
def test_siret_valid_is_normalised(value, expected):
    assert clean_siret(value) == expected


@pytest.mark.parametrize(
    "value",
    ["73282932000075", "1234", "7328293200007A", "", "0" * 15, "<script>"],
)
def test_siret_invalid_raises_translated_error(value):
    with pytest.raises(ValidationError) as error:
        clean_siret(value)
    assert error.value.code == "invalid_siret"
    assert "SIRET" in error.value.messages[0]


def test_siret_blank_is_allowed_when_optional():
    validate_siret("")


@pytest.mark.parametrize("code", ["27", "53", "06", "11"])
def test_region_code_known(code):
    validate_region_code(code)


@pytest.mark.parametrize("code", ["00", "99", "27 ", "2A"])
def test_region_code_unknown(code):
    with pytest.raises(ValidationError) as error:
        validate_region_code(code)
    assert error.value.code == "unknown_code"


@pytest.mark.parametrize("code", ["39", "2A", "2B", "976", "69"])
def test_department_code_known(code):
    validate_department_code(code)


@pytest.mark.parametrize("code", ["20", "96", "99", "3", "975x"])
def test_department_code_unknown(code):
    with pytest.raises(ValidationError):
        validate_department_code(code)


def test_commune_codes_checked_against_cog():
    validate_commune_codes(["39300", "39164", "2A004"])  # Lons, Conliège, Ajaccio
    with pytest.raises(ValidationError) as error:
        validate_commune_codes(["39300", "39999", "00000"])
    assert "00000, 39999" in error.value.messages[0]


def test_epci_codes_checked_against_cog():
    validate_epci_codes(["200071116", "200057875"])  # ECLA, Est Ensemble (EPT)
    with pytest.raises(ValidationError):
        validate_epci_codes(["200071117"])


def test_codes_must_be_a_list_of_strings():
    with pytest.raises(ValidationError):
        validate_commune_codes("39300")
    with pytest.raises(ValidationError):
        validate_commune_codes([39300])
