"""Exports of a case timeline: PDF for court, CSV and JSON for other tools, iCalendar feeds of what is coming.

Every export reads the facts from ``cases.timeline.build`` and is recorded in the access log by
``cases.exports.service``."""
