"""Bulk import of organisations and territories (django-import-export).

Each row becomes a model instance checked by the model's own validators
(``full_clean``: SIRET through python-stdnum, COG codes of EPCI and
communes, kinds); the codes of régions and départements must exist in the
reference tables. Columns have French names; a file imports whole or not at
all (see :mod:`frenchimpact.imports`).
"""

import re

from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from .enums import OrganisationKind, TerritoryKind
from .models import Department, Organisation, Region, Territory

_SEPARATORS = re.compile(r"[|,;\s]+")


def split_codes(value, width: int = 0) -> list[str]:
    """``"39 | 01"`` or ``"39,01"`` → ``["39", "01"]``. Numbers that a
    spreadsheet stripped of their leading zeros (``1`` for ``01``) get them
    back up to ``width`` digits."""
    if value is None:
        return []
    if isinstance(value, int | float):
        value = str(int(value))
    codes = [code for code in _SEPARATORS.split(str(value).strip()) if code]
    return [code.zfill(width) if code.isdigit() else code for code in codes]


# digits of the official codes: région, département, EPCI (SIREN), commune
REGION_WIDTH, DEPARTMENT_WIDTH, EPCI_WIDTH, COMMUNE_WIDTH = 2, 2, 9, 5


def compact_siret(value) -> str:
    if value is None:
        return ""
    if isinstance(value, int | float):
        value = str(int(value))
    return re.sub(r"[\s.\-]", "", str(value))


class ChoiceWidget(widgets.CharWidget):
    """A choice given by its code or by its French label, in any case."""

    def __init__(self, choices, **kwargs):
        super().__init__(**kwargs)
        self.lookup = {}
        for value, label in choices.choices:
            self.lookup[value.casefold()] = value
            self.lookup[str(label).casefold()] = value

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip()
        # an unknown value is kept: the model's choices refuse it in French
        return self.lookup.get(text.casefold(), text)

    def render(self, value, obj=None, **kwargs):
        return value or ""


class CodeListWidget(widgets.Widget):
    """A JSON list of codes, written ``39001|39002`` in the file."""

    def __init__(self, width: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.width = width

    def clean(self, value, row=None, **kwargs):
        return split_codes(value, self.width)

    def render(self, value, obj=None, **kwargs):
        return "|".join(value or [])


class SiretWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        return compact_siret(value)


class OrganisationBySiretWidget(widgets.ForeignKeyWidget):
    """The lead organisation, given by its SIRET (imported beforehand)."""

    def __init__(self, **kwargs):
        super().__init__(Organisation, field="siret", **kwargs)

    def clean(self, value, row=None, **kwargs):
        siret = compact_siret(value)
        if not siret:
            return None
        organisation = Organisation.objects.filter(siret=siret).first()
        if organisation is None:
            raise ValueError(
                _(
                    "Aucune organisation n'a le SIRET « %(siret)s » : importez "
                    "d'abord les organisations."
                )
                % {"siret": siret}
            )
        return organisation

    def render(self, value, obj=None, **kwargs):
        return value.siret if value else ""


class CodeManyToManyWidget(widgets.ManyToManyWidget):
    """Régions or départements given by their INSEE codes."""

    def __init__(self, model, width: int = 0, **kwargs):
        super().__init__(model, field="code", **kwargs)
        self.width = width

    def clean(self, value, row=None, **kwargs):
        codes = split_codes(value, self.width)
        return list(self.model.objects.filter(code__in=codes))

    def render(self, value, obj=None, **kwargs):
        return "|".join(item.code for item in value.all()) if value else ""


class OrganisationResource(resources.ModelResource):
    """Columns: nom, nature, siret, commune, site_internet. A row whose SIRET
    is already known updates that organisation."""

    nom = fields.Field(attribute="name", column_name="nom")
    nature = fields.Field(
        attribute="kind",
        column_name="nature",
        widget=ChoiceWidget(OrganisationKind),
    )
    siret = fields.Field(attribute="siret", column_name="siret", widget=SiretWidget())
    commune = fields.Field(attribute="town", column_name="commune")
    site_internet = fields.Field(attribute="website", column_name="site_internet")

    required_columns = ["nom", "nature"]

    class Meta:
        model = Organisation
        fields = ["nom", "nature", "siret", "commune", "site_internet"]
        import_id_fields = ["siret"]
        clean_model_instances = True
        skip_unchanged = False
        use_transactions = True

    def prepare_dataset(self, dataset):
        """The SIRET column may be left out: every row is then new."""
        if "siret" not in dataset.headers:
            dataset.append_col([""] * dataset.height, header="siret")

    def get_instance(self, instance_loader, row):
        if not compact_siret(row.get("siret")):
            return None  # no SIRET: a new organisation
        return super().get_instance(instance_loader, row)


class TerritoryResource(resources.ModelResource):
    """Columns: slug (optional: made from the name), nom, nature,
    codes_regions, codes_departements, codes_epci, codes_communes,
    siret_structure_porteuse, resume. A row whose slug is already known
    updates that territory."""

    slug = fields.Field(attribute="slug", column_name="slug")
    nom = fields.Field(attribute="name", column_name="nom")
    nature = fields.Field(
        attribute="kind", column_name="nature", widget=ChoiceWidget(TerritoryKind)
    )
    codes_regions = fields.Field(
        attribute="regions",
        column_name="codes_regions",
        widget=CodeManyToManyWidget(Region, width=REGION_WIDTH),
    )
    codes_departements = fields.Field(
        attribute="departments",
        column_name="codes_departements",
        widget=CodeManyToManyWidget(Department, width=DEPARTMENT_WIDTH),
    )
    codes_epci = fields.Field(
        attribute="epci_codes",
        column_name="codes_epci",
        widget=CodeListWidget(EPCI_WIDTH),
    )
    codes_communes = fields.Field(
        attribute="commune_codes",
        column_name="codes_communes",
        widget=CodeListWidget(COMMUNE_WIDTH),
    )
    siret_structure_porteuse = fields.Field(
        attribute="lead_organisation",
        column_name="siret_structure_porteuse",
        widget=OrganisationBySiretWidget(),
    )
    resume = fields.Field(attribute="summary", column_name="resume")

    required_columns = ["nom", "nature", "codes_regions", "codes_departements"]

    class Meta:
        model = Territory
        fields = [
            "slug",
            "nom",
            "nature",
            "codes_regions",
            "codes_departements",
            "codes_epci",
            "codes_communes",
            "siret_structure_porteuse",
            "resume",
        ]
        import_id_fields = ["slug"]
        clean_model_instances = True
        skip_unchanged = False
        use_transactions = True

    def prepare_dataset(self, dataset):
        """The slug column may be left out: it is made from the name."""
        if "slug" not in dataset.headers:
            dataset.append_col([""] * dataset.height, header="slug")

    def before_import_row(self, row, **kwargs):
        if not (row.get("slug") or "").strip():
            row["slug"] = slugify(str(row.get("nom") or ""))[:200]

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        errors.update(self._geography_errors(row))
        if errors:
            raise ValidationError(errors)

    def _geography_errors(self, row) -> dict:
        """The régions and départements must exist and agree."""
        errors = {}
        region_codes = split_codes(row.get("codes_regions"), REGION_WIDTH)
        department_codes = split_codes(row.get("codes_departements"), DEPARTMENT_WIDTH)
        regions = {r.code for r in Region.objects.filter(code__in=region_codes)}
        departments = dict(
            Department.objects.filter(code__in=department_codes).values_list(
                "code", "region__code"
            )
        )
        if not region_codes:
            errors["regions"] = [_("Indiquez au moins une région (code INSEE).")]
        elif unknown := [c for c in region_codes if c not in regions]:
            errors["regions"] = [
                _("Code de région inconnu du Code officiel géographique : %(codes)s.")
                % {"codes": ", ".join(unknown)}
            ]
        if not department_codes:
            errors["departments"] = [
                _("Indiquez au moins un département (code INSEE).")
            ]
        elif unknown := [c for c in department_codes if c not in departments]:
            errors["departments"] = [
                _(
                    "Code de département inconnu du Code officiel géographique : "
                    "%(codes)s."
                )
                % {"codes": ", ".join(unknown)}
            ]
        elif "regions" not in errors and (
            outside := [c for c, r in departments.items() if r not in regions]
        ):
            errors["departments"] = [
                _(
                    "Ces départements ne sont dans aucune des régions indiquées : "
                    "%(codes)s."
                )
                % {"codes": ", ".join(sorted(outside))}
            ]
        return errors

    def after_import(self, dataset, result, **kwargs):
        from .services import refresh_search_text

        if result.has_errors() or result.has_validation_errors():
            return
        ids = [row.object_id for row in result.rows if row.object_id]
        for territory in Territory.objects.filter(pk__in=ids).select_related(
            "lead_organisation"
        ):
            refresh_search_text(territory=territory)
