"""All of a case's evidence as one zip: the applicant's answers as text, the
supporting documents, the answers and documents sent to information
requests, the letters issued, and the concerns about them (with their
documents) that the person may read, with a README that lists every file and
its SHA-256. Built in a temporary file on disk, never in memory, so a case
with many large documents costs no more memory than a small one; a case
with no evidence gives a zip with the README and the (empty) answers.

Every download is on the case's timeline. Scores and internal comments are
staff's own assessment, not evidence, and are not in the zip.
"""

import hashlib
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings

from accreditation import clock, timeline
from accreditation.access import require

CHUNK = 1024 * 1024
UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")
EXTENSION = re.compile(r"[A-Za-z0-9]{1,10}")


def _model(label):
    return apps.get_model(*label.split("."))


def safe_name(name, index):
    """A file name for inside the zip: no folders, no odd characters, at
    most 120 characters before its extension, which it keeps (so the file
    opens in the program it is for), and numbered so two documents with one
    name both arrive."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, extension = base.rpartition(".")
    if not dot or not EXTENSION.fullmatch(extension):
        stem, extension = base, ""
    # Accented letters kept as their plain letters ("École" as "Ecole").
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    stem = UNSAFE.sub("-", stem).strip(" .-") or "document"
    return f"{index:02d}-{stem[:120]}{'.' + extension.lower() if extension else ''}"


@dataclass
class Manifest:
    lines: list = field(default_factory=list)
    missing: list = field(default_factory=list)

    def add(self, name, digest, note=""):
        self.lines.append(f"{name}  SHA-256 {digest}{f'  ({note})' if note else ''}")


def _write_bytes(archive, manifest, name, data):
    archive.writestr(name, data)
    manifest.add(name, hashlib.sha256(data).hexdigest())


def _write_file(archive, manifest, name, field_file, expected):
    """Copy a stored file into the archive in chunks, hashing as it goes."""
    try:
        source = field_file.open("rb")
    except (FileNotFoundError, ValueError):
        manifest.missing.append(name)
        return
    digest = hashlib.sha256()
    with source, archive.open(name, "w", force_zip64=True) as target:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            target.write(chunk)
    found = digest.hexdigest()
    manifest.add(name, found, "" if found == expected else "differs from the SHA-256 at upload")


def _write_documents(archive, manifest, folder, holders):
    """The documents of each of ``holders`` (information requests, concerns)
    into ``folder``, numbered in order; returns how many."""
    index = 0
    for holder in holders:
        for document in holder.documents.all():
            index += 1
            name = f"{folder}/{safe_name(document.original_name, index)}"
            _write_file(archive, manifest, name, document.file, document.sha256)
    return index


def _answers_text(case):
    Answer = _model("proposals.Answer")
    rows = Answer.objects.filter(proposal_id=case.pk).select_related("criterion__part")
    if not case.has_co_partner_route:
        # Kept from a route with a co-partner, and not part of the proposal.
        rows = rows.exclude(party="co_partner")
    parts = [f"Answers of {case.reference}, {case.organisation.name}\n"]
    for answer in sorted(
        rows, key=lambda a: (a.criterion.part.number, a.criterion.position, a.party)
    ):
        heading = f"{answer.criterion.code} {answer.criterion.title} ({answer.get_party_display()})"
        parts.append(f"\n{heading}\n{'=' * len(heading)}\n{answer.text or '(no answer)'}\n")
    if len(parts) == 1:
        parts.append("\nThe proposal holds no answers.\n")
    if case.new_provision_statement:
        parts.append(
            f"\nNew faith provision\n===================\n{case.new_provision_statement}\n"
        )
    return "".join(parts)


def _requests_text(requests):
    parts = []
    for number, request in enumerate(requests, start=1):
        parts.append(
            f"Information request {number}, asked {clock.local_date(request.asked_at):%-d %B %Y}, "
            f"answers sent {clock.local_date(request.sent_at):%-d %B %Y}\n"
        )
        for question in request.questions.all():
            parts.append(f"\nQuestion {question.position}: {question.text}\n")
            parts.append(f"Answer: {question.answer or '(no answer)'}\n")
        parts.append("\n")
    return "".join(parts)


def _concerns_text(concerns):
    parts = []
    for number, concern in enumerate(concerns, start=1):
        parts.append(
            f"Concern {number}, about the {concern.letter.get_purpose_display().lower()} issued "
            f"{clock.local_date(concern.letter.issued_at):%-d %B %Y}, raised "
            f"{clock.local_date(concern.raised_at):%-d %B %Y}: {concern.get_state_display()}\n"
            f"\n{concern.text}\n"
        )
        if not concern.is_open:
            parts.append(
                f"\nDecided {clock.local_date(concern.decided_at):%-d %B %Y}: {concern.response}\n"
            )
        parts.append("\n")
    return "".join(parts)


def build(case, handle, user=None):
    """Write the case's evidence zip into ``handle`` (an open binary file):
    with the concerns about its letters, and their documents, that ``user``
    may read (``feedback.view_concern``). Returns how many files of each
    kind it holds."""
    Evidence = _model("proposals.Evidence")
    InformationRequest = _model("assessments.InformationRequest")
    Letter = _model("feedback.Letter")
    Concern = _model("feedback.Concern")
    manifest = Manifest()
    counts = {"documents": 0, "request_documents": 0, "letters": 0, "concern_documents": 0}
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        _write_bytes(archive, manifest, "answers.txt", _answers_text(case).encode())
        documents = Evidence.objects.filter(proposal_id=case.pk).order_by("uploaded_at", "pk")
        for index, document in enumerate(documents, start=1):
            name = f"documents/{safe_name(document.original_name, index)}"
            _write_file(archive, manifest, name, document.file, document.sha256)
            counts["documents"] += 1
        sent = list(
            InformationRequest.objects.filter(case_id=case.pk, sent_at__isnull=False)
            .prefetch_related("questions", "documents")
            .order_by("asked_at", "pk")
        )
        if sent:
            text = _requests_text(sent).encode()
            _write_bytes(archive, manifest, "information-requests/answers.txt", text)
        counts["request_documents"] = _write_documents(
            archive, manifest, "information-requests", sent
        )
        letters = Letter.objects.filter(case_id=case.pk, issued_at__isnull=False).order_by(
            "issued_at", "pk"
        )
        for letter in letters:
            if not letter.pdf:
                manifest.missing.append(f"letters/{letter.filename}")
                continue
            _write_bytes(archive, manifest, f"letters/{letter.filename}", bytes(letter.pdf))
            counts["letters"] += 1
        concerns = [
            concern
            for concern in Concern.objects.filter(case_id=case.pk)
            .select_related("letter", "case")
            .defer("letter__pdf")
            .prefetch_related("documents")
            .order_by("raised_at", "pk")
            if user is not None and user.has_perm("feedback.view_concern", concern)
        ]
        if concerns:
            text = _concerns_text(concerns).encode()
            _write_bytes(archive, manifest, "concerns/concerns.txt", text)
        counts["concern_documents"] = _write_documents(archive, manifest, "concerns", concerns)
        archive.writestr("README.txt", _readme(case, manifest, counts))
    return counts


def _readme(case, manifest, counts):
    lines = [
        f"{settings.SERVICE_NAME}: the evidence of case {case.reference}",
        f"Organisation: {case.organisation.name}",
        f"Made: {clock.local(clock.now()):%-d %B %Y at %H:%M} (UK time)",
        "",
        "What this zip holds, with each file's SHA-256:",
        *manifest.lines,
    ]
    if not any(counts.values()):
        lines += ["", "The case holds no documents and no letters: only its answers are here."]
    if manifest.missing:
        lines += [
            "",
            "Not included: these files are no longer held (for example, removed at the end of "
            "their retention period):",
            *manifest.missing,
        ]
    return "\n".join(lines) + "\n"


def evidence_zip(case, user):
    """The case's evidence zip in a temporary file, rewound, for ``user`` who
    may see the case; the download is recorded on the case's timeline."""
    require(user, "accreditation.view_case", case)
    handle = tempfile.TemporaryFile()
    try:
        counts = build(case, handle, user)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    timeline.record(case, "evidence_zip_downloaded", user, details=counts, internal=True)
    return handle


def filename(case):
    return f"{case.reference}-evidence.zip"
