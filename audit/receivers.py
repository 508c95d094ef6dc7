"""Access-log entries for events Django and allauth announce by signal: log-ins, failed log-ins,
log-outs, role (group) changes, case team changes, two-factor changes, lockouts. Each receiver only
records; nothing else happens here."""

from allauth.mfa.signals import authenticator_added, authenticator_removed
from axes.signals import user_locked_out
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver

from cases.models import Case

from .log import record
from .models import Action


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    record(request, Action.LOGIN, user=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username") or credentials.get("login") or "")[:150]
    record(request, Action.LOGIN_FAILED, username=username or "(blank)")


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(request, Action.LOGOUT, user=user)


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    record(request, Action.LOGIN_FAILED, username=str(username or "(blank)")[:150], locked_out=True)


def _current_request():
    # simple_history's middleware keeps the request of the thread; changes made outside a request
    # (shell, commands) are recorded without an address.
    from simple_history.models import HistoricalRecords

    return getattr(HistoricalRecords.context, "request", None)


@receiver(m2m_changed, sender=get_user_model().groups.through)
def _roles_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    from django.contrib.auth.models import Group

    if reverse:  # group.user_set changed: instance is the group
        users = list(get_user_model().objects.filter(pk__in=pk_set or ())) if pk_set else []
        what = f"group {instance.name}: {action[5:]} " + ", ".join(u.get_username() for u in users)
    else:
        groups = list(Group.objects.filter(pk__in=pk_set or ()).values_list("name", flat=True))
        what = f"user {instance.get_username()}: {action[5:]} " + ", ".join(groups)
    record(_current_request(), Action.PERMISSION_CHANGE, obj=what, change=action[5:])


def _team_changed(field):
    def receiver_(sender, instance, action, reverse, pk_set, **kwargs):
        if action not in {"post_add", "post_remove", "post_clear"}:
            return
        names = list(get_user_model().objects.filter(pk__in=pk_set or ()).values_list("username", flat=True))
        if reverse:  # user.case_teams changed: instance is the user, pk_set the cases
            for case_id in pk_set or ():
                record(_current_request(), Action.PERMISSION_CHANGE, case=case_id,
                       obj=f"{field} of case {case_id}: {action[5:]} {instance.get_username()}")
            return
        record(_current_request(), Action.PERMISSION_CHANGE, case=instance.pk,
               obj=f"{field} of {instance}: {action[5:]} " + ", ".join(names), change=action[5:])
    return receiver_


_team_receiver = _team_changed("team")
_assigned_receiver = _team_changed("assigned_to")
m2m_changed.connect(_team_receiver, sender=Case.team.through, dispatch_uid="audit_case_team")
m2m_changed.connect(_assigned_receiver, sender=Case.assigned_to.through, dispatch_uid="audit_case_assigned")


@receiver(authenticator_added)
def _second_factor_added(sender, request, user, authenticator, **kwargs):
    record(request, Action.PERMISSION_CHANGE, user=user, obj=f"added {authenticator.type} for {user}")


@receiver(authenticator_removed)
def _second_factor_removed(sender, request, user, authenticator, **kwargs):
    record(request, Action.PERMISSION_CHANGE, user=user, obj=f"removed {authenticator.type} for {user}")


_ADMIN_VERBS = {ADDITION: "added", CHANGE: "changed", DELETION: "deleted"}


@receiver(post_save, sender=LogEntry)
def _admin_change(sender, instance, created, **kwargs):
    """Every change made through Django's admin (accounts, groups, permissions, any record)."""
    if not created:
        return
    model = instance.content_type.model if instance.content_type_id else ""
    action = Action.PERMISSION_CHANGE if model in {"user", "group", "permission"} else Action.OTHER
    record(_current_request(), action, user=instance.user,
           obj=f"admin {_ADMIN_VERBS.get(instance.action_flag, 'changed')} {model}: {instance.object_repr}",
           admin_change=instance.get_change_message()[:500])
