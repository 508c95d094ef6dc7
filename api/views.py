"""The user's own API tokens: issue (the secret is shown once) and revoke. Admins revoke anyone's
in the admin (Api tokens → Revoke)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.roles import can_read

from . import tokens
from .models import ApiToken


def token_list(request):
    if not can_read(request.user):
        return redirect("dashboard")
    raw = None
    if request.method == "POST":
        _, raw = tokens.issue(request.user, request.POST.get("name", ""))
        messages.success(request, "Token created. Copy it now: Onward keeps only its fingerprint and cannot show it again.")
    return render(request, "api/tokens.html", {"tokens": ApiToken.objects.filter(user=request.user), "raw": raw})


@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken.objects.filter(user=request.user), pk=pk)
    tokens.revoke(token, request.user)
    messages.success(request, f"Revoked “{token.name}”.")
    return redirect("api_tokens")
