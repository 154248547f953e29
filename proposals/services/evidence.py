"""Supporting documents: checking an upload, the scanning hook, and storing,
deleting and downloading evidence with each step on the case timeline.

A file's type is decided by its content, never by its name or the type the
browser claims. Office documents are ZIP containers: they are opened only to
read the directory (and the few bytes of an ODT's ``mimetype`` member), and
refused before anything is unpacked if the directory promises more than
``EVIDENCE_MAX_UNPACKED_BYTES`` or an absurd compression ratio (a zip bomb).
"""

import hashlib
import io
import logging
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from xml.etree.ElementTree import ParseError

import pypdf
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.db import transaction
from django.utils.module_loading import import_string

from accreditation import timeline
from accreditation.access import require
from accreditation.models import CaseEvent
from proposals.models import Evidence
from proposals.services.applicant import ProposalError, lock_draft

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FileType:
    label: str
    content_type: str
    extensions: tuple


PDF = FileType("PDF", "application/pdf", ("pdf",))
DOCX = FileType(
    "DOCX",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ("docx",),
)
XLSX = FileType(
    "XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",)
)
ODT = FileType("ODT", "application/vnd.oasis.opendocument.text", ("odt",))
PNG = FileType("PNG", "image/png", ("png",))
JPEG = FileType("JPEG", "image/jpeg", ("jpg", "jpeg"))
ACCEPTED = (PDF, DOCX, XLSX, ODT, PNG, JPEG)

# For the file input's ``accept`` attribute: a hint to the browser's picker,
# not a check.
ACCEPT_ATTRIBUTE = ",".join(f".{ext}" for kind in ACCEPTED for ext in kind.extensions)

WRONG_TYPE = "The selected file must be a PDF, DOCX, XLSX, ODT, PNG or JPEG"
EMPTY = "The selected file is empty"

# A member may unpack to this many times its packed size. Real documents
# compress XML by 10 to 30 times; runs of zeros reach about a thousand.
MAX_COMPRESSION_RATIO = 200
# Members smaller than this are never a threat, whatever their ratio.
RATIO_CHECK_FROM_BYTES = 1024 * 1024
ODT_MIMETYPE = ODT.content_type.encode()


def describe_size(size):
    """A size limit the way GOV.UK writes it: 10MB, 500KB, 12 bytes."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:.3g}{unit}"
    return f"{size} bytes"


def label_for(content_type):
    """The short name of a stored document's type, for its download link."""
    return next((kind.label for kind in ACCEPTED if kind.content_type == content_type), "")


def too_large_message():
    return f"The selected file must be smaller than {describe_size(settings.EVIDENCE_MAX_BYTES)}"


def _extension(name):
    _, dot, ext = (name or "").rpartition(".")
    return ext.lower() if dot else ""


def _sniff(uploaded_file):
    """The accepted type ``uploaded_file``'s content is, or None."""
    uploaded_file.seek(0)
    head = uploaded_file.read(8)
    if head.startswith(b"%PDF-"):
        return PDF
    if head == b"\x89PNG\r\n\x1a\n":
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        return _sniff_container(uploaded_file)
    return None


def _sniff_container(uploaded_file):
    uploaded_file.seek(0)
    try:
        with zipfile.ZipFile(uploaded_file) as archive:
            members = archive.infolist()
            _check_unpacked_size(members)
            names = {member.filename for member in members}
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return DOCX
            if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
                return XLSX
            if "mimetype" in names:
                # Read only once its declared size shows it is a few bytes.
                mimetype = archive.getinfo("mimetype")
                if (
                    mimetype.file_size == len(ODT_MIMETYPE)
                    and archive.read(mimetype) == ODT_MIMETYPE
                ):
                    return ODT
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, OSError):
        # Damaged, encrypted, or packed in a way no office suite writes: not
        # a document we accept.
        return None
    return None


def _check_unpacked_size(members):
    """Refuse a container from its directory alone, before unpacking it."""
    limit = settings.EVIDENCE_MAX_UNPACKED_BYTES
    if sum(member.file_size for member in members) > limit:
        raise ValidationError(
            f"The selected file must be smaller than {describe_size(limit)} when its "
            "contents are unpacked",
            code="unpacked_too_large",
        )
    for member in members:
        if (
            member.file_size >= RATIO_CHECK_FROM_BYTES
            and member.file_size > MAX_COMPRESSION_RATIO * max(member.compress_size, 1)
        ):
            raise ValidationError(
                "The selected file is compressed in a way that cannot be checked. Save it "
                "again from the program that made it and upload the new copy",
                code="compression_ratio",
            )


ACTIVE_OFFICE = (
    "The selected file must not contain macros, embedded objects, or links that fetch content "
    "from elsewhere when it is opened. Save it again without them, or as a PDF, and upload the "
    "new copy"
)
UNREADABLE_OFFICE = (
    "The selected file could not be checked: it may be damaged. Save it again from the program "
    "that made it and upload the new copy"
)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""The first bytes of an OLE compound file: an embedded object or macro store."""
OLE_SAFE_EMBEDDED = (
    ".xlsx",
    ".docx",
    ".pptx",
    ".vsdx",
    ".png",
    ".jpeg",
    ".jpg",
    ".gif",
    ".emf",
    ".wmf",
)
"""What an office document embeds without acting: a chart's workbook, a
diagram, a picture. Anything else under ``embeddings/`` (``oleObject1.bin``,
a macro-enabled workbook) is refused."""
ACTIVE_CONTENT_TYPES = ("macroenabled", "vbaproject", "activex", "oleobject", "vbadata")
"""Words in a part's declared content type that make it code or an object."""
BASIC_INDEXES = ("script-lb.xml", "script-lc.xml", "dialog-lb.xml", "dialog-lc.xml")
"""A LibreOffice Basic library's index files: present without any macro."""
LOCAL_TEMPLATE = re.compile(r"^(file:///)?[a-z]:[\\/]", re.IGNORECASE)
"""A template on the author's own drive (``file:///C:/…``, ``C:\\…``), which
Word records in every document made from one; a network or web address is
fetched as the document opens."""
XML_MAX_BYTES = 1024 * 1024
"""A relationships or content-types member larger than this is no
document's: the file cannot be checked."""


class Unreadable(Exception):
    """A member of an office document that cannot be checked."""


def _xml(archive, member):
    """``member`` parsed as XML (entities, encodings and quoting as an
    office program reads them; nothing fetched), or ``Unreadable``."""
    if member.file_size > XML_MAX_BYTES:
        raise Unreadable(member.filename)
    try:
        return fromstring(archive.read(member))
    except (ParseError, DefusedXmlException) as error:
        raise Unreadable(member.filename) from error


def _local_name(tag):
    return tag.rpartition("}")[2]


def _fetches(relationship):
    """Whether a relationship makes the document fetch something from
    elsewhere as it opens: external, and not a hyperlink (which waits for a
    click) nor a template on the author's own drive."""
    if relationship.get("TargetMode", "").lower() != "external":
        return False
    kind = relationship.get("Type", "").rpartition("/")[2].lower()
    if kind == "hyperlink":
        return False
    return not (kind == "attachedtemplate" and LOCAL_TEMPLATE.match(relationship.get("Target", "")))


def _active_office_member(archive, member):
    """Whether ``member`` of an office document makes it act rather than
    show: macros (VBA, a LibreOffice Basic module or script), ActiveX
    controls, OLE objects (an old equation, a packaged program), data
    connections, a part whose declared type is one of these, or a
    relationship that fetches something from elsewhere as it opens (a
    remote template, an external frame, a linked workbook). Not checked:
    Word fields and ODT links that fetch when updated."""
    name = member.filename.lower()
    if member.is_dir():
        return False
    if "vbaproject" in name or "vbadata" in name or "/activex/" in f"/{name}":
        return True
    if name.startswith(("basic/", "scripts/")) and name.count("/") >= 2:
        return not name.endswith(BASIC_INDEXES)
    if "/embeddings/" in f"/{name}" and not name.endswith(OLE_SAFE_EMBEDDED):
        return True
    if name == "xl/connections.xml":
        return True
    if name == "[content_types].xml":
        declared = _xml(archive, member)
        return any(
            word in element.get("ContentType", "").lower()
            for element in declared.iter()
            for word in ACTIVE_CONTENT_TYPES
        )
    if name.endswith(".rels"):
        relationships = _xml(archive, member)
        return any(
            _fetches(element)
            for element in relationships.iter()
            if _local_name(element.tag) == "Relationship"
        )
    if "/" not in name and name.startswith("object "):
        # An ODT's embedded object: its own directory is an ODF chart or
        # formula; a bare file is an OLE object.
        return True
    with archive.open(member) as opened:
        return opened.read(len(OLE_MAGIC)) == OLE_MAGIC


def _refuse_active_office(uploaded_file):
    """Refuse a DOCX, XLSX or ODT holding anything ``_active_office_member``
    finds, as a PDF with JavaScript is refused. Its directory has been
    checked (``_check_unpacked_size``): what is read is bounded."""
    uploaded_file.seek(0)
    try:
        with zipfile.ZipFile(uploaded_file) as archive:
            active = any(_active_office_member(archive, m) for m in archive.infolist())
    except (Unreadable, zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, OSError):
        # A member that cannot be read (damaged, or encrypted) could hide any.
        raise ValidationError(UNREADABLE_OFFICE, code="unreadable_office") from None
    if active:
        raise ValidationError(ACTIVE_OFFICE, code="active_office")


# What makes a PDF act rather than show: JavaScript; actions that launch
# other programs, open embedded or other files, submit or import data; XFA
# forms (which carry scripts of their own); files attached inside it (by
# their file specification's /EF, whether or not the file is typed); and
# embedded media. Looked for by name, wherever it is written.
ACTIVE_PDF_NAMES = frozenset(
    {
        "JS",
        "JavaScript",
        "Launch",
        "GoToE",
        "GoToR",
        "SubmitForm",
        "ImportData",
        "XFA",
        "EF",
        "EmbeddedFile",
        "EmbeddedFiles",
        "FileAttachment",
        "RichMedia",
        "Screen",
        "Rendition",
        "Movie",
        "Sound",
    }
)
ACTIVE_PDF = (
    "The selected file must not contain JavaScript, forms that run scripts, attached files, "
    "media, or actions that open other files or send data. Print it to a new PDF and upload "
    "that instead"
)
LOCKED_PDF = (
    "The selected file is protected with a password. Remove the password and upload it again"
)
UNREADABLE_PDF = (
    "The selected file could not be checked: it may be damaged, or made in a way we cannot "
    "read. Print it to a new PDF and upload that instead"
)
# Stream data (images, fonts, compressed objects) is skipped by the raw scan:
# binary bytes spell a name by chance. The parsed walk reads what it packs.
_STREAM_DATA = re.compile(rb"stream\r?\n.*?endstream", re.DOTALL)
_PDF_NAME = re.compile(rb"/([^\s()<>\[\]{}/%]+)")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# Objects (numbered, as a PDF's cross-reference table counts them): far more
# than a long, tagged (accessible) report has; a file with more is refused as
# unreadable, since what the walk did not reach could hide anything.
MAX_PDF_OBJECTS = 500_000
_CONTAINERS = (
    pypdf.generic.IndirectObject,
    pypdf.generic.DictionaryObject,
    pypdf.generic.ArrayObject,
)


class _Unreadable(Exception):
    """The PDF could not be read to its end: what was not read is unknown."""


def _raw_pdf_names(data):
    """Every name written in the file's bytes outside stream data, with
    ``#xx`` escapes undone (``/J#53`` is ``/JS``)."""
    for match in _PDF_NAME.finditer(_STREAM_DATA.sub(b"", data)):
        raw = _NAME_ESCAPE.sub(lambda m: bytes([int(m[1], 16)]), match[1])
        yield raw.decode("latin-1")


def _parsed_pdf_names(reader):
    """Every dictionary key and action type in the document as a PDF reader
    sees it, including objects packed in compressed object streams, which
    the raw bytes hide. Only what can hold names is walked: dictionaries,
    arrays and the numbered objects they refer to, each object once."""
    stack, seen = [reader.trailer], set()
    while stack:
        node = stack.pop()
        if isinstance(node, pypdf.generic.IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            if len(seen) > MAX_PDF_OBJECTS:
                raise _Unreadable(f"more than {MAX_PDF_OBJECTS} objects")
            stack.append(node.get_object())
        elif isinstance(node, pypdf.generic.DictionaryObject):
            for name, value in node.items():
                yield str(name).lstrip("/")
                if isinstance(value, pypdf.generic.NameObject):
                    yield str(value).lstrip("/")
                elif isinstance(value, _CONTAINERS):
                    stack.append(value)
        elif isinstance(node, pypdf.generic.ArrayObject):
            stack.extend(item for item in node if isinstance(item, _CONTAINERS))


def _refuse_active_pdf(uploaded_file):
    """Refuse a PDF with anything in ``ACTIVE_PDF_NAMES``, found by its bytes
    and by reading it as a PDF reader would; one locked by a password; and
    one that cannot be read to its end, where what was not read could hide
    any of them (a PDF reader repairs and runs what this reading gave up on,
    and a file's bytes alone can be written to mislead a scan of them)."""
    uploaded_file.seek(0)
    names = set(_raw_pdf_names(uploaded_file.read()))
    uploaded_file.seek(0)
    locked = unreadable = False
    try:
        reader = pypdf.PdfReader(uploaded_file, strict=False)
        locked = reader.is_encrypted and not reader.decrypt("")
        if not locked:
            names.update(_parsed_pdf_names(reader))
    except Exception:  # noqa: BLE001 - whatever stopped the reading, the file is refused
        logger.info("Upload %r could not be read as a PDF", uploaded_file.name, exc_info=True)
        unreadable = True
    if locked:
        raise ValidationError(LOCKED_PDF, code="pdf_password")
    if ACTIVE_PDF_NAMES & names:
        raise ValidationError(ACTIVE_PDF, code="active_pdf")
    if unreadable:
        raise ValidationError(UNREADABLE_PDF, code="unreadable_pdf")


def _sha256(uploaded_file):
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    return digest.hexdigest()


def validate_upload(uploaded_file):
    """Check an uploaded file and return ``(content_type, sha256)``, or raise
    ``ValidationError`` with a message to show beside the file input.

    Every accepted upload also passes through :func:`scan`."""
    if uploaded_file.size > settings.EVIDENCE_MAX_BYTES:
        raise ValidationError(too_large_message(), code="too_large")
    if uploaded_file.size == 0:
        raise ValidationError(EMPTY, code="empty")
    kind = _sniff(uploaded_file)
    if kind is None:
        raise ValidationError(WRONG_TYPE, code="wrong_type")
    if _extension(uploaded_file.name) not in kind.extensions:
        raise ValidationError(
            f"The selected file is a {kind.label}, so its name must end in .{kind.extensions[0]}",
            code="wrong_extension",
        )
    if kind is PDF:
        _refuse_active_pdf(uploaded_file)
    elif kind in (DOCX, XLSX, ODT):
        _refuse_active_office(uploaded_file)
    scan(uploaded_file)
    digest = _sha256(uploaded_file)
    uploaded_file.seek(0)
    return kind.content_type, digest


def no_scan(uploaded_file):
    """The default scanner: accepts everything. Used where no virus scanner
    is installed."""


def scan(uploaded_file):
    """The one scanning hook every upload passes through.

    It calls the function named by the ``EVIDENCE_SCANNER`` setting (a
    dotted path) with the uploaded file. A scanner refuses a file by raising
    ``ValidationError`` with the message the applicant will see; returning
    normally accepts it.

    In production it is ``proposals.clamav.scan`` (clamd's INSTREAM, failing
    closed); ``check --deploy`` warns when production runs without it.
    """
    uploaded_file.seek(0)
    import_string(settings.EVIDENCE_SCANNER)(uploaded_file)
    uploaded_file.seek(0)


class OversizedUpload(UploadedFile):
    """Stands in for a file that arrived larger than ``EVIDENCE_MAX_BYTES``:
    it keeps the name and the size received, and none of the content, so
    the form can say the file is too large."""

    def __init__(self, name, content_type, size, charset, content_type_extra):
        super().__init__(io.BytesIO(), name, content_type, size, charset, content_type_extra)


class SizeCapUploadHandler(FileUploadHandler):
    """First in ``FILE_UPLOAD_HANDLERS``: passes each uploaded file on to
    Django's own handlers until it passes ``EVIDENCE_MAX_BYTES``, then
    discards the rest, so an oversized upload costs neither memory nor disk
    and ends in a GOV.UK error message rather than a failure."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.oversized = False

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > settings.EVIDENCE_MAX_BYTES:
            self.oversized = True
            return None
        return raw_data

    def file_complete(self, file_size):
        if not self.oversized:
            return None
        return OversizedUpload(
            self.file_name, self.content_type, file_size, self.charset, self.content_type_extra
        )


def clean_file_name(name):
    """The name to keep and offer back on download, without control or
    direction-changing characters (they would break the Content-Disposition
    header or disguise the extension). Django has already removed any path
    and cut the name to 255 characters."""
    return "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()


def _lock_draft(proposal, user):
    """The applicant services' draft lock (it may have been submitted since
    the page was loaded), its refusal given as the upload form's error."""
    try:
        lock_draft(proposal, user)
    except ProposalError as refusal:
        raise ValidationError(str(refusal), code="not_draft") from refusal


def add_evidence(proposal, uploaded_file, *, content_type, sha256, description, user):
    """Store a checked upload against a draft proposal and record it on the
    timeline. The file is written under ``MEDIA_ROOT`` with a random name;
    if anything after that fails, it is removed again."""
    require(user, "proposals.view_proposal", proposal)
    evidence = Evidence(
        proposal=proposal,
        original_name=clean_file_name(uploaded_file.name),
        content_type=content_type,
        size=uploaded_file.size,
        sha256=sha256,
        description=description,
        uploaded_by=user,
    )
    try:
        with transaction.atomic():
            _lock_draft(proposal, user)
            if proposal.evidence.count() >= settings.EVIDENCE_MAX_FILES:
                raise ValidationError(
                    f"You can upload up to {settings.EVIDENCE_MAX_FILES} documents. Delete "
                    "one before you add another",
                    code="too_many",
                )
            evidence.file.save(evidence.original_name, uploaded_file, save=False)
            evidence.save()
            timeline.record(
                proposal,
                "document_uploaded",
                user,
                details={"document": evidence.pk, "name": evidence.original_name},
            )
    except Exception:
        if evidence.file.name:
            evidence.file.storage.delete(evidence.file.name)
        raise
    return evidence


class AlreadyDeleted(Exception):
    """The document was deleted meanwhile."""


def delete_evidence(evidence, *, user):
    """Remove a document from a draft proposal. The file goes from storage
    only once the removal is committed, so a rollback never leaves a row
    pointing at nothing."""
    require(user, "proposals.view_proposal", evidence.proposal)
    with transaction.atomic():
        _lock_draft(evidence.proposal, user)
        storage, name = evidence.file.storage, evidence.file.name
        details = {"document": evidence.pk, "name": evidence.original_name}
        deleted, _ = Evidence.objects.filter(pk=evidence.pk).delete()
        if not deleted:
            # Deleted by a request that held the lock first (a double click).
            raise AlreadyDeleted
        timeline.record(evidence.proposal, "document_deleted", user, details=details)
        transaction.on_commit(lambda: storage.delete(name))


def was_deleted(proposal, document_id):
    """Whether the document ``document_id`` was on ``proposal`` and has been
    deleted from it (its timeline says so)."""
    return CaseEvent.objects.filter(
        case_id=proposal.pk, action="document_deleted", details__document=document_id
    ).exists()


def open_for_download(evidence, *, user, permission="proposals.view_proposal"):
    """Open a document's file for ``user``, who holds ``permission`` on its
    proposal (a member of its organisation; staff who may see the case ask
    for ``accreditation.view_case``), and record the download on the case
    timeline."""
    require(user, permission, evidence.proposal)
    handle = evidence.file.open("rb")
    timeline.record(
        evidence.proposal,
        "document_downloaded",
        user,
        details={"document": evidence.pk, "name": evidence.original_name},
    )
    return handle
