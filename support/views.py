"""Views of the follow-up of labelled territories: the support plan (team and
High Commission), the regulatory-barrier desk, and their public pages."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from territories.models import Territory
from territories.selectors import territories_for_team

from . import selectors, services
from .enums import MILESTONE_TRANSITIONS, BarrierState, MilestoneStatus, PlanState
from .forms import (
    ActionForm,
    BarrierForm,
    CommentForm,
    MilestoneForm,
    MilestoneStatusForm,
    ResponseForm,
    SendBackForm,
)

PAGE_SIZE = 20


def staff_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not request.user.has_perm("territories.manage_follow_up"):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _done(request, action, success) -> bool:
    """Run a service call; turn its refusal into a message on the page."""
    try:
        action()
    except services.SupportError as error:
        messages.error(request, error.message)
        return False
    messages.success(request, success)
    return True


def _home_link():
    return (_("Accompagnement"), reverse("support:home"))


def _plan_links(plan):
    return [_home_link(), (plan.territory.name, plan.get_absolute_url())]


# --- Team: home ---------------------------------------------------------------


@require_safe
@login_required
def home(request):
    """The user's territories, their plan and their barriers."""
    territories = list(
        territories_for_team(request.user)
        .select_related("support_plan")
        .order_by("name")
    )
    barriers = list(
        selectors.barriers_for_user(request.user)
        .filter(territory__in=[t.pk for t in territories])
        .order_by("-created_at", "-pk")[:10]
    )
    return render(
        request,
        "support/home.html",
        {
            "territories": [
                (territory, getattr(territory, "support_plan", None))
                for territory in territories
            ],
            "barriers": barriers,
            "is_staff": request.user.is_programme_staff,
        },
    )


@require_POST
@login_required
def plan_create(request):
    territory = get_object_or_404(
        Territory.objects.labelled(), pk=request.POST.get("territory") or 0
    )
    if not request.user.has_perm("territories.edit_follow_up", territory):
        raise Http404
    try:
        plan = services.create_plan(territory=territory, actor=request.user)
    except services.SupportError as error:
        messages.error(request, error.message)
        return redirect("support:home")
    messages.success(
        request,
        _(
            "Le plan d'accompagnement est créé. Il reprend l'offre du programme, "
            "levier par levier : retirez ou adaptez ce qui ne s'applique pas."
        ),
    )
    return redirect(plan)


# --- Team and staff: the plan -------------------------------------------------


def _plan_context(request, plan, comment_form=None):
    user = request.user
    axes = selectors.plan_axes(plan)
    actions = [action for block in axes for action in block.actions]
    labels = dict(MilestoneStatus.choices)
    for action in actions:
        for milestone in action.milestones.all():
            milestone.next_statuses = [
                (status, labels[status])
                for status in MilestoneStatus.values
                if status in MILESTONE_TRANSITIONS[milestone.status]
            ]
    versions = list(selectors.plan_versions(plan))
    return {
        "plan": plan,
        "territory": plan.territory,
        "breadcrumb_links": [_home_link()],
        "axes": axes,
        "action_count": len(actions),
        "versions": versions,
        "last_version": versions[0] if versions else None,
        "plan_comments": selectors.plan_comments(plan),
        "comment_form": comment_form or CommentForm(actions=actions),
        "send_back_form": SendBackForm(),
        "can_change": user.has_perm("support.change_plan", plan),
        "can_submit": user.has_perm("support.submit_plan", plan),
        "can_validate": user.has_perm("support.validate_plan", plan),
        "can_comment": user.has_perm("support.comment_plan", plan),
    }


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def plan(request, pk):
    """The plan: axes, actions, milestones, comments. POST adds a comment."""
    plan = selectors.plan_for_user(request.user, pk)
    if request.method == "POST":
        actions = list(plan.actions.order_by("position", "pk"))
        form = CommentForm(request.POST, actions=actions)
        if form.is_valid():
            action = next(
                (a for a in actions if a.pk == form.cleaned_data["action"]), None
            )
            if _done(
                request,
                lambda: services.add_comment(
                    plan=plan,
                    actor=request.user,
                    body=form.cleaned_data["body"],
                    action=action,
                ),
                _("Votre commentaire est publié."),
            ):
                return redirect(f"{plan.get_absolute_url()}#commentaires")
        return render(
            request,
            "support/plan.html",
            _plan_context(request, plan, comment_form=form),
            status=200 if form.is_valid() else 400,
        )
    return render(request, "support/plan.html", _plan_context(request, plan))


@require_POST
@login_required
def plan_submit(request, pk):
    plan = selectors.plan_for_user(request.user, pk)
    _done(
        request,
        lambda: services.submit_plan(plan=plan, actor=request.user),
        _("Le plan est soumis à la validation du Haut-Commissariat."),
    )
    return redirect(plan)


@require_POST
@staff_required
def plan_validate(request, pk):
    plan = selectors.plan_for_user(request.user, pk)
    _done(
        request,
        lambda: services.validate_plan(plan=plan, actor=request.user),
        _("Le plan est validé : sa version est figée et publiée."),
    )
    return redirect(plan)


@require_POST
@staff_required
def plan_send_back(request, pk):
    plan = selectors.plan_for_user(request.user, pk)
    form = SendBackForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Indiquez à l'équipe ce qu'elle doit reprendre dans le plan.")
        )
        return redirect(plan)
    _done(
        request,
        lambda: services.send_back_plan(
            plan=plan, actor=request.user, comment=form.cleaned_data["comment"]
        ),
        _("Le plan est renvoyé à l'équipe avec votre commentaire."),
    )
    return redirect(plan)


@require_safe
@login_required
def plan_version(request, pk, number):
    version = selectors.version_for_user(request.user, pk, number)
    plan = version.plan
    return render(
        request,
        "support/plan_version.html",
        {
            "plan": plan,
            "territory": plan.territory,
            "version": version,
            "axes": selectors.version_axes(version),
            "breadcrumb_links": _plan_links(plan),
            "public": False,
        },
    )


def _refuse_if_locked(request, plan) -> bool:
    """A submitted plan cannot be changed: say so on the plan page."""
    if plan.state == PlanState.SUBMITTED:
        messages.error(
            request,
            _(
                "Le plan est soumis à validation : il ne peut pas être modifié "
                "tant que le Haut-Commissariat ne l'a pas validé ou renvoyé."
            ),
        )
        return True
    return False


def _action_form_page(request, plan, form, action=None, status=200, current=None):
    return render(
        request,
        "support/action_form.html",
        {
            "plan": plan,
            "action": action,
            "current": current,  # someone else's version, on an edit conflict
            "form": form,
            "breadcrumb_links": _plan_links(plan),
            "reopens": plan.state == PlanState.VALIDATED,
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def action_add(request, pk):
    plan = selectors.plan_for_user(request.user, pk)
    if _refuse_if_locked(request, plan):
        return redirect(plan)
    if request.method != "POST":
        axis = request.GET.get("axe", "")
        return _action_form_page(
            request, plan, ActionForm(initial={"axis": axis, "owner_kind": "territory"})
        )
    form = ActionForm(request.POST)
    if form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "edited_from"}
        try:
            action = services.add_action(plan=plan, actor=request.user, **fields)
        except services.SupportError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("L'action est ajoutée au plan."))
            return redirect(f"{plan.get_absolute_url()}#action-{action.pk}")
    return _action_form_page(request, plan, form, status=400)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def action_edit(request, pk):
    action = selectors.action_for_user(request.user, pk)
    plan = action.plan
    if _refuse_if_locked(request, plan):
        return redirect(plan)
    if request.method != "POST":
        return _action_form_page(
            request, plan, ActionForm(initial=ActionForm.initial_for(action)), action
        )
    form = ActionForm(request.POST)
    if form.is_valid():
        try:
            services.update_action(
                action=action, actor=request.user, **form.cleaned_data
            )
        except services.EditConflict as conflict:
            form.add_error(None, conflict.message)
            # saving again from here overwrites, knowingly, the other version
            form.data = form.data.copy()
            form.data["edited_from"] = services.edit_token(conflict.current)
            return _action_form_page(
                request, plan, form, action, status=409, current=conflict.current
            )
        except services.SupportError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("L'action est modifiée."))
            return redirect(f"{plan.get_absolute_url()}#action-{action.pk}")
    return _action_form_page(request, plan, form, action, status=400)


@require_POST
@login_required
def action_delete(request, pk):
    action = selectors.action_for_user(request.user, pk)
    plan = action.plan
    _done(
        request,
        lambda: services.delete_action(action=action, actor=request.user),
        _("L'action « %(title)s » est retirée du plan.") % {"title": action.title},
    )
    return redirect(plan)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def milestone_add(request, pk):
    action = selectors.action_for_user(request.user, pk)
    plan = action.plan
    if _refuse_if_locked(request, plan):
        return redirect(plan)
    form = MilestoneForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_milestone(
                action=action, actor=request.user, **form.cleaned_data
            )
        except services.SupportError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Le jalon est ajouté."))
            return redirect(f"{plan.get_absolute_url()}#action-{action.pk}")
    return render(
        request,
        "support/milestone_form.html",
        {
            "plan": plan,
            "action": action,
            "form": form,
            "breadcrumb_links": _plan_links(plan),
            "reopens": plan.state == PlanState.VALIDATED,
        },
        status=400 if form.is_bound else 200,
    )


@require_POST
@login_required
def milestone_status(request, pk):
    milestone = selectors.milestone_for_user(request.user, pk)
    plan = milestone.action.plan
    form = MilestoneStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez un des statuts proposés."))
    else:
        status = form.cleaned_data["status"]
        _done(
            request,
            lambda: services.set_milestone_status(
                milestone_id=milestone.pk, to_status=status, actor=request.user
            ),
            _("Le jalon « %(title)s » est maintenant « %(status)s ».")
            % {"title": milestone.title, "status": MilestoneStatus(status).label},
        )
    return redirect(f"{plan.get_absolute_url()}#action-{milestone.action_id}")


@require_POST
@login_required
def milestone_delete(request, pk):
    milestone = selectors.milestone_for_user(request.user, pk)
    plan = milestone.action.plan
    _done(
        request,
        lambda: services.delete_milestone(milestone=milestone, actor=request.user),
        _("Le jalon « %(title)s » est retiré.") % {"title": milestone.title},
    )
    return redirect(f"{plan.get_absolute_url()}#action-{milestone.action_id}")


# --- Team: regulatory barriers ------------------------------------------------


@require_safe
@login_required
def barriers(request):
    """The barriers reported by the user's territories, with the answers."""
    return render(
        request,
        "support/barriers.html",
        {
            "barriers": selectors.barriers_for_user(request.user)
            .filter(territory__in=territories_for_team(request.user))
            .order_by("-created_at", "-pk"),
            "can_report": territories_for_team(request.user).exists(),
            "breadcrumb_links": [_home_link()],
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def barrier_report(request):
    territories = territories_for_team(request.user).order_by("name")
    form = BarrierForm(
        request.POST if request.method == "POST" else None, territories=territories
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            barrier = services.report_barrier(
                territory=data["territory"],
                reporter=request.user,
                title=data["title"],
                blocking=data["blocking"],
                legal_text=data["legal_text"],
                impact=data["impact"],
                project=data["project"],
            )
        except services.SupportError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _(
                    "Votre signalement est transmis au guichet des Hackers French "
                    "Impact. Vous serez prévenu par courriel de sa réponse."
                ),
            )
            return redirect(barrier)
    return render(
        request,
        "support/barrier_report.html",
        {
            "form": form,
            "has_territory": territories.exists(),
            "breadcrumb_links": [
                _home_link(),
                (_("Freins réglementaires"), reverse("support:barriers")),
            ],
        },
        status=400 if form.is_bound else 200,
    )


@require_safe
@login_required
def barrier(request, pk):
    barrier = selectors.barrier_for_user(request.user, pk)
    return render(
        request,
        "support/barrier.html",
        {
            "barrier": barrier,
            "breadcrumb_links": [
                _home_link(),
                (_("Freins réglementaires"), reverse("support:barriers")),
            ],
        },
    )


# --- Staff --------------------------------------------------------------------


@require_safe
@staff_required
def staff_plans(request):
    return render(
        request,
        "support/staff_plans.html",
        {
            "plans": list(selectors.staff_plans()),
            "without_plan": list(selectors.territories_without_plan().order_by("name")),
            "breadcrumb_links": [_home_link()],
        },
    )


@require_safe
@staff_required
def desk(request):
    state = request.GET.get("etat") or ""
    if state not in BarrierState.values:
        state = ""
    page = Paginator(selectors.desk_barriers(state or None), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    counts = selectors.desk_counts()
    return render(
        request,
        "support/desk.html",
        {
            "page_obj": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "states": [
                (value, label, counts[value]) for value, label in BarrierState.choices
            ],
            "current_state": state,
            "breadcrumb_links": [_home_link()],
        },
    )


def _desk_forms(data=None, action=None):
    forms = {
        "answer": ResponseForm(
            prefix="answer",
            label=_("Réponse au territoire"),
            help_text=_(
                "Envoyée à la personne qui a signalé le frein ; elle pourra être "
                "publiée ensuite, sans ses coordonnées."
            ),
        ),
        "refer": ResponseForm(
            prefix="refer",
            label=_("Orientation vers France Expérimentation"),
            help_text=_("Expliquez au territoire comment présenter sa demande."),
        ),
        "close": ResponseForm(
            prefix="close",
            label=_("Motif de non-recevabilité"),
        ),
    }
    if action in forms:
        old = forms[action]
        forms[action] = ResponseForm(
            data,
            prefix=action,
            label=old.fields["response"].label,
            help_text=old.fields["response"].help_text,
        )
    return forms


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def desk_barrier(request, pk):
    barrier = get_object_or_404(
        selectors.desk_barriers().select_related("responded_by"), pk=pk
    )
    action = request.POST.get("action") if request.method == "POST" else None
    forms = _desk_forms(request.POST, action)
    if request.method == "POST":
        user = request.user
        if action == "study":
            _done(
                request,
                lambda: services.study_barrier(barrier=barrier, actor=user),
                _("Le signalement est à l'étude."),
            )
            return redirect("support:desk_barrier", pk=pk)
        if action in {"publish", "unpublish"}:
            _done(
                request,
                lambda: services.set_barrier_published(
                    barrier=barrier, actor=user, published=action == "publish"
                ),
                _("La réponse est publiée.")
                if action == "publish"
                else _("La réponse n'est plus publiée."),
            )
            return redirect("support:desk_barrier", pk=pk)
        if action in forms:
            form = forms[action]
            service, success = {
                "answer": (services.answer_barrier, _("La réponse est envoyée.")),
                "refer": (
                    services.refer_barrier,
                    _("Le territoire est orienté vers France Expérimentation."),
                ),
                "close": (services.close_barrier, _("Le signalement est clos.")),
            }[action]
            if form.is_valid():
                text = form.cleaned_data["response"]
                kwargs = {"reason": text} if action == "close" else {"response": text}
                if _done(
                    request,
                    lambda: service(barrier=barrier, actor=user, **kwargs),
                    success,
                ):
                    return redirect("support:desk_barrier", pk=pk)
        else:
            messages.error(request, _("Cette action n'existe pas."))
            return redirect("support:desk_barrier", pk=pk)
        barrier.refresh_from_db()
    return render(
        request,
        "support/desk_barrier.html",
        {
            "barrier": barrier,
            "forms": forms,
            "breadcrumb_links": [
                _home_link(),
                (_("Guichet des freins réglementaires"), reverse("support:desk")),
            ],
        },
        status=400 if action in forms else 200,
    )


# --- Public -------------------------------------------------------------------


@require_safe
def public_barriers(request):
    page = Paginator(selectors.published_barriers(), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "support/public_barriers.html",
        {
            "page_obj": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
        },
    )


@require_safe
def public_plan(request, slug):
    version = selectors.public_plan_version(slug)
    plan = version.plan
    return render(
        request,
        "support/plan_version.html",
        {
            "plan": plan,
            "territory": plan.territory,
            "version": version,
            "axes": selectors.version_axes(version),
            "breadcrumb_links": [
                (_("Territoires labellisés"), reverse("territories:directory")),
                (plan.territory.name, plan.territory.get_absolute_url()),
            ],
            "public": True,
        },
    )
