"""Checks of official identifiers: SIRET (checksum) and COG codes (register)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siret as stdnum_siret

from . import geography


def clean_siret(value: str) -> str:
    """Return the SIRET as 14 digits, or raise a translated error."""
    try:
        return stdnum_siret.validate(value)
    except StdnumError as error:
        raise ValidationError(
            _(
                "« %(value)s » n'est pas un numéro SIRET valide (14 chiffres, "
                "clé de contrôle correcte)."
            ),
            code="invalid_siret",
            params={"value": value},
        ) from error


def validate_siret(value: str) -> None:
    if value:
        clean_siret(value)


def _validate_codes(codes, register, message):
    if not isinstance(codes, list | tuple) or not all(
        isinstance(code, str) for code in codes
    ):
        raise ValidationError(_("Une liste de codes est attendue."), code="invalid")
    unknown = sorted({code for code in codes if code not in register})
    if unknown:
        raise ValidationError(
            message, code="unknown_code", params={"codes": ", ".join(unknown)}
        )


def validate_region_code(code: str) -> None:
    _validate_codes(
        [code],
        geography.regions(),
        _("Code de région inconnu du Code officiel géographique : %(codes)s."),
    )


def validate_department_code(code: str) -> None:
    _validate_codes(
        [code],
        geography.departments(),
        _("Code de département inconnu du Code officiel géographique : %(codes)s."),
    )


def validate_epci_codes(codes) -> None:
    _validate_codes(
        codes,
        geography.epcis(),
        _("Code SIREN d'EPCI inconnu du Code officiel géographique : %(codes)s."),
    )


def validate_commune_codes(codes) -> None:
    _validate_codes(
        codes,
        geography.communes(),
        _("Code INSEE de commune inconnu du Code officiel géographique : %(codes)s."),
    )
