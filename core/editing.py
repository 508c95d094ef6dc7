"""Saving facts: who changed them, optimistic concurrency, soft deletion and restoring.

Every write from a page goes through ``save_fact`` so that the version check, the audit stamps
and the history happen in one place."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string


class EditConflict(Exception):
    """Someone else saved the record after this edit began."""

    def __init__(self, current, changes):
        self.current = current
        self.changes = changes  # [(field label, their value, your value)]
        super().__init__("The record was changed by someone else while you were editing it.")


def facts_changed(obj):
    """Tell the apps that derive things from facts (the risk engine: cases.risk.fact_changed) that
    ``obj`` changed. Explicit, listed in settings.ONWARD_FACT_HOOKS, not a signal; the hooks
    schedule their work with transaction.on_commit."""
    for path in getattr(settings, "ONWARD_FACT_HOOKS", ()):
        import_string(path)(obj)


def stamp(obj, user, *, creating):
    now = timezone.now()
    user = user if getattr(user, "is_authenticated", False) else None
    if creating:
        obj.created_at = now
        obj.created_by = user
    obj.updated_at = now
    obj.updated_by = user


def diff(old, new, fields):
    changes = []
    for field in fields:
        before, after = field.value_from_object(old), field.value_from_object(new)
        if before != after:
            changes.append((field, before, after))
    return changes


@transaction.atomic
def save_fact(obj, user, *, expected_version=None, m2m=None):
    """Insert or update ``obj``. For an update, ``expected_version`` is the version the user's
    form was built from; if the row has moved on since, nothing is written and ``EditConflict``
    says what the other person changed. The version bump is a conditional UPDATE, so two
    simultaneous saves cannot both pass."""
    model = type(obj)
    creating = obj.pk is None
    stamp(obj, user, creating=creating)
    if creating:
        obj.version = 1
        obj.full_clean()
        obj.save()
    else:
        if expected_version is not None:
            claimed = model.all_objects.filter(pk=obj.pk, version=expected_version).update(
                version=expected_version + 1
            )
            if not claimed:
                current = model.all_objects.get(pk=obj.pk)
                editable = [f for f in model._meta.concrete_fields if f.editable and not f.primary_key]
                raise EditConflict(current, diff(_previous_version(current, expected_version), current, editable))
            obj.version = expected_version + 1
        else:
            obj.version = (obj.version or 0) + 1
        obj.full_clean()
        obj.save()
    if m2m:
        for name, values in m2m.items():
            getattr(obj, name).set(values)
    facts_changed(obj)
    return obj


def _previous_version(current, version):
    """The record as it stood at ``version``, from its history, to show what changed since."""
    history = getattr(current, "history", None)
    if history is not None:
        old = history.filter(version=version).order_by("-history_date").first()
        if old is not None:
            return old.instance
    return current


@transaction.atomic
def soft_delete(obj, user):
    obj.deleted_at = timezone.now()
    obj.deleted_by = user if getattr(user, "is_authenticated", False) else None
    stamp(obj, user, creating=False)
    obj.version += 1
    obj.save()
    facts_changed(obj)
    return obj


@transaction.atomic
def undelete(obj, user):
    obj.deleted_at = None
    obj.deleted_by = None
    stamp(obj, user, creating=False)
    obj.version += 1
    obj.save()
    facts_changed(obj)
    return obj
