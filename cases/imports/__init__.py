"""Spreadsheet import (CSV, XLSX): map columns, preview, confirm all or nothing, undo as a whole.

A Django app of its own (label ``imports``) inside the cases package, so its models and Celery
task are found without touching cases/models.py."""
