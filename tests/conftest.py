import os

import pytest

from tests import factories
from tests.security.fuzz_report import (  # noqa: F401 - pytest hooks: the fuzz counts at the end of a run
    pytest_sessionfinish,
    pytest_terminal_summary,
    pytest_testnodedown,
)

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


def pytest_configure(config):
    """Each test process keeps its own cache. In production the log-in throttle's counters live in
    Redis, shared by every web process; in the suite two xdist workers would share them too, and one
    worker's cache.clear() (Redis FLUSHDB) would wipe counters another worker's test is building."""
    from django.conf import settings

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": f"onward-tests-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"}}


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: what one test's pages cached (the risk explanations'
    reference tables, throttle counters) must not answer for another test's rows."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def broker():
    """This test process sends tasks to the real Redis (its own database, tests/worker.py) instead of
    running them in-process; a real Worker started by the test takes them."""
    import redis

    from config.celery import app
    from tests.worker import redis_url

    def fresh_producers():
        # Not kombu's pools.reset(): it closes the process-wide pools but leaves them registered, so
        # the next test would be handed a closed pool. A new broker URL gets its own pool anyway.
        app._pool = None
        app.amqp._producer_pool = None

    url = redis_url()
    saved = app.conf.task_always_eager, app.conf.broker_url, app.conf.broker_transport_options
    app.conf.task_always_eager = False
    app.conf.broker_url = url
    app.conf.broker_transport_options = {"visibility_timeout": 3}  # a killed worker's task is handed on fast
    fresh_producers()
    redis.Redis.from_url(url).flushdb()  # no stale messages from another run
    yield url
    app.conf.task_always_eager, app.conf.broker_url, app.conf.broker_transport_options = saved
    fresh_producers()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    # Real Celery workers share one Redis queue: under xdist, a worker started by one test process
    # would take tasks sent by another (against another test database). Run them in one process.
    # (The worker test modules also carry the mark; this catches a new one that forgets it.)
    for item in items:
        if item.get_closest_marker("worker") and not item.get_closest_marker("xdist_group"):
            item.add_marker(pytest.mark.xdist_group("worker"))
