"""The admins' risk review queue: thin views over cases/risk_review.py. Others get 403."""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from core.roles import can_review_risk

from . import risk_review
from .risk_models import FlagAction


def risk_reviewers_only(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can_review_risk(request.user):
            raise PermissionDenied("Only admins review risk flags.")
        return view(request, *args, **kwargs)
    return wrapper


@require_GET
@risk_reviewers_only
def flag_list(request):
    filters = risk_review.FlagFilter(request.GET, queryset=risk_review.flags_for(request.user)
                                     .defer("evaluation__stored_explanation").order_by("-opened_at"))
    page = Paginator(filters.qs, 50).get_page(request.GET.get("page"))
    return render(request, "cases/risk/flag_list.html", {"filter": filters, "page": page})


def _detail(request, pk, *, error=None, status=200, reason=""):
    flag = get_object_or_404(risk_review.flags_for(request.user), pk=pk)
    return render(request, "cases/risk/flag_detail.html", {
        "flag": flag, "evaluation": flag.case and risk_review.risk.latest_evaluation(flag.case),
        "flagged_evaluation": flag.evaluation, "decisions": flag.decisions.select_related("user", "assigned_to"),
        "assignees": risk_review.assignable_users(), "error": error, "reason": reason,
        "actions": [FlagAction.ACKNOWLEDGE, FlagAction.ESCALATE, FlagAction.DISMISS],
    }, status=status)


@require_GET
@risk_reviewers_only
def flag_detail(request, pk):
    return _detail(request, pk)


@require_POST
@risk_reviewers_only
def flag_assign(request, pk):
    flag = get_object_or_404(risk_review.flags_for(request.user), pk=pk)
    user_id = request.POST.get("assigned_to") or None
    assignee = None
    if user_id:
        # A non-numeric id (tampered form) is "not in the list", not a server error (tests/security/test_fuzz.py).
        assignee = risk_review.assignable_users().filter(pk=user_id).first() if user_id.isdigit() else None
        if assignee is None:
            return _detail(request, pk, error="Choose a researcher or admin from the list.", status=400)
    risk_review.assign(flag, assignee, by=request.user, request=request)
    messages.success(request, f"Assigned to {assignee.get_username()}." if assignee else "Unassigned.")
    return redirect("risk:flag", pk=pk)


@require_POST
@risk_reviewers_only
def flag_decide(request, pk):
    flag = get_object_or_404(risk_review.flags_for(request.user), pk=pk)
    reason = request.POST.get("reason", "")
    try:
        risk_review.decide(flag, request.POST.get("action", ""), reason, by=request.user, request=request)
    except ValidationError as error:
        return _detail(request, pk, error=" ".join(error.messages), status=400, reason=reason)
    messages.success(request, "Decision recorded.")
    return redirect("risk:flag", pk=pk)
