"""Views of the call and of the candidacies (applicants' side)."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from frenchimpact import scanning
from frenchimpact.enums import DocumentStatus
from frenchimpact.http import file_download
from frenchimpact.public_cache import public_page
from territories.enums import SupportAxis
from territories.selectors import territories_for_team

from . import sections, selectors, services
from .forms import AttachmentForm, InvitationForm, MessageForm
from .models import Wave

PENDING_KEY = "pending_posts"


def login_required_keeping_input(view):
    """Like ``login_required``, but a form posted after the session expired
    is kept in the new session; once logged in again, the user finds what
    they typed in the form, ready to be saved."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.method == "POST":
            pending = request.session.get(PENDING_KEY, {})
            pending[request.path] = {
                key: values
                for key, values in request.POST.lists()
                if key != "csrfmiddlewaretoken"
            }
            request.session[PENDING_KEY] = pending
            messages.warning(
                request,
                _(
                    "Votre session a expiré. Reconnectez-vous : ce que vous aviez "
                    "saisi vous sera présenté à nouveau."
                ),
            )
        return redirect_to_login(request.path)

    return wrapper


def _pending_input(request):
    from django.http import QueryDict

    pending = request.session.get(PENDING_KEY, {})
    if request.path not in pending:
        return None
    values = pending.pop(request.path)
    request.session[PENDING_KEY] = pending
    data = QueryDict(mutable=True)
    for key, items in values.items():
        data.setlist(key, items)
    return data


@require_safe
@public_page
def call(request):
    return render(
        request,
        "applications/call.html",
        {"call": selectors.public_call(), "open_waves": list(selectors.open_waves())},
    )


@require_safe
@login_required_keeping_input
def dashboard(request):
    candidacies = selectors.candidacies_of_member(request.user).prefetch_related(
        "receipts"
    )
    return render(
        request,
        "applications/dashboard.html",
        {
            "candidacies": [
                (candidacy, sections.checklist(candidacy))
                for candidacy in candidacies.prefetch_related(
                    "contacts", "partners", "challenges"
                )
            ],
            "open_waves": list(selectors.open_waves()),
            "labelled_territories": list(
                territories_for_team(request.user).order_by("name")
            ),
        },
    )


@require_POST
@login_required_keeping_input
def create(request):
    wave = get_object_or_404(Wave, pk=request.POST.get("wave") or 0)
    try:
        candidacy = services.create_candidacy(wave=wave, user=request.user)
    except services.CandidacyError as error:
        messages.error(request, error.message)
        return redirect("applications:dashboard")
    messages.success(request, _("Votre candidature a été créée en brouillon."))
    return redirect(candidacy)


@require_safe
@login_required_keeping_input
def detail(request, pk):
    candidacy = selectors.candidacy_for_user(request.user, pk)
    user = request.user
    return render(
        request,
        "applications/detail.html",
        {
            "candidacy": candidacy,
            "breadcrumb_links": [(_("Mon espace"), reverse("applications:dashboard"))],
            "checklist": sections.checklist(candidacy),
            "complete": sections.is_complete(candidacy),
            "history": selectors.history_for_team(candidacy),
            "can_edit": user.has_perm("applications.change_candidacy", candidacy),
            "can_submit": user.has_perm("applications.submit_candidacy", candidacy),
            "can_withdraw": user.has_perm("applications.withdraw_candidacy", candidacy),
            "can_invite": user.has_perm("applications.invite_to_candidacy", candidacy),
            "invitation_form": InvitationForm(),
            "message_form": MessageForm(),
            "team_report_ready": candidacy.review_reports.filter(
                audience="team", status=DocumentStatus.READY
            ).exists(),
            "attachment_form": AttachmentForm(),
            "axes": [
                (axis.label, (candidacy.axis_expectations or {}).get(axis.value, ""))
                for axis in SupportAxis
            ],
        },
    )


def _conflicts(form, formsets, current):
    """What the other person saved, next to what this user typed."""
    changes = []
    for name, field in form.fields.items():
        if name == "version" or name not in form.cleaned_data:
            continue
        yours = form.cleaned_data[name]
        if name.startswith("axis_"):
            theirs = (current.axis_expectations or {}).get(
                name.removeprefix("axis_"), ""
            )
        else:
            theirs = getattr(current, name, None)
        if (yours or "") != (theirs or ""):
            changes.append((field.label, theirs, yours))
    for formset in formsets:
        theirs = [str(row) for row in formset.model.objects.filter(candidacy=current)]
        yours = [
            str(row.cleaned_data.get("name") or row.cleaned_data.get("title") or "")
            for row in formset.forms
            if row.cleaned_data and not row.cleaned_data.get("DELETE")
        ]
        if sorted(theirs) != sorted(yours):
            label = formset.model._meta.verbose_name_plural
            changes.append((label, ", ".join(theirs), ", ".join(yours)))
    return changes


@login_required_keeping_input
def section(request, pk, slug):
    if request.method not in {"GET", "HEAD", "POST"}:
        return HttpResponseNotAllowed(["GET", "POST"])
    section = sections.BY_SLUG.get(slug)
    if section is None:
        raise Http404
    candidacy = selectors.candidacy_for_user(request.user, pk)
    can_edit = request.user.has_perm("applications.change_candidacy", candidacy)
    data = request.POST if request.method == "POST" else _pending_input(request)
    restored = request.method != "POST" and data is not None
    version = candidacy.version_of(slug)
    form = section.form(data, instance=candidacy, initial={"version": version})
    formsets = [
        formset_class(data, instance=candidacy, prefix=prefix)
        for prefix, formset_class in section.formsets.items()
    ]
    for formset in formsets:
        formset.title = formset.model._meta.verbose_name_plural
    context = {
        "candidacy": candidacy,
        "breadcrumb_links": [
            (_("Mon espace"), reverse("applications:dashboard")),
            (candidacy.reference, candidacy.get_absolute_url()),
        ],
        "section": section,
        "form": form,
        "formsets": formsets,
        "can_edit": can_edit,
        "restored": restored,
        "status": 200,
    }
    if restored:
        form.is_valid()
        for formset in formsets:
            formset.is_valid()
        messages.info(
            request,
            _(
                "Vos saisies non enregistrées ont été restaurées : vérifiez-les puis "
                "enregistrez."
            ),
        )
    if request.method == "POST":
        if not can_edit:
            messages.error(
                request,
                _("Cette candidature n'est plus modifiable : rien n'a été enregistré."),
            )
            context["status"] = 409
        elif form.is_valid() and all(formset.is_valid() for formset in formsets):
            try:
                services.save_section(
                    candidacy_id=candidacy.pk,
                    section=slug,
                    user=request.user,
                    version=form.cleaned_data["version"],
                    form=form,
                    formsets=formsets,
                )
            except services.EditConflict as conflict:
                context["conflicts"] = _conflicts(form, formsets, conflict.current)
                context["current_version"] = conflict.current.version_of(slug)
                form.data = form.data.copy()
                form.data["version"] = context["current_version"]
                context["status"] = 409
            except services.CandidacyError as error:
                messages.error(request, error.message)
                context["status"] = 409
            else:
                messages.success(
                    request,
                    _("La rubrique « %(title)s » a été enregistrée.")
                    % {"title": section.title},
                )
                return redirect(candidacy)
        else:
            context["status"] = 400
    return render(
        request, "applications/section.html", context, status=context["status"]
    )


@require_POST
@login_required_keeping_input
def submit(request, pk):
    candidacy = selectors.candidacy_for_user(request.user, pk)
    try:
        candidacy, deposited = services.submit_candidacy(
            candidacy_id=candidacy.pk, user=request.user
        )
    except services.CandidacyError as error:
        messages.error(request, error.message)
        return redirect(candidacy)
    if deposited:
        messages.success(
            request,
            _(
                "Votre candidature a été déposée. Le récépissé est en cours de "
                "production et un accusé de réception vous a été envoyé."
            ),
        )
    else:
        messages.info(request, _("Cette candidature était déjà déposée."))
    return redirect(candidacy)


@require_POST
@login_required_keeping_input
def withdraw(request, pk):
    candidacy = selectors.candidacy_for_user(request.user, pk)
    try:
        services.withdraw_candidacy(candidacy_id=candidacy.pk, user=request.user)
    except services.CandidacyError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("La candidature a été retirée."))
    return redirect(candidacy)


@require_POST
@login_required_keeping_input
def invite(request, pk):
    candidacy = selectors.candidacy_for_user(request.user, pk)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["email"]))
        return redirect(candidacy)
    try:
        services.invite_co_editor(
            candidacy=candidacy, user=request.user, email=form.cleaned_data["email"]
        )
    except PermissionDenied:
        messages.error(
            request, _("Seul le responsable peut inviter des co-rédacteurs.")
        )
    except services.CandidacyError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("L'invitation a été envoyée."))
    return redirect(candidacy)


@login_required_keeping_input
def accept_invitation(request, token):
    invitation = services.invitation_from_token(token)
    if invitation is None:
        return render(request, "applications/invitation_invalid.html", status=404)
    if request.method == "POST":
        try:
            services.accept_invitation(invitation=invitation, user=request.user)
        except services.CandidacyError as error:
            messages.error(request, error.message)
            return redirect("applications:dashboard")
        messages.success(request, _("Vous faites désormais partie de l'équipe."))
        return redirect(invitation.candidacy)
    return render(request, "applications/invitation.html", {"invitation": invitation})


@require_POST
@login_required_keeping_input
def upload(request, pk):
    candidacy = selectors.candidacy_for_user(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_attachment(
                candidacy_id=candidacy.pk,
                user=request.user,
                uploaded_file=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            form.add_error("file", error)
        except services.CandidacyError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("La pièce jointe a été ajoutée."))
            return redirect(reverse("applications:detail", args=[pk]) + "#pieces")
    return render(
        request,
        "applications/upload.html",
        {"candidacy": candidacy, "form": form},
        status=400,
    )


@require_safe
@login_required_keeping_input
def download_attachment(request, pk, attachment_pk):
    candidacy = selectors.candidacy_for_user(request.user, pk)
    attachment = get_object_or_404(candidacy.attachments, pk=attachment_pk)
    if (blocked := scanning.blocked_response(request, attachment)) is not None:
        return blocked
    return file_download(
        attachment.file, filename=attachment.name, content_type=attachment.content_type
    )


@require_POST
@login_required_keeping_input
def delete_attachment(request, pk, attachment_pk):
    candidacy = selectors.candidacy_for_user(request.user, pk)
    attachment = get_object_or_404(candidacy.attachments, pk=attachment_pk)
    try:
        services.delete_attachment(attachment=attachment, user=request.user)
    except services.CandidacyError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("La pièce jointe a été supprimée."))
    return redirect(reverse("applications:detail", args=[pk]) + "#pieces")


@require_safe
@login_required_keeping_input
def download_receipt(request, pk, number):
    candidacy = selectors.candidacy_for_user(request.user, pk)
    receipt = get_object_or_404(
        candidacy.receipts, number=number, status=DocumentStatus.READY
    )
    if not receipt.file:
        raise Http404
    return file_download(
        receipt.file, filename=f"recepisse-{candidacy.reference}-{number}.pdf"
    )
