"""The same timeline as CSV (one row per fact, for spreadsheets) and JSON (structured, for other tools)."""

import csv
import io
import json

from core.dates import format_single

CSV_COLUMNS = [
    "ref", "date", "date_end", "date_display", "precision", "kind", "label", "title", "detail",
    "claim_status", "contested", "confidential", "sources",
]
# Spreadsheets run a cell that starts with one of these as a formula (CSV injection, OWASP).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def citation_dict(citation):
    source = citation.source
    return {
        "position": citation.position,
        "quote": citation.quote,
        "page": citation.page,
        "source": {
            "title": source.title, "author": source.author, "publisher": source.publisher,
            "date": source.date.isoformat() if source.date else None,
            "date_display": format_single(source.date, source.date_precision) if source.date else "",
            "url": source.url, "kind": source.kind,
        },
        # The cited file (sources.Document), its page and hash: what a reader checks the file against.
        "file": {
            "name": citation.document.original_name, "page": citation.document_page,
            "sha256": citation.document.sha256, "label": citation.document_label,
        } if citation.document_id else None,
    }


def citation_line(citation):
    """One source in one line of a CSV cell: title — author, publisher — date — URL — position — “quote” (page)."""
    data = citation_dict(citation)
    source = data["source"]
    bits = [source["title"], ", ".join(b for b in [source["author"], source["publisher"]] if b),
            source["date_display"], source["url"], citation.position,
            f"“{citation.quote}”" if citation.quote else "", citation.page,
            f"file {citation.document_label}" if citation.document_id else ""]
    return " — ".join(bit for bit in bits if bit)


def entry_dict(entry):
    fact = entry.fact
    return {
        "ref": entry.ref,
        "kind": entry.kind,
        "label": entry.label,
        "title": entry.title,
        "detail": entry.detail,
        "date": entry.date.isoformat() if entry.date else None,
        "date_end": fact.date_end.isoformat() if getattr(fact, "date_end", None) else None,
        "date_display": entry.date_display,
        "precision": entry.precision,
        "qualifier": getattr(fact, "date_qualifier", "on"),
        "claim_status": entry.claim_status,
        "contested": entry.contested,
        "confidential": entry.confidential,
        "citations": [citation_dict(c) for c in entry.citations],
    }


def to_csv(entries):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        data = entry_dict(entry)
        writer.writerow([_cell(value) for value in [
            data["ref"], data["date"], data["date_end"], data["date_display"], data["precision"], data["kind"],
            data["label"], data["title"], data["detail"], data["claim_status"],
            "yes" if data["contested"] else "no", "yes" if data["confidential"] else "no",
            "\n".join(citation_line(c) for c in entry.citations),
        ]])
    # A byte-order mark so spreadsheet programs read the Cyrillic as UTF-8.
    return "\ufeff" + buffer.getvalue()


def to_json(header, entries):
    return json.dumps({**header, "entries": [entry_dict(e) for e in entries]}, ensure_ascii=False, indent=2)
