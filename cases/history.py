"""A record's history in words, and restoring an earlier version.

django-simple-history keeps every saved state; here each version is compared with the one before
it so the page can say "Offence: Embezzlement → Fraud". Restoring writes the old values through
core/editing.save_fact, so the restore is itself a new version (and the caller audits it)."""

from core.editing import save_fact
from core.forms import describe

# Bookkeeping fields the history page does not list as changes.
QUIET = {"updated_at", "updated_by", "version", "created_at", "created_by", "search_key", "script"}


def _editable_fields(model):
    return [f for f in model._meta.concrete_fields if f.editable and not f.primary_key]


def versions(obj):
    """Newest first: [{"record", "user", "date", "what", "changes": [(label, before, after)]}]."""
    model = type(obj)
    records = list(obj.history.select_related("history_user").order_by("history_date", "history_id"))
    fields = {f.name: f for f in model._meta.concrete_fields}
    rows = []
    previous = None
    for rec in records:
        changes = []
        what = {"+": "Created", "~": "Changed", "-": "Removed"}[rec.history_type]
        if previous is not None:
            delta = rec.diff_against(previous, excluded_fields=QUIET)
            for change in delta.changes:
                field = fields.get(change.field)
                if field is None:
                    continue
                if change.field == "deleted_at":
                    what = "Deleted" if change.new else "Undeleted"
                    continue
                if change.field == "deleted_by":
                    continue
                changes.append((str(field.verbose_name).capitalize(), describe(obj, field, change.old),
                                describe(obj, field, change.new)))
        rows.append({"record": rec, "user": rec.history_user, "date": rec.history_date, "what": what,
                     "changes": changes, "version": rec.version})
        previous = rec
    rows.reverse()
    return rows


def restore(obj, history_id, user, *, expected_version):
    """Put back the editable values ``obj`` had in history entry ``history_id``. Returns (obj, the
    historical record). Raises EditConflict if the record moved on since the page was shown."""
    old = obj.history.get(history_id=history_id)
    past = old.instance
    for field in _editable_fields(type(obj)):
        setattr(obj, field.attname, getattr(past, field.attname))
    save_fact(obj, user, expected_version=expected_version)
    return obj, old
