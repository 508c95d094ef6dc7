"""Log-in policy glue for allauth and axes: no self sign-up, and the username axes counts failures for."""

import base64

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class OnwardAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # Accounts are created by an admin, with a role; nobody signs themselves up to a case tracker
        # whose files state services want to read.
        return False


def username_from_login(request, credentials):
    """axes: the username a failed log-in was for. allauth passes ``username=``; its form field is ``login``."""
    username = (credentials or {}).get("username")
    if username is None and request is not None:
        username = request.POST.get("login") or request.POST.get("username")
    return (username or "").strip().lower()[:150] or None


class OnwardMFAAdapter(DefaultMFAAdapter):
    """TOTP secrets are stored encrypted (Fernet, key derived from SECRET_KEY): a stolen database
    dump without the server's key cannot mint second-factor codes. Rotating SECRET_KEY therefore
    means re-enrolling authenticator apps (docs/security.md)."""

    def _fernet(self):
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"onward-mfa",
                   info=b"totp-secret").derive(settings.SECRET_KEY.encode())
        return Fernet(base64.urlsafe_b64encode(key))

    def encrypt(self, text):
        return self._fernet().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text):
        return self._fernet().decrypt(encrypted_text.encode()).decode()
