from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.enums import Role
from accounts.models import User
from applications.models import TEXT_MAX
from frenchimpact.forms import form_helper
from territories.enums import LabelStatus

from .enums import Outcome, Recommendation


class _Form(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(required_notice=False)


class AssignForm(_Form):
    reviewer = forms.ModelChoiceField(
        label=_("Instructeur"),
        queryset=User.objects.filter(role=Role.REVIEWER, is_active=True).order_by(
            "last_name", "first_name"
        ),
    )


class AutoAssignForm(_Form):
    per_candidacy = forms.IntegerField(
        label=_("Instructeurs par candidature"), min_value=1, max_value=5, initial=2
    )


class DeclarationForm(_Form):
    has_conflict = forms.TypedChoiceField(
        label=_(
            "Avez-vous un conflit d'intérêts avec ce territoire ou ses partenaires ?"
        ),
        choices=[("no", _("Non, aucun")), ("yes", _("Oui"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Nature du conflit"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Seulement si vous déclarez un conflit."),
    )


class ReviewForm(_Form):
    """One score, comment and sharing choice per criterion of the grid."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    recommendation = forms.ChoiceField(
        label=_("Recommandation"),
        choices=[("", "—"), *Recommendation.choices],
        required=False,
    )
    comment = forms.CharField(
        label=_("Avis général (réservé au Haut-Commissariat)"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, criteria, review=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        current = {s.criterion_id: s for s in review.scores.all()} if review else {}
        for criterion in criteria:
            score = current.get(criterion.pk)
            self.fields[f"score_{criterion.pk}"] = forms.TypedChoiceField(
                label=_("%(title)s — note sur %(max)d")
                % {"title": criterion.title, "max": criterion.scale_max},
                choices=[("", "—")]
                + [(str(n), str(n)) for n in range(criterion.scale_max + 1)],
                coerce=int,
                empty_value=None,
                required=False,
                initial=score.value if score else "",
                help_text=criterion.description,
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Commentaire sur « %(title)s »") % {"title": criterion.title},
                required=False,
                max_length=TEXT_MAX,
                initial=score.comment if score else "",
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"shared_{criterion.pk}"] = forms.BooleanField(
                label=_("Partager ce commentaire avec l'équipe (sans votre nom)"),
                required=False,
                initial=score.shared if score else False,
            )
        if review:
            self.fields["recommendation"].initial = review.recommendation
            self.fields["comment"].initial = review.comment
            self.fields["version"].initial = review.version
        else:
            self.fields["version"].initial = 0
        self.order_fields(
            ["version", *self.score_fields(), "recommendation", "comment"]
        )

    def score_fields(self):
        return [
            f"{prefix}_{criterion.pk}"
            for criterion in self.criteria
            for prefix in ("score", "comment", "shared")
        ]

    def scores(self):
        return {
            criterion.pk: (
                self.cleaned_data[f"score_{criterion.pk}"],
                self.cleaned_data[f"comment_{criterion.pk}"],
                self.cleaned_data[f"shared_{criterion.pk}"],
            )
            for criterion in self.criteria
        }


class RequestChangesForm(_Form):
    message = forms.CharField(
        label=_("Ce qui manque au dossier"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Envoyé à l'équipe ; la candidature passe en « Compléments demandés »."
        ),
    )


class DecisionForm(_Form):
    outcome = forms.ChoiceField(label=_("Décision"), choices=Outcome.choices)
    reasons = forms.CharField(
        label=_("Motifs"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
    conditions = forms.CharField(
        label=_("Conditions à lever"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Pour une labellisation sous conditions."),
    )
    conditions_due_on = forms.DateField(
        label=_("Conditions à lever avant le"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class LabelStatusForm(_Form):
    to_status = forms.ChoiceField(
        label=_("Nouveau statut"),
        choices=[
            (LabelStatus.SUSPENDED, _("Suspendre")),
            (LabelStatus.ACTIVE, _("Rétablir (actif)")),
            (LabelStatus.REVOKED, _("Retirer définitivement")),
        ],
    )
    reason = forms.CharField(
        label=_("Motif"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExpertRequestForm(_Form):
    expert = forms.ModelChoiceField(
        label=_("Expert"),
        queryset=User.objects.filter(role=Role.EXPERT, is_active=True).order_by(
            "last_name", "first_name"
        ),
    )
    question = forms.CharField(
        label=_("Question"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    due_on = forms.DateField(
        label=_("Avis attendu pour le"), widget=forms.DateInput(attrs={"type": "date"})
    )


class ExpertAnswerForm(_Form):
    answer = forms.CharField(
        label=_("Votre avis"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    file = forms.FileField(
        label=_("Pièce jointe"),
        required=False,
        help_text=_("PDF, ODT, DOCX, PNG ou JPEG ; 10 Mo au plus."),
    )
