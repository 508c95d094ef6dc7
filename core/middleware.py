"""Two-factor authentication is required for the roles that see and export everything; sessions
and allauth's session list are kept up to date without writing on every request."""

import hashlib
import time

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.shortcuts import redirect
from django.urls import reverse

from core.roles import roles_of

# Paths a user without a second factor may still reach: enrolment itself, signing out, static files.
ENROLMENT_PATH_PREFIXES = ("/accounts/", "/static/", "/health/")
# Session keys of the bookkeeping below (when the session was last renewed, when and from where the
# user's activity was last recorded).
TOUCHED_KEY = "_onward_touched"
SEEN_KEY = "_onward_seen"


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


# --- per-request bookkeeping, kept off most requests -----------------------------------------

def _due(stamp, now, interval):
    return not isinstance(stamp, int) or not 0 <= now - stamp < interval


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's session middleware, renewing the idle expiry at most every
    ``ONWARD_SESSION_TOUCH_INTERVAL`` seconds instead of writing the session on every request
    (SESSION_SAVE_EVERY_REQUEST). A session thus expires after between SESSION_COOKIE_AGE minus the
    interval and SESSION_COOKIE_AGE of inactivity. Sessions nobody logged in to are not renewed."""

    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if session is not None and session.accessed and session.get(SESSION_KEY):
            now = int(time.time())
            if session.modified or _due(session.get(TOUCHED_KEY), now, settings.ONWARD_SESSION_TOUCH_INTERVAL):
                session[TOUCHED_KEY] = now  # marks the session modified: saved with a new expiry
        return super().process_response(request, response)


class UserSessionActivityMiddleware:
    """allauth's user-session tracking (last seen, address, browser for /accounts/sessions/),
    written when the address or browser changes and otherwise at most every
    ``ONWARD_SESSION_TOUCH_INTERVAL`` seconds, instead of three queries on every request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from allauth.usersessions import app_settings

        session = getattr(request, "session", None)
        if (app_settings.TRACK_ACTIVITY and session is not None and session.session_key
                and request.user.is_authenticated):
            self.track(request, session)
        return self.get_response(request)

    def track(self, request, session):
        from allauth.account.adapter import get_adapter
        from allauth.usersessions.models import UserSession

        client = hashlib.sha256(
            f"{get_adapter().get_client_ip(request)}\n{request.META.get('HTTP_USER_AGENT', '')}".encode()
        ).hexdigest()[:16]
        now = int(time.time())
        seen = session.get(SEEN_KEY) or [None, None]
        if seen[1] != client or _due(seen[0], now, settings.ONWARD_SESSION_TOUCH_INTERVAL):
            UserSession.objects.create_from_request(request)
            session[SEEN_KEY] = [now, client]
