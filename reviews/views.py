"""Views of the review: the staff's wave dashboard and candidacy page, the
reviewers' assignments, the messages thread."""

import csv
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from applications import selectors as application_selectors
from applications.enums import CandidacyState
from applications.forms import MessageForm
from applications.models import Candidacy, Wave
from frenchimpact import scanning, tabular
from frenchimpact.enums import DocumentStatus
from frenchimpact.http import file_download
from territories import services as territory_services
from territories.models import Label

from . import reports, selectors, services
from .enums import ConflictStatus, Recommendation, ReviewState
from .forms import (
    AssignForm,
    AutoAssignForm,
    DecisionForm,
    DeclarationForm,
    ExpertAnswerForm,
    ExpertRequestForm,
    LabelStatusForm,
    RequestChangesForm,
    ReviewForm,
)
from .models import Assignment, Decision, ExpertRequest, Message
from .scoring import scores_of

# rows of the ranking per page: the whole wave is ranked (and filtered and
# sorted) on the server, a page shows this many of its rows
RANKING_PAGE_SIZE = 100


def staff_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not request.user.has_perm("reviews.manage"):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _done(request, action, success):
    """Run a service call; turn its refusal into a message on the page."""
    try:
        action()
    except services.CandidacyError as error:
        messages.error(request, error.message)
        return False
    except territory_services.LabelError as error:
        messages.error(request, error.message)
        return False
    messages.success(request, success)
    return True


# --- Staff --------------------------------------------------------------------


@require_safe
@staff_required
def waves(request):
    return render(
        request,
        "reviews/waves.html",
        {"waves": Wave.objects.select_related("call").order_by("-number")},
    )


@staff_required
def wave_dashboard(request, wave_pk):
    wave = get_object_or_404(Wave, pk=wave_pk)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "open":
            _done(
                request,
                lambda: services.open_review(wave=wave, actor=request.user),
                _("Les candidatures déposées sont en instruction."),
            )
        elif action == "auto_assign":
            form = AutoAssignForm(request.POST)
            if form.is_valid():
                _done(
                    request,
                    lambda: services.auto_assign(
                        wave=wave,
                        per_candidacy=form.cleaned_data["per_candidacy"],
                        actor=request.user,
                    ),
                    _("Les instructeurs ont été affectés."),
                )
            else:
                messages.error(
                    request, _("Indiquez un nombre d'instructeurs de 1 à 5.")
                )
        elif action == "wave_report":
            reports.request_wave_report(wave=wave)
            messages.success(
                request, _("Le rapport de vague est en production ; il apparaît ici.")
            )
        elif action == "certificates":
            count = territory_services.generate_wave_certificates(wave=wave)
            messages.success(
                request,
                _(
                    "Les certificats des %(count)d labels de la vague sont en "
                    "production."
                )
                % {"count": count},
            )
            return redirect("reviews:wave_certificates", wave_pk=wave.pk)
        elif action == "publish":
            try:
                on = parse_date(request.POST.get("on") or "")
            except ValueError:
                on = None
            if request.POST.get("on") and on is None:
                messages.error(request, _("La date de labellisation est invalide."))
            else:
                _done(
                    request,
                    lambda: services.publish_wave_decisions(
                        wave=wave, actor=request.user, on=on
                    ),
                    _("Les décisions préparées sont publiées."),
                )
        return redirect("reviews:wave", wave_pk=wave.pk)
    state = request.GET.get("etat") or None
    if state not in {None, *CandidacyState.values}:
        state = None
    disagreement = {"1": True, "0": False}.get(request.GET.get("desaccord", ""))
    order = request.GET.get("tri", "total")
    as_csv = request.GET.get("format") == "csv"
    criteria, rows = selectors.ranking(
        wave,
        state=state,
        disagreement=disagreement,
        order=order,
        criterion_figures=as_csv,
        # the page ranks the whole wave but shows a hundred rows: only those
        # are loaded whole
        fields=selectors.RANKING_FIELDS if as_csv else selectors.RANKING_SORT_FIELDS,
    )
    if as_csv:
        return _ranking_csv(wave, criteria, rows)
    page = Paginator(rows, RANKING_PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.load_candidacies(page.object_list)
    return render(
        request,
        "reviews/wave.html",
        {
            "wave": wave,
            "breadcrumb_links": [(_("Instruction"), reverse("reviews:waves"))],
            "criteria": criteria,
            "rows": page.object_list,
            "page_obj": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "first_rank": page.start_index(),
            "states": CandidacyState.choices,
            "auto_assign_form": AutoAssignForm(),
            "wave_report": wave.reports.order_by("-created_at").first(),
            "current": {
                "etat": state or "",
                "desaccord": request.GET.get("desaccord", ""),
                "tri": order,
            },
        },
    )


@require_safe
@staff_required
def wave_report(request, wave_pk):
    wave = get_object_or_404(Wave, pk=wave_pk)
    report = (
        wave.reports.filter(status=DocumentStatus.READY).order_by("-created_at").first()
    )
    if report is None:
        raise Http404
    return file_download(report.file, filename=f"rapport-vague-{wave.number}.pdf")


@require_safe
@staff_required
def wave_certificates(request, wave_pk):
    wave = get_object_or_404(Wave, pk=wave_pk)
    progress = territory_services.wave_certificates_progress(wave)
    return render(
        request,
        "reviews/wave_certificates.html",
        {
            "wave": wave,
            "progress": progress,
            "pending": progress["ready"] + progress["failed"] < progress["total"],
            "breadcrumb_links": [
                (_("Instruction"), reverse("reviews:waves")),
                (wave.name, reverse("reviews:wave", args=[wave.pk])),
            ],
        },
    )


def _ranking_csv(wave, criteria, rows):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="classement-vague-{wave.number}.csv"'
    )
    response.write("\ufeff")  # so that spreadsheets read UTF-8
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Rang"),
            _("Référence"),
            _("Territoire"),
            _("État"),
            _("Moyenne /100"),
            _("Médiane /100"),
            _("Écart-type"),
            _("Désaccord"),
            _("Rapports remis"),
            *[c.title for c in criteria],
            _("Décision"),
        ]
    )
    for rank, row in enumerate(rows, start=1):
        candidacy, figures = row["candidacy"], row["figures"]
        decision = getattr(candidacy, "decision", None)
        writer.writerow(
            [
                rank,
                candidacy.reference,
                candidacy.display_name,
                candidacy.get_state_display(),
                figures.mean,
                figures.median,
                figures.spread,
                _("oui") if figures.disagreement else _("non"),
                f"{row['submitted']}/{row['assigned']}",
                *[figures.criterion_mean(c.pk) for c in criteria],
                decision.get_outcome_display() if decision else "",
            ]
        )
    return response


@staff_required
def candidacy(request, pk):
    candidacy = get_object_or_404(Candidacy, pk=pk)
    if request.method == "POST":
        _staff_action(request, candidacy)
        return redirect("reviews:candidacy", pk=pk)
    candidacy = selectors.candidacy_for_review(pk)
    criteria = list(candidacy.wave.criteria.all())
    reviews = selectors.submitted_reviews(candidacy)
    figures = scores_of(reviews, criteria)
    by_review = [{s.criterion_id: s for s in r.scores.all()} for r in reviews]
    criterion_rows = [
        (
            criterion,
            [scores.get(criterion.pk) for scores in by_review],
            figures.criterion_mean(criterion.pk),
            figures.criterion_median(criterion.pk),
        )
        for criterion in criteria
    ]
    decision = Decision.objects.filter(candidacy=candidacy).first()
    label = (
        Label.objects.filter(territory=candidacy.territory, wave=candidacy.wave).first()
        if candidacy.territory_id
        else None
    )
    return render(
        request,
        "reviews/candidacy.html",
        {
            "candidacy": candidacy,
            "breadcrumb_links": [
                (_("Instruction"), reverse("reviews:waves")),
                (
                    candidacy.wave.name,
                    reverse("reviews:wave", args=[candidacy.wave.pk]),
                ),
            ],
            "criteria": criteria,
            "reviews": reviews,
            "figures": figures,
            "criterion_rows": criterion_rows,
            "decision": decision,
            "label": label,
            "thread": Message.objects.filter(candidacy=candidacy).select_related(
                "author"
            ),
            "history": application_selectors.history_for_team(candidacy),
            "assign_form": AssignForm(),
            "message_form": MessageForm(),
            "changes_form": RequestChangesForm(),
            "decision_form": DecisionForm(
                initial={
                    "outcome": decision.outcome,
                    "reasons": decision.reasons,
                    "conditions": decision.conditions,
                    "conditions_due_on": decision.conditions_due_on,
                }
                if decision
                else None
            ),
            "label_form": LabelStatusForm(),
            "expert_form": ExpertRequestForm(),
            "expert_requests": candidacy.expert_requests.select_related("expert"),
            "today": timezone.localdate(),
        },
    )


def _staff_action(request, candidacy):
    action, user, post = request.POST.get("action"), request.user, request.POST
    if action == "assign":
        form = AssignForm(post)
        if form.is_valid():
            _done(
                request,
                lambda: services.assign_reviewer(
                    candidacy=candidacy,
                    reviewer=form.cleaned_data["reviewer"],
                    actor=user,
                ),
                _("L'instructeur est affecté et prévenu."),
            )
        else:
            messages.error(request, _("Choisissez un instructeur."))
    elif action == "message":
        form = MessageForm(post)
        if form.is_valid():
            _done(
                request,
                lambda: services.post_message(
                    candidacy=candidacy, author=user, body=form.cleaned_data["body"]
                ),
                _("Le message est envoyé à l'équipe."),
            )
        else:
            messages.error(request, _("Le message est vide ou trop long."))
    elif action == "request_changes":
        form = RequestChangesForm(post)
        if form.is_valid():
            _done(
                request,
                lambda: services.request_changes(
                    candidacy=candidacy,
                    actor=user,
                    message=form.cleaned_data["message"],
                ),
                _("Les compléments sont demandés à l'équipe."),
            )
        else:
            messages.error(request, _("Indiquez ce qui manque au dossier."))
    elif action == "decide":
        form = DecisionForm(post)
        if form.is_valid():
            _done(
                request,
                lambda: services.prepare_decision(
                    candidacy=candidacy, actor=user, **form.cleaned_data
                ),
                _(
                    "La décision est préparée ; elle sera publiée avec celles de "
                    "la vague."
                ),
            )
        else:
            messages.error(request, _("La décision est incomplète."))
    elif action == "publish":
        decision = get_object_or_404(Decision, candidacy=candidacy)
        _done(
            request,
            lambda: services.publish_decision(decision=decision, actor=user),
            _("La décision est publiée."),
        )
    elif action == "lift_conditions":
        decision = get_object_or_404(Decision, candidacy=candidacy)
        _done(
            request,
            lambda: services.lift_conditions(decision=decision, actor=user),
            _("Les conditions sont levées : le label est actif."),
        )
    elif action == "expert":
        form = ExpertRequestForm(post)
        if form.is_valid():
            _done(
                request,
                lambda: services.request_expert_opinion(
                    candidacy=candidacy, actor=user, **form.cleaned_data
                ),
                _("L'avis de l'expert est demandé."),
            )
        else:
            messages.error(request, _("Choisissez l'expert, la question et la date."))
    elif action == "certificate":
        label = get_object_or_404(
            Label, territory=candidacy.territory_id, wave=candidacy.wave_id
        )
        territory_services.request_certificate(label=label)
        messages.success(
            request, _("Le certificat est en file d'attente s'il devait être produit.")
        )
    elif action == "label_status":
        form = LabelStatusForm(post)
        label = get_object_or_404(
            Label, territory=candidacy.territory_id, wave=candidacy.wave_id
        )
        if form.is_valid():
            _done(
                request,
                lambda: territory_services.change_label_status(
                    label=label,
                    to_status=form.cleaned_data["to_status"],
                    actor=user,
                    reason=form.cleaned_data["reason"],
                ),
                _("Le statut du label est modifié."),
            )
        else:
            messages.error(request, _("Indiquez le nouveau statut et son motif."))
    else:
        messages.error(request, _("Action inconnue."))


# --- Reviewers -------------------------------------------------------------------


@require_safe
@login_required
def my_assignments(request):
    assignments = (
        Assignment.objects.filter(reviewer=request.user)
        .exclude(conflict_status=ConflictStatus.CONFLICT)
        .select_related("candidacy__wave", "candidacy__territory", "review")
        .order_by("-created_at")
    )
    return render(request, "reviews/my_assignments.html", {"assignments": assignments})


@login_required
def assignment(request, pk):
    assignment = (
        Assignment.objects.filter(reviewer=request.user, pk=pk)
        .exclude(conflict_status=ConflictStatus.CONFLICT)
        .select_related("candidacy__wave")
        .first()
    )
    if assignment is None:
        raise Http404
    if assignment.conflict_status == ConflictStatus.PENDING:
        return _declaration(request, assignment)
    candidacy = selectors.candidacy_for_review(assignment.candidacy_id)
    criteria = list(candidacy.wave.criteria.all())
    review = getattr(assignment, "review", None)
    form = ReviewForm(request.POST or None, criteria=criteria, review=review)
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("action") == "submit"
        try:
            services.save_review(
                assignment=assignment,
                user=request.user,
                version=form.cleaned_data["version"],
                scores=form.scores(),
                recommendation=form.cleaned_data["recommendation"],
                comment=form.cleaned_data["comment"],
                submit=submit,
            )
        except services.CandidacyError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("Votre rapport est remis.")
                if submit
                else _("Votre brouillon est enregistré."),
            )
            return redirect("reviews:assignment", pk=assignment.pk)
    others = []
    if request.user.has_perm("reviews.see_other_reviews", candidacy):
        others = [
            r
            for r in selectors.submitted_reviews(candidacy)
            if r.assignment_id != assignment.pk
        ]
    return render(
        request,
        "reviews/assignment.html",
        {
            "assignment": assignment,
            "candidacy": candidacy,
            "criteria": criteria,
            "form": form,
            "review": review,
            "submitted": review is not None and review.state == ReviewState.SUBMITTED,
            "others": others,
            "figures": scores_of(others, criteria) if others else None,
        },
        status=400 if request.method == "POST" else 200,
    )


def _declaration(request, assignment):
    form = DeclarationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok = _done(
            request,
            lambda: services.declare_interests(
                assignment=assignment,
                user=request.user,
                has_conflict=form.cleaned_data["has_conflict"],
                reason=form.cleaned_data["reason"],
            ),
            _("Votre déclaration est enregistrée."),
        )
        if ok:
            assignment.refresh_from_db()
            if assignment.conflict_status == ConflictStatus.CONFLICT:
                return redirect("reviews:my_assignments")
            return redirect("reviews:assignment", pk=assignment.pk)
    return render(
        request,
        "reviews/declaration.html",
        {"assignment": assignment, "form": form},
        status=400 if request.method == "POST" else 200,
    )


# --- Experts (AVISE) --------------------------------------------------------------


@require_safe
@login_required
def expert_requests(request):
    requests = ExpertRequest.objects.filter(expert=request.user).select_related(
        "candidacy__wave"
    )
    return render(request, "reviews/expert_requests.html", {"requests": requests})


@login_required
def expert_request(request, pk):
    expert_request = (
        ExpertRequest.objects.filter(expert=request.user, pk=pk)
        .select_related("candidacy__wave")
        .first()
    )
    if expert_request is None:
        raise Http404
    form = ExpertAnswerForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_expert_opinion(
                request=expert_request,
                user=request.user,
                answer=form.cleaned_data["answer"],
                uploaded_file=form.cleaned_data["file"],
            )
        except ValidationError as error:
            form.add_error("file", error)
        except services.CandidacyError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _("Votre avis est transmis au Haut-Commissariat.")
            )
            return redirect("reviews:expert_requests")
    candidacy = selectors.candidacy_for_review(expert_request.candidacy_id)
    return render(
        request,
        "reviews/expert_request.html",
        {"expert_request": expert_request, "candidacy": candidacy, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_safe
@staff_required
def expert_attachment(request, pk):
    expert_request = get_object_or_404(ExpertRequest, pk=pk)
    if not expert_request.attachment:
        raise Http404
    if (blocked := scanning.blocked_response(request, expert_request)) is not None:
        return blocked
    return file_download(
        expert_request.attachment, filename=expert_request.attachment_name
    )


# --- Review reports ------------------------------------------------------------------


def _report_response(report):
    return file_download(
        report.file, filename=f"rapport-instruction-{report.candidacy.reference}.pdf"
    )


@require_safe
@login_required
def team_report(request, pk):
    """The team's (anonymised) report, once the decision is published."""
    candidacy = application_selectors.candidacy_for_user(request.user, pk)
    report = (
        candidacy.review_reports.filter(audience="team", status=DocumentStatus.READY)
        .order_by("-created_at")
        .first()
    )
    if report is None:
        raise Http404
    return _report_response(report)


@staff_required
def staff_report(request, pk):
    candidacy = get_object_or_404(Candidacy, pk=pk)
    report = reports.request_review_report(candidacy=candidacy, audience="staff")
    if report.status != DocumentStatus.READY:
        messages.info(
            request,
            _("Le rapport est en cours de production : réessayez dans un instant."),
        )
        return redirect("reviews:candidacy", pk=pk)
    return _report_response(report)


# --- Team side of the thread ---------------------------------------------------------


@require_POST
@login_required
def team_message(request, pk):
    candidacy = application_selectors.candidacy_for_user(request.user, pk)
    form = MessageForm(request.POST)
    if form.is_valid():
        _done(
            request,
            lambda: services.post_message(
                candidacy=candidacy, author=request.user, body=form.cleaned_data["body"]
            ),
            _("Votre message est envoyé au Haut-Commissariat."),
        )
    else:
        messages.error(request, _("Le message est vide ou trop long."))
    return redirect(reverse("applications:detail", args=[pk]) + "#messages")


# --- Staff exports (CSV and XLSX) -----------------------------------------------


def _export_format(fmt):
    if fmt not in tabular.FORMATS:
        raise Http404
    return fmt


@require_safe
@staff_required
def wave_export(request, wave_pk, fmt):
    """A wave's candidacies with their scores and decisions."""
    fmt = _export_format(fmt)
    wave = get_object_or_404(Wave, pk=wave_pk)
    criteria, rows = selectors.wave_export(wave)
    header = [
        _("Référence"),
        _("Territoire"),
        _("Structure porteuse"),
        _("État"),
        _("Déposée le"),
        *[_("%(criterion)s (moyenne)") % {"criterion": c.title} for c in criteria],
        _("Note globale /100"),
        _("Rapports remis"),
        *[
            _("Recommandations « %(label)s »") % {"label": label}
            for label in Recommendation.labels
        ],
        _("Décision"),
        _("Décision publiée le"),
    ]
    lines = []
    for row in rows:
        candidacy, figures, decision = row["candidacy"], row["figures"], row["decision"]
        lines.append(
            [
                candidacy.reference,
                candidacy.display_name,
                candidacy.lead_name,
                candidacy.get_state_display(),
                candidacy.submitted_at,
                *[figures.criterion_mean(c.pk) for c in criteria],
                figures.mean,
                figures.count,
                *[row["recommendations"][value] for value in Recommendation.values],
                decision.get_outcome_display() if decision else "",
                decision.published_at if decision else None,
            ]
        )
    return tabular.table_response(
        header=header,
        rows=lines,
        filename=f"candidatures-vague-{wave.number}",
        fmt=fmt,
    )


@require_safe
@staff_required
def wave_reviewers_export(request, wave_pk, fmt):
    """The reviews of a wave, per reviewer."""
    fmt = _export_format(fmt)
    wave = get_object_or_404(Wave, pk=wave_pk)
    rows = selectors.reviewer_workload(wave)
    return tabular.table_response(
        header=[
            _("Instructeur"),
            _("Courriel"),
            _("Affectations"),
            _("Rapports remis"),
            _("Rapports en attente"),
            _("Conflits d'intérêts déclarés"),
            _("Note moyenne /100"),
        ],
        rows=[
            [
                row["reviewer"].get_full_name(),
                row["reviewer"].email,
                row["assignments"],
                row["submitted"],
                row["pending"],
                row["conflicts"],
                row["mean"],
            ]
            for row in rows
        ],
        filename=f"instructeurs-vague-{wave.number}",
        fmt=fmt,
    )


@require_safe
@staff_required
def candidacy_audit_export(request, pk, fmt):
    """The audit trail of a candidacy."""
    fmt = _export_format(fmt)
    candidacy = get_object_or_404(Candidacy, pk=pk)
    states = dict(CandidacyState.choices)
    return tabular.table_response(
        header=[
            _("Date"),
            _("Auteur"),
            _("Action"),
            _("État de départ"),
            _("État d'arrivée"),
            _("Commentaire"),
        ],
        rows=[
            [
                entry.created_at,
                entry.actor.email if entry.actor else "",
                entry.action,
                states.get(entry.from_state, entry.from_state),
                states.get(entry.to_state, entry.to_state),
                entry.comment,
            ]
            for entry in selectors.candidacy_audit(candidacy)
        ],
        filename=f"journal-{candidacy.reference}",
        fmt=fmt,
    )
