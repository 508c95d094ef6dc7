"""Write to the access log. Call from views (thin) and services."""

from .models import AccessEvent


def client_ip(request):
    # REMOTE_ADDR only: X-Forwarded-For is trivially forged unless a trusted proxy sets it.
    return request.META.get("REMOTE_ADDR") or None


def record(request, action, *, case=None, obj=None, user=None, username="", **details):
    user = user if user is not None else getattr(request, "user", None)
    if user is not None and not user.is_authenticated:
        user = None
    if request is not None:
        request._onward_audited = True  # audit/middleware.py then adds no second entry for it
    return AccessEvent.objects.create(
        user=user,
        username=username or (user.get_username() if user else ""),
        action=action,
        case_id=getattr(case, "pk", case),
        object_repr=str(obj)[:300] if obj is not None else "",
        path=request.get_full_path()[:500] if request is not None else "",
        ip_address=client_ip(request) if request is not None else None,
        details=details,
    )
