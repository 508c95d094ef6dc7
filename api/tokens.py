"""Issuing, checking and revoking API tokens."""

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone

from core.roles import can_read

from .models import ApiToken

TOKEN_PREFIX = "onw_"  # noqa: S105 - a label that marks Onward tokens, not a secret


def digest(raw):
    return hashlib.sha256(raw.encode()).hexdigest()


def issue(user, name):
    """A new token for ``user``: returns (token row, the raw token — shown once, never stored)."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name.strip()[:120] or "API token", prefix=raw[:12],
                                    key_hash=digest(raw))
    return token, raw


def user_for(raw):
    """The active user a live token belongs to, or None."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = ApiToken.objects.live().select_related("user").filter(key_hash=digest(raw)).first()
    if token is None or not token.user.is_active or not can_read(token.user):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def revoke(token, by):
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = by
        token.save(update_fields=["revoked_at", "revoked_by"])
    return token
