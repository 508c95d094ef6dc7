from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from .models import Case


@require_GET
def case_list(request):
    cases = Case.objects.visible_to(request.user).select_related("person", "host_state", "persecuting_state")
    return render(request, "cases/case_list.html", {"cases": cases[:50]})


@require_GET
def case_detail(request, pk):
    case = get_object_or_404(Case.objects.visible_to(request.user).select_related("person"), pk=pk)
    return render(request, "cases/case_detail.html", {"case": case})
