from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from frenchimpact.forms import form_helper

from . import services
from .forms import EmailForm, LoginForm, OutboxPasswordResetForm, SignUpForm


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
