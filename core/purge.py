"""Purging soft-deleted records for good: the row, its version history and what cascades from it.
Only admins; only rows already soft-deleted; every purge is written to the access log (action
"purge") with what it was, so the log shows that something was removed even though its content is gone."""

from django.db import transaction
from django.db.models import ProtectedError

from audit.log import record
from audit.models import Action
from core.roles import is_admin


class PurgeRefused(Exception):
    pass


def _case_id(obj):
    if obj._meta.label == "cases.Case":
        return obj.pk
    return getattr(obj, "case_id", None)


def purge(objects, user, request=None):
    """Delete each soft-deleted object in ``objects`` for good. Returns how many were purged."""
    if not is_admin(user):
        raise PurgeRefused("Only an admin can purge deleted records.")
    objects = list(objects)
    live = [obj for obj in objects if not obj.is_deleted]
    if live:
        raise PurgeRefused(f"{len(live)} of these records are not deleted; delete them first, then purge.")
    purged = 0
    with transaction.atomic():
        for obj in objects:
            label, pk, text, case_id = obj._meta.label, obj.pk, str(obj)[:200], _case_id(obj)
            history = getattr(type(obj), "history", None)
            try:
                obj.delete()
            except ProtectedError as error:
                raise PurgeRefused(f"{label} #{pk} is still referred to by other records: {error.protected_objects}"
                                   ) from error
            if history is not None:
                history.filter(id=pk).delete()  # its earlier versions held the same content
            record(request, Action.PURGE, user=user, case=case_id, obj=f"{label} #{pk}",
                   model=label, object_id=pk, was=text)
            purged += 1
    return purged
