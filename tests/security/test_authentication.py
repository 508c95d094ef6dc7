"""Log-in: labels, lockout per username, throttling per address, required second factor for admins
and lawyers, TOTP enrolment and sign-in with a code, sessions ended everywhere."""

import re

import pytest
from allauth.mfa.models import Authenticator
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.urls import reverse

from audit.models import AccessEvent, Action
from tests import factories
from tests.security import totp

PASSWORD = "correct horse battery staple"
pytestmark = pytest.mark.django_db


def sign_in(client, username, password=PASSWORD, **extra):
    return client.post(reverse("login"), {"login": username, "password": password}, **extra)


def test_login_page_has_labelled_username_and_password(client):
    page = client.get("/accounts/login/").content.decode()
    assert ">Username</label>" in page and ">Password</label>" in page and "Sign in</button>" in page


def test_researcher_signs_in_and_the_log_in_is_recorded(client, researcher):
    response = sign_in(client, "rita", REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200
    event = AccessEvent.objects.get(action=Action.LOGIN)
    assert (event.user, event.ip_address) == (researcher, "203.0.113.7")


def test_wrong_password_is_refused_and_recorded_with_the_typed_username(client, researcher):
    response = sign_in(client, "rita", "not the password")
    assert "not correct" in response.content.decode()
    assert AccessEvent.objects.filter(action=Action.LOGIN_FAILED, username="rita").count() == 1


def test_ten_wrong_passwords_lock_the_account_until_an_admin_unlocks_it(client, researcher):
    for _ in range(10):
        response = sign_in(client, "rita", "guess")
    assert response.status_code == 429
    assert "This account is locked" in response.content.decode()
    # Even the right password is refused now.
    locked = sign_in(client, "rita")
    assert locked.status_code == 429 and "_auth_user_id" not in client.session
    # An admin unlocks (Admin → Access attempts → delete; the same as this command).
    from django.core.management import call_command

    call_command("axes_reset_username", "rita")
    assert not AccessAttempt.objects.filter(username="rita").exists()
    assert sign_in(client, "rita").status_code == 302


def test_failures_from_one_address_are_throttled_across_usernames(client, researcher, settings):
    for number in range(30):
        sign_in(client, f"nobody{number}", "guess", REMOTE_ADDR="198.51.100.9")
    response = sign_in(client, "rita", "guess", REMOTE_ADDR="198.51.100.9")
    assert response.status_code == 429
    assert "Too many" in response.content.decode()
    # Another address is not affected.
    assert sign_in(client, "rita", REMOTE_ADDR="198.51.100.10").status_code == 302


def test_password_validators_refuse_a_weak_password(researcher):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("password123", "12345678901234", "rita-rita"):
        with pytest.raises(ValidationError):
            validate_password(weak, researcher)


def open_enrolment(client, password=PASSWORD):
    """The enrolment page; adding a factor asks for the password again first (allauth's sudo mode)."""
    response = client.get(reverse("mfa_activate_totp"))
    if response.status_code == 302 and "reauthenticate" in response.url:
        response = client.post(response.url, {"password": password}, follow=True)
    return response.content.decode()


@pytest.mark.parametrize("role", ["admin", "lawyer"])
def test_admins_and_lawyers_must_enrol_a_second_factor_first(client, role):
    account = factories.user(role, second_factor=False)
    sign_in(client, account.username)
    response = client.get(reverse("cases:list"))
    assert response.status_code == 302 and response.url == reverse("mfa_activate_totp")
    assert "Authenticator secret" in open_enrolment(client)


def test_viewers_are_offered_but_not_forced_into_two_factor(client, viewer):
    client.force_login(viewer)
    assert client.get(reverse("cases:list")).status_code == 200
    assert client.get(reverse("mfa_index")).status_code == 200


def test_admin_enrols_totp_then_needs_a_code_to_sign_in(client):
    admin_user = factories.user("admin", username="ada", second_factor=False)
    sign_in(client, "ada")
    page = open_enrolment(client)
    secret = re.search(r'value="([A-Z2-7]{32})"', page).group(1)
    response = client.post(reverse("mfa_activate_totp"), {"code": totp.code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=admin_user, type="totp").exists()
    stored = Authenticator.objects.get(user=admin_user, type="totp").data["secret"]
    assert secret not in stored  # encrypted at rest
    assert Authenticator.objects.filter(user=admin_user, type="recovery_codes").exists()
    assert client.get(reverse("cases:list")).status_code == 200

    client.post(reverse("logout"))
    response = sign_in(client, "ada")
    assert response.url == reverse("mfa_authenticate")
    assert client.get(reverse("cases:list")).status_code == 302  # not signed in yet
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert "Incorrect code" in wrong.content.decode()
    assert client.post(reverse("mfa_authenticate"), {"code": totp.code(secret, 1)}).status_code == 302
    assert client.get(reverse("cases:list")).status_code == 200


def test_signing_out_everywhere_ends_every_other_session(client, researcher):
    from django.test import Client

    laptop, phone = Client(), Client()
    sign_in(laptop, "rita")
    sign_in(phone, "rita")
    assert Session.objects.count() == 2
    response = laptop.post(reverse("usersessions_list"), {"action": "logout"})
    assert response.status_code == 302
    assert phone.get(reverse("cases:list")).status_code == 302  # back to log-in
    assert laptop.get(reverse("cases:list")).status_code == 200


def test_changing_the_password_ends_other_sessions(client, researcher):
    from django.test import Client

    laptop, phone = Client(), Client()
    sign_in(laptop, "rita")
    sign_in(phone, "rita")
    new = "a different long passphrase 42"
    response = laptop.post(reverse("account_change_password"),
                           {"oldpassword": PASSWORD, "password1": new, "password2": new})
    assert response.status_code == 302
    assert laptop.get(reverse("cases:list")).status_code == 200
    assert phone.get(reverse("cases:list")).status_code == 302


def test_the_admin_log_in_page_sends_everyone_through_two_factor_log_in(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_an_idle_session_expires_and_activity_keeps_it_alive(client, researcher, settings):
    """SESSION_IDLE_TIMEOUT (here 2 s, renewed on every request): a user who keeps working stays
    signed in past it; one who stops is sent back to the log-in page."""
    import time

    settings.SESSION_COOKIE_AGE, settings.ONWARD_SESSION_TOUCH_INTERVAL = 2, 0
    sign_in(client, "rita")
    for _ in range(4):  # 3 s of work, a request every 0.75 s
        assert client.get(reverse("dashboard")).status_code == 200
        time.sleep(0.75)
    time.sleep(2.5)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
