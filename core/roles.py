"""Roles are Django groups. One place answers what a role may do; views ask here."""

from django.db import models

from .statements import Statement


class Role(models.TextChoices):
    VIEWER = "viewer", "Viewer (read)"
    RESEARCHER = "researcher", "Researcher (edit)"
    LAWYER = "lawyer", "Lawyer (read and export)"
    ADMIN = "admin", "Admin (everything, plus risk review)"


def _groups_of(no_user, *, member):
    from django.contrib.auth.models import Group

    return Group.objects.filter(user=member).values_list("name")


# Read on every request: compiled once (core/statements.py).
GROUPS = Statement(_groups_of)


def roles_of(user):
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_onward_roles", None)
    if cached is None:
        names = {name for (name,) in GROUPS.values(None, member=user.pk)}
        if user.is_superuser:
            names.add(Role.ADMIN)
        cached = frozenset(name for name in names if name in Role.values)
        user._onward_roles = cached
    return cached


def is_admin(user):
    return Role.ADMIN in roles_of(user)


def can_read(user):
    return bool(roles_of(user))


def can_edit(user):
    return bool(roles_of(user) & {Role.RESEARCHER, Role.ADMIN})


def can_export(user):
    return bool(roles_of(user) & {Role.LAWYER, Role.ADMIN})


def can_review_risk(user):
    return is_admin(user)
