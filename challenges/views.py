"""Views of challenges: public pages (list, challenge, project), the team's
follow-up (challenges, projects, objectives, progress reports, campaign),
and the staff's dashboard."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from frenchimpact import scanning
from frenchimpact.http import file_download
from frenchimpact.public_cache import public_page

from . import charts, selectors, services
from .filters import ChallengeFilter
from .forms import (
    CampaignForm,
    ChallengeForm,
    ObjectiveForm,
    ProgressReportForm,
    ProjectForm,
)
from .models import ReportingCampaign

# --- public ----------------------------------------------------------------


@require_safe
@public_page
def challenge_list(request):
    filterset = ChallengeFilter(
        request.GET or None, queryset=selectors.challenge_list()
    )
    page = Paginator(filterset.qs, settings.DIRECTORY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "challenges/list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "page_range": page.paginator.get_elided_page_range(
                page.number, on_each_side=2, on_ends=1
            ),
            "totals": selectors.national_totals(),
            "is_filtered": any(request.GET.get(name) for name in filterset.filters),
        },
    )


def _with_charts(objectives, *, reports=False):
    for objective in objectives:
        uid = f"objectif-{objective.pk}"
        objective.bar_svg = charts.progress_bar(objective, uid + "-barre")
        if reports:
            objective.history_svg = charts.history(
                objective, objective.reports.all(), uid + "-historique"
            )


@require_safe
@public_page
def challenge(request, pk):
    challenge = selectors.public_challenge(pk)
    for project in challenge.projects.all():
        _with_charts(project.objectives.all())
    return render(
        request,
        "challenges/challenge.html",
        {
            "challenge": challenge,
            "territory": challenge.territory,
            "breadcrumb_links": [
                (_("Défis des territoires"), reverse("challenges:list")),
                (
                    challenge.territory.name,
                    reverse("territories:detail", args=[challenge.territory.slug]),
                ),
            ],
        },
    )


@require_safe
@public_page
def project(request, pk):
    project = selectors.public_project(pk)
    _with_charts(project.objectives.all(), reports=True)
    challenge = project.challenge
    return render(
        request,
        "challenges/project.html",
        {
            "project": project,
            "challenge": challenge,
            "territory": challenge.territory,
            "breadcrumb_links": [
                (_("Défis des territoires"), reverse("challenges:list")),
                (
                    challenge.territory.name,
                    reverse("territories:detail", args=[challenge.territory.slug]),
                ),
                (challenge.title, challenge.get_absolute_url()),
            ],
        },
    )


# --- team ------------------------------------------------------------------


def _team_url(territory, anchor=""):
    url = reverse("challenges:team_territory", args=[territory.slug])
    return f"{url}#{anchor}" if anchor else url


def _team_crumbs(territory):
    return [
        (_("Suivi des défis"), reverse("challenges:team")),
        (territory.name, _team_url(territory)),
    ]


@require_safe
@login_required
def team(request):
    territories = list(selectors.territories_followed_by(request.user).order_by("name"))
    if len(territories) == 1 and not request.user.is_programme_staff:
        return redirect(_team_url(territories[0]))
    return render(
        request,
        "challenges/team.html",
        {"territories": territories, "campaign": selectors.open_campaign()},
    )


@require_safe
@login_required
def team_territory(request, slug):
    territory = selectors.team_territory(request.user, slug)
    campaign = selectors.open_campaign()
    submitted = (
        campaign is not None
        and territory.campaign_submissions.filter(campaign=campaign).exists()
    )
    return render(
        request,
        "challenges/team_territory.html",
        {
            "territory": territory,
            "campaign": campaign,
            "submitted": submitted,
            "breadcrumb_links": [(_("Suivi des défis"), reverse("challenges:team"))],
        },
    )


def _form_page(request, form, *, title, territory, back, submit_label, save):
    """Render a follow-up form; on a valid POST, run ``save`` and go back.
    A rule broken in the service shows on the form, what was typed kept."""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                save()
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Les modifications sont enregistrées."))
                return redirect(back)
        status = 400
    return render(
        request,
        "challenges/form.html",
        {
            "form": form,
            "title": title,
            "territory": territory,
            "back": back,
            "submit_label": submit_label,
            "breadcrumb_links": _team_crumbs(territory),
        },
        status=status,
    )


def _editable(request, territory):
    if not request.user.has_perm("territories.edit_follow_up", territory):
        raise PermissionDenied


@login_required
def challenge_edit(request, slug=None, pk=None):
    if pk:
        instance = selectors.team_challenge(request.user, pk)
        territory = instance.territory
    else:
        instance = None
        territory = get_object_or_404(
            selectors.territories_followed_by(request.user), slug=slug
        )
    _editable(request, territory)
    form = ChallengeForm(request.POST or None, instance=instance)
    return _form_page(
        request,
        form,
        title=_("Modifier le défi") if instance else _("Nouveau défi"),
        territory=territory,
        back=_team_url(territory, f"defi-{pk}" if pk else ""),
        submit_label=_("Enregistrer le défi"),
        save=lambda: services.save_challenge(
            user=request.user,
            territory=territory,
            challenge=instance,
            data=form.cleaned_data,
        ),
    )


@login_required
def project_edit(request, challenge_pk=None, pk=None):
    if pk:
        instance = selectors.team_project(request.user, pk)
        challenge = instance.challenge
    else:
        instance = None
        challenge = selectors.team_challenge(request.user, challenge_pk)
    territory = challenge.territory
    _editable(request, territory)
    form = ProjectForm(request.POST or None, instance=instance)
    return _form_page(
        request,
        form,
        title=(_("Modifier le projet") if instance else _("Nouveau projet"))
        + f" — {challenge.title}",
        territory=territory,
        back=_team_url(territory, f"defi-{challenge.pk}"),
        submit_label=_("Enregistrer le projet"),
        save=lambda: services.save_project(
            user=request.user,
            challenge=challenge,
            project=instance,
            data=form.cleaned_data,
        ),
    )


@login_required
def objective_edit(request, project_pk=None, pk=None):
    if pk:
        instance = selectors.team_objective(request.user, pk)
        project = instance.project
    else:
        instance = None
        project = selectors.team_project(request.user, project_pk)
    territory = project.challenge.territory
    _editable(request, territory)
    form = ObjectiveForm(request.POST or None, instance=instance)
    return _form_page(
        request,
        form,
        title=(_("Modifier l'objectif") if instance else _("Nouvel objectif"))
        + f" — {project.name}",
        territory=territory,
        back=_team_url(territory, f"projet-{project.pk}"),
        submit_label=_("Enregistrer l'objectif"),
        save=lambda: services.save_objective(
            user=request.user,
            project=project,
            objective=instance,
            data=form.objective_data(),
        ),
    )


@login_required
def report_create(request, objective_pk):
    objective = selectors.team_objective(request.user, objective_pk)
    territory = objective.project.challenge.territory
    _editable(request, territory)
    form = ProgressReportForm(request.POST or None, request.FILES or None)
    return _form_page(
        request,
        form,
        title=_("Nouvelle mesure — %(objective)s") % {"objective": objective.statement},
        territory=territory,
        back=_team_url(territory, f"objectif-{objective.pk}"),
        submit_label=_("Enregistrer la mesure"),
        save=lambda: services.record_progress(
            user=request.user,
            objective=objective,
            reported_on=form.cleaned_data["reported_on"],
            value=form.cleaned_data["value"],
            comment=form.cleaned_data["comment"],
            evidence=form.cleaned_data["evidence"],
        ),
    )


@require_POST
@login_required
def report_delete(request, pk):
    report = selectors.team_report(request.user, pk)
    territory = report.objective.project.challenge.territory
    services.delete_report(user=request.user, report=report)
    messages.success(request, _("La mesure est supprimée."))
    return redirect(_team_url(territory, f"objectif-{report.objective_id}"))


@require_safe
@login_required
def evidence(request, pk):
    report = selectors.team_report(request.user, pk)
    if not report.evidence:
        raise Http404(_("Cette mesure n'a pas de justificatif."))
    if (blocked := scanning.blocked_response(request, report)) is not None:
        return blocked
    return file_download(
        report.evidence, filename=report.evidence_name, content_type=report.content_type
    )


@require_POST
@login_required
def campaign_submit(request, slug, campaign_pk):
    territory = get_object_or_404(
        selectors.territories_followed_by(request.user), slug=slug
    )
    campaign = get_object_or_404(ReportingCampaign, pk=campaign_pk)
    try:
        services.submit_campaign(
            user=request.user, territory=territory, campaign=campaign
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Votre suivi %(year)s est transmis au Haut-Commissariat. Merci !")
            % {"year": campaign.year},
        )
    return redirect(_team_url(territory))


# --- staff -----------------------------------------------------------------


def _staff(request):
    if not request.user.has_perm("territories.manage_follow_up"):
        raise PermissionDenied


def _plans_behind_schedule():
    try:
        from support.selectors import plans_behind_schedule
    except ImportError:  # the support plans are not installed
        return None
    return plans_behind_schedule()


@login_required
def dashboard(request):
    _staff(request)
    form = CampaignForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                campaign = services.open_campaign(
                    user=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("La campagne %(year)s est ouverte.") % {"year": campaign.year},
                )
                return redirect("challenges:dashboard")
        status = 400
    return render(
        request,
        "challenges/dashboard.html",
        {
            "at_risk": selectors.objectives_at_risk(),
            "plans_late": _plans_behind_schedule(),
            "completions": selectors.campaign_completions(),
            "form": form,
        },
        status=status,
    )


@require_POST
@login_required
def campaign_close(request, pk):
    _staff(request)
    campaign = get_object_or_404(ReportingCampaign, pk=pk)
    services.close_campaign(user=request.user, campaign=campaign)
    messages.success(
        request, _("La campagne %(year)s est close.") % {"year": campaign.year}
    )
    return redirect("challenges:dashboard")
