"""A real Celery worker, on the real Redis, against the test database."""

import pytest
from celery import Celery

from tests import factories
from tests.worker import Worker

pytestmark = [pytest.mark.worker, pytest.mark.xdist_group("worker"), pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker():
    running = Worker().start()
    yield running
    running.stop()


def test_a_real_worker_runs_a_task_and_returns_its_result(worker):
    factories.user("viewer", username="someone")
    client = Celery("onward-test", broker=worker.redis_url, backend=worker.redis_url)
    result = client.send_task("core.tasks.ping", args=["hello"])
    assert result.get(timeout=30) == {"echo": "hello", "users": 1}
