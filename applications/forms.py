"""Forms of the candidacy, one per section, rendered with crispy-forms (DSFR)."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from frenchimpact.forms import form_helper
from territories import geography
from territories.enums import SupportAxis
from territories.models import Territory
from territories.validators import (
    clean_siret,
    validate_commune_codes,
    validate_department_code,
    validate_epci_codes,
    validate_region_code,
)

from .models import TEXT_MAX, Candidacy, Contact, Partner, ProposedChallenge

LIST_MAX = 200  # codes in one list


def _draft_helper(form, optional=()):
    """A draft may be saved incomplete: fields are optional in the form, but
    those needed for the deposit are not labelled « facultatif »."""
    form.helper = form_helper(required_notice=False)
    for name, field in form.fields.items():
        field.needed_later = name not in optional


class SectionForm(forms.ModelForm):
    """Base of the section forms: carries the version the user started from."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    optional_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _draft_helper(self, self.optional_fields)


class CodeListField(forms.CharField):
    """Official codes typed separated by commas, spaces or new lines."""

    def __init__(self, *, code_validator, **kwargs):
        self.code_validator = code_validator
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 4000)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        codes = [
            code.strip().upper()
            for code in value.replace("\n", ",").replace(" ", ",").split(",")
            if code.strip()
        ]
        if len(codes) > LIST_MAX:
            raise ValidationError(
                _("%(max)d codes au plus."), code="too_many", params={"max": LIST_MAX}
            )
        return list(dict.fromkeys(codes))

    def validate(self, value):
        super().validate(value)
        self.code_validator(value)


class SiretField(forms.CharField):
    """A SIRET typed with or without spaces, stored as its 14 digits."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("label", _("SIRET"))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return clean_siret(value) if value else value


def _each(validator):
    def validate(codes):
        errors = []
        for code in codes:
            try:
                validator(code)
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)

    return validate


class TerritorySectionForm(SectionForm):
    optional_fields = ("territory", "epci_codes", "commune_codes")
    territory = forms.ModelChoiceField(
        label=_("Territoire déjà connu du programme"),
        queryset=Territory.objects.order_by("name"),
        required=False,
        empty_label=_("— Nouveau territoire (à décrire ci-dessous) —"),
        help_text=_("Choisissez-le s'il a déjà candidaté ou s'il est déjà labellisé."),
    )
    region_codes = CodeListField(
        label=_("Régions (codes INSEE)"),
        help_text=_("Par exemple 27 pour la Bourgogne-Franche-Comté."),
        code_validator=_each(validate_region_code),
    )
    department_codes = CodeListField(
        label=_("Départements (codes INSEE)"),
        help_text=_("Par exemple 39 pour le Jura, 2A pour la Corse-du-Sud."),
        code_validator=_each(validate_department_code),
    )
    epci_codes = CodeListField(
        label=_("Intercommunalités (codes SIREN des EPCI)"),
        help_text=_("Facultatif. 9 chiffres, séparés par des virgules."),
        code_validator=validate_epci_codes,
    )
    commune_codes = CodeListField(
        label=_("Communes (codes INSEE)"),
        help_text=_("Facultatif. 5 caractères, séparés par des virgules."),
        code_validator=validate_commune_codes,
    )

    class Meta:
        model = Candidacy
        fields = [
            "territory",
            "territory_name",
            "territory_kind",
            "region_codes",
            "department_codes",
            "epci_codes",
            "commune_codes",
            "perimeter",
        ]
        help_texts = {
            "perimeter": _(
                "Décrivez le périmètre : communes, bassins de vie, population."
            ),
        }

    def clean(self):
        data = super().clean()
        regions, departments = data.get("region_codes"), data.get("department_codes")
        if regions and departments:
            known = geography.departments()
            outside = [
                code
                for code in departments
                if code in known and known[code].region not in regions
            ]
            if outside:
                self.add_error(
                    "department_codes",
                    _(
                        "Ces départements ne sont dans aucune des régions "
                        "indiquées : %(codes)s."
                    )
                    % {"codes": ", ".join(outside)},
                )
        return data


class LeadSectionForm(SectionForm):
    optional_fields = ("lead_town",)
    lead_siret = SiretField(
        label=_("SIRET de la structure porteuse"),
        required=False,
        help_text=_("14 chiffres ; les espaces sont acceptés."),
    )

    class Meta:
        model = Candidacy
        fields = ["lead_name", "lead_kind", "lead_siret", "lead_town"]


class PartnersSectionForm(SectionForm):
    """The partners are a repeatable block: the section's own form only
    carries its version."""

    class Meta:
        model = Candidacy
        fields: list[str] = []


class DiagnosisSectionForm(SectionForm):
    optional_fields = ("priority_areas",)

    class Meta:
        model = Candidacy
        fields = ["diagnosis", "priority_areas"]
        help_texts = {
            "diagnosis": _(
                "Les acteurs de l'innovation sociale du territoire, ce qui "
                "fonctionne, ce qui manque."
            ),
            "priority_areas": _("Un secteur par ligne."),
        }


class AxesSectionForm(SectionForm):
    """One answer per axis of the support plan, stored as {axis: text}."""

    class Meta:
        model = Candidacy
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.axis_expectations or {}
        for axis in SupportAxis:
            self.fields[f"axis_{axis.value}"] = forms.CharField(
                label=axis.label,
                required=False,
                max_length=TEXT_MAX,
                initial=current.get(axis.value, ""),
                widget=forms.Textarea(attrs={"rows": 4, "maxlength": TEXT_MAX}),
                help_text=_("Ce que le territoire attend de cet axe."),
            )

    def save(self, commit=True):
        self.instance.axis_expectations = {
            axis.value: self.cleaned_data[f"axis_{axis.value}"].strip()
            for axis in SupportAxis
        }
        return super().save(commit)


class GovernanceSectionForm(SectionForm):
    class Meta:
        model = Candidacy
        fields = ["governance", "resources"]
        help_texts = {
            "governance": _(
                "Comment les acteurs décident ensemble et se répartissent les rôles."
            ),
            "resources": _("Équipe d'animation, budget, financements envisagés."),
        }


class _RowForm(forms.ModelForm):
    optional_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _draft_helper(self, self.optional_fields)


class ContactForm(_RowForm):
    optional_fields = ("phone",)

    class Meta:
        model = Contact
        fields = ["name", "function", "email", "phone"]


class PartnerForm(_RowForm):
    optional_fields = ("siret",)
    siret = SiretField(
        required=False, help_text=_("Facultatif ; vérifié s'il est renseigné.")
    )

    class Meta:
        model = Partner
        fields = ["name", "kind", "siret", "role", "commitment"]
        widgets = {"commitment": forms.Textarea(attrs={"rows": 3})}


class ChallengeForm(_RowForm):
    class Meta:
        model = ProposedChallenge
        fields = ["title", "theme", "objectives"]
        widgets = {"objectives": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "objectives": _(
                "Objectifs chiffrés si possible : indicateur, cible, échéance."
            )
        }


def _formset(model, form):
    return inlineformset_factory(
        Candidacy,
        model,
        form=form,
        extra=1,
        can_delete=True,
        max_num=30,
        validate_max=True,
    )


ContactFormSet = _formset(Contact, ContactForm)
PartnerFormSet = _formset(Partner, PartnerForm)
ChallengeFormSet = _formset(ProposedChallenge, ChallengeForm)


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Adresse électronique du co-rédacteur"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(required_notice=False)


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier"),
        help_text=_("PDF, ODT, DOCX, PNG ou JPEG ; 10 Mo au plus."),
    )
    description = forms.CharField(
        label=_("Description"), max_length=200, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(required_notice=False)


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(required_notice=False)
