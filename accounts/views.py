import json
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from frenchimpact.forms import form_helper

from . import personal_data, second_factor, services
from .forms import (
    DeleteAccountForm,
    EmailForm,
    LoginForm,
    OutboxPasswordResetForm,
    SecondFactorCodeForm,
    SignUpForm,
)


@require_http_methods(["GET", "HEAD", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("applications:dashboard")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.register_applicant(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
        )
        return render(
            request,
            "accounts/check_inbox.html",
            {"email": form.cleaned_data["email"]},
        )
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/signup.html", {"form": form}, status=status)


@require_safe
def verify(request, token):
    user, activated = services.verify_email(token=token)
    if user is None:
        return render(request, "accounts/verify_invalid.html", status=400)
    if not activated:
        messages.info(request, _("Votre adresse était déjà confirmée."))
        if request.user.is_authenticated:
            return redirect("applications:dashboard")
        return redirect("accounts:login")
    if not request.user.is_authenticated:
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, _("Votre adresse est confirmée : bienvenue !"))
    return redirect("applications:dashboard")


@require_http_methods(["GET", "HEAD", "POST"])
def resend(request):
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.resend_verification(email=form.cleaned_data["email"])
        return render(
            request, "accounts/check_inbox.html", {"email": form.cleaned_data["email"]}
        )
    return render(request, "accounts/resend.html", {"form": form})


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = OutboxPasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.helper = form_helper()
        return form


def _next_url(request, default="applications:dashboard"):
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate,
        allowed_hosts={request.get_host()},
        require_https=request.is_secure(),
    ):
        return candidate
    return resolve_url(default)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def otp_setup(request):
    """Enrolment of an authenticator: scan the QR code (or type the secret),
    then confirm with a first code; the backup codes are shown once."""
    user = request.user
    if not second_factor.is_privileged(user):
        raise Http404(_("La double authentification concerne les comptes internes."))
    if second_factor.has_confirmed_device(user) and not (
        getattr(user, "is_verified", lambda: False)()
    ):
        # a device exists: only a verified session may replace it
        query = urlencode({"next": request.get_full_path()})
        return redirect(f"{resolve_url('accounts:otp_verify')}?{query}")
    device = second_factor.pending_device(user)
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = second_factor.confirm_device(
            request=request, device=device, token=form.cleaned_data["code"]
        )
        if codes is not None:
            return render(
                request,
                "accounts/otp_backup_codes.html",
                {"codes": codes, "next": _next_url(request)},
            )
        form.add_error(
            "code",
            _(
                "Code incorrect ou expiré : saisissez le code affiché en ce "
                "moment par l'application."
            ),
        )
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "qr": second_factor.qr_svg_data_uri(device),
            "secret": second_factor.secret_text(device),
            "next": _next_url(request),
        },
        status=400 if request.method == "POST" else 200,
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def otp_verify(request):
    """The code prompt of a privileged session, after the password."""
    user = request.user
    if not second_factor.is_privileged(user):
        raise Http404(_("La double authentification concerne les comptes internes."))
    if not second_factor.has_confirmed_device(user):
        return redirect("accounts:otp_setup")
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        verified, throttled = second_factor.verify(
            request=request, token=form.cleaned_data["code"]
        )
        if verified:
            return redirect(_next_url(request))
        if throttled:
            form.add_error(
                "code",
                _(
                    "Trop de codes erronés : patientez quelques instants avant "
                    "de réessayer."
                ),
            )
        else:
            form.add_error("code", _("Code incorrect."))
    return render(
        request,
        "accounts/otp_verify.html",
        {"form": form, "next": _next_url(request)},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_safe
def account(request):
    """The person's account: personal data, deletion, second factor."""
    return render(
        request,
        "accounts/account.html",
        {
            "privileged": second_factor.is_privileged(request.user),
            "has_device": second_factor.has_confirmed_device(request.user),
            "blocking": personal_data.candidacies_blocking_deletion(user=request.user),
        },
    )


@never_cache
@login_required
@require_safe
def personal_data_export(request):
    """Everything the portal holds about the person, as a JSON file."""
    data = personal_data.export_personal_data(user=request.user)
    response = HttpResponse(
        json.dumps(data, cls=personal_data.ENCODER, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = (
        'attachment; filename="mes-donnees-french-impact.json"'
    )
    return response


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def delete_account(request):
    form = DeleteAccountForm(request.POST or None, user=request.user)
    blocking = list(personal_data.candidacies_blocking_deletion(user=request.user))
    if request.method == "POST" and form.is_valid():
        try:
            personal_data.delete_account(request=request, user=request.user)
        except personal_data.AccountDeletionRefused as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Votre compte est supprimé et vos données personnelles effacées."),
            )
            return redirect("home")
    return render(
        request,
        "accounts/delete_account.html",
        {"form": form, "blocking": blocking},
        status=400 if request.method == "POST" else 200,
    )
