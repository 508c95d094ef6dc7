"""The court-ready PDF of a case timeline, set with ReportLab (chosen by measurement: docs/exports.md).

A cover (the person, every spelling of their name, citizenships, residence, protection, the case and
its current risk level with the rules behind it, and what this export leaves out), then one
chronological table of every dated fact. Each fact carries numbered notes giving its sources (title,
author or publisher, date, URL, quote, page); the notes sit in the fact's own cell, under a rule, so a
fact is never separated from its sources by a page break. Contested facts are marked and their
sources grouped by side. Every page has the "Confidential" running header, page X of Y, who generated
the document and when.

Fonts are DejaVu (Debian's fonts-dejavu-core), embedded and subset, so Cyrillic and Latin names print
on any reader. ReportLab fetches nothing: every image or font it could load is a local file we name."""

import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.paragraph import cleanBlockQuotedText
from reportlab.platypus.paraparser import ParaParser

from core.dates import format_single

INK = colors.HexColor("#1b1f24")
MUTED = colors.HexColor("#5a6270")
RULE = colors.HexColor("#c9ced6")
ACCENT = colors.HexColor("#7a1f1f")  # the "confidential" and "contested" red, dark enough to print in grey
BAND = colors.HexColor("#f1f3f6")

MARGIN_X = 18 * mm
MARGIN_TOP = 22 * mm
MARGIN_BOTTOM = 20 * mm
# Every column gets an explicit width: ReportLab sizes a None column by wrapping every cell again.
TEXT_WIDTH = A4[0] - 2 * MARGIN_X - 12  # less the frame's 6 pt padding each side
FRAME_HEIGHT = A4[1] - MARGIN_TOP - MARGIN_BOTTOM - 12  # less the frame's own padding

# Tables set a cell font even around flowables; name ours, or Helvetica is referenced without being embedded.
_TABLE_FONT = ("FONT", (0, 0), (-1, -1), "Onward", 8)

_FONTS = {
    "Onward": "DejaVuSans.ttf",
    "Onward-Bold": "DejaVuSans-Bold.ttf",
    "Onward-Serif": "DejaVuSerif.ttf",
    "Onward-Serif-Bold": "DejaVuSerif-Bold.ttf",
}
_registered = False


def register_fonts():
    global _registered
    if _registered:
        return
    font_dir = settings.EXPORT_FONT_DIR
    for name, file_name in _FONTS.items():
        path = font_dir / file_name
        if not path.exists():
            raise ImproperlyConfigured(
                f"PDF export needs the DejaVu fonts ({path} is missing): install Debian's fonts-dejavu-core "
                "or point EXPORT_FONT_DIR at a folder holding DejaVuSans.ttf and DejaVuSerif.ttf.")
        pdfmetrics.registerFont(TTFont(name, str(path)))
    pdfmetrics.registerFontFamily("Onward", normal="Onward", bold="Onward-Bold", italic="Onward",
                                  boldItalic="Onward-Bold")
    pdfmetrics.registerFontFamily("Onward-Serif", normal="Onward-Serif", bold="Onward-Serif-Bold",
                                  italic="Onward-Serif", boldItalic="Onward-Serif-Bold")
    _registered = True


def _styles():
    base = ParagraphStyle("body", fontName="Onward", bulletFontName="Onward", fontSize=8.6, leading=11.2, textColor=INK)
    return {
        "body": base,
        "title": ParagraphStyle("title", base, fontName="Onward-Bold", fontSize=20, leading=25, spaceAfter=2),
        "subtitle": ParagraphStyle("subtitle", base, fontSize=11, leading=15, textColor=MUTED, spaceAfter=10),
        "h2": ParagraphStyle("h2", base, fontName="Onward-Bold", fontSize=11.5, leading=15, spaceBefore=10,
                             spaceAfter=4),
        "label": ParagraphStyle("label", base, fontName="Onward-Bold", fontSize=7.4, leading=9.5,
                                textColor=MUTED),
        "cell": ParagraphStyle("cell", base, fontSize=8.8, leading=11.4),
        "date": ParagraphStyle("date", base, fontName="Onward-Bold", fontSize=8.6, leading=11),
        "kind": ParagraphStyle("kind", base, fontSize=7.2, leading=9, textColor=MUTED),
        "fact": ParagraphStyle("fact", base, fontName="Onward-Bold", fontSize=9, leading=11.6),
        "detail": ParagraphStyle("detail", base, fontSize=8.4, leading=10.8, textColor=INK),
        "side": ParagraphStyle("side", base, fontName="Onward-Bold", fontSize=7.2, leading=9.4,
                               textColor=ACCENT, spaceBefore=2),
        "note": ParagraphStyle("note", base, fontSize=7.2, leading=9.2, leftIndent=9, firstLineIndent=-9,
                               textColor=INK, spaceBefore=1.2),
        "small": ParagraphStyle("small", base, fontSize=7.6, leading=9.8, textColor=MUTED),
        "right": ParagraphStyle("right", base, alignment=TA_RIGHT),
    }


def _e(text):
    return escape(str(text or ""))


class _Line(Flowable):
    """One line of plain text set exactly as a one-line Paragraph sets it (height one leading,
    baseline a font size below the top), without line breaking: each fact's date and kind."""

    def __init__(self, text, style):
        super().__init__()
        self.text, self.style = text, style
        self.spaceBefore, self.spaceAfter = style.spaceBefore, style.spaceAfter

    def wrap(self, available_width, available_height):
        return available_width, self.style.leading

    def draw(self):
        self.canv.setFillColor(self.style.textColor)
        self.canv.setFont(self.style.fontName, self.style.fontSize)
        self.canv.drawString(0, self.style.leading - self.style.fontSize, self.text)


def _line(text, style, width):
    """A short plain text: a _Line when it fits ``width`` (less the row's padding), else a Paragraph."""
    text = cleanBlockQuotedText(str(text or ""))
    if text and pdfmetrics.stringWidth(text, style.fontName, style.fontSize) <= width - 2 * _FactRow.PAD_X:
        return _Line(text, style)
    return _plain(text, style)


def _plain(text, style):
    """A Paragraph of plain text (no markup), without ReportLab's markup parser: a third of the
    chronology's paragraphs are dates, kinds and details, and parsing is a fifth of the time."""
    template = style.__dict__.get("_plain_frag")
    if template is None:
        template = style._plain_frag = ParaParser().parse("x", style)[1][0]
    text = cleanBlockQuotedText(str(text or ""))
    return Paragraph(text, style, frags=[template.clone(text=text)]) if text else Paragraph("", style)


@dataclass
class Cover:
    """What the cover prints, gathered by the service (which decides what the exporter may see)."""

    case: object
    person: object
    names: list  # NameVariant rows
    citizenships: list
    residence: object
    whereabouts: str  # "" unless confidential facts were asked for and allowed
    protections: list  # timeline entries of kind "protection"
    risk: object  # cases.exports.service.RiskSummary or None
    options_text: list  # sentences: what this export includes and leaves out
    entry_count: int


def render(cover, entries, *, generated_by, generated_at, progress=None):
    """The PDF as bytes. ``progress(percent)`` is called as pages are laid out."""
    register_fonts()
    styles = _styles()
    story = _cover_story(cover, styles) + [PageBreak()] + _timeline_story(entries, styles)
    buffer = io.BytesIO()
    stamp = f"Generated by {generated_by} on {generated_at:%d %B %Y, %H:%M %Z}".strip()
    expected_pages = max(2, 1 + len(entries) // 9)

    def on_page(canvas, doc):
        if progress is not None:
            progress(min(99, int(100 * doc.page / expected_pages)))

    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM, title=f"Timeline: {cover.case.title}", author=str(generated_by),
        subject=f"Case timeline of {cover.person.primary_name}", creator="Onward", invariant=False,
    )
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page,
              canvasmaker=_running_canvas(case_title=cover.case.title, stamp=stamp))
    return buffer.getvalue()


def _running_canvas(*, case_title, stamp):
    class RunningCanvas(pdfcanvas.Canvas):
        """Holds pages until the end so each can print "page X of Y" (two-pass numbering)."""

        def __init__(self, *args, **kwargs):
            # Else the page preamble names Helvetica: a font referenced but not embedded.
            kwargs["initialFontName"] = kwargs.get("initialFontName") or "Onward"
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):  # noqa: N802 - ReportLab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total):
            width, height = A4
            self.saveState()
            self.setFillColor(ACCENT)
            self.setFont("Onward-Bold", 8)
            self.drawString(MARGIN_X, height - 12 * mm, "CONFIDENTIAL")
            self.setFillColor(MUTED)
            self.setFont("Onward", 7.5)
            title = case_title if len(case_title) <= 90 else case_title[:89] + "…"
            self.drawRightString(width - MARGIN_X, height - 12 * mm, title)
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            self.line(MARGIN_X, height - 14 * mm, width - MARGIN_X, height - 14 * mm)
            self.line(MARGIN_X, 13 * mm, width - MARGIN_X, 13 * mm)
            self.drawString(MARGIN_X, 9 * mm, stamp)
            self.drawRightString(width - MARGIN_X, 9 * mm, f"Page {self._pageNumber} of {total}")
            self.restoreState()

    return RunningCanvas


def _cover_story(cover, styles):
    case, person = cover.case, cover.person
    story = [
        Paragraph("Case timeline", styles["label"]),
        Paragraph(_e(person.primary_name), styles["title"]),
        Paragraph(_e(case.title), styles["subtitle"]),
    ]
    facts = [
        ("Case status", case.get_status_display()),
        ("Persecuting state", case.persecuting_state),
        ("Host state", case.host_state or "—"),
        ("Citizenship", ", ".join(str(c) for c in cover.citizenships) or "—"),
        ("Residence", cover.residence or "—"),
    ]
    if person.description:
        facts.insert(0, ("Who", person.description))
    if person.birth_year:
        facts.append(("Born", person.birth_year))
    if cover.whereabouts:
        facts.append(("Whereabouts (confidential)", cover.whereabouts))
    story.append(_key_values(facts, styles))

    story.append(Paragraph("Names and spellings", styles["h2"]))
    rows = [[Paragraph("Name", styles["label"]), Paragraph("Script", styles["label"]),
             Paragraph("Kind", styles["label"]), Paragraph("System or language", styles["label"])]]
    for variant in cover.names:
        rows.append([Paragraph(_e(variant.name), styles["cell"]), Paragraph(_e(variant.get_script_display()),
                     styles["cell"]), Paragraph(_e(variant.get_kind_display()), styles["cell"]),
                     Paragraph(_e(variant.system), styles["cell"])])
    story.append(_grid(rows, [62 * mm, 20 * mm, 42 * mm, None]))

    story.append(Paragraph("Protection", styles["h2"]))
    if cover.protections:
        for entry in cover.protections:
            story.append(Paragraph(f"<b>{_e(entry.date_display)}</b> — {_e(entry.title)}", styles["cell"]))
    else:
        story.append(Paragraph("No protection recorded.", styles["cell"]))

    story.append(Paragraph("Current risk", styles["h2"]))
    risk = cover.risk
    if risk is None:
        story.append(Paragraph("No risk evaluation has been stored for this case yet.", styles["cell"]))
    else:
        story.append(Paragraph(f"<b>{_e(risk.level)}</b>{_e(risk.headline)}", styles["cell"]))
        fired = [rule for rule in risk.rules if rule.fired]
        if fired:
            rows = [[Paragraph("Rule that applies", styles["label"]), Paragraph("Why", styles["label"])]]
            for rule in fired:
                rows.append([Paragraph(_e(rule.name), styles["cell"]), Paragraph(_e(rule.why), styles["cell"])])
            story.append(Spacer(1, 3))
            story.append(_grid(rows, [58 * mm, None]))
        others = [rule.name for rule in risk.rules if not rule.fired]
        if others:
            story.append(Spacer(1, 3))
            story.append(Paragraph("<b>Rules checked that do not apply to the facts on file:</b> "
                                   + _e("; ".join(others)) + ".", styles["cell"]))

    if case.summary:
        story.append(Paragraph("Summary", styles["h2"]))
        story.append(Paragraph(_e(case.summary), styles["cell"]))

    story.append(Paragraph("This document", styles["h2"]))
    sentences = [f"{cover.entry_count} dated facts, oldest first, each with its sources in numbered notes."]
    sentences += cover.options_text
    for sentence in sentences:
        story.append(Paragraph(_e(sentence), styles["cell"]))
    return story


def _key_values(pairs, styles):
    rows = [[Paragraph(_e(key), styles["label"]), Paragraph(_e(value), styles["cell"])] for key, value in pairs]
    table = Table(rows, colWidths=[40 * mm, TEXT_WIDTH - 40 * mm], hAlign="LEFT")
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"), _TABLE_FONT,
        ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
    ]))
    return table


def _grid(rows, widths):
    widths = [w if w is not None else TEXT_WIDTH - sum(x for x in widths if x is not None) for w in widths]
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"), _TABLE_FONT,
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
        ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table


def file_text(citation, *, full_hash=True):
    """The cited file, its page and its SHA-256, so the court can check the file it is given is the
    one cited: "File: ruling.pdf p. 2, SHA-256 ab12…" (the whole hash in a first note; a note that
    refers back to it gives sources.Citation.document_label, the hash's first 12 digits)."""
    if not citation.document_id:
        return ""
    if not full_hash:
        return f" File: {_e(citation.document_label)}"
    document = citation.document
    page = f" p. {citation.document_page}" if citation.document_page else ""
    return f" File: {_e(document.original_name)}{page}, SHA-256 {document.sha256}."


def citation_text(citation):
    """One note: title, author or publisher, date, URL, “quote”, page, the cited file with its page and hash."""
    source = citation.source
    bits = [f"<b>{_e(source.title)}</b>"]
    who = ", ".join(bit for bit in [source.author, source.publisher] if bit)
    if who:
        bits.append(_e(who))
    if source.date:
        bits.append(_e(format_single(source.date, source.date_precision)))
    text = ". ".join(bits) + "."
    if source.url:
        text += f' <link href="{_e(source.url)}" color="#1f4e8c">{_e(source.url)}</link>'
    if citation.quote:
        text += f' <font name="Onward-Serif">“{_e(citation.quote)}”</font>'
    if citation.page:
        text += f" ({_e(citation.page)})"
    return text + file_text(citation)


def short_citation_text(citation, earlier):
    """A source cited again: its title and the note giving it in full, as court bundles do ("supra")."""
    title = citation.source.title if len(citation.source.title) <= 70 else citation.source.title[:69] + "…"
    text = f"<b>{_e(title)}</b>, see note {earlier}."
    if citation.quote:
        text += f' <font name="Onward-Serif">“{_e(citation.quote)}”</font>'
    if citation.page:
        text += f" ({_e(citation.page)})"
    return text + file_text(citation, full_hash=False)


def _timeline_story(entries, styles):
    story = [Paragraph("Chronology", styles["title"]),
             Paragraph("Every dated fact, oldest first. Dates keep the precision of their sources "
                       "(“December 2016”, “c. 2009”). Numbered notes give each fact’s sources.",
                       styles["small"]), Spacer(1, 6)]
    if not entries:
        story.append(Paragraph("No dated facts match the options chosen for this export.", styles["cell"]))
        return story
    widths = [30 * mm, TEXT_WIDTH - 30 * mm]
    header = Table([[Paragraph("Date", styles["label"]), Paragraph("Fact and sources", styles["label"])]],
                   colWidths=widths)
    header.setStyle(TableStyle([_TABLE_FONT, ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
                                ("LEFTPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]))
    story += [CondPageBreak(40 * mm), header]
    note = 0
    first_note = {}  # source id → the note that cited it in full; later notes refer back to it
    for entry in entries:
        cell, note = _fact_cell(entry, styles, note, first_note, widths[1])
        # One flowable per fact rather than one long table: ReportLab re-measures a long table at
        # every page break (quadratic; 30 s for 500 facts), a row of its own is measured once.
        story.append(_FactRow(_line(entry.date_display, styles["date"], widths[0]), cell, widths, entry.contested))
    return story


def _fact_cell(entry, styles, note, first_note, width):
    """The fact's cell: kind, title with note numbers, contested mark, detail, then the notes."""
    cell = [_line(entry.label.upper() + (" · CONFIDENTIAL" if entry.confidential else ""), styles["kind"], width)]
    numbers, notes = [], []
    for side, citations in _citation_groups(entry):
        side_notes = []
        for citation in citations:
            note += 1
            numbers.append(note)
            earlier = first_note.setdefault(citation.source_id, note)
            text = citation_text(citation) if earlier == note else short_citation_text(citation, earlier)
            side_notes.append(Paragraph(f"<b>{note}</b>\u2002{text}", styles["note"]))
        if side and side_notes:
            notes.append(Paragraph(_e(side), styles["side"]))
        notes.extend(side_notes)
    marks = f"<super><font size=6.5>{','.join(str(n) for n in numbers)}</font></super>" if numbers else ""
    cell.append(Paragraph(f"{_e(entry.title)}{marks}", styles["fact"]))
    if entry.contested:
        cell.append(_plain("CONTESTED: sources disagree; both sides are cited below.", styles["side"]))
    if entry.detail:
        cell.append(_plain(entry.detail, styles["detail"]))
    if notes:
        cell += [Spacer(1, 2), _NoteRule(), *notes]
    else:
        cell.append(_plain("No source cited.", styles["small"]))
    return cell, note


class _FactRow(Flowable):
    """One row of the chronology: the date, then the fact's cell, set as a two-column table row
    would be (padding, a rule below, a band and a red edge when contested) but measured once: a
    Table wraps every paragraph again to draw it, and this is most of an export's time.

    A fact moves whole to the next page when it does not fit; only a fact taller than a page is
    split, by the Table it would have been."""

    PAD_TOP, PAD_BOTTOM, PAD_X = 4, 5, 3

    def __init__(self, date, cell, widths, contested):
        super().__init__()
        self.date, self.cell, self.widths, self.contested = date, cell, widths, contested
        self._measured = None

    def wrap(self, available_width, available_height):
        if self._measured is None:
            self._measured = [self._column([self.date], self.widths[0]), self._column(self.cell, self.widths[1])]
            self.height = max(h for h, _ in self._measured) + self.PAD_TOP + self.PAD_BOTTOM
            self.width = sum(self.widths)
        return self.width, self.height

    def _column(self, flowables, width):
        """Height and the flowables' own heights, as Table lays out a cell's list (VALIGN TOP)."""
        inner = width - 2 * self.PAD_X
        heights = [flowable.wrap(inner, FRAME_HEIGHT)[1] for flowable in flowables]
        total = sum(h + f.getSpaceBefore() + f.getSpaceAfter() for f, h in zip(flowables, heights, strict=True))
        return total - flowables[0].getSpaceBefore() - flowables[-1].getSpaceAfter(), heights

    def draw(self):
        canvas = self.canv
        if self.contested:
            canvas.saveState()
            canvas.setFillColor(BAND)
            canvas.rect(0, 0, self.width, self.height, stroke=0, fill=1)
            canvas.restoreState()
        x = 0
        for flowables, (_, heights), width in zip(([self.date], self.cell), self._measured, self.widths, strict=True):
            y = self.height - self.PAD_TOP + flowables[0].getSpaceBefore()
            for flowable, height in zip(flowables, heights, strict=True):
                y -= flowable.getSpaceBefore() + height
                flowable.drawOn(canvas, x + self.PAD_X, y)
                y -= flowable.getSpaceAfter()
            x += width
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.3)
        canvas.line(0, 0, self.width, 0)
        if self.contested:
            canvas.setStrokeColor(ACCENT)
            canvas.setLineWidth(2)
            canvas.line(0, 0, 0, self.height)
        canvas.restoreState()

    def split(self, available_width, available_height):
        self.wrap(available_width, available_height)
        if self.height <= FRAME_HEIGHT:
            return []
        table = Table([[self.date, self.cell]], colWidths=self.widths)
        commands = [
            ("VALIGN", (0, 0), (-1, -1), "TOP"), _TABLE_FONT,
            ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
            ("TOPPADDING", (0, 0), (-1, -1), self.PAD_TOP), ("BOTTOMPADDING", (0, 0), (-1, -1), self.PAD_BOTTOM),
            ("LEFTPADDING", (0, 0), (-1, -1), self.PAD_X), ("RIGHTPADDING", (0, 0), (-1, -1), self.PAD_X),
        ]
        if self.contested:
            commands += [("LINEBEFORE", (0, 0), (0, 0), 2, ACCENT), ("BACKGROUND", (0, 0), (-1, 0), BAND)]
        table.setStyle(TableStyle(commands))
        table.splitInRow = 1
        return table.split(available_width, available_height)


def _citation_groups(entry):
    """Contested facts list their sources by side; others in one group."""
    if not entry.contested:
        return [("", entry.citations)]
    sides = [("Sources supporting", [c for c in entry.citations if c.position == "supports"]),
             ("Sources disputing", [c for c in entry.citations if c.position == "disputes"]),
             ("Sources mentioning", [c for c in entry.citations if c.position not in ("supports", "disputes")])]
    return [(side, citations) for side, citations in sides if citations]


class _NoteRule(Flowable):
    """A short rule above a fact's notes, as under a page's text before its footnotes."""

    def wrap(self, available_width, available_height):
        return available_width, 3

    def draw(self):
        self.canv.setStrokeColor(RULE)
        self.canv.setLineWidth(0.5)
        self.canv.line(0, 1.5, 28 * mm, 1.5)
