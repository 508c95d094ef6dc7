"""Two-factor authentication is required for the roles that see and export everything."""

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from core.roles import roles_of

# Paths a user without a second factor may still reach: enrolment itself, signing out, static files.
ENROLMENT_PATH_PREFIXES = ("/accounts/", "/static/", "/health/")


def must_enrol_second_factor(user):
    if not user.is_authenticated:
        return False
    required = set(settings.ONWARD_MFA_REQUIRED_ROLES)
    return bool(required & roles_of(user)) and not is_mfa_enabled(user, types=["totp", "webauthn"])


class RequireTwoFactorMiddleware:
    """Admins and lawyers (ONWARD_MFA_REQUIRED_ROLES) are sent to TOTP enrolment until they have a
    second factor; everything else they ask for redirects there."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(ENROLMENT_PATH_PREFIXES) and must_enrol_second_factor(request.user):
            messages.warning(request, "Your role requires two-factor authentication. Set up an "
                                      "authenticator app to continue.")
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


class RejectNullCharactersMiddleware:
    """A NUL character (U+0000) in a query parameter or form field is refused at the door with a
    plain message: PostgreSQL cannot store or compare it, and a view that passed it on would fail
    with a server error. Django's form fields refuse it too; this covers views reading request.GET
    directly (searches, filters, APIs)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.META.get("QUERY_STRING", "") or "%00" in request.META.get("QUERY_STRING", ""):
            return self.refuse(request)
        if request.method == "POST" and request.content_type in {"application/x-www-form-urlencoded",
                                                                 "multipart/form-data"}:
            if any("\x00" in value for values in request.POST.lists() for value in values[1]):
                return self.refuse(request)
        return self.get_response(request)

    def refuse(self, request):
        from django.http import JsonResponse
        from django.shortcuts import render

        if request.path.startswith("/api/"):  # the API documents this answer as its Error schema
            return JsonResponse({"detail": "The request contains a NUL character (U+0000), which Onward "
                                           "cannot store or search. Remove it and try again."}, status=400)
        return render(request, "400_null.html", status=400)
