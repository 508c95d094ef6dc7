import os

import pytest

from tests import factories

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def make_user(db):
    return factories.user


@pytest.fixture
def researcher(db):
    return factories.user("researcher", username="rita")


@pytest.fixture
def viewer(db):
    return factories.user("viewer", username="victor")


@pytest.fixture
def lawyer(db):
    return factories.user("lawyer", username="lara")


@pytest.fixture
def admin_user(db):
    return factories.user("admin", username="ada")


@pytest.fixture(autouse=True, scope="session")
def _celery_runs_in_process():
    """The suite runs tasks in-process; tests marked ``worker`` start a real worker on Redis."""
    from config.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
