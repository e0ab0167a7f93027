"""Forms of the support plans and of the regulatory-barrier desk, rendered
with crispy-forms (DSFR pack). They check the input; the services write."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from frenchimpact.forms import form_helper
from territories.enums import SupportAxis

from .enums import AXIS_LEVERS, LEVER_AXIS, Lever, MilestoneStatus, OwnerKind
from .models import TEXT_MAX, TITLE_MAX


class _Form(forms.Form):
    def __init__(self, *args, required_notice: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(required_notice=required_notice)


def _lever_choices():
    """The catalogue grouped by axis (one <optgroup> per axis)."""
    return [
        ("", _("— Aucun levier du catalogue —")),
        *[
            (axis.label, [(lever, Lever(lever).label) for lever in AXIS_LEVERS[axis]])
            for axis in SupportAxis
        ],
    ]


class ActionForm(_Form):
    axis = forms.ChoiceField(label=_("Axe du programme"), choices=SupportAxis.choices)
    lever = forms.ChoiceField(
        label=_("Levier du programme"),
        choices=_lever_choices,
        required=False,
        help_text=_("Le levier doit relever de l'axe choisi."),
    )
    title = forms.CharField(label=_("Intitulé de l'action"), max_length=TITLE_MAX)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    owner_kind = forms.ChoiceField(
        label=_("Porteur de l'action"),
        choices=OwnerKind.choices,
        widget=forms.RadioSelect,
    )
    owner_name = forms.CharField(
        label=_("Nom du porteur"),
        max_length=TITLE_MAX,
        help_text=_("Par exemple : la structure porteuse, Bpifrance, la DREETS…"),
    )
    # the version of the action the form was read from (optimistic locking)
    edited_from = forms.CharField(
        widget=forms.HiddenInput, required=False, max_length=64
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, required_notice=True, **kwargs)

    @classmethod
    def initial_for(cls, action) -> dict:
        return {
            "edited_from": action.updated_at.isoformat() if action.updated_at else "",
            "axis": action.axis,
            "lever": action.lever,
            "title": action.title,
            "description": action.description,
            "owner_kind": action.owner_kind,
            "owner_name": action.owner_name,
        }

    def clean(self):
        data = super().clean()
        lever, axis = data.get("lever"), data.get("axis")
        if lever and axis and LEVER_AXIS.get(lever) != axis:
            self.add_error(
                "lever",
                ValidationError(
                    _("Ce levier relève de l'axe « %(axis)s »."),
                    code="lever_axis",
                    params={"axis": SupportAxis(LEVER_AXIS[lever]).label},
                ),
            )
        return data

    def clean_title(self):
        return self.cleaned_data["title"].strip()


class MilestoneForm(_Form):
    title = forms.CharField(label=_("Intitulé du jalon"), max_length=TITLE_MAX)
    due_on = forms.DateField(
        label=_("Échéance"),
        help_text=_("Au format JJ/MM/AAAA."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={
            "invalid": _("Saisissez une date valide, par exemple 31/12/2025."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, required_notice=True, **kwargs)


class MilestoneStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Statut"), choices=MilestoneStatus.choices)


class CommentForm(_Form):
    body = forms.CharField(
        label=_("Votre commentaire"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    action = forms.TypedChoiceField(
        label=_("Au sujet de"),
        required=False,
        coerce=int,
        empty_value=None,
    )

    def __init__(self, *args, actions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [
            ("", _("Le plan dans son ensemble")),
            *[(action.pk, action.title) for action in actions],
        ]


class SendBackForm(_Form):
    comment = forms.CharField(
        label=_("Ce que l'équipe doit reprendre"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ajouté aux commentaires du plan et envoyé à l'équipe."),
    )


class BarrierForm(_Form):
    territory = forms.ModelChoiceField(
        label=_("Territoire"), queryset=None, empty_label=None
    )
    title = forms.CharField(label=_("Intitulé du frein"), max_length=TITLE_MAX)
    blocking = forms.CharField(
        label=_("Ce qui bloque"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Décrivez la situation et ce que le projet ne peut pas faire."),
    )
    legal_text = forms.CharField(
        label=_("Texte en cause"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Loi, décret, article de code, circulaire… aussi précis que possible."
        ),
    )
    impact = forms.CharField(
        label=_("Conséquences pour le projet"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Emplois, personnes accompagnées, coûts, délais…"),
    )
    project = forms.CharField(
        label=_("Projet concerné"),
        required=False,
        max_length=TITLE_MAX,
        help_text=_("Ne mentionnez pas de données personnelles."),
    )

    def __init__(self, *args, territories, **kwargs):
        super().__init__(*args, required_notice=True, **kwargs)
        self.fields["territory"].queryset = territories


class ResponseForm(_Form):
    """The desk's answer, referral note or closing reason."""

    response = forms.CharField(
        label=_("Réponse au territoire"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, label=None, help_text=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["response"].label = label
        if help_text:
            self.fields["response"].help_text = help_text
