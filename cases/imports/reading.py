"""Reading a spreadsheet (CSV or XLSX) into rows keyed by column heading, with the row numbers
a researcher sees in their spreadsheet program (the heading is row 1)."""

import csv
import datetime
import io

from openpyxl import load_workbook


class UnreadableFile(ValueError):
    pass


def read_table(content, name):
    """(headings, [(row number, {heading: text})]) from the bytes of a CSV or XLSX file."""
    if content[:4] == b"PK\x03\x04":
        return _read_xlsx(content)
    if name.lower().endswith((".xlsx", ".xlsm")):
        raise UnreadableFile("This does not look like an Excel (XLSX) file. Save it again as XLSX or CSV.")
    return _read_csv(content)


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, str) and "\x00" in value:
        # A text cell cannot hold it (and PostgreSQL refuses to store it): a binary or UTF-16 file.
        raise UnreadableFile("The file holds NUL characters, which no spreadsheet cell contains: save it "
                             "again as CSV (UTF-8) or XLSX.")
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _rows(records):
    iterator = iter(records)
    try:
        headings = [_cell(value) for value in next(iterator)]
    except StopIteration:
        raise UnreadableFile("The file is empty.") from None
    while headings and not headings[-1]:
        headings.pop()
    if not any(headings):
        raise UnreadableFile("The first row must hold the column headings.")
    seen = set()
    for heading in headings:
        if heading and heading in seen:
            raise UnreadableFile(f"Two columns are headed “{heading}”: give every column its own heading.")
        seen.add(heading)
    rows = []
    for number, record in enumerate(iterator, start=2):
        values = [_cell(value) for value in record]
        if not any(values):
            continue
        rows.append((number, {heading: (values[i] if i < len(values) else "")
                              for i, heading in enumerate(headings) if heading}))
    return [h for h in headings if h], rows


def _read_xlsx(content):
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise UnreadableFile(f"The Excel file could not be read ({error.__class__.__name__}).") from None
    try:
        return _rows(workbook.worksheets[0].iter_rows(values_only=True))
    finally:
        workbook.close()


def _read_csv(content):
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1251 decodes almost anything
        raise UnreadableFile("The CSV file's text encoding is not UTF-8 or Windows-1251.")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return _rows(csv.reader(io.StringIO(text), dialect))
