from celery import shared_task
from django.contrib.auth import get_user_model


@shared_task(acks_late=True)
def ping(value):
    """A harmless round trip through the broker and the database, for health checks and tests."""
    return {"echo": value, "users": get_user_model().objects.count()}
