"""Demo log-ins, one per role. Refuses to run unless DEBUG is on: these passwords are public."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from core.roles import Role


class Command(BaseCommand):
    help = "Create demo users admin, researcher, lawyer, viewer (password onward-demo-<role>). DEBUG only."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo users have public passwords: create them only with DEBUG=1.")
        User = get_user_model()
        for role in Role.values:
            user, created = User.objects.get_or_create(
                username=role, defaults={"first_name": role.capitalize(), "email": f"{role}@example.org"}
            )
            if created:
                user.set_password(f"onward-demo-{role}")
                user.is_staff = role == Role.ADMIN
                user.is_superuser = role == Role.ADMIN
                user.save()
            user.groups.add(Group.objects.get(name=role))
        self.stdout.write("Demo users: admin, researcher, lawyer, viewer (password onward-demo-<role>)")
