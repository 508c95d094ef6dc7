"""pytest hooks (imported by tests/conftest.py, which the xdist controller loads too): each test
process hands its fuzz tally to the controller, which prints one line per fuzzed form or URL at the end
of the run and writes them to FUZZ_REPORT (JSON) when that is set."""

import json
import os

import pytest

from tests.security import fuzzing

_from_workers = {}


def pytest_sessionfinish(session):
    if hasattr(session.config, "workeroutput"):  # an xdist worker: hand the tally over
        session.config.workeroutput["fuzz_tally"] = json.dumps(fuzzing.TALLY)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    fuzzing.merge(_from_workers, json.loads(getattr(node, "workeroutput", {}).get("fuzz_tally", "{}")))


def pytest_terminal_summary(terminalreporter):
    if hasattr(terminalreporter.config, "workeroutput"):
        return
    tally = fuzzing.merge(json.loads(json.dumps(fuzzing.TALLY)), _from_workers)
    if not tally:
        return
    terminalreporter.section("fuzz counts (examples / accepted / refused per target)")
    for line in fuzzing.summary_lines(tally):
        terminalreporter.write_line(line)
    if os.environ.get("FUZZ_REPORT"):
        fuzzing.write_report(tally, os.environ["FUZZ_REPORT"])
        terminalreporter.write_line(f"written to {os.environ['FUZZ_REPORT']}")
