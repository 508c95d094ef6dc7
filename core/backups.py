"""Backups of the whole database: pg_dump's custom format on PostgreSQL, an online copy through
SQLite's backup API on the embedded default. Restoring replaces the database's contents.

The files hold everything, whereabouts included: keep them encrypted and off the server
(docs/security.md, "A stolen backup")."""

import os
import shutil
import sqlite3
import subprocess  # noqa: S404 - runs pg_dump/pg_restore with a fixed argument list, no shell
from pathlib import Path

from django.db import connections


class BackupError(Exception):
    pass


def _pg_env(settings_dict):
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    sslmode = settings_dict.get("OPTIONS", {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = sslmode
    return env


def _pg_args(settings_dict):
    args = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings_dict.get(key):
            args += [flag, str(settings_dict[key])]
    return args + ["--dbname", settings_dict["NAME"]]


def _tool(name):
    path = shutil.which(name)
    if not path:
        raise BackupError(f"{name} is not installed: install the PostgreSQL client (apt-get install postgresql-client).")
    return path


def backup(destination, using="default"):
    """Write a backup of database ``using`` to ``destination``; return its path."""
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    connection = connections[using]
    settings_dict = connection.settings_dict
    if connection.vendor == "postgresql":
        command = [_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(destination),
                   *_pg_args(settings_dict)]
        result = subprocess.run(command, env=_pg_env(settings_dict), capture_output=True, text=True)  # noqa: S603
        if result.returncode:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(destination)
        try:
            connection.connection.backup(target)  # online: consistent while the site is in use
        finally:
            target.close()
    else:
        raise BackupError(f"No backup method for {connection.vendor}.")
    os.chmod(destination, 0o600)
    return destination


def restore(source, using="default"):
    """Replace database ``using``'s contents with the backup at ``source``."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"No backup file at {source}.")
    connection = connections[using]
    settings_dict = connection.settings_dict
    if connection.vendor == "postgresql":
        connection.close()
        command = [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
                   "--exit-on-error", *_pg_args(settings_dict), str(source)]
        result = subprocess.run(command, env=_pg_env(settings_dict), capture_output=True, text=True)  # noqa: S603
        if result.returncode:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            backup_db.backup(connection.connection)
        finally:
            backup_db.close()
    else:
        raise BackupError(f"No restore method for {connection.vendor}.")
