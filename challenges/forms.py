"""Forms of the follow-up (crispy-forms, DSFR pack)."""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from frenchimpact.forms import form_helper

from .models import Challenge, Indicator, Objective, ProgressReport, Project

MAX_VALUE = Decimal("9999999999.99")


class FrenchDecimalField(forms.DecimalField):
    """A number typed the French way (« 12,5 », « 1 250 ») or with a point,
    whatever the interface language."""

    default_error_messages = {
        "invalid": _("Saisissez un nombre, par exemple 12,5."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("max_value", MAX_VALUE)
        kwargs.setdefault("min_value", -MAX_VALUE)
        super().__init__(**kwargs)
        self.widget = forms.TextInput(attrs={"inputmode": "decimal"})

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = re.sub(r"[\s\u00a0\u202f]", "", str(value)).replace(",", ".")
        if len(text) > 40 or not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)", text):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            return Decimal(text)
        except InvalidOperation:
            raise ValidationError(
                self.error_messages["invalid"], code="invalid"
            ) from None

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            text = format(value.normalize(), "f")
            return text.replace(".", ",")
        return value


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]  # the date picker's, and typed by hand


class FollowUpForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.input_formats = DATE_INPUT_FORMATS


class ChallengeForm(FollowUpForm):
    class Meta:
        model = Challenge
        fields = ["title", "theme", "description", "is_published"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class ProjectForm(FollowUpForm):
    class Meta:
        model = Project
        fields = ["name", "structure_kind", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class ObjectiveForm(FollowUpForm):
    indicator_name = forms.CharField(
        label=_("Indicateur"),
        max_length=200,
        help_text=_(
            "Ce que l'on compte. Reprenez un indicateur national quand il "
            "convient : les totaux nationaux s'additionnent par indicateur."
        ),
    )
    unit = forms.CharField(
        label=_("Unité"),
        max_length=50,
        help_text=_("Par exemple : personnes, emplois, logements, tonnes, %."),
    )
    baseline = FrenchDecimalField(
        label=_("Valeur de départ"),
        required=False,
        help_text=_("Vide si elle n'est pas encore connue."),
    )
    target = FrenchDecimalField(label=_("Cible"))

    class Meta:
        model = Objective
        fields = [
            "statement",
            "indicator_name",
            "unit",
            "baseline",
            "baseline_on",
            "target",
            "deadline",
        ]
        widgets = {"baseline_on": DateInput(), "deadline": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("indicator_name", self.instance.indicator.name)
            self.initial.setdefault("unit", self.instance.indicator.unit)
        self.indicator_names = list(
            Indicator.objects.order_by("name").values_list("name", "unit")[:500]
        )
        self.fields["indicator_name"].widget.attrs["list"] = "indicateurs"

    def clean(self):
        data = super().clean()
        baseline_on, deadline = data.get("baseline_on"), data.get("deadline")
        if baseline_on and deadline and deadline <= baseline_on:
            self.add_error(
                "deadline",
                _("L'échéance doit suivre la date de la valeur de départ."),
            )
        return data

    def objective_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ProgressReportForm(FollowUpForm):
    value = FrenchDecimalField(label=_("Valeur mesurée"))
    evidence = forms.FileField(
        label=_("Justificatif"),
        required=False,
        help_text=_(
            "Facultatif. PDF, ODT, DOCX, PNG ou JPEG ; 10 Mo au plus. Il reste "
            "réservé à l'équipe et au Haut-Commissariat."
        ),
    )

    class Meta:
        model = ProgressReport
        fields = ["reported_on", "value", "comment", "evidence"]
        widgets = {
            "reported_on": DateInput(),
            "comment": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reported_on"].widget.attrs["max"] = (
            timezone.localdate().isoformat()
        )

    def clean_reported_on(self):
        value = self.cleaned_data["reported_on"]
        if value > timezone.localdate():
            raise ValidationError(_("Une mesure ne peut pas être datée dans le futur."))
        return value


class CampaignForm(forms.Form):
    year = forms.IntegerField(label=_("Année"), min_value=2018, max_value=2100)
    opens_on = forms.DateField(
        label=_("Ouverture"), widget=DateInput(), input_formats=DATE_INPUT_FORMATS
    )
    closes_on = forms.DateField(
        label=_("Clôture"), widget=DateInput(), input_formats=DATE_INPUT_FORMATS
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()

    def clean(self):
        data = super().clean()
        if (
            data.get("opens_on")
            and data.get("closes_on")
            and data["closes_on"] <= data["opens_on"]
        ):
            self.add_error("closes_on", _("La clôture doit suivre l'ouverture."))
        return data
