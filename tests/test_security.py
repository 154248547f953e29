"""Replays of what an attack on a running copy found (issue 7), each shut.

Every test here failed before the fix it names: the lock-out sidestepped by
case, pages cached, server errors from odd numbers, lost updates, uploads
unscanned, words lost from PDFs, e-mail floods, registration telling whether
an address has an account, and sessions outliving a switched-off account.
"""

import io
import itertools
import re
import socket
import struct
import threading
import zlib

import pypdf
import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accreditation.forms.helpers import ANSWER_CHARS_PER_WORD
from accreditation.models import LocalAuthority, OrganisationKind
from accreditation.roles import Role
from accreditation.tasks import send_outbox
from proposals.models import Route
from proposals.queries.journey import Journey
from proposals.services import applicant as services
from proposals.services import evidence as uploads
from tests.factories import (
    EvidenceFactory,
    MembershipFactory,
    OrganisationFactory,
    OutOfRoundRequestFactory,
    ProposalFactory,
    RoundFactory,
    UserFactory,
)
from tests.journey_helpers import start_for
from tests.test_uploads import well_formed_pdf

pytestmark = pytest.mark.django_db

ODD_NUMBERS = [
    "²",  # superscript two: str.isdigit() says yes, int() says no
    "①",  # circled one: the same
    "٣",  # Arabic-Indic three: int() reads it as 3
    "9" * 20,  # beyond a 64-bit integer
    "12abc",
    "-1",
]


def verified(client, user):
    """Signed in past the staff second factor."""
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def sign_in(client, username, password, **headers):
    return client.post(
        reverse("login"), {"username": username, "password": password}, headers=headers
    )


# --- 1. The lock-out ---------------------------------------------------------------


def case_variants(address):
    """Every way of writing ``address``'s letters in upper or lower case
    (2ⁿ for n letters), with spaces around some."""
    letters = [(ch.lower(), ch.upper()) if ch.isalpha() else (ch,) for ch in address]
    for index, spelling in enumerate(itertools.product(*letters)):
        text = "".join(spelling)
        yield f" {text} " if index % 3 == 0 else text


class TestLockOut:
    def test_every_case_variant_counts_against_one_account(self, client, password, settings):
        UserFactory(email="abcd@example.org", roles=[Role.APPLICANT])
        variants = list(case_variants("abcd@example.org"))
        assert len(variants) == 2 ** len("abcdexampleorg")
        limit = settings.AXES_FAILURE_LIMIT
        for variant in variants[: limit - 1]:
            assert sign_in(client, variant, "wrong").status_code == 200, variant
        assert sign_in(client, variants[limit - 1], "wrong").status_code == 429
        # Locked: no other spelling gets in, even with the right password.
        for variant in variants[limit : limit + 20]:
            response = sign_in(client, variant, password)
            assert response.status_code == 429, variant
        assert "_auth_user_id" not in client.session

    def test_the_lock_key_is_the_address_the_sign_in_looks_up(self):
        from accreditation import security  # new with the fix: the module replays old code too

        factory = RequestFactory()
        keys = {
            security.lockout_username(factory.post("/"), {"username": variant})
            for variant in case_variants("Name@Example.org")
        }
        assert keys == {"name@example.org"}
        request = factory.post("/", {"username": "  NAME@example.ORG "})
        assert security.lockout_username(request, None) == "name@example.org"

    def test_with_no_trusted_proxy_the_forwarded_header_is_ignored(
        self, client, password, settings
    ):
        UserFactory(email="bob@example.org")
        for attempt in range(settings.AXES_FAILURE_LIMIT):
            sign_in(client, "bob@example.org", "wrong", x_forwarded_for=f"10.0.0.{attempt}")
        response = sign_in(client, "bob@example.org", password, x_forwarded_for="10.9.9.9")
        assert response.status_code == 429

    def test_behind_a_trusted_proxy_each_client_is_locked_out_on_its_own(
        self, client, password, settings
    ):
        settings.TRUSTED_PROXY_COUNT = 1
        UserFactory(email="bob@example.org")
        # The attacker writes their own X-Forwarded-For; the proxy appends
        # the address it saw, which is the one that counts.
        for attempt in range(settings.AXES_FAILURE_LIMIT):
            sign_in(
                client,
                "bob@example.org",
                "wrong",
                x_forwarded_for=f"10.0.0.{attempt}, 203.0.113.66",
            )
        assert (
            sign_in(
                client, "bob@example.org", password, x_forwarded_for="1.1.1.1, 203.0.113.66"
            ).status_code
            == 429
        )
        # Bob, at another address behind the same proxy, is not locked out.
        assert (
            sign_in(client, "bob@example.org", password, x_forwarded_for="198.51.100.7").status_code
            == 302
        )

    @pytest.mark.parametrize(
        ("count", "forwarded", "expected"),
        [
            (0, "198.51.100.7", "192.0.2.1"),
            (1, "198.51.100.7", "198.51.100.7"),
            (1, "6.6.6.6, 198.51.100.7", "198.51.100.7"),
            (2, "6.6.6.6, 198.51.100.7, 10.0.0.2", "198.51.100.7"),
            (2, "198.51.100.7", "192.0.2.1"),  # fewer entries than proxies
            (1, "", "192.0.2.1"),
        ],
    )
    def test_the_client_address(self, settings, count, forwarded, expected):
        from accreditation import security

        settings.TRUSTED_PROXY_COUNT = count
        request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=forwarded)
        assert security.client_address(request) == expected


# --- 3. No caching of private pages ------------------------------------------------


class TestNoStore:
    def test_the_second_factor_set_up_page_is_not_stored(self, client):
        client.force_login(UserFactory(roles=[Role.ASSESSOR]))
        response = client.get(reverse("otp-setup"))
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]

    def test_staff_pages_are_not_stored(self, client):
        verified(client, UserFactory(roles=[Role.CASEWORK_OFFICER]))
        for name in ("staff-home", "out-of-round-staff-list"):
            response = client.get(reverse(name))
            assert response.status_code == 200
            assert "no-store" in response["Cache-Control"], name

    def test_proposal_pdfs_and_documents_are_not_stored(self, client, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        membership = MembershipFactory()
        proposal = ProposalFactory(organisation=membership.organisation)
        evidence = EvidenceFactory(proposal=proposal)
        client.force_login(membership.user)
        for url in (
            reverse("proposal-pdf", args=[proposal.pk]),
            reverse("proposal-document-download", args=[proposal.pk, evidence.pk]),
        ):
            response = client.get(url)
            assert response.status_code == 200, url
            assert "no-store" in response["Cache-Control"], url


# --- 4. No server errors from odd numbers ----------------------------------------------


@pytest.fixture
def member(client):
    membership = MembershipFactory()
    client.force_login(membership.user)
    return membership


class TestOddNumbers:
    @pytest.mark.parametrize("value", ODD_NUMBERS)
    def test_the_start_page(self, client, member, value):
        RoundFactory()
        for name in ("round", "window"):
            response = client.get(reverse("proposal-start"), {name: value})
            assert response.status_code == 404, (name, value)

    @pytest.mark.parametrize("value", ODD_NUMBERS)
    def test_the_organisation_switch(self, client, member, value):
        response = client.post(reverse("switch-organisation"), {"organisation": value})
        assert response.status_code == 404

    @pytest.mark.parametrize("value", ODD_NUMBERS)
    def test_copying_a_proposal(self, client, member, value):
        proposal = ProposalFactory(organisation=member.organisation)
        response = client.post(reverse("proposal-copy", args=[proposal.pk]), {"round": value})
        assert response.status_code == 404

    @pytest.mark.parametrize(
        "path",
        [
            "/proposals/99999999999999999999/",
            "/proposals/9223372036854775808/type/",
            "/proposals/²/",
            "/proposals/٣/",
            "/out-of-round/99999999999999999999/sent/",
            "/out-of-round/staff/99999999999999999999/",
            "/staff/users/99999999999999999999/",
            "/organisation/members/99999999999999999999/remove/",
        ],
    )
    def test_ids_in_addresses(self, client, member, path):
        assert client.get(path).status_code == 404

    @pytest.mark.parametrize(
        ("day", "month", "year"),
        [("²", "3", "2031"), ("1", "①", "2031"), ("1", "3", "٢٠٣١"), ("1", "3", "9" * 20)],
    )
    def test_the_out_of_round_grant_form(self, client, day, month, year):
        verified(client, UserFactory(roles=[Role.CASEWORK_OFFICER]))
        pending = OutOfRoundRequestFactory()
        response = client.post(
            reverse("out-of-round-decide", args=[pending.pk]),
            {
                "grant-deadline_date_0": day,
                "grant-deadline_date_1": month,
                "grant-deadline_date_2": year,
                "grant-deadline_time": "5pm",
                "grant": "",
            },
        )
        assert response.status_code == 200
        assert "govuk-error-summary" in response.text

    def test_an_answers_version_beyond_the_column(self, client, member):
        proposal = start_for(member.user, RoundFactory())
        question = Journey.load(proposal).questions[0]
        response = client.post(
            reverse(
                "proposal-answer",
                args=[proposal.pk, question.criterion.code, question.party],
            ),
            {"text": "Our record.", "version": "9" * 20},
        )
        assert response.status_code == 200
        assert "govuk-error-summary" in response.text


# --- 5. No lost updates -------------------------------------------------------------------


def hidden_version(response):
    """The version the page's form carries (what it showed, or after a
    refusal, what is stored now)."""
    return response.context["form"]["version"].value()


class TestLostUpdates:
    def co_partner_data(self, proposal, role, version):
        return {
            "name": "Partner Trust",
            "kind": OrganisationKind.ACADEMY_TRUST,
            "identifier": "",
            "local_authority": LocalAuthority.objects.order_by("code").first().pk,
            "contact_name": "Pat",
            "contact_email": "pat@example.org",
            "role_in_partnership": role,
            "version": version,
        }

    def test_co_partner_details(self, client):
        first = MembershipFactory(organisation__non_educational=True)
        second = MembershipFactory(organisation=first.organisation)
        proposal = services.start_proposal(
            organisation=first.organisation,
            period=RoundFactory(),
            accreditation_type="asp",
            actor=first.user,
        )
        services.set_type_and_models(
            proposal,
            route=Route.CONSORTIUM_LEAD,
            majority_trust=True,
            federation=False,
            actor=proposal.created_by,
        )
        url = reverse("proposal-co-partner", args=[proposal.pk])
        client.force_login(first.user)
        first_version = hidden_version(client.get(url))
        client.force_login(second.user)
        second_version = hidden_version(client.get(url))

        client.force_login(first.user)
        saved = client.post(url, self.co_partner_data(proposal, "Leads on maths.", first_version))
        assert saved.status_code == 302
        client.force_login(second.user)
        stale = client.post(url, self.co_partner_data(proposal, "Leads on EYFS.", second_version))
        assert stale.status_code == 200
        assert "These details were saved again while you were editing them" in stale.text
        proposal.co_partner.refresh_from_db()
        assert proposal.co_partner.role_in_partnership == "Leads on maths."
        # Saving again from the page that said so replaces it knowingly.
        again = client.post(
            url, self.co_partner_data(proposal, "Leads on EYFS.", hidden_version(stale))
        )
        assert again.status_code == 302
        proposal.co_partner.refresh_from_db()
        assert proposal.co_partner.role_in_partnership == "Leads on EYFS."

    def test_the_organisation_profile(self, client):
        organisation = OrganisationFactory(name="Oak Primary", urn="123123")
        first = MembershipFactory(organisation=organisation)
        second = MembershipFactory(organisation=organisation)
        url = reverse("organisation-edit", args=[organisation.kind])
        client.force_login(first.user)
        first_version = hidden_version(client.get(url))
        client.force_login(second.user)
        second_version = hidden_version(client.get(url))

        def details(name, version):
            return {
                "name": name,
                "urn": "123123",
                "local_authority": organisation.local_authority_id,
                "phase": "primary",
                "claims_national_support_school": "no",
                "faith_designation": "none",
                "address": "1 Oak Lane",
                "schools_led_count": "0",
                "primary_governance_count": "0",
                "version": version,
            }

        client.force_login(first.user)
        assert client.post(url, details("Oak Primary School", first_version)).status_code == 302
        client.force_login(second.user)
        stale = client.post(url, details("Oak Tree Primary", second_version))
        assert stale.status_code == 200
        assert "These details were saved again while you were editing them" in stale.text
        organisation.refresh_from_db()
        assert organisation.name == "Oak Primary School"

    def test_staff_roles(self, client):
        person = UserFactory(roles=[Role.ASSESSOR])
        url = reverse("staff-user", args=[person.pk])
        first, second = (
            UserFactory(roles=[Role.ADMINISTRATOR]),
            UserFactory(roles=[Role.ADMINISTRATOR]),
        )
        versions = [hidden_version(verified(client, admin).get(url)) for admin in (first, second)]
        verified(client, first)
        done = client.post(
            url,
            {
                "roles": ["assessor", "decision_official"],
                "is_active": "yes",
                "version": versions[0],
            },
        )
        assert done.status_code == 302
        verified(client, second)
        stale = client.post(url, {"roles": ["assessor"], "is_active": "no", "version": versions[1]})
        assert "These details were saved again while you were editing them" in stale.text
        person.refresh_from_db()
        assert person.is_active
        assert person.role_names == {"assessor", "decision_official"}

    def test_the_contacts(self, client):
        me = MembershipFactory(is_contact=True)
        other = MembershipFactory(organisation=me.organisation, is_contact=False)
        url = reverse("organisation-contacts")
        client.force_login(other.user)
        their_page = client.get(url)
        client.force_login(me.user)
        assert (
            client.post(
                url, {"contacts": [me.pk, other.pk], "version": hidden_version(client.get(url))}
            ).status_code
            == 302
        )
        client.force_login(other.user)
        stale = client.post(url, {"contacts": [other.pk], "version": hidden_version(their_page)})
        assert "These details were saved again while you were editing them" in stale.text
        me.refresh_from_db()
        assert me.is_contact

    def test_a_page_without_a_version_saves_nothing(self, client):
        organisation = OrganisationFactory(name="Oak Primary", urn="123123")
        client.force_login(MembershipFactory(organisation=organisation).user)
        response = client.post(
            reverse("organisation-edit", args=[organisation.kind]),
            {
                "name": "Forged",
                "urn": "123123",
                "local_authority": organisation.local_authority_id,
                "phase": "primary",
                "claims_national_support_school": "no",
                "faith_designation": "none",
                "address": "",
                "schools_led_count": "0",
                "primary_governance_count": "0",
            },
        )
        assert response.status_code == 200
        organisation.refresh_from_db()
        assert organisation.name == "Oak Primary"


# --- 6. Uploads scanned --------------------------------------------------------------

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def small_pdf(extra=b""):
    return well_formed_pdf(catalog_extra=extra)


@pytest.fixture
def fake_clamd(tmp_path, settings):
    """A clamd on a unix socket that speaks INSTREAM and finds EICAR."""
    path = tmp_path / "clamd.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen()
    received = []

    def serve():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                command = b""
                while not command.endswith(b"\0"):
                    command += conn.recv(1)
                data = b""
                while True:
                    (size,) = struct.unpack("!L", conn.recv(4, socket.MSG_WAITALL))
                    if size == 0:
                        break
                    data += conn.recv(size, socket.MSG_WAITALL)
                received.append((command, data))
                found = b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE" in data
                conn.sendall(b"stream: Eicar-Signature FOUND\0" if found else b"stream: OK\0")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    settings.EVIDENCE_SCANNER = "proposals.clamav.scan"
    settings.CLAMAV_ADDRESS = f"unix://{path}"
    settings.CLAMAV_TIMEOUT_SECONDS = 5
    yield received
    server.shutdown(socket.SHUT_RDWR)  # wakes the accept() the thread waits in
    server.close()
    thread.join(timeout=5)


def object_stream_pdf(action, catalog_extra=b"", indexed=True):
    """A PDF 1.5 whose open action, ``action``, is packed in a compressed
    object stream, found through a cross-reference stream (none without
    ``indexed``: a PDF reader rebuilds it by reading the whole file)."""
    out = io.BytesIO()
    out.write(b"%PDF-1.5\n")
    offsets = {}

    def write(number, body):
        offsets[number] = out.tell()
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")

    write(1, b"<</Type/Catalog/Pages 2 0 R/OpenAction 4 0 R" + catalog_extra + b">>")
    write(2, b"<</Type/Pages/Kids[]/Count 0>>")
    header = b"4 0 "
    packed = zlib.compress(header + action)
    write(
        3,
        b"<</Type/ObjStm/N 1/First %d/Filter/FlateDecode/Length %d>>\nstream\n"
        % (len(header), len(packed))
        + packed
        + b"\nendstream",
    )
    if not indexed:
        return out.getvalue() + b"%%EOF\n"
    offsets[5] = out.tell()
    rows = [struct.pack(">BIH", 0, 0, 65535)]
    rows += [struct.pack(">BIH", 1, offsets[number], 0) for number in (1, 2, 3)]
    rows += [struct.pack(">BIH", 2, 3, 0), struct.pack(">BIH", 1, offsets[5], 0)]
    table = b"".join(rows)
    out.write(
        b"5 0 obj\n<</Type/XRef/Size 6/W[1 4 2]/Root 1 0 R/Length %d>>\nstream\n" % len(table)
        + table
        + b"\nendstream\nendobj\n"
    )
    out.write(b"startxref\n%d\n%%%%EOF\n" % offsets[5])
    return out.getvalue()


def refusal(name, data):
    with pytest.raises(uploads.ValidationError) as caught:
        uploads.validate_upload(SimpleUploadedFile(name, data))
    return caught.value.messages[0]


class TestUploadScanning:
    def test_eicar_renamed_pdf_is_refused(self, fake_clamd):
        assert refusal("report.pdf", EICAR) == uploads.WRONG_TYPE

    def test_a_pdf_carrying_eicar_is_refused_by_clamav(self, fake_clamd):
        data = small_pdf() + EICAR
        assert refusal("report.pdf", data) == "The selected file contains a virus"
        assert fake_clamd == [(b"zINSTREAM\0", data)]

    def test_a_clean_file_passes_clamav(self, fake_clamd):
        data = small_pdf()
        assert uploads.validate_upload(SimpleUploadedFile("report.pdf", data))[0] == (
            "application/pdf"
        )
        assert fake_clamd == [(b"zINSTREAM\0", data)]

    def test_clamav_down_refuses_the_file(self, settings, tmp_path):
        settings.EVIDENCE_SCANNER = "proposals.clamav.scan"
        settings.CLAMAV_ADDRESS = f"unix://{tmp_path / 'nobody-listens.sock'}"
        assert refusal("report.pdf", small_pdf()) == (
            "The selected file could not be checked for viruses. Try again later"
        )

    @pytest.mark.parametrize(
        "action",
        [
            b"/OpenAction<</S/JavaScript/JS(app.alert(1))>>",
            b"/OpenAction<</S/Launch/F(cmd.exe)>>",
            b"/AA<</O<</S/J#61vaScript/J#53(app.alert(1))>>>>",  # names spelt with #xx
            b"/Names<</JavaScript 3 0 R>>",
        ],
    )
    def test_a_pdf_with_javascript_or_a_launch_action_is_refused(self, action):
        assert refusal("report.pdf", small_pdf(action)) == uploads.ACTIVE_PDF

    def test_javascript_added_by_a_pdf_library_is_refused(self):
        writer = pypdf.PdfWriter()
        writer.add_blank_page(200, 200)
        writer.add_open_action(pypdf.actions.JavaScript("app.alert('hello');"))
        buffer = io.BytesIO()
        writer.write(buffer)
        assert refusal("report.pdf", buffer.getvalue()) == uploads.ACTIVE_PDF

    def test_javascript_hidden_in_a_compressed_object_stream_is_refused(self):
        data = object_stream_pdf(b"<</S/JavaScript/JS(app.alert(1))>>")
        assert b"JavaScript" not in data  # the bytes alone do not show it
        assert refusal("report.pdf", data) == uploads.ACTIVE_PDF

    def test_javascript_behind_an_object_too_big_to_read_is_refused(self):
        """The reading stops at an array of 200,100 numbers, before the
        compressed object stream it would have found the action in."""
        data = object_stream_pdf(
            b"<</S/JavaScript/JS(app.alert(1))>>", catalog_extra=b"/Pad[" + b"0 " * 200_100 + b"]"
        )
        assert refusal("report.pdf", data) == uploads.UNREADABLE_PDF

    def test_a_compressed_object_stream_in_a_file_that_does_not_open_is_refused(self):
        data = object_stream_pdf(b"<</S/JavaScript/JS(app.alert(1))>>", indexed=False)
        assert refusal("report.pdf", data) == uploads.UNREADABLE_PDF
        harmless = object_stream_pdf(b"<</S/URI/URI(https://www.gov.uk/)>>", indexed=False)
        assert refusal("report.pdf", harmless) == uploads.UNREADABLE_PDF

    @pytest.mark.parametrize(
        "extra",
        [
            b"/AcroForm<</XFA 3 0 R>>",
            b"/Names<</EmbeddedFiles<</Names[(run.exe) 3 0 R]>>>>",
            # An attachment whose file stream is not typed: found by /EF.
            b"/Annots[<</Subtype/FileAttachment/FS<</F(run.exe)/EF<</F 3 0 R>>>>>>]",
            b"/Annots[<</Subtype/RichMedia>>]",
            b"/Annots[<</Subtype/Screen/A<</S/Rendition>>>>]",
            b"/OpenAction<</S/GoToE/T<</R/C/N(a)>>>>",
            b"/OpenAction<</S/GoToR/F(\\\\server\\share\\a.pdf)/D[0/Fit]>>",
            b"/AA<</WC<</S/SubmitForm/F(https://example.com/)>>>>",
        ],
    )
    def test_a_pdf_with_an_xfa_form_an_attached_file_media_or_a_sending_action_is_refused(
        self, extra
    ):
        assert refusal("report.pdf", small_pdf(extra)) == uploads.ACTIVE_PDF

    def test_a_file_that_does_not_open_as_a_pdf_is_refused_whatever_its_bytes_say(self):
        """Without its cross-reference table a reader repairs the file and
        runs it; its bytes alone can be written to hide from a scan of them
        (a string "(stream" makes the rest look like stream data)."""
        hidden = (
            b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R/T(stream\n)"
            b"/OpenAction<</S/JavaScript/JS(app.alert(1))>>/U(endstream)>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
        )
        assert refusal("report.pdf", hidden) == uploads.UNREADABLE_PDF

    def test_a_long_tagged_pdf_is_read_to_its_end_and_accepted(self):
        """Counted by its objects, not by every value in them: a long
        accessible report (its structure tree) has hundreds of thousands of
        values in a few tens of thousands of objects."""
        import pikepdf

        document = pikepdf.new()
        document.add_blank_page()
        elements = pikepdf.Array(
            document.make_indirect(
                pikepdf.Dictionary(
                    Type=pikepdf.Name.StructElem,
                    S=pikepdf.Name.P,
                    K=pikepdf.Array(range(12)),
                    Alt=pikepdf.String("A paragraph"),
                )
            )
            for _ in range(20_000)
        )
        document.Root.StructTreeRoot = document.make_indirect(
            pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot, K=elements)
        )
        buffer = io.BytesIO()
        document.save(buffer)
        upload = SimpleUploadedFile("report.pdf", buffer.getvalue())
        assert uploads.validate_upload(upload)[0] == "application/pdf"

    def test_a_pdf_secured_without_an_opening_password_is_accepted(self):
        """Many programs secure a PDF with AES and an owner password only:
        anyone opens it, and so does the check."""
        import pikepdf

        document = pikepdf.new()
        document.add_blank_page()
        secured, locked = io.BytesIO(), io.BytesIO()
        document.save(secured, encryption=pikepdf.Encryption(owner="owner", user="", R=6))
        document.save(locked, encryption=pikepdf.Encryption(owner="owner", user="open", R=6))
        assert uploads.validate_upload(SimpleUploadedFile("a.pdf", secured.getvalue()))[0] == (
            "application/pdf"
        )
        assert refusal("a.pdf", locked.getvalue()) == uploads.LOCKED_PDF

    def test_a_harmless_compressed_object_stream_is_accepted(self):
        data = object_stream_pdf(b"<</S/URI/URI(https://www.gov.uk/)>>")
        assert uploads.validate_upload(SimpleUploadedFile("a.pdf", data))[0] == "application/pdf"

    def test_an_ordinary_pdf_made_by_a_pdf_library_is_accepted(self):
        writer = pypdf.PdfWriter()
        writer.add_blank_page(200, 200)
        buffer = io.BytesIO()
        writer.write(buffer)
        data = buffer.getvalue()
        assert uploads.validate_upload(SimpleUploadedFile("a.pdf", data))[0] == "application/pdf"

    @pytest.mark.parametrize(("password", "refused"), [("secret", True), ("", False)])
    def test_a_pdf_locked_by_a_password_cannot_be_read_so_is_refused(self, password, refused):
        writer = pypdf.PdfWriter()
        writer.add_blank_page(200, 200)
        writer.encrypt(user_password=password, owner_password="owner", algorithm="RC4-128")
        buffer = io.BytesIO()
        writer.write(buffer)
        upload = SimpleUploadedFile("a.pdf", buffer.getvalue())
        if refused:
            assert refusal("a.pdf", buffer.getvalue()) == uploads.LOCKED_PDF
        else:
            assert uploads.validate_upload(upload)[0] == "application/pdf"

    def test_the_refusal_reaches_the_page(self, client, member):
        proposal = ProposalFactory(organisation=member.organisation)
        response = client.post(
            reverse("proposal-documents", args=[proposal.pk]),
            {
                "file": SimpleUploadedFile(
                    "report.pdf", small_pdf(b"/OpenAction<</S/JavaScript/JS(x)>>")
                ),
                "description": "",
            },
        )
        assert response.status_code == 200
        assert uploads.ACTIVE_PDF in response.text
        assert not proposal.evidence.exists()


# --- 7. Every word reaches the PDF; free text bounded -------------------------------------

TWO_MB_WORD = "x" * 1_900_000  # just under Django's 2 MB request limit, as the attack sent


class TestLongWords:
    def test_a_long_word_and_a_long_url_reach_the_pdf_whole(self, client, member):
        proposal = start_for(member.user, RoundFactory())
        question = Journey.load(proposal).questions[0]
        word = "a" * 3000 + "THEENDOFTHEWORD"
        url = "https://example.org/" + "path/" * 60 + "THEENDOFTHEURL"
        services.save_answer(
            proposal,
            criterion=question.criterion,
            party=question.party,
            text=f"{word} and {url}",
            version=0,
            actor=member.user,
        )
        response = client.get(reverse("proposal-pdf", args=[proposal.pk]))
        reader = pypdf.PdfReader(io.BytesIO(response.content))
        lines = [line for page in reader.pages for line in page.extract_text().splitlines()]
        joined = "".join("".join(lines).split())
        assert "a" * 200 + "THEENDOFTHEWORD" in joined
        assert "THEENDOFTHEURL" in joined
        # Each piece is printed on a line of the page's width: unwrapped, the
        # word ran on as one 3,000-character line far past the page's edge.
        for marker in ("THEENDOFTHEWORD", "THEENDOFTHEURL"):
            (line,) = [line for line in lines if marker in line]
            assert len(line) < 150, (marker, len(line))

    def test_a_2mb_single_word_answer_is_refused(self, client, member):
        proposal = start_for(member.user, RoundFactory())
        question = Journey.load(proposal).questions[0]
        response = client.post(
            reverse("proposal-answer", args=[proposal.pk, question.criterion.code, question.party]),
            {"text": TWO_MB_WORD, "version": "0"},
        )
        assert response.status_code == 200
        assert "characters or fewer" in response.text
        # The page tells the limit before it is met, not only once it is.
        most = question.criterion.word_limit * ANSWER_CHARS_PER_WORD
        assert f"An answer can have up to {most:,} characters in all." in response.text
        assert not proposal.answers.exists()

    def test_a_2mb_co_partner_role_is_refused(self, client):
        membership = MembershipFactory(organisation__non_educational=True)
        client.force_login(membership.user)
        proposal = services.start_proposal(
            organisation=membership.organisation,
            period=RoundFactory(),
            accreditation_type="asp",
            actor=membership.user,
        )
        services.set_type_and_models(
            proposal,
            route=Route.CONSORTIUM_LEAD,
            majority_trust=True,
            federation=False,
            actor=proposal.created_by,
        )
        response = client.post(
            reverse("proposal-co-partner", args=[proposal.pk]),
            TestLostUpdates().co_partner_data(
                proposal, TWO_MB_WORD, services.co_partner_version(proposal)
            ),
        )
        assert "What the co-partner will do must be 5,000 characters or fewer" in response.text

    def test_a_2mb_new_provision_statement_is_refused(self, client):
        membership = MembershipFactory(
            organisation__kind=OrganisationKind.COFE_DIOCESE,
            organisation__urn="",
            organisation__phase="not_applicable",
        )
        client.force_login(membership.user)
        proposal = ProposalFactory(organisation=membership.organisation)
        response = client.post(
            reverse("proposal-new-provision", args=[proposal.pk]),
            {"seeks": "yes", "statement": TWO_MB_WORD, "version": "x"},
        )
        assert (
            "The description of the new faith provision must be 5,000 characters or fewer"
            in response.text
        )
        # One error, not a second saying to describe it; the limit is shown.
        assert "Describe the new faith provision you seek</a>" not in response.text
        assert "You can enter up to 5000 characters" in response.text

    def test_a_2mb_withdrawal_reason_is_refused(self, client, member):
        proposal = start_for(member.user, RoundFactory())
        response = client.post(
            reverse("proposal-withdraw", args=[proposal.pk]), {"reason": TWO_MB_WORD}
        )
        assert "The reason must be 2,000 characters or fewer" in response.text
        proposal.refresh_from_db()
        assert proposal.status == "draft"

    def test_a_2mb_refusal_reason_is_refused(self, client):
        verified(client, UserFactory(roles=[Role.CASEWORK_OFFICER]))
        pending = OutOfRoundRequestFactory()
        response = client.post(
            reverse("out-of-round-decide", args=[pending.pk]),
            {"refuse-refusal_reason": TWO_MB_WORD, "refuse": ""},
        )
        assert "The reason for refusing must be 5,000 characters or fewer" in response.text
        pending.refresh_from_db()
        assert pending.outcome == "pending"


# --- 8. No e-mail flooding ----------------------------------------------------------------


class TestEmailFlooding:
    def test_100_password_resets_for_one_address_send_3_e_mails(
        self, client, settings, django_capture_on_commit_callbacks
    ):
        UserFactory(email="ada@example.org")
        pages = set()
        with django_capture_on_commit_callbacks(execute=True):
            for attempt in range(100):
                email = "ada@example.org" if attempt % 2 else "ADA@example.org"
                response = client.post(reverse("password_reset"), {"email": email})
                pages.add((response.status_code, response.url))
        assert pages == {(302, reverse("password_reset_done"))}
        send_outbox()
        assert len(mail.outbox) == settings.EMAIL_THROTTLES["password_reset"]["address"]

    def test_member_invitations_are_throttled_per_address_and_per_account(
        self, client, settings, django_capture_on_commit_callbacks
    ):
        settings.EMAIL_THROTTLES = {
            **settings.EMAIL_THROTTLES,
            "invitation": {"address": 2, "account": 5},
        }
        membership = MembershipFactory()
        client.force_login(membership.user)
        messages = []
        with django_capture_on_commit_callbacks(execute=True):
            for _ in range(10):
                response = client.post(
                    reverse("organisation-invite"), {"email": "victim@example.org"}, follow=True
                )
                messages.append([m.message.split(".")[0] for m in response.context["messages"]])
        assert messages == [["We have sent an invitation to victim@example"]] * 10
        send_outbox()
        assert len(mail.outbox) == 2
        # Another member, ten different addresses: the account's limit holds.
        client.force_login(MembershipFactory(organisation=membership.organisation).user)
        with django_capture_on_commit_callbacks(execute=True):
            for n in range(10):
                client.post(reverse("organisation-invite"), {"email": f"p{n}@example.org"})
        send_outbox()
        assert len(mail.outbox) == 2 + 5

    def test_staff_invitations_are_throttled_per_address(
        self, client, settings, django_capture_on_commit_callbacks
    ):
        verified(client, UserFactory(roles=[Role.ADMINISTRATOR]))
        with django_capture_on_commit_callbacks(execute=True):
            for _ in range(20):
                response = client.post(
                    reverse("staff-invite"),
                    {"full_name": "Grace", "email": "grace@example.org", "roles": ["assessor"]},
                )
                assert response.url == reverse("staff-users")
        send_outbox()
        assert len(mail.outbox) == settings.EMAIL_THROTTLES["invitation"]["address"]


# --- 9. Registration and switched-off accounts -----------------------------------------------


def without_nonces(html):
    return re.sub(rb'nonce="[^"]*"', b"", html)


class TestSmallerPoints:
    def register(self, client, email):
        return client.post(
            reverse("register"),
            {
                "full_name": "Ada Lovelace",
                "email": email,
                "password1": "a-long-and-unusual-passphrase",
                "password2": "a-long-and-unusual-passphrase",
            },
            follow=True,
        )

    def test_registration_answers_the_same_whether_or_not_the_address_has_an_account(self, client):
        UserFactory(email="taken@example.org")
        taken = self.register(client, "Taken@example.org")
        client.logout()
        new = self.register(client, "new@example.org")
        assert taken.redirect_chain == new.redirect_chain
        assert taken.status_code == new.status_code == 200
        assert without_nonces(taken.content) == without_nonces(new.content)

    def test_switching_a_staff_account_off_ends_its_sessions(self, client, django_user_model):
        from django.test import Client

        assessor = UserFactory(roles=[Role.ASSESSOR])
        theirs = verified(Client(), assessor)
        assert theirs.get(reverse("staff-home")).status_code == 200
        verified(client, UserFactory(roles=[Role.ADMINISTRATOR]))
        url = reverse("staff-user", args=[assessor.pk])
        response = client.post(
            url,
            {"roles": ["assessor"], "is_active": "no", "version": hidden_version(client.get(url))},
        )
        assert response.status_code == 302
        assert not any(
            session.get_decoded().get("_auth_user_id") == str(assessor.pk)
            for session in Session.objects.all()
        )
        assert theirs.get(reverse("staff-home")).status_code == 302
