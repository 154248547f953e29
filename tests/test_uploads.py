"""Supporting documents: what is accepted and refused (by content, not by
name), the scanning hook, where files are stored, and who may list,
download and delete them."""

import hashlib
import io
import random
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from PIL import Image

from accreditation.models import CaseEvent
from accreditation.workflow import Status
from proposals.models import Evidence
from proposals.services import evidence as uploads
from tests.factories import MembershipFactory, ProposalFactory

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
WRONG_TYPE = "The selected file must be a PDF, DOCX, XLSX, ODT, PNG or JPEG"


# --- Small valid files, built here ------------------------------------------


def well_formed_pdf(catalog_extra=b"", padding=0):
    """A small PDF a reader opens by its cross-reference table, as every
    PDF program writes one (the upload check refuses one it cannot open):
    its catalog with ``catalog_extra`` written into it, ``padding`` bytes in
    a comment (its length grows by exactly that many)."""
    out = bytearray(b"%PDF-1.4\n%" + b" " * padding + b"\n")
    bodies = [
        b"<</Type/Catalog/Pages 2 0 R" + catalog_extra + b">>",
        b"<</Type/Pages/Kids[]/Count 0>>",
    ]
    offsets = []
    for number, body in enumerate(bodies, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    table = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    # The table's offset at a fixed width: the length does not depend on it.
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%010d\n%%%%EOF\n" % (
        len(bodies) + 1,
        table,
    )
    return bytes(out)


def pdf_bytes(padding=0):
    return well_formed_pdf(padding=padding)


def image_bytes(format):
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), "white").save(buffer, format=format)
    return buffer.getvalue()


def zip_bytes(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            compress = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(name, data, compress_type=compress)
    return buffer.getvalue()


def docx_bytes():
    return zip_bytes(
        [
            ("[Content_Types].xml", "<Types/>"),
            ("_rels/.rels", "<Relationships/>"),
            ("word/document.xml", "<w:document/>"),
        ]
    )


def xlsx_bytes():
    return zip_bytes(
        [
            ("[Content_Types].xml", "<Types/>"),
            ("_rels/.rels", "<Relationships/>"),
            ("xl/workbook.xml", "<workbook/>"),
        ]
    )


def odt_members(mimetype="application/vnd.oasis.opendocument.text"):
    return [
        ("mimetype", mimetype),
        ("content.xml", "<office:document-content/>"),
        ("META-INF/manifest.xml", "<manifest:manifest/>"),
    ]


def odt_bytes(mimetype="application/vnd.oasis.opendocument.text"):
    return zip_bytes(odt_members(mimetype))


def zeros_member_zip(size, *, name="word/document.xml"):
    """A DOCX-shaped zip whose main member is ``size`` bytes of zeros,
    compressed about a thousand times, written in chunks so the test never
    holds it unpacked."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open(name, "w") as member:
            for _ in range(size // MB):
                member.write(bytes(MB))
    return buffer.getvalue()


ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(120)
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(50) + b"PE\x00\x00"

ACCEPTED = [
    ("report.pdf", pdf_bytes, "application/pdf"),
    (
        "plan.docx",
        docx_bytes,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        "results.xlsx",
        xlsx_bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ("letter.odt", odt_bytes, "application/vnd.oasis.opendocument.text"),
    ("chart.png", lambda: image_bytes("PNG"), "image/png"),
    ("photo.jpg", lambda: image_bytes("JPEG"), "image/jpeg"),
    ("photo.JPEG", lambda: image_bytes("JPEG"), "image/jpeg"),
]


def upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def refusal(uploaded_file):
    with pytest.raises(ValidationError) as caught:
        uploads.validate_upload(uploaded_file)
    return caught.value.messages[0]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


scanned = []


def recording_scanner(uploaded_file):
    scanned.append((uploaded_file.name, uploaded_file.read()))


def marker_scanner(uploaded_file):
    if b"EICAR-TEST-MARKER" in uploaded_file.read():
        raise ValidationError("The selected file contains a virus")


# --- What is accepted and refused ---------------------------------------------


@pytest.mark.parametrize(("name", "build", "content_type"), ACCEPTED)
def test_every_accepted_type_is_accepted(name, build, content_type):
    data = build()
    assert uploads.validate_upload(upload(name, data)) == (
        content_type,
        hashlib.sha256(data).hexdigest(),
    )


@pytest.mark.parametrize("executable", [ELF, PE], ids=["elf", "pe"])
def test_an_executable_renamed_pdf_is_refused(executable):
    assert refusal(upload("report.pdf", executable, "application/pdf")) == WRONG_TYPE


def test_a_zip_bomb_renamed_docx_is_refused_without_unpacking_it(monkeypatch):
    bomb = zeros_member_zip(60 * MB)
    assert len(bomb) < MB
    opened = []
    real_open = zipfile.ZipFile.open
    monkeypatch.setattr(
        zipfile.ZipFile,
        "open",
        lambda self, name, *args, **kwargs: (
            opened.append(getattr(name, "filename", name)) or real_open(self, name, *args, **kwargs)
        ),
    )
    assert refusal(upload("plan.docx", bomb)) == (
        "The selected file must be smaller than 50MB when its contents are unpacked"
    )
    assert opened == []


def test_a_member_compressed_absurdly_is_refused_even_under_the_unpacked_cap():
    bomb = zeros_member_zip(20 * MB)
    assert refusal(upload("plan.docx", bomb)).startswith(
        "The selected file is compressed in a way that cannot be checked"
    )


@override_settings(EVIDENCE_MAX_UNPACKED_BYTES=1024)
def test_the_unpacked_cap_is_a_setting():
    data = zip_bytes([("[Content_Types].xml", "<Types/>"), ("word/document.xml", "x" * 2000)])
    assert refusal(upload("plan.docx", data)) == (
        "The selected file must be smaller than 1KB when its contents are unpacked"
    )


@override_settings(EVIDENCE_MAX_BYTES=1024)
def test_a_file_over_the_limit_is_refused():
    assert refusal(upload("report.pdf", pdf_bytes(padding=2000))) == (
        "The selected file must be smaller than 1KB"
    )


def test_the_default_limit_is_10mb_to_the_byte():
    body = pdf_bytes()
    at_limit = pdf_bytes(padding=10 * MB - len(body))
    assert len(at_limit) == 10 * MB
    assert uploads.validate_upload(upload("big.pdf", at_limit))[0] == "application/pdf"
    assert refusal(upload("big.pdf", at_limit + b" ")) == (
        "The selected file must be smaller than 10MB"
    )


def test_an_empty_file_is_refused():
    assert refusal(upload("report.pdf", b"")) == "The selected file is empty"


def test_a_pdf_name_with_png_content_is_refused():
    assert refusal(upload("report.pdf", image_bytes("PNG"), "application/pdf")) == (
        "The selected file is a PNG, so its name must end in .png"
    )


def test_an_encrypted_container_is_refused():
    data = bytearray(odt_bytes())
    # Set the "encrypted" flag on every member, in the local headers and the
    # central directory: none can be read without a password.
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = data.find(signature)
        while start != -1:
            data[start + flags_at] |= 0x1
            start = data.find(signature, start + 4)
    assert refusal(upload("letter.odt", bytes(data))) == WRONG_TYPE


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("plan.xlsx", docx_bytes(), "The selected file is a DOCX, so its name must end in .docx"),
        ("report", pdf_bytes(), "The selected file is a PDF, so its name must end in .pdf"),
        ("sheet.ods", odt_bytes("application/vnd.oasis.opendocument.spreadsheet"), WRONG_TYPE),
        ("plan.docx", zip_bytes([("word/document.xml", "<w:document/>")]), WRONG_TYPE),
        ("plan.docx", b"PK\x03\x04 this is not really a zip", WRONG_TYPE),
        ("plan.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), WRONG_TYPE),
        ("page.html", b"<script>alert(1)</script>", WRONG_TYPE),
    ],
    ids=[
        "docx-as-xlsx",
        "no-extension",
        "ods",
        "zip-without-parts",
        "broken-zip",
        "old-word",
        "html",
    ],
)
def test_other_mismatches_and_unaccepted_types_are_refused(name, data, message):
    assert refusal(upload(name, data)) == message


ACTIVE_OFFICE = (
    "The selected file must not contain macros, embedded objects, or links that fetch content "
    "from elsewhere when it is opened. Save it again without them, or as a PDF, and upload the "
    "new copy"
)
DOCX_PARTS = [("[Content_Types].xml", "<Types/>"), ("word/document.xml", "<w:document/>")]
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100)


def rels(*relationships):
    return "<Relationships>" + "".join(relationships) + "</Relationships>"


@pytest.mark.parametrize(
    ("name", "members"),
    [
        ("plan.docx", [*DOCX_PARTS, ("word/vbaProject.bin", OLE)]),
        (
            "plan.docx",
            [
                (
                    "[Content_Types].xml",
                    '<Types><Override ContentType="application/'
                    'vnd.ms-word.document.macroEnabled.main+xml"/></Types>',
                ),
                ("word/document.xml", "<w:document/>"),
            ],
        ),
        ("plan.docx", [*DOCX_PARTS, ("word/embeddings/oleObject1.bin", OLE)]),
        ("plan.docx", [*DOCX_PARTS, ("word/activeX/activeX1.xml", "<ax:ocx/>")]),
        (
            "plan.docx",
            [
                *DOCX_PARTS,
                (
                    "word/_rels/settings.xml.rels",
                    rels(
                        '<Relationship Id="r1" TargetMode="External" Type="http://schemas.'
                        "openxmlformats.org/officeDocument/2006/relationships/attachedTemplate"
                        '" Target="http://evil.example/t.dotm"/>'
                    ),
                ),
            ],
        ),
        (
            "sheet.xlsx",
            [
                ("[Content_Types].xml", "<Types/>"),
                ("xl/workbook.xml", "<workbook/>"),
                (
                    "xl/externalLinks/_rels/externalLink1.xml.rels",
                    rels(
                        "<Relationship Type='http://schemas.openxmlformats.org/officeDocument/"
                        "2006/relationships/externalLinkPath' Target='file:///c:/x.xlsx' "
                        "TargetMode='External' Id='rId1'/>"
                    ),
                ),
            ],
        ),
        ("letter.odt", [*odt_members(), ("Basic/Standard/Module1.xml", "<module/>")]),
        ("letter.odt", [*odt_members(), ("Object 1", OLE)]),
        ("letter.odt", [*odt_members(), ("Pictures/logo.png", OLE)]),
    ],
    ids=[
        "vba",
        "macro-enabled-type",
        "ole-object",
        "activex",
        "remote-template",
        "external-workbook",
        "basic-macro",
        "odt-ole-object",
        "ole-under-another-name",
    ],
)
def test_an_office_document_that_acts_when_opened_is_refused(name, members):
    assert refusal(upload(name, zip_bytes(members))) == ACTIVE_OFFICE


TEMPLATE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate"


def template_rels(target, mode='TargetMode="External"'):
    return (
        "word/_rels/settings.xml.rels",
        rels(f'<Relationship Id="r1" {mode} Type="{TEMPLATE}" Target="{target}"/>'),
    )


@pytest.mark.parametrize(
    "member",
    [
        template_rels("http://evil.example/t.dotm", 'TargetMode="&#69;xternal"'),
        template_rels("http://evil.example/a&gt;b.dotm"),
        (
            "word/_rels/settings.xml.rels",
            (
                '<?xml version="1.0" encoding="UTF-16"?>'
                + rels(
                    f'<Relationship Id="r1" TargetMode="External" Type="{TEMPLATE}" '
                    'Target="http://evil.example/t.dotm"/>'
                )
            ).encode("utf-16"),
        ),
        template_rels("\\\\server\\share\\t.dotm"),
        (
            "[Content_Types].xml",
            '<Types><Override PartName="/word/x.xml" '
            'ContentType="application/vnd.ms-office.activeX+xml"/></Types>',
        ),
        ("xl/connections.xml", "<connections/>"),
    ],
    ids=["entity", "markup-in-target", "utf-16", "network-template", "activex-type", "connection"],
)
def test_what_acts_is_found_however_its_xml_is_written(member):
    parts = [part for part in DOCX_PARTS if part[0] != member[0]]
    assert refusal(upload("plan.docx", zip_bytes([*parts, member]))) == ACTIVE_OFFICE


@pytest.mark.parametrize(
    "member",
    [
        ("word/_rels/settings.xml.rels", "<Relationships><Relationship"),
        (
            "word/_rels/document.xml.rels",
            f"<Relationships><!--{random.randbytes(600_000).hex()}--></Relationships>",
        ),
    ],
    ids=["broken", "too-large"],
)
def test_an_office_document_whose_parts_cannot_be_read_is_refused_as_unchecked(member):
    assert refusal(upload("plan.docx", zip_bytes([*DOCX_PARTS, member]))) == (
        "The selected file could not be checked: it may be damaged. Save it again from the "
        "program that made it and upload the new copy"
    )


def test_office_documents_as_their_libraries_write_them_are_accepted():
    """A Word document from python-docx's template (made in Word: custom XML,
    a thumbnail, themes), a workbook from openpyxl, an ODT from odfpy."""
    import docx
    import openpyxl
    from odf.opendocument import OpenDocumentText
    from odf.text import P

    document = docx.Document()
    document.add_heading("Our track record", level=1)
    document.add_paragraph("We lead three primary schools.")
    document.add_picture(io.BytesIO(image_bytes("PNG")))
    buffer = io.BytesIO()
    document.save(buffer)
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = '=HYPERLINK("https://www.gov.uk/", "GOV.UK")'
    sheet = io.BytesIO()
    workbook.save(sheet)
    text = OpenDocumentText()
    text.text.addElement(P(text="We lead three primary schools."))
    odt = io.BytesIO()
    text.save(odt)
    for name, data in (
        ("plan.docx", buffer.getvalue()),
        ("sheet.xlsx", sheet.getvalue()),
        ("letter.odt", odt.getvalue()),
    ):
        uploads.validate_upload(upload(name, data))


def test_an_office_document_with_hyperlinks_a_chart_and_pictures_is_accepted():
    data = zip_bytes(
        [
            *DOCX_PARTS,
            (
                "word/_rels/document.xml.rels",
                rels(
                    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                    'officeDocument/2006/relationships/hyperlink" Target="https://www.gov.uk/"'
                    ' TargetMode="External"/>',
                    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/'
                    'officeDocument/2006/relationships/image" Target="media/image1.png"/>',
                ),
            ),
            ("word/media/image1.png", image_bytes("PNG")),
            ("word/embeddings/Microsoft_Excel_Worksheet.xlsx", xlsx_bytes()),
            ("word/embeddings/Microsoft_Visio_Drawing.vsdx", b"PK\x03\x04"),
            # Made from a template on the author's own drive, as Word records it.
            template_rels("file:///C:/Users/head/AppData/Roaming/Microsoft/Templates/Trust.dotm"),
        ]
    )
    assert uploads.validate_upload(upload("plan.docx", data))[0] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    odt = zip_bytes(
        [
            *odt_members(),
            ("Object 1/content.xml", "<chart/>"),
            # A Basic library's index, written without any macro in it.
            ("Basic/Standard/script-lb.xml", "<library:library/>"),
        ]
    )
    assert uploads.validate_upload(upload("letter.odt", odt))[0] == (
        "application/vnd.oasis.opendocument.text"
    )


@override_settings(EVIDENCE_SCANNER="tests.test_uploads.recording_scanner")
def test_every_accepted_upload_passes_through_the_scanning_hook():
    scanned.clear()
    for name, build, _ in ACCEPTED:
        data = build()
        uploads.validate_upload(upload(name, data))
        assert scanned[-1] == (name, data)
    assert len(scanned) == len(ACCEPTED)


def test_file_names_lose_control_and_direction_characters():
    assert uploads.clean_file_name("report\u202e\x07 2025.pdf") == "report 2025.pdf"


# --- The page, storage and the timeline ----------------------------------------


@pytest.fixture
def member():
    return MembershipFactory()


@pytest.fixture
def proposal(member):
    return ProposalFactory(organisation=member.organisation)


@pytest.fixture
def signed_in(client, member):
    client.force_login(member.user)
    return client


def documents_url(proposal):
    return reverse("proposal-documents", args=[proposal.pk])


def store(proposal, user, name="report.pdf", data=None):
    data = pdf_bytes() if data is None else data
    content_type, sha256 = uploads.validate_upload(upload(name, data))
    return uploads.add_evidence(
        proposal,
        upload(name, data),
        content_type=content_type,
        sha256=sha256,
        description="",
        user=user,
    )


def events(proposal, action):
    return list(CaseEvent.objects.filter(case=proposal, action=action))


def test_an_upload_is_stored_under_media_root_and_recorded(
    signed_in, proposal, member, media_root, settings
):
    response = signed_in.post(
        documents_url(proposal),
        {"file": upload("Ofsted report.pdf", pdf_bytes()), "description": "Inspection, 2025"},
    )
    assert response.status_code == 302
    assert response["Location"] == documents_url(proposal)

    evidence = Evidence.objects.get(proposal=proposal)
    assert evidence.original_name == "Ofsted report.pdf"
    assert evidence.content_type == "application/pdf"
    assert evidence.size == len(pdf_bytes())
    assert evidence.sha256 == hashlib.sha256(pdf_bytes()).hexdigest()
    assert evidence.description == "Inspection, 2025"
    assert evidence.uploaded_by == member.user

    stored = Path(evidence.file.path).resolve()
    assert stored.is_relative_to(Path(media_root).resolve())
    assert stored.parent.name == str(proposal.pk)
    assert stored.name != "Ofsted report.pdf"
    assert stored.read_bytes() == pdf_bytes()
    assert not stored.is_relative_to(Path(settings.STATIC_ROOT).resolve())
    for static_dir in settings.STATICFILES_DIRS:
        assert not stored.is_relative_to(Path(static_dir).resolve())

    [event] = events(proposal, "document_uploaded")
    assert event.actor == member.user
    assert event.details == {"document": evidence.pk, "name": "Ofsted report.pdf"}

    page = signed_in.get(documents_url(proposal)).content.decode()
    assert "Ofsted report.pdf has been uploaded" in page
    assert "Inspection, 2025" in page
    assert reverse("proposal-document-download", args=[proposal.pk, evidence.pk]) in page


def test_the_description_is_kept_without_invisible_characters(signed_in, proposal):
    """A direction override (U+202E) turns what staff read around: "desc",
    the override, "fd" shows as "desc df", and the rest of the sentence it
    is put into is reversed too. The description is cleaned as names are."""
    response = signed_in.post(
        documents_url(proposal),
        {
            "file": upload("report.pdf", pdf_bytes()),
            "description": "desc \u202efd\u200b\u2066 plan\u2069\x07 ",
        },
    )
    assert response.status_code == 302
    assert Evidence.objects.get(proposal=proposal).description == "desc fd plan"


def test_a_description_with_a_line_break_is_refused(signed_in, proposal):
    response = signed_in.post(
        documents_url(proposal),
        {"file": upload("report.pdf", pdf_bytes()), "description": "Ofsted\nreport"},
    )
    assert response.status_code == 200
    assert "Enter the description on one line" in response.text
    assert not Evidence.objects.exists()


def test_a_bad_upload_shows_an_error_summary_and_keeps_the_description(signed_in, proposal):
    response = signed_in.post(
        documents_url(proposal),
        {"file": upload("report.pdf", ELF), "description": "Our <b>plan</b>"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Error: Supporting documents" in page
    assert f'<a href="#id_file">{WRONG_TYPE}</a>' in page
    assert "govuk-file-upload--error" in page
    assert 'value="Our &lt;b&gt;plan&lt;/b&gt;"' in page
    assert not Evidence.objects.exists()
    assert not events(proposal, "document_uploaded")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (lambda: {}, "Select a file to upload"),
        (lambda: {"file": upload("report.pdf", b"")}, "The selected file is empty"),
        (
            lambda: {"file": upload("plan.docx", zeros_member_zip(60 * MB))},
            "when its contents are unpacked",
        ),
        (
            lambda: {"file": upload("report.pdf", pdf_bytes()), "description": "x" * 201},
            "The description must be 200 characters or fewer",
        ),
    ],
    ids=["no-file", "empty", "zip-bomb", "long-description"],
)
def test_each_refusal_reaches_the_page(signed_in, proposal, fields, message):
    response = signed_in.post(documents_url(proposal), {"description": "", **fields()})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Evidence.objects.exists()


@override_settings(EVIDENCE_MAX_BYTES=1024)
def test_an_oversized_upload_is_refused_with_the_message(signed_in, proposal, media_root):
    response = signed_in.post(
        documents_url(proposal), {"file": upload("big.pdf", pdf_bytes(padding=5000))}
    )
    assert response.status_code == 200
    assert "The selected file must be smaller than 1KB" in response.content.decode()
    assert not Evidence.objects.exists()
    assert not any(path.is_file() for path in Path(media_root).rglob("*"))


def test_an_upload_just_over_the_default_limit_is_cut_off_and_refused(signed_in, proposal):
    response = signed_in.post(
        documents_url(proposal), {"file": upload("big.pdf", pdf_bytes(padding=10 * MB))}
    )
    assert response.status_code == 200
    assert "The selected file must be smaller than 10MB" in response.content.decode()
    assert not Evidence.objects.exists()


def test_the_size_cap_handler_keeps_none_of_an_oversized_file(rf, settings):
    settings.EVIDENCE_MAX_BYTES = 100
    request = rf.post("/", {"file": upload("big.pdf", pdf_bytes(padding=500))})
    oversized = request.FILES["file"]
    assert isinstance(oversized, uploads.OversizedUpload)
    assert oversized.size > 100
    assert oversized.read() == b""


@override_settings(EVIDENCE_SCANNER="tests.test_uploads.marker_scanner")
def test_a_file_the_scanner_refuses_is_not_stored(signed_in, proposal):
    infected = pdf_bytes() + b"EICAR-TEST-MARKER"
    response = signed_in.post(documents_url(proposal), {"file": upload("report.pdf", infected)})
    assert response.status_code == 200
    assert "The selected file contains a virus" in response.content.decode()
    assert not Evidence.objects.exists()

    clean = signed_in.post(documents_url(proposal), {"file": upload("report.pdf", pdf_bytes())})
    assert clean.status_code == 302
    assert Evidence.objects.count() == 1


@override_settings(EVIDENCE_MAX_FILES=2)
def test_the_number_of_documents_is_capped(signed_in, proposal, member):
    store(proposal, member.user)
    store(proposal, member.user)
    response = signed_in.post(documents_url(proposal), {"file": upload("third.pdf", pdf_bytes())})
    assert response.status_code == 200
    assert "You can upload up to 2 documents" in response.content.decode()
    assert Evidence.objects.count() == 2


def test_a_member_downloads_a_document_and_the_download_is_recorded(signed_in, proposal, member):
    evidence = store(proposal, member.user, name="Ofsted – report.pdf")
    url = reverse("proposal-document-download", args=[proposal.pk, evidence.pk])

    response = signed_in.get(url)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''Ofsted%20%E2%80%93%20report.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    [event] = events(proposal, "document_downloaded")
    assert event.actor == member.user
    assert event.details == {"document": evidence.pk, "name": "Ofsted – report.pdf"}


def test_a_member_deletes_a_draft_document_and_the_file_goes_after_commit(
    signed_in, proposal, member, django_capture_on_commit_callbacks
):
    evidence = store(proposal, member.user)
    stored = Path(evidence.file.path)
    url = reverse("proposal-document-delete", args=[proposal.pk, evidence.pk])

    with django_capture_on_commit_callbacks() as callbacks:
        response = signed_in.post(url)
        assert stored.exists()
    for callback in callbacks:
        callback()

    assert response.status_code == 302
    assert not Evidence.objects.exists()
    assert not stored.exists()
    [event] = events(proposal, "document_deleted")
    assert event.details == {"document": evidence.pk, "name": "report.pdf"}
    assert "report.pdf has been deleted" in signed_in.get(documents_url(proposal)).content.decode()
    # Pressed again (a double click, another tab): said, not a page not found.
    again = signed_in.post(url, follow=True)
    assert again.status_code == 200
    assert "That document is no longer on this proposal" in again.text


def test_documents_changed_from_check_answers_keep_the_way_back_there(signed_in, proposal, member):
    url = documents_url(proposal) + "?from=check"
    check = reverse("proposal-check", args=[proposal.pk])
    assert f'href="{url}"' in signed_in.get(check).text
    response = signed_in.post(url, {"file": upload("plan.pdf", pdf_bytes())})
    assert response.url == url
    page = signed_in.get(url).text
    assert f'href="{check}" class="govuk-back-link">Back to check your answers' in page
    assert "Return to check your answers" in page
    delete = reverse("proposal-document-delete", args=[proposal.pk, Evidence.objects.get().pk])
    assert f'action="{delete}?from=check"' in page
    assert signed_in.post(f"{delete}?from=check").url == url
    # Opened from the task list, the page leads back there.
    plain = signed_in.get(documents_url(proposal)).text
    assert "check your answers" not in plain


def test_two_deletes_of_one_document_at_once_delete_it_once(proposal, member):
    """Both requests read the document before either held the lock."""
    from proposals.services import evidence as uploads

    evidence = store(proposal, member.user)
    stale = Evidence.objects.get(pk=evidence.pk)
    uploads.delete_evidence(evidence, user=member.user)
    with pytest.raises(uploads.AlreadyDeleted):
        uploads.delete_evidence(stale, user=member.user)
    assert len(events(proposal, "document_deleted")) == 1


def test_a_member_of_another_organisation_gets_404_everywhere(client, proposal, member):
    evidence = store(proposal, member.user)
    outsider = MembershipFactory()
    ProposalFactory(organisation=outsider.organisation)
    client.force_login(outsider.user)

    download = reverse("proposal-document-download", args=[proposal.pk, evidence.pk])
    delete = reverse("proposal-document-delete", args=[proposal.pk, evidence.pk])
    assert client.get(documents_url(proposal)).status_code == 404
    assert client.get(download).status_code == 404
    assert client.post(delete).status_code == 404
    assert (
        client.post(documents_url(proposal), {"file": upload("x.pdf", pdf_bytes())}).status_code
        == 404
    )
    assert Evidence.objects.filter(proposal=proposal).count() == 1
    assert not events(proposal, "document_downloaded")


def test_a_document_is_only_reached_through_its_own_proposal(signed_in, member):
    mine = ProposalFactory(organisation=member.organisation)
    other_member = MembershipFactory()
    theirs = store(ProposalFactory(organisation=other_member.organisation), other_member.user)
    assert (
        signed_in.get(reverse("proposal-document-download", args=[mine.pk, theirs.pk])).status_code
        == 404
    )
    assert (
        signed_in.post(reverse("proposal-document-delete", args=[mine.pk, theirs.pk])).status_code
        == 404
    )
    assert Evidence.objects.filter(pk=theirs.pk).exists()


def test_a_signed_out_user_is_sent_to_sign_in(client, proposal, member):
    evidence = store(proposal, member.user)
    login = reverse("login")
    for method, url in [
        ("get", documents_url(proposal)),
        ("get", reverse("proposal-document-download", args=[proposal.pk, evidence.pk])),
        ("post", reverse("proposal-document-delete", args=[proposal.pk, evidence.pk])),
    ]:
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert response["Location"].startswith(f"{login}?next=")
    assert Evidence.objects.count() == 1


def evidence_on(proposal, user, data=None):
    """A document already on ``proposal`` whatever its status (as if
    uploaded while it was a draft)."""
    data = pdf_bytes() if data is None else data
    evidence = Evidence(
        proposal=proposal,
        original_name="report.pdf",
        content_type="application/pdf",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=user,
    )
    evidence.file.save("report.pdf", ContentFile(data))
    return evidence


def test_a_withdrawn_proposals_documents_say_it_was_withdrawn(client, member):
    withdrawn = ProposalFactory(organisation=member.organisation, status=Status.WITHDRAWN)
    evidence_on(withdrawn, member.user)
    client.force_login(member.user)
    html = client.get(documents_url(withdrawn)).text
    assert "This proposal has been withdrawn, so documents can no longer be added" in html
    assert "has been submitted" not in html


def test_after_submission_documents_can_be_read_but_not_changed(client, member):
    submitted = ProposalFactory(organisation=member.organisation, status=Status.SUBMITTED)
    evidence = evidence_on(submitted, member.user)
    client.force_login(member.user)

    page = client.get(documents_url(submitted))
    assert page.status_code == 200
    html = page.content.decode()
    assert "documents can no longer be added or deleted" in html
    assert "The documents sent with this proposal." in html and "Upload documents" not in html
    assert 'type="file"' not in html
    assert "/delete/" not in html

    refused = client.post(documents_url(submitted), {"file": upload("late.pdf", pdf_bytes())})
    assert refused.url == reverse("proposal-status", args=[submitted.pk])
    assert Evidence.objects.filter(proposal=submitted).count() == 1

    delete = reverse("proposal-document-delete", args=[submitted.pk, evidence.pk])
    assert client.post(delete).url == reverse("proposal-status", args=[submitted.pk])
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    assert Path(evidence.file.path).exists()

    download = client.get(reverse("proposal-document-download", args=[submitted.pk, evidence.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == pdf_bytes()
    assert len(events(submitted, "document_downloaded")) == 1


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.WITHDRAWN])
def test_the_services_refuse_a_proposal_that_is_no_longer_a_draft(member, status):
    """A page loaded while the proposal was a draft can post after it was
    submitted: the services check again under the row lock."""
    proposal = ProposalFactory(organisation=member.organisation, status=status)
    with pytest.raises(ValidationError) as caught:
        store(proposal, member.user)
    assert caught.value.code == "not_draft"
    assert not Evidence.objects.exists()

    evidence = evidence_on(proposal, member.user)
    with pytest.raises(ValidationError):
        uploads.delete_evidence(evidence, user=member.user)
    assert Evidence.objects.filter(pk=evidence.pk).exists()


def test_a_failed_upload_leaves_no_file_behind(proposal, member, media_root, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("the timeline is unavailable")

    monkeypatch.setattr(uploads.timeline, "record", fail)
    with pytest.raises(RuntimeError):
        store(proposal, member.user)
    assert not Evidence.objects.exists()
    assert not any(path.is_file() for path in Path(media_root).rglob("*"))


@pytest.mark.parametrize("count", [2, 20])
def test_the_list_page_queries_do_not_grow(
    signed_in, proposal, member, count, django_assert_num_queries
):
    uploaders = [member.user, MembershipFactory(organisation=proposal.organisation).user]
    Evidence.objects.bulk_create(
        Evidence(
            proposal=proposal,
            file=f"evidence/{proposal.pk}/{n:032x}",
            original_name=f"document {n}.pdf",
            content_type="application/pdf",
            size=1000 + n,
            sha256="0" * 64,
            uploaded_by=uploaders[n % 2],
        )
        for n in range(count)
    )
    with django_assert_num_queries(9):
        response = signed_in.get(documents_url(proposal))
    assert response.status_code == 200
    assert response.content.decode().count("/download/") == count


def test_upload_times_are_shown_in_london_time(signed_in, proposal, member):
    evidence = store(proposal, member.user)
    Evidence.objects.filter(pk=evidence.pk).update(
        uploaded_at=datetime(2026, 7, 1, 11, 30, tzinfo=UTC)
    )
    assert "12:30pm on 1 July 2026" in signed_in.get(documents_url(proposal)).content.decode()
