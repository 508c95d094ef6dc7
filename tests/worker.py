"""Start and stop a real Celery worker for tests, against the real Redis and the test database."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import redis
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def redis_url():
    url = os.environ.get("REDIS_URL") or os.environ.get("TEST_REDIS_URL") or "redis://127.0.0.1:6379/15"
    # One Redis database per xdist process: workers started by two test processes must not take
    # each other's tasks (each process has its own test database).
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if worker.startswith("gw"):
        parts = urlsplit(url)
        base = int(parts.path.lstrip("/") or 0)
        url = urlunsplit(parts._replace(path=f"/{(base - int(worker[2:])) % 16}"))
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as error:
        raise RuntimeError(
            f"This test needs Redis at {url} and could not reach it ({error}). Start Redis "
            "(see README: PostgreSQL and Redis) or set REDIS_URL."
        ) from error
    return url


def database_url():
    settings = connection.settings_dict
    if connection.vendor != "postgresql":
        raise RuntimeError("A real worker shares the test database, which must be PostgreSQL: set DATABASE_URL.")
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    return (f"postgres://{settings['USER']}{password}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
            f"/{settings['NAME']}")


class Worker:
    def __init__(self, queue_prefix="test"):
        self.redis_url = redis_url()
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "REDIS_URL": self.redis_url,
            "ONWARD_ALLOW_INSECURE_KEY": "1",
            "DEBUG": "1",
            "PYTHONUNBUFFERED": "1",
        }
        self.process = None
        self.log = ROOT / "data" / f"worker-{os.getpid()}.log"
        self.log.parent.mkdir(exist_ok=True)

    def start(self):
        self._logfile = open(self.log, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--concurrency=1",
             "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=self.env, stdout=self._logfile, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"The Celery worker exited: {self.log.read_text()[-2000:]}")
            if b"ready." in self.log.read_bytes():
                return self
            time.sleep(0.2)
        raise RuntimeError(f"The Celery worker did not become ready: {self.log.read_text()[-2000:]}")

    def kill(self):
        """SIGKILL, as an OOM killer or a crash would: no chance to acknowledge anything."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self._logfile.close()

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        if getattr(self, "_logfile", None) and not self._logfile.closed:
            self._logfile.close()
        # leave log on disk for debugging a failure
