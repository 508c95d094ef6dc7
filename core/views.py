from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cases.selectors import dashboard_context


@require_GET
def dashboard(request):
    return render(request, "core/dashboard.html", dashboard_context(request.user))


@login_not_required
@require_GET
def health(request):
    """For load balancers and compose: answers 200 when the database answers. Reveals nothing else."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
