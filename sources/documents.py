"""Files a source carries: checked, hashed, typed from their content, stored once per content,
and their PDF text kept per page so it can be searched and cited ("p. 4").

The type is sniffed from the bytes (magic numbers), never taken from the name or the browser's
Content-Type: a court ruling renamed ``ruling.pdf.exe`` or an HTML page named ``.pdf`` is refused.
"""

import hashlib
import io
import logging
import zipfile

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q

from core.editing import stamp

from .models import Document, DocumentPage

log = logging.getLogger(__name__)

# media type → what a researcher calls it. The allow-list: anything else is refused.
ALLOWED = {
    "application/pdf": "PDF",
    "image/png": "PNG image",
    "image/jpeg": "JPEG image",
    "image/gif": "GIF image",
    "image/webp": "WebP image",
    "image/tiff": "TIFF image (scan)",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word document (DOCX)",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel workbook (XLSX)",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint (PPTX)",
    "application/vnd.oasis.opendocument.text": "OpenDocument text (ODT)",
    "application/vnd.oasis.opendocument.spreadsheet": "OpenDocument spreadsheet (ODS)",
    "application/vnd.oasis.opendocument.presentation": "OpenDocument presentation (ODP)",
    "application/msword": "Word 97–2003 or other legacy Office document (DOC/XLS)",
    "application/rtf": "Rich Text (RTF)",
}
ALLOWED_IN_WORDS = "PDF, images (PNG, JPEG, GIF, WebP, TIFF), Word, Excel and PowerPoint files, OpenDocument files and RTF"

_OOXML = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
# Recognised but refused, so the message can say what the file is.
_KNOWN_REFUSED = [
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a Linux program"),
    (b"#!", "a script"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x1f\x8b", "a gzip archive"),
]


class DocumentRefused(ValueError):
    """The file cannot be stored; the message says why in a researcher's words."""


class DuplicateDocument(Exception):
    """The same bytes are already stored; ``existing`` is the document to offer instead."""

    def __init__(self, existing, *, same_source):
        self.existing = existing
        self.same_source = same_source
        where = "this source" if same_source else f"the source “{existing.source.title}”"
        super().__init__(f"This file is already stored as “{existing}” in {where}.")


def sniff(head, fileobj=None):
    """The media type of a file from its first bytes (and, for ZIP containers, its members), or
    a description of what it is when it is not allowed. Returns (media_type or None, words)."""
    if head.startswith(b"%PDF-"):
        return "application/pdf", ALLOWED["application/pdf"]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png", ALLOWED["image/png"]
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg", ALLOWED["image/jpeg"]
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif", ALLOWED["image/gif"]
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", ALLOWED["image/webp"]
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff", ALLOWED["image/tiff"]
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "application/msword", ALLOWED["application/msword"]
    if head.startswith(b"{\\rtf"):
        return "application/rtf", ALLOWED["application/rtf"]
    if head.startswith(b"PK\x03\x04") and fileobj is not None:
        return _sniff_zip(fileobj)
    for magic, words in _KNOWN_REFUSED:
        if head.startswith(magic):
            return None, words
    stripped = head.lstrip().lower()
    if stripped.startswith((b"<!doctype html", b"<html")):
        return None, "a web page (HTML)"
    if stripped.startswith(b"<svg") or (stripped.startswith(b"<?xml") and b"<svg" in stripped):
        return None, "an SVG image (it can carry scripts)"
    return None, "a file type we do not recognise"


def _sniff_zip(fileobj):
    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                declared = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                if declared in ALLOWED:
                    return declared, ALLOWED[declared]
            if "[Content_Types].xml" in names:
                for prefix, media_type in _OOXML.items():
                    if any(name.startswith(prefix) for name in names):
                        return media_type, ALLOWED[media_type]
    except (zipfile.BadZipFile, OSError, ValueError):
        return None, "a damaged ZIP file"
    finally:
        fileobj.seek(0)
    return None, "a ZIP archive (upload the files inside it one by one)"


def hash_and_head(fileobj, head_size=4096):
    digest = hashlib.sha256()
    fileobj.seek(0)
    head = b""
    size = 0
    for chunk in iter(lambda: fileobj.read(1024 * 1024), b""):
        if not head:
            head = chunk[:head_size]
        digest.update(chunk)
        size += len(chunk)
    fileobj.seek(0)
    return digest.hexdigest(), head, size


def storage_name(sha256):
    """Content-addressed: the same bytes are stored once, whatever sources carry them. No
    extension, so nothing in the storage can ever be taken for a web page or a script."""
    return f"documents/{sha256[:2]}/{sha256}"


def store(source, uploaded, user, *, title="", accept_duplicate=False, visible_documents=None):
    """Check and store ``uploaded`` (a Django UploadedFile) as a document of ``source``.

    Raises DocumentRefused (too large, type not allowed, empty) or DuplicateDocument (the same
    bytes are already attached to this source, or — unless ``accept_duplicate`` — to another source
    in ``visible_documents``, the documents this user may see)."""
    limit = settings.DOCUMENT_MAX_BYTES
    if uploaded.size is not None and uploaded.size > limit:
        raise DocumentRefused(
            f"“{uploaded.name}” is {_megabytes(uploaded.size)}; files may be at most {_megabytes(limit)}."
        )
    sha256, head, size = hash_and_head(uploaded)
    if size == 0:
        raise DocumentRefused(f"“{uploaded.name}” is empty.")
    if size > limit:
        raise DocumentRefused(f"“{uploaded.name}” is {_megabytes(size)}; files may be at most {_megabytes(limit)}.")
    media_type, words = sniff(head, uploaded)
    if media_type is None:
        raise DocumentRefused(
            f"“{uploaded.name}” looks like {words}, which Onward does not keep. "
            f"Allowed are {ALLOWED_IN_WORDS}."
        )
    same_here = Document.objects.filter(source=source, sha256=sha256).first()
    if same_here is not None:
        raise DuplicateDocument(same_here, same_source=True)
    if not accept_duplicate and visible_documents is not None:
        elsewhere = visible_documents.filter(sha256=sha256).select_related("source").first()
        if elsewhere is not None:
            raise DuplicateDocument(elsewhere, same_source=False)

    name = storage_name(sha256)
    if not default_storage.exists(name):
        saved = default_storage.save(name, uploaded)
        if saved != name:  # a concurrent upload of the same bytes won the race: keep one copy
            default_storage.delete(saved)
    document = Document(
        source=source, original_name=_safe_name(uploaded.name), title=title.strip(), sha256=sha256, size=size,
        media_type=media_type,
    )
    document.file.name = name
    stamp(document, user, creating=True)
    with transaction.atomic():
        document.full_clean()
        document.save()
        if media_type == "application/pdf":
            extract_pages(document)
    return document


def extract_pages(document):
    """Read the text of every page of a PDF into DocumentPage rows. A scan without a text layer
    or a damaged or encrypted file stores no pages and says why (``extraction_note``)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    DocumentPage.objects.filter(document=document).delete()
    note = ""
    pages = []
    try:
        with default_storage.open(document.file.name, "rb") as handle:
            reader = PdfReader(io.BytesIO(handle.read()))
            if reader.is_encrypted:
                try:
                    reader.decrypt("")
                except Exception:  # noqa: BLE001 - pypdf raises several kinds for a locked file
                    reader = None
                    note = "The PDF is password-protected: its text could not be read."
            if reader is not None:
                for number, page in enumerate(reader.pages, start=1):
                    try:
                        text = page.extract_text() or ""
                    except Exception as error:  # noqa: BLE001 - one unreadable page must not lose the rest
                        log.warning("document %s page %s: %s", document.pk, number, error)
                        text = ""
                    pages.append(DocumentPage(document=document, number=number, text=text.replace("\x00", "")))
    except (PdfReadError, OSError, ValueError) as error:
        note = f"The PDF could not be read ({error.__class__.__name__}); it is kept, but its text is not searchable."
    if pages and not any(page.text.strip() for page in pages):
        note = "The PDF has no text layer (a scan?): its pages cannot be searched."
    DocumentPage.objects.bulk_create(pages)
    document.page_count = len(pages) or None
    document.extraction_note = note[:300]
    Document.all_objects.filter(pk=document.pk).update(page_count=document.page_count,
                                                       extraction_note=document.extraction_note)
    return pages


def search_pages(documents, query, *, limit=50):
    """Pages of ``documents`` (already scoped to the user) whose text contains every word of
    ``query``, case-insensitively, with a snippet around the first word."""
    words = [word for word in (query or "").split() if word][:8]
    if not words:
        return []
    condition = Q()
    for word in words:
        condition &= Q(text__icontains=word)
    pages = (DocumentPage.objects.filter(condition, document__in=documents)
             .select_related("document", "document__source").order_by("document__source__title", "document", "number")
             [:limit])
    return [(page, snippet(page.text, words[0])) for page in pages]


def snippet(text, word, width=90):
    text = " ".join(text.split())
    at = text.lower().find(word.lower())
    if at < 0:
        return text[: width * 2]
    start = max(0, at - width)
    return ("…" if start else "") + text[start: at + len(word) + width] + ("…" if at + len(word) + width < len(text) else "")


def _megabytes(size):
    return f"{size / (1024 * 1024):.1f} MB"


def _safe_name(name):
    """The uploaded name without any folder part, for display and Content-Disposition."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    # Control characters go before the emptiness check: a name of only "\x1b" must not leave "" (a
    # Document needs a name; the fuzz found the server error).
    return "".join(char for char in name if char.isprintable()).strip()[:255] or "file"
