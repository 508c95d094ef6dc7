"""What the fuzz tests share: hostile values, hypothesis settings sized for CI, a fingerprint of
Onward's tables (to prove a refused input wrote nothing), and the per-target tally that is printed at
the end of the run and written to FUZZ_REPORT."""

import json
import os
import threading
from collections import defaultdict
from pathlib import Path

from django.apps import apps
from django.db import connection
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
CI = bool(os.environ.get("CI"))

NASTY = [
    "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "' OR '1'='1' --", "1; DROP TABLE cases_case;--",
    "%00", "\u202eevil", "\ufeff", "Мухтар Аблязов", "Muxtor Ablyazov", "穆赫塔尔", "مختار",
    "Μουχτάρ Ablязов", "2024-02-30", "2023-13-01", "0000-00-00", "31/02/2020", "9999-12-31", "-0001-01-01",
    "30 February 2011", "between 2009 and 2008", "c. 0", "Dec 99999", "since -5",
    "1e309", "NaN", "-1", "0", "99999999999999999999999", "9223372036854775808", "0x7fffffff", "../../etc/passwd",
    "{{ 7*7 }}", "${7*7}", "null", "true", "[]", "{}", " ", "", "a" * 10_000, "ж" * 5_000, "\r\n" * 500,
    "🙂" * 300, "\u0301" * 100, "x\u200by", "\ud7ff\ue000",
]
CONTROL = st.text(st.characters(min_codepoint=1, max_codepoint=0x1F) | st.characters(min_codepoint=0x7F,
                                                                                    max_codepoint=0x9F), max_size=50)
texts = st.one_of(
    st.sampled_from(NASTY),
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs"], exclude_characters="\x00"), max_size=400),
    CONTROL,
    st.builds(lambda a, b: a + b, st.sampled_from(NASTY), st.text(max_size=50)),
    st.dates().map(str),
    st.integers().map(str),
)


def hypothesis_settings(examples):
    """No example database (the suite runs from a clean checkout), no deadline (the machine is
    shared), no shrinking in CI (a failing input is reported as generated) and a fixed seed there."""
    phases = [Phase.explicit, Phase.generate] + ([] if CI else [Phase.shrink])
    return settings(max_examples=examples, deadline=None, database=None, phases=phases, derandomize=CI,
                    suppress_health_check=list(HealthCheck), print_blob=False)


# --- "nothing was written" ---------------------------------------------------------------------------

def _own_models():
    """Onward's own models (not the access log, sessions or log-in attempts, which a refused request
    rightly writes to; not the .venv's apps, which live inside the checkout)."""
    for config in apps.get_app_configs():
        if config.path.startswith(str(ROOT)) and "site-packages" not in config.path and config.label != "audit":
            yield from config.get_models()


_FINGERPRINT_SQL = None


def fingerprint():
    """One query: for each of Onward's tables its row count, and where it has them the sum of the
    versions and the latest update, so an UPDATE that slipped through is seen as well as an INSERT."""
    global _FINGERPRINT_SQL
    if _FINGERPRINT_SQL is None:
        quote = connection.ops.quote_name
        parts = []  # table and column names from the models' own metadata, quoted: no input reaches this SQL
        for model in _own_models():
            table = quote(model._meta.db_table)
            parts.append(f"(SELECT COUNT(*) FROM {table})")  # noqa: S608
            names = {field.column for field in model._meta.concrete_fields}
            if "version" in names:
                parts.append(f"(SELECT COALESCE(SUM({quote('version')}), 0) FROM {table})")  # noqa: S608
            if "updated_at" in names:
                parts.append(f"(SELECT MAX({quote('updated_at')}) FROM {table})")  # noqa: S608
        _FINGERPRINT_SQL = "SELECT " + ", ".join(parts)
    with connection.cursor() as cursor:
        cursor.execute(_FINGERPRINT_SQL)
        return cursor.fetchone()


# --- the tally ----------------------------------------------------------------------------------------

_lock = threading.Lock()
TALLY = defaultdict(lambda: {"layer": "", "examples": 0, "accepted": 0, "refused": 0})


def count(target, layer, outcome):
    with _lock:
        entry = TALLY[target]
        entry["layer"] = layer
        entry["examples"] += 1
        entry[outcome] += 1


def merge(into, other):
    for target, entry in other.items():
        mine = into.setdefault(target, {"layer": entry["layer"], "examples": 0, "accepted": 0, "refused": 0})
        for key in ("examples", "accepted", "refused"):
            mine[key] += entry[key]
    return into


def summary_lines(tally):
    if not tally:
        return []
    lines = [f"{'examples':>8} {'accepted':>8} {'refused':>8}  layer  target"]
    for target, entry in sorted(tally.items(), key=lambda item: (item[1]["layer"], item[0])):
        lines.append(f"{entry['examples']:8d} {entry['accepted']:8d} {entry['refused']:8d}  {entry['layer']:<5}  {target}")
    return lines


def write_report(tally, path):
    Path(path).write_text(json.dumps(dict(sorted(tally.items())), indent=1, ensure_ascii=False) + "\n")
