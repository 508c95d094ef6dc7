"""Compute authenticator codes the way an app on a phone would, with allauth's own helper."""

import time

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from core.auth import OnwardMFAAdapter


def code(secret, offset=0):
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset))


def enrol(user):
    """Give ``user`` a TOTP authenticator (as enrolment would) and return its secret."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def secret_of(user):
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return OnwardMFAAdapter().decrypt(authenticator.data["secret"])


_last_counter = {}


def fresh_code(username):
    """A code for ``username``'s authenticator that has not been used yet: allauth refuses a code
    twice, so a second log-in within 30 seconds takes the next step's code (tolerance 1)."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=username)
    counter = int(time.time()) // 30
    if _last_counter.get(username, -1) >= counter:
        counter = _last_counter[username] + 1
    _last_counter[username] = counter
    return format_hotp_value(hotp_value(secret_of(user), counter))
