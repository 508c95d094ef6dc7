"""Who may see and change what: the one place that decides (docs/security.md, "Authorisation").

Two layers, both answered here or in the functions this module re-exports:

1. Roles (core/roles.py): viewer reads, researcher edits, lawyer reads and exports, admin does
   everything plus risk review. ``require_role`` guards a view by role.
2. Case scope: ``Case.objects.visible_to(user)`` (cases/models.py) is the only way to fetch case data.
   A restricted case is visible to its team (``Case.team``, ``Case.assigned_to``) and admins; to
   anyone else it does not exist (404). ``case_for(user, pk)`` is the view-side shortcut.
3. Field-level confidentiality: a person's whereabouts (``Person.whereabouts_city``,
   ``whereabouts_address``, ``phone``) and every fact with ``confidential=True`` are shown
   only to the team of a case about them and to admins: ``can_see_confidential(user, case)``,
   ``can_see_whereabouts(user, person)``, ``visible_facts(user, case, queryset)``, ``redact_person``.
   Exports leave them out unless the exporter asks and ``can_see_confidential`` allows it.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from core.roles import Role, can_edit, can_export, can_read, can_review_risk, is_admin, roles_of

__all__ = [
    "Role", "roles_of", "can_read", "can_edit", "can_export", "can_review_risk", "is_admin",
    "require_role", "case_for", "is_on_team", "can_see_confidential", "can_see_whereabouts",
    "visible_facts", "redact_person", "WHEREABOUTS_FIELDS",
]

WHEREABOUTS_FIELDS = ("whereabouts_city", "whereabouts_address", "phone")
REDACTED = "(confidential: case team only)"


def require_role(*roles):
    """View decorator: 403 unless the user holds one of ``roles`` (admins always pass).
    ``@require_role(Role.RESEARCHER)`` for editing views, ``@require_role(Role.LAWYER)`` for exports."""
    wanted = {str(role) for role in roles} | {Role.ADMIN}

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not (roles_of(request.user) & wanted):
                raise PermissionDenied("Your role does not allow this.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def case_for(user, pk, queryset=None):
    """The case ``pk`` if ``user`` may see it, else 404 (never 403: a restricted case must not be
    confirmed to exist)."""
    from cases.models import Case

    return get_object_or_404((queryset if queryset is not None else Case.objects).visible_to(user), pk=pk)


def is_on_team(user, case):
    if not user.is_authenticated:
        return False
    return case.team.filter(pk=user.pk).exists() or case.assigned_to.filter(pk=user.pk).exists()


def can_see_confidential(user, case):
    """Whereabouts and confidential facts of ``case``: its team and admins only — for restricted and
    unrestricted cases alike (a viewer may read an open case but not where the person sleeps)."""
    if not can_read(user):
        return False
    return is_admin(user) or is_on_team(user, case)


def can_see_whereabouts(user, person):
    """A person's current whereabouts: admins, and the team of any case about that person."""
    if not can_read(user):
        return False
    if is_admin(user):
        return True
    from django.db.models import Q

    return person.cases.filter(Q(team=user) | Q(assigned_to=user)).exists()


def visible_facts(user, case, queryset):
    """``queryset`` of facts (anything with ``confidential``) without the confidential ones unless
    ``user`` may see them for ``case``."""
    return queryset if can_see_confidential(user, case) else queryset.filter(confidential=False)


def redact_person(user, person):
    """A dict of the whereabouts fields to show for ``person``: the values, or a redaction notice."""
    allowed = can_see_whereabouts(user, person)
    return {field: (getattr(person, field, "") if allowed else REDACTED) for field in WHEREABOUTS_FIELDS}
