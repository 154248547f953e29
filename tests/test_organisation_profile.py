"""The organisation profile and its members: creating and changing the
profile for each family of kinds, inviting colleagues, joining, removing
members and choosing contacts. Every refusal is a clear message with
nothing changed."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.html import escape

from accreditation.forms.organisations import DIOCESE_FAITH
from accreditation.middleware import SESSION_KEY
from accreditation.models import (
    Invitation,
    LocalAuthority,
    Membership,
    Organisation,
    OrganisationKind,
    User,
)
from accreditation.models.organisations import hash_token
from accreditation.roles import Role
from accreditation.services import organisations as services
from accreditation.tasks import send_outbox
from tests.factories import (
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    ProposalFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

K = OrganisationKind
STRONG = "a-long-and-unusual-passphrase"


def signed_in(client, user=None):
    user = user or UserFactory(roles=[Role.APPLICANT])
    client.force_login(user)
    return user


def details(kind, **overrides):
    """A complete, valid answer to the details step for ``kind``."""
    data = {
        "name": "Oak Tree Primary",
        "local_authority": LocalAuthority.objects.order_by("name").first().pk,
        "phase": "primary",
        "faith_designation": DIOCESE_FAITH.get(kind, "none"),
        "address": "1 Oak Lane\nLeeds\nLS1 1AA",
        "schools_led_count": "1",
        "primary_governance_count": "0",
    }
    if services.needs_urn(kind):
        data["urn"] = "654321"
    if services.needs_ukprn(kind):
        data["ukprn"] = "10012345"
    if services.may_claim_national_support_school(kind):
        data["claims_national_support_school"] = "no"
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def create(client, kind, **overrides):
    return client.post(
        reverse("organisation-create-details", args=[kind]), details(kind, **overrides)
    )


def member_of(organisation, client, **fields):
    membership = MembershipFactory(organisation=organisation, **fields)
    client.force_login(membership.user)
    return membership


class TestKindStep:
    def test_offers_every_kind_once_in_groups(self, client):
        signed_in(client)
        response = client.get(reverse("organisation-create"))
        assert response.status_code == 200
        for kind in K:
            assert response.text.count(f'value="{kind.value}"') == 1
        for label, _ in services.KIND_GROUPS:
            assert f">{label}</h2>" in response.text
        grouped = [kind for _, kinds in services.KIND_GROUPS for kind in kinds]
        assert sorted(grouped) == sorted(K)

    def test_choosing_a_kind_leads_to_its_details(self, client):
        signed_in(client)
        response = client.post(reverse("organisation-create"), {"kind": K.FE_COLLEGE})
        assert response.url == reverse("organisation-create-details", args=[K.FE_COLLEGE])

    @pytest.mark.parametrize("kind", [None, "palace"])
    def test_no_or_an_unknown_kind_is_refused(self, client, kind):
        signed_in(client)
        response = client.post(reverse("organisation-create"), {"kind": kind} if kind else {})
        assert response.status_code == 200
        assert "Select the kind of organisation" in response.text
        assert response.text.count("<title>Error: ") == 1
        assert 'href="#id_kind_1"' in response.text
        assert 'id="id_kind_1"' in response.text

    def test_an_unknown_kind_in_the_address_is_404(self, client):
        signed_in(client)
        assert client.get(reverse("organisation-create-details", args=["palace"])).status_code == (
            404
        )


class TestCreate:
    def test_a_school_needs_a_urn(self, client):
        user = signed_in(client)
        page = client.get(reverse("organisation-create-details", args=[K.MAINTAINED_PRIMARY]))
        assert 'name="urn"' in page.text
        assert 'name="ukprn"' not in page.text
        refused = create(client, K.MAINTAINED_PRIMARY, urn="")
        assert "Enter the school&#x27;s URN" in refused.text
        assert 'value="Oak Tree Primary"' in refused.text  # nothing lost
        assert not Organisation.objects.exists()

        response = create(client, K.MAINTAINED_PRIMARY)
        organisation = Organisation.objects.get()
        assert response.url == reverse("organisation-profile")
        assert organisation.urn == "654321"
        assert organisation.kind == K.MAINTAINED_PRIMARY
        membership = Membership.objects.get(organisation=organisation)
        assert membership.user == user and membership.is_contact
        assert client.session[SESSION_KEY] == organisation.pk

    @pytest.mark.parametrize("kind", [K.MAINTAINED_PRIMARY, K.EDUCATIONAL_CHARITY])
    def test_the_same_profile_sent_again_leads_to_the_one_made(self, client, kind):
        """Twice clicked, or sent again from the back button: the person is
        taken to the profile they made, not asked to contest its URN."""
        user = signed_in(client)
        first = create(client, kind)
        organisation = Organisation.objects.get()
        session = client.session
        session[SESSION_KEY] = None
        session.save()
        again = create(client, kind)
        assert again.url == first.url == reverse("organisation-profile")
        assert list(Organisation.objects.all()) == [organisation]
        assert Membership.objects.get().user == user
        assert client.session[SESSION_KEY] == organisation.pk
        shown = client.get(again.url).text
        assert "You are already a member of Oak Tree Primary, whose profile is the one" in shown
        assert "Another organisation already uses this URN" not in shown
        # Another profile (another name) is made as ever.
        create(client, kind, name="Elm Tree Primary", urn="765432")
        assert Organisation.objects.count() == 2

    @pytest.mark.parametrize(
        ("kind", "phase", "message"),
        [
            (K.MAINTAINED_PRIMARY, "secondary", "Select primary: the kind of organisation is"),
            (K.MAINTAINED_INFANT, "not_applicable", "Select primary: the kind of organisation is"),
            (K.MAINTAINED_SECONDARY, "primary", "Select secondary or all-through"),
        ],
    )
    def test_a_schools_phase_must_fit_its_kind(self, client, kind, phase, message):
        signed_in(client)
        refused = create(client, kind, phase=phase)
        assert f'href="#id_phase_1">{message}' in refused.text
        assert 'id="id_phase_1_error" class="govuk-error-message"' in refused.text
        assert not Organisation.objects.exists()

    @pytest.mark.parametrize(
        ("kind", "faith", "message"),
        [
            (K.COFE_DIOCESE, "none", "Select Church of England: a Church of England diocese"),
            (K.RC_DIOCESE, "none", "Select Roman Catholic: a Roman Catholic diocese"),
            (K.RC_DIOCESE, "church_of_england", "Select Roman Catholic"),
        ],
    )
    def test_a_diocese_has_its_religious_character(self, client, kind, faith, message):
        signed_in(client)
        page = client.get(reverse("organisation-create-details", args=[kind]))
        assert re.search(rf'value="{DIOCESE_FAITH[kind]}"\s+checked', page.text)
        refused = create(client, kind, faith_designation=faith)
        assert f'href="#id_faith_designation_1">{message}' in refused.text
        assert not Organisation.objects.exists()
        create(client, kind)
        assert Organisation.objects.get().faith_designation == DIOCESE_FAITH[kind]

    @pytest.mark.parametrize("urn", ["12AB", "١٢٣٤٥٦", "１２３４５６", "1234567"])
    def test_a_urn_must_be_six_digits(self, client, urn):
        signed_in(client)
        response = create(client, K.INDEPENDENT_SECONDARY, urn=urn)
        # Said once, in the summary and at the field.
        assert response.text.count("Enter a URN of 6 digits, like 123456") == 2
        assert not Organisation.objects.exists()

    def test_six_zeros_are_no_schools_urn(self, client):
        signed_in(client)
        response = create(client, K.INDEPENDENT_SECONDARY, urn="000000")
        assert response.text.count("Enter the school’s real URN: 000000 is not one") == 2
        assert not Organisation.objects.exists()

    def test_a_count_is_written_in_the_digits_0_to_9(self, client):
        signed_in(client)
        response = create(client, K.INDEPENDENT_SECONDARY, schools_led_count="١")
        assert "as a whole number, like 2" in response.text
        assert not Organisation.objects.exists()

    def test_a_college_needs_a_ukprn(self, client):
        signed_in(client)
        page = client.get(reverse("organisation-create-details", args=[K.FE_COLLEGE]))
        assert 'name="ukprn"' in page.text
        assert 'name="urn"' not in page.text
        refused = create(client, K.FE_COLLEGE, ukprn="")
        assert "Enter the UKPRN" in refused.text
        refused = create(client, K.UNIVERSITY, ukprn="20012345")
        assert "Enter a UKPRN of 8 digits starting with 1" in refused.text
        assert not Organisation.objects.exists()

        create(client, K.FE_COLLEGE, name="Riverside College")
        organisation = Organisation.objects.get()
        assert (organisation.ukprn, organisation.urn) == ("10012345", "")

    @pytest.mark.parametrize("kind", [K.PRIVATE_OR_THIRD_SECTOR, K.ACADEMY_TRUST, K.RC_DIOCESE])
    def test_other_kinds_need_neither_and_identifiers_sent_anyway_are_dropped(self, client, kind):
        signed_in(client)
        page = client.get(reverse("organisation-create-details", args=[kind]))
        assert 'name="urn"' not in page.text and 'name="ukprn"' not in page.text
        create(client, kind, name="Brightpath Ltd", urn="111111", ukprn="10000001")
        organisation = Organisation.objects.get()
        assert (organisation.kind, organisation.urn, organisation.ukprn) == (kind, "", "")

    def test_the_profile_summary_shows_what_was_entered(self, client):
        signed_in(client)
        create(client, K.MAINTAINED_PRIMARY, claims_national_support_school="yes")
        response = client.get(reverse("organisation-profile"))
        text = response.text
        assert "Oak Tree Primary" in text
        assert "Maintained primary school" in text
        assert "654321" in text
        assert "1 Oak Lane<br>Leeds<br>LS1 1AA" in text
        assert "Yes: the accreditation team will check this" in text
        # The register's name for it, which the proposal's summary uses too.
        assert ">Faith designation</dt>" in text
        edit = reverse("organisation-edit", args=[K.MAINTAINED_PRIMARY])
        assert f'href="{edit}#id_name"' in text
        assert f'href="{reverse("organisation-change-kind")}"' in text

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            ("", "Enter the number of schools it leads, or 0 if there are none"),
            ("-1", "The number of schools it leads must be 0 or more"),
            ("1000", "The number of schools it leads must be 999 or fewer"),
            ("2.5", "Enter the number of schools it leads as a whole number, like 2"),
            ("two", "Enter the number of schools it leads as a whole number, like 2"),
        ],
    )
    def test_counts_are_whole_numbers_from_0_to_999(self, client, value, message):
        signed_in(client)
        response = create(client, K.ACADEMY_TRUST, schools_led_count=value)
        assert message in response.text
        assert 'href="#id_schools_led_count"' in response.text
        assert 'value="Oak Tree Primary"' in response.text
        assert not Organisation.objects.exists()

    def test_a_null_character_is_refused_in_the_services_words(self, client):
        signed_in(client)
        response = create(client, K.ACADEMY_TRUST, address="1 Oak\x00 Lane")
        assert 'href="#id_address">Remove the null character from what you entered' in (
            response.text
        )
        assert "Null characters are not allowed" not in response.text
        assert not Organisation.objects.exists()

    def test_every_required_answer_missing_is_listed(self, client):
        signed_in(client)
        response = client.post(
            reverse("organisation-create-details", args=[K.MAINTAINED_INFANT]), {}
        )
        for message in [
            "Enter the organisation&#x27;s name",
            "Enter the school&#x27;s URN",
            "Select the local authority",
            "Select yes if it is a National Support School",
            "Select its faith designation",
            "Enter the address",
        ]:
            assert message in response.text
        assert 'href="#id_claims_national_support_school_1"' in response.text

    def test_only_applicants_create_profiles(self, client, settings):
        settings.STAFF_OTP_REQUIRED = False
        signed_in(client, UserFactory(roles=[Role.CASEWORK_OFFICER]))
        assert client.get(reverse("organisation-create")).status_code == 403
        assert create(client, K.ACADEMY_TRUST).status_code == 403
        assert not Organisation.objects.exists()


class TestNationalSupportSchool:
    def test_offered_only_to_maintained_primary_kinds(self, client):
        signed_in(client)
        for kind in K:
            page = client.get(reverse("organisation-create-details", args=[kind]))
            offered = 'name="claims_national_support_school"' in page.text
            assert offered == (kind in services.MAINTAINED_PRIMARY_KINDS), kind

    def test_a_maintained_primary_may_claim_it(self, client):
        signed_in(client)
        create(client, K.MAINTAINED_JUNIOR, claims_national_support_school="yes")
        assert Organisation.objects.get().claims_national_support_school

    @pytest.mark.parametrize("forged", ["yes", "on", "true"])
    def test_a_claim_forged_into_a_secondary_schools_post_is_refused(self, client, forged):
        signed_in(client)
        response = create(
            client, K.MAINTAINED_SECONDARY, claims_national_support_school=forged, phase="secondary"
        )
        assert response.status_code == 200
        assert "Only a maintained infant, junior, primary or middle school can claim" in (
            response.text
        )
        assert response.text.count("<title>Error: ") == 1
        assert 'value="Oak Tree Primary"' in response.text
        assert not Organisation.objects.exists()

    def test_the_service_refuses_it_too(self):
        user = UserFactory(roles=[Role.APPLICANT])
        values = {
            "name": "Hill Academy",
            "kind": K.ACADEMY_TRUST,
            "local_authority": LocalAuthority.objects.first(),
            "claims_national_support_school": True,
        }
        with pytest.raises(services.OrganisationError, match="Only a maintained"):
            services.create_organisation(user, values)
        assert not Organisation.objects.exists()

    def test_the_database_refuses_it_too(self):
        organisation = OrganisationFactory(kind=K.MAINTAINED_SECONDARY)
        with pytest.raises(IntegrityError), transaction.atomic():
            Organisation.objects.filter(pk=organisation.pk).update(
                claims_national_support_school=True
            )

    def test_changing_kind_away_from_primary_withdraws_the_claim(self, client):
        organisation = OrganisationFactory(
            kind=K.MAINTAINED_PRIMARY, claims_national_support_school=True
        )
        member_of(organisation, client)
        page = client.get(reverse("organisation-edit", args=[K.ACADEMY_TRUST]))
        assert "Its National Support School claim will be withdrawn" in page.text
        client.post(
            reverse("organisation-edit", args=[K.ACADEMY_TRUST]),
            details(
                K.ACADEMY_TRUST,
                name=organisation.name,
                version=services.profile_version(organisation),
            ),
        )
        organisation.refresh_from_db()
        assert organisation.kind == K.ACADEMY_TRUST
        assert (organisation.urn, organisation.claims_national_support_school) == ("", False)


class TestAnAccreditedProvider:
    """Its kind is part of its accreditation: the register must not show an
    ASG of a kind that cannot hold one, or a federation led by a kind that
    cannot lead one."""

    def test_cannot_change_its_kind_but_can_change_its_details(self, client):
        from tests.factories import RegisterEntryFactory

        entry = RegisterEntryFactory(
            case__organisation=OrganisationFactory(kind=K.ACADEMY_TRUST, name="Ash Trust")
        )
        organisation = entry.organisation
        member_of(organisation, client)
        profile = client.get(reverse("organisation-profile")).text
        assert "Ash Trust is an accredited provider on the register" in profile
        assert reverse("organisation-change-kind") not in profile  # not offered
        refused = client.post(reverse("organisation-change-kind"), {"kind": K.EDUCATIONAL_CHARITY})
        assert refused.status_code == 200
        assert "Ash Trust is an accredited provider on the register" in refused.text
        assert "Error: " in refused.text
        data = details(
            K.EDUCATIONAL_CHARITY,
            name="Ash Trust",
            version=services.profile_version(organisation),
        )
        sent = client.post(reverse("organisation-edit", args=[K.EDUCATIONAL_CHARITY]), data)
        assert "its kind of organisation cannot be changed here" in sent.text
        # Asked for, the other kind's page says so before anything is written.
        page = client.get(reverse("organisation-edit", args=[K.EDUCATIONAL_CHARITY]), follow=True)
        assert page.redirect_chain[-1][0] == reverse("organisation-edit", args=[K.ACADEMY_TRUST])
        assert "its kind of organisation cannot be changed here" in page.text
        # Its own kind's page leads back to the profile and offers no change of kind.
        assert f'<a href="{reverse("organisation-profile")}" class="govuk-back-link">' in page.text
        assert reverse("organisation-change-kind") not in page.text
        organisation.refresh_from_db()
        assert organisation.kind == K.ACADEMY_TRUST
        renamed = details(
            K.ACADEMY_TRUST,
            name="Ash Learning Trust",
            version=services.profile_version(organisation),
        )
        assert (
            client.post(reverse("organisation-edit", args=[K.ACADEMY_TRUST]), renamed).status_code
            == 302
        )
        entry.refresh_from_db()
        assert (entry.name, entry.kind) == ("Ash Learning Trust", K.ACADEMY_TRUST)


class TestDuplicates:
    """An identifier another organisation holds: the person is asked whether
    it is theirs (tests/test_identifier_claims.py follows a "yes")."""

    def test_a_urn_already_in_use_asks_whether_it_is_yours(self, client):
        OrganisationFactory(urn="654321")
        signed_in(client)
        response = create(client, K.MAINTAINED_PRIMARY)
        assert escape(services.DUPLICATE_URN) in response.text
        assert "Is 654321 your school's URN?" in response.text
        assert "If you work there, ask one of its members to invite you instead" in response.text
        assert 'href="#id_contest_identifier_1"' in response.text
        assert Organisation.objects.count() == 1

    def test_a_ukprn_already_in_use_asks_whether_it_is_yours(self, client):
        OrganisationFactory(kind=K.UNIVERSITY, urn="", ukprn="10012345", phase="not_applicable")
        signed_in(client)
        response = create(client, K.UNIVERSITY)
        assert escape(services.DUPLICATE_UKPRN) in response.text
        assert "Is 10012345 your organisation's UKPRN?" in response.text
        assert Organisation.objects.count() == 1

    def test_saying_it_is_not_yours_gives_the_advice_to_ask_for_an_invitation(self, client):
        OrganisationFactory(urn="654321")
        signed_in(client)
        response = create(client, K.MAINTAINED_PRIMARY, contest_identifier="no")
        assert escape(services.NOT_CONTESTED["urn"]) in response.text
        assert 'href="#id_urn"' in response.text
        assert Organisation.objects.count() == 1

    def test_a_free_urn_asks_nothing(self, client):
        signed_in(client)
        page = create(client, K.MAINTAINED_PRIMARY, name="")
        assert "contest_identifier" not in page.text

    def test_a_urn_taken_after_the_form_was_checked_gets_the_same_message(self):
        OrganisationFactory(urn="654321")
        values = {
            "name": "Late Primary",
            "kind": K.MAINTAINED_PRIMARY,
            "urn": "654321",
            "local_authority": LocalAuthority.objects.first(),
        }
        with pytest.raises(services.OrganisationError) as refused:
            services.create_organisation(UserFactory(), values)
        assert refused.value.field == "contest_identifier"
        assert str(refused.value) == services.DUPLICATE_URN
        assert Organisation.objects.count() == 1
        assert not Membership.objects.exists()

    def test_keeping_your_own_urn_is_not_a_duplicate(self, client):
        organisation = OrganisationFactory(kind=K.MAINTAINED_PRIMARY, urn="222222")
        member_of(organisation, client)
        response = client.post(
            reverse("organisation-edit", args=[K.MAINTAINED_PRIMARY]),
            details(
                K.MAINTAINED_PRIMARY,
                urn="222222",
                name="Renamed Primary",
                version=services.profile_version(organisation),
            ),
        )
        assert response.url == reverse("organisation-profile")
        organisation.refresh_from_db()
        assert organisation.name == "Renamed Primary"


class TestEdit:
    def test_the_form_starts_from_the_current_details(self, client):
        organisation = OrganisationFactory(
            name="Elm Primary", urn="333333", address="2 Elm Road", schools_led_count=3
        )
        member_of(organisation, client)
        page = client.get(reverse("organisation-edit", args=[organisation.kind]))
        assert 'value="Elm Primary"' in page.text
        assert 'value="333333"' in page.text
        assert ">\n2 Elm Road</textarea>" in page.text
        assert 'value="3"' in page.text

    def test_back_leads_to_where_the_change_started(self, client):
        organisation = OrganisationFactory(kind=K.MAINTAINED_PRIMARY, urn="444444")
        member_of(organisation, client)

        def back(url):
            found = re.search(r'<a href="([^"]*)" class="govuk-back-link">', client.get(url).text)
            return found[1].replace("&amp;", "&")

        # The details of its own kind: back to the profile.
        same = reverse("organisation-edit", args=[K.MAINTAINED_PRIMARY])
        assert back(same) == reverse("organisation-profile")
        # Reached from a proposal's check answers: back to the profile, still
        # on the way back to the proposal.
        draft = ProposalFactory(organisation=organisation)
        assert back(f"{same}?proposal={draft.pk}&from=check") == (
            f"{reverse('organisation-profile')}?proposal={draft.pk}&from=check"
        )
        # Another kind, chosen on the step before: back to that choice.
        other = reverse("organisation-edit", args=[K.SIXTH_FORM_COLLEGE])
        assert back(other) == (
            f"{reverse('organisation-change-kind')}?kind={K.SIXTH_FORM_COLLEGE.value}"
        )

    def test_changing_the_kind_asks_for_the_new_kinds_identifier(self, client):
        organisation = OrganisationFactory(kind=K.MAINTAINED_PRIMARY, urn="444444")
        member_of(organisation, client)
        kind_page = client.get(reverse("organisation-change-kind"))
        assert f'value="{K.MAINTAINED_PRIMARY}" checked' in kind_page.text
        response = client.post(reverse("organisation-change-kind"), {"kind": K.SIXTH_FORM_COLLEGE})
        assert response.url == reverse("organisation-edit", args=[K.SIXTH_FORM_COLLEGE])
        refused = client.post(response.url, details(K.SIXTH_FORM_COLLEGE, ukprn=""))
        assert "Enter the UKPRN" in refused.text
        organisation.refresh_from_db()
        assert organisation.kind == K.MAINTAINED_PRIMARY  # nothing changes until saved
        client.post(
            response.url,
            details(
                K.SIXTH_FORM_COLLEGE,
                ukprn="10099999",
                version=services.profile_version(organisation),
            ),
        )
        organisation.refresh_from_db()
        assert (organisation.kind, organisation.urn, organisation.ukprn) == (
            K.SIXTH_FORM_COLLEGE,
            "",
            "10099999",
        )

    def test_editing_writes_nothing_on_any_case_timeline(self, client):
        from accreditation.models import CaseEvent

        organisation = OrganisationFactory()
        member_of(organisation, client)
        client.post(
            reverse("organisation-edit", args=[organisation.kind]),
            details(organisation.kind, urn=organisation.urn),
        )
        assert not CaseEvent.objects.exists()


class TestEscaping:
    NAME = '<script>alert("name")</script>'
    ADDRESS = "<b>bold</b>\n<img src=x onerror=alert(1)>"

    def test_html_in_name_and_address_is_shown_as_text(self, client):
        signed_in(client)
        create(client, K.ACADEMY_TRUST, name=self.NAME, address=self.ADDRESS)
        pages = [
            reverse("organisation-profile"),
            reverse("organisation-members"),
            reverse("organisation-invite"),
            reverse("organisation-contacts"),
            reverse("organisation-change-kind"),
            reverse("organisation-edit", args=[K.ACADEMY_TRUST]),
            reverse("applicant-home"),
        ]
        for path in pages:
            text = client.get(path).text
            assert "<script>alert(" not in text, path
            assert "<img src=x" not in text and "<b>bold" not in text, path
        profile = client.get(reverse("organisation-profile")).text
        assert "&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;" in profile
        assert "&lt;b&gt;bold&lt;/b&gt;<br>&lt;img src=x onerror=alert(1)&gt;" in profile

    def test_html_in_member_names_is_shown_as_text(self, client):
        organisation = OrganisationFactory(name="Safe Primary")
        member_of(organisation, client)
        MembershipFactory(organisation=organisation, user__full_name=self.NAME)
        for path in (reverse("organisation-members"), reverse("organisation-contacts")):
            text = client.get(path).text
            assert "<script>alert(" not in text, path
            assert "&lt;script&gt;" in text, path

    def test_html_in_the_name_is_plain_text_in_the_invitation_email(
        self, client, django_capture_on_commit_callbacks
    ):
        organisation = OrganisationFactory(name="Smith & Jones <Academy>", kind=K.ACADEMY_TRUST)
        member_of(organisation, client)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("organisation-invite"), {"email": "new@example.org"})
        send_outbox()
        assert "join Smith & Jones <Academy> on" in mail.outbox[0].body

    def test_a_name_keeps_no_direction_override_nor_other_invisible_character(self, client):
        """U+202E turned the rest of the line back to front wherever the name
        was put (a PDF's sentence came out reversed)."""
        signed_in(client)
        create(client, K.ACADEMY_TRUST, name="\u200bOak\u202e Trust\u2066\tNorth\x07 ")
        assert Organisation.objects.get().name == "Oak Trust North"

    def test_every_name_field_refuses_a_second_line(self):
        from django.core.exceptions import ValidationError

        from accreditation.forms.helpers import NameField

        with pytest.raises(ValidationError, match="Enter the name on one line"):
            NameField().clean("Ann\r\nBcc: someone@example.org")

    def test_a_name_keeps_its_joiners_and_newer_characters(self, client):
        """Emoji sequences and many scripts are written with joiners; a
        character newer than the server's Unicode tables is still a character."""
        signed_in(client)
        name = "Family \U0001f468\u200d\U0001f469\u200d\U0001f467 Trust \U0001face"
        create(client, K.ACADEMY_TRUST, name=name)
        assert Organisation.objects.get().name == name

    def test_a_name_on_two_lines_is_refused(self, client):
        signed_in(client)
        response = create(client, K.ACADEMY_TRUST, name="Line one\nSubject: spam")
        assert "Enter the name on one line" in response.text
        assert not Organisation.objects.exists()


def organisation_pages(membership_pk=1):
    return [
        reverse("organisation-profile"),
        reverse("organisation-change-kind"),
        reverse("organisation-edit", args=[K.MAINTAINED_PRIMARY]),
        reverse("organisation-members"),
        reverse("organisation-invite"),
        reverse("organisation-contacts"),
        reverse("organisation-remove-member", args=[membership_pk]),
    ]


class TestPermissions:
    def test_signed_out_people_are_sent_to_sign_in(self, client):
        membership = MembershipFactory()
        for path in [*organisation_pages(membership.pk), reverse("organisation-create")]:
            for method in (client.get, client.post):
                response = method(path)
                assert response.status_code == 302, path
                assert response.url.startswith(reverse("login") + "?next="), path
        assert Membership.objects.filter(pk=membership.pk).exists()

    def test_someone_with_no_organisation_is_told_to_set_one_up(self, client):
        other = MembershipFactory()
        signed_in(client)
        for path in organisation_pages(other.pk):
            for response in (client.get(path), client.post(path, {"contacts": [other.pk]})):
                assert response.status_code == 200, path
                assert "Set up your organisation first" in response.text, path
        assert Membership.objects.filter(pk=other.pk).exists()
        assert (
            not Membership.objects.filter(organisation=other.organisation)
            .exclude(pk=other.pk)
            .exists()
        )

    def test_a_member_who_is_no_applicant_is_refused(self, client):
        membership = MembershipFactory(user=UserFactory())
        client.force_login(membership.user)
        for path in organisation_pages(membership.pk):
            assert client.get(path).status_code == 403, path
            assert client.post(path, {"contacts": [membership.pk]}).status_code == 403, path

    def test_another_organisations_members_cannot_be_touched(self, client):
        mine = MembershipFactory()
        theirs = MembershipFactory(organisation__name="Their School")
        MembershipFactory(organisation=theirs.organisation)
        client.force_login(mine.user)
        remove = reverse("organisation-remove-member", args=[theirs.pk])
        assert client.get(remove).status_code == 404
        assert client.post(remove).status_code == 404
        assert Membership.objects.filter(pk=theirs.pk).exists()

        response = client.post(reverse("organisation-contacts"), {"contacts": [theirs.pk]})
        assert "Select contacts from the members listed" in response.text
        theirs.refresh_from_db()
        mine.refresh_from_db()
        assert theirs.is_contact and mine.is_contact

    def test_a_forged_session_choice_does_not_reach_another_organisation(self, client):
        mine = MembershipFactory(organisation__name="My Primary")
        theirs = MembershipFactory(organisation__name="Their Primary")
        client.force_login(mine.user)
        session = client.session
        session[SESSION_KEY] = theirs.organisation.pk
        session.save()
        text = client.get(reverse("organisation-profile")).text
        assert "My Primary" in text and "Their Primary" not in text
        client.post(
            reverse("organisation-edit", args=[K.MAINTAINED_PRIMARY]),
            details(K.MAINTAINED_PRIMARY, name="Renamed", urn=mine.organisation.urn),
        )
        theirs.organisation.refresh_from_db()
        assert theirs.organisation.name == "Their Primary"

    def test_a_member_of_two_organisations_reaches_each_after_switching(self, client):
        first = MembershipFactory(organisation__name="Alpha Primary")
        second = MembershipFactory(user=first.user, organisation__name="Beta Academy")
        MembershipFactory(organisation=second.organisation, user__full_name="Beta Colleague")
        client.force_login(first.user)
        home = client.get(reverse("applicant-home")).text
        assert reverse("organisation-profile") in home
        assert reverse("organisation-members") in home
        assert "Alpha Primary" in client.get(reverse("organisation-profile")).text

        client.post(reverse("switch-organisation"), {"organisation": second.organisation.pk})
        profile = client.get(reverse("organisation-profile")).text
        assert "Beta Academy" in profile and "Alpha Primary" not in profile
        assert "Beta Colleague" in client.get(reverse("organisation-members")).text

        client.post(reverse("switch-organisation"), {"organisation": first.organisation.pk})
        assert "Alpha Primary" in client.get(reverse("organisation-profile")).text
        assert "Beta Colleague" not in client.get(reverse("organisation-members")).text

    def test_an_invitation_opened_for_one_organisation_is_not_sent_for_another(self, client):
        first = MembershipFactory(organisation__name="Alpha Primary")
        second = MembershipFactory(user=first.user, organisation__name="Beta Academy")
        client.force_login(first.user)
        page = client.get(reverse("organisation-invite")).text
        assert f'name="acting_for" value="{first.organisation.pk}"' in page
        client.post(reverse("switch-organisation"), {"organisation": second.organisation.pk})
        response = client.post(
            reverse("organisation-invite"),
            {"email": "new.colleague@example.org", "acting_for": first.organisation.pk},
        )
        assert response.status_code == 409
        assert "Nothing was saved: you are now acting for Beta Academy" in response.text
        assert "new.colleague@example.org" in response.text
        assert not Invitation.objects.exists()

    def test_details_opened_for_one_organisation_are_never_saved_over_another(self, client):
        """The profile's details page opened for one organisation, sent after
        switching to another in a second tab, saves nothing: sent again
        from that page, still nothing (the details are the first's)."""
        first = MembershipFactory(organisation__name="Alpha Primary")
        second = MembershipFactory(user=first.user, organisation__name="Beta Academy")
        client.force_login(first.user)
        kind = first.organisation.kind
        url = reverse("organisation-edit", args=[kind])
        assert f'name="acting_for" value="{first.organisation.pk}"' in client.get(url).text
        client.post(reverse("switch-organisation"), {"organisation": second.organisation.pk})
        sent = {
            "name": "Alpha Primary",
            "address": "1 New Road",
            "acting_for": first.organisation.pk,
        }
        for _ in range(2):
            response = client.post(url, sent)
            assert response.status_code == 409
            typed = response.text.split('<dl class="govuk-summary-list">')[1].split("</dl>")[0]
            assert "Address" in typed and "1 New Road" in typed
        second.organisation.refresh_from_db()
        assert second.organisation.name == "Beta Academy"
        first.organisation.refresh_from_db()
        assert first.organisation.address != "1 New Road"

    def test_home_offers_to_create_a_profile_to_someone_without_one(self, client):
        signed_in(client)
        home = client.get(reverse("applicant-home")).text
        assert "Create an organisation profile" in home
        assert reverse("organisation-create") in home

    def test_a_new_profile_leads_on_to_what_it_can_apply_for(self, client):
        signed_in(client)
        response = create(client, K.ACADEMY_TRUST, name="Delta Trust")
        profile = client.get(response["Location"]).text
        assert "You have created the profile for Delta Trust" in profile
        assert f'href="{reverse("proposal-start")}"' in profile

    def test_creating_a_second_organisation_makes_it_the_current_one(self, client):
        first = MembershipFactory(organisation__name="Alpha Primary")
        client.force_login(first.user)
        create(client, K.EDUCATIONAL_CHARITY, name="Gamma Trust")
        assert "Gamma Trust" in client.get(reverse("organisation-profile")).text
        assert first.user.memberships.count() == 2


class TestMembersPage:
    def test_lists_members_with_their_email_and_whether_they_are_contacts(self, client):
        me = MembershipFactory(user__full_name="Ada Lovelace", user__email="ada@example.org")
        MembershipFactory(
            organisation=me.organisation,
            user__full_name="Charles Babbage",
            user__email="charles@example.org",
            is_contact=False,
        )
        client.force_login(me.user)
        text = client.get(reverse("organisation-members")).text
        assert re.search(
            r"Ada Lovelace \(you\)</td>\s*<td[^>]*>ada@example.org</td>\s*"
            r"<td[^>]*>Yes</td>",
            text,
        )
        assert re.search(
            r"Charles Babbage</td>\s*<td[^>]*>charles@example.org</td>\s*"
            r"<td[^>]*>No</td>",
            text,
        )

    @pytest.mark.parametrize("count", [2, 20])
    def test_queries_do_not_grow_with_members(self, client, count, django_assert_num_queries):
        me = MembershipFactory()
        for _ in range(count - 1):
            MembershipFactory(organisation=me.organisation)
        for n in range(count):
            InvitationFactory(organisation=me.organisation, roles=[], email=f"p{n}@example.org")
        client.force_login(me.user)
        # (membership asked once: the organisation was chosen through it)
        with django_assert_num_queries(10):
            response = client.get(reverse("organisation-members"))
        assert response.text.count('class="govuk-table__row"') == 2 + count + count


class TestInvitations:
    def invite(self, client, email, capture):
        with capture(execute=True):
            return client.post(reverse("organisation-invite"), {"email": email})

    def test_inviting_sends_a_single_use_link_once_committed(
        self, client, django_capture_on_commit_callbacks, settings
    ):
        me = MembershipFactory(organisation__name="Oak Primary")
        client.force_login(me.user)
        response = self.invite(client, "New@Example.org", django_capture_on_commit_callbacks)
        assert response.url == reverse("organisation-members")
        invitation = Invitation.objects.get()
        assert invitation.email == "new@example.org"
        assert invitation.organisation == me.organisation
        assert invitation.roles == []
        assert invitation.invited_by == me.user
        lifetime = invitation.expires_at - invitation.created_at
        assert abs(lifetime - timedelta(days=settings.INVITATION_VALID_DAYS)) < timedelta(seconds=5)
        assert send_outbox() == {"sent": 1}
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["new@example.org"]
        assert "Oak Primary" in message.subject
        token = re.search(r"/organisation/join/([^/]+)/", message.body).group(1)
        assert invitation.token_hash == hash_token(token)
        assert token not in invitation.token_hash
        members = client.get(reverse("organisation-members")).text
        assert "new@example.org" in members

    def test_the_link_s_end_is_written_the_service_s_way(
        self, client, django_capture_on_commit_callbacks, settings
    ):
        """In the email and on the members page as the service writes times,
        "5:17pm on 8 June 2026", not Django's "5:17p.m.": to the minute,
        never later than the link works."""
        settings.INVITATION_VALID_DAYS = 7
        me = MembershipFactory()
        with time_machine.travel("2026-06-01T17:17:48+01:00", tick=False):
            client.force_login(me.user)
            self.invite(client, "new@example.org", django_capture_on_commit_callbacks)
            send_outbox()
            members = client.get(reverse("organisation-members")).text
        [message] = mail.outbox
        [(html_body, _)] = message.alternatives
        for text in (message.body, html_body):
            assert "It works once, until 5:17pm on 8 June 2026 (UK time):" in text
        assert "5:17pm on 8 June 2026</td>" in members
        for text in (message.body, html_body, members):
            assert "p.m." not in text and "5:17:48" not in text

    def test_nothing_is_sent_before_the_commit(self, client):
        me = MembershipFactory()
        client.force_login(me.user)
        client.post(reverse("organisation-invite"), {"email": "new@example.org"})
        assert Invitation.objects.count() == 1
        assert len(mail.outbox) == 0

    @pytest.mark.parametrize(
        ("email", "message"),
        [
            ("", "Enter their email address"),
            ("not-an-address", "Enter an email address in the correct format"),
        ],
    )
    def test_a_bad_address_is_refused(self, client, email, message):
        client.force_login(MembershipFactory().user)
        response = client.post(reverse("organisation-invite"), {"email": email})
        assert message in response.text
        assert response.text.count("<title>Error: ") == 1
        assert not Invitation.objects.exists()

    def test_inviting_a_member_again_is_refused(self, client):
        me = MembershipFactory()
        MembershipFactory(organisation=me.organisation, user__email="there@example.org")
        client.force_login(me.user)
        response = client.post(reverse("organisation-invite"), {"email": "THERE@example.org"})
        assert "there@example.org is already a member of" in response.text
        assert not Invitation.objects.exists()

    def test_a_new_invitation_replaces_the_old_link(self, client):
        me = MembershipFactory()
        _, first = services.invite_member(
            me.organisation, email="n@example.org", invited_by=me.user, base_url=""
        )
        services.invite_member(
            me.organisation, email="n@example.org", invited_by=me.user, base_url=""
        )
        response = client.get(reverse("organisation-join", args=[first]))
        assert response.status_code == 410
        assert "replaced by a newer one" in response.text

    def test_a_member_withdraws_an_invitation_sent_to_a_wrong_address(self, client):
        """Its link stops working at once, said so to whoever opens it; sent
        twice, nothing more happens; another organisation's is not found."""
        me = MembershipFactory()
        invitation, token = services.invite_member(
            me.organisation, email="typo@exmaple.org", invited_by=me.user, base_url=""
        )
        client.force_login(me.user)
        members = client.get(reverse("organisation-members")).text
        url = reverse("organisation-invitation-withdraw", args=[invitation.pk])
        assert url in members
        assert "Are you sure you want to withdraw the invitation to typo@exmaple.org?" in (
            client.get(url).text
        )
        done = client.post(url, follow=True).text
        assert "The invitation to typo@exmaple.org has been withdrawn" in done
        assert url not in done
        again = client.post(url, follow=True).text
        assert "Nothing was changed." in again
        assert "This invitation no longer works" in client.get(url).text
        client.logout()
        opened = client.get(reverse("organisation-join", args=[token]))
        assert opened.status_code == 410
        assert "This invitation has been withdrawn." in opened.text
        stranger = MembershipFactory()
        client.force_login(stranger.user)
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
        with pytest.raises(PermissionDenied):
            services.withdraw_member_invitation(invitation, by=stranger.user)


def invitation_for(organisation, email="joiner@example.org", token="join-token", **fields):
    InvitationFactory(
        token=token, email=email, organisation=organisation, roles=[], full_name="", **fields
    )
    return reverse("organisation-join", args=[token])


class TestJoining:
    def test_signed_out_they_create_an_account_and_join(self, client):
        organisation = OrganisationFactory(name="Oak Primary")
        url = invitation_for(organisation)
        page = client.get(url)
        assert page.status_code == 200
        assert "Join Oak Primary" in page.text
        assert "joiner@example.org" in page.text
        assert f'href="{reverse("login")}?next={url.replace("/", "%2F")}"' in page.text

        response = client.post(
            url, {"full_name": "Joan Joiner", "password1": STRONG, "password2": STRONG}
        )
        assert response.url == reverse("organisation-profile")
        user = User.objects.get(email="joiner@example.org")
        assert user.full_name == "Joan Joiner"
        assert user.has_role(Role.APPLICANT)
        membership = Membership.objects.get(user=user)
        assert membership.organisation == organisation
        assert not membership.is_contact
        assert client.session[SESSION_KEY] == organisation.pk
        assert "Oak Primary" in client.get(reverse("organisation-profile")).text

    def test_a_weak_password_keeps_the_link_usable(self, client):
        url = invitation_for(OrganisationFactory())
        response = client.post(url, {"full_name": "Joan", "password1": "x", "password2": "x"})
        assert "Your password must be 12 characters or more" in response.text
        assert 'value="Joan"' in response.text
        assert not User.objects.filter(email="joiner@example.org").exists()
        assert client.get(url).status_code == 200

    def test_signed_out_with_an_account_they_sign_in_and_come_back(self, client, password):
        organisation = OrganisationFactory()
        user = UserFactory(email="joiner@example.org", roles=[Role.APPLICANT])
        url = invitation_for(organisation)
        page = client.get(url)
        assert "Sign in to join" in page.text
        assert 'name="password1"' not in page.text
        signed = client.post(
            f"{reverse('login')}?next={url}",
            {"username": "joiner@example.org", "password": password, "next": url},
        )
        assert signed.url == url
        assert "Join " in client.get(url).text
        response = client.post(url)
        assert response.url == reverse("organisation-profile")
        assert Membership.objects.filter(user=user, organisation=organisation).exists()

    def test_creating_a_second_account_for_the_address_is_refused(self, client):
        UserFactory(email="joiner@example.org")
        url = invitation_for(OrganisationFactory())
        response = client.post(url, {"full_name": "Joan", "password1": STRONG, "password2": STRONG})
        assert "An account already uses this email address" in response.text
        assert User.objects.filter(email__iexact="joiner@example.org").count() == 1
        assert not Membership.objects.exists()
        assert client.get(url).status_code == 200  # still usable

    def test_a_signed_in_person_without_the_applicant_role_gains_it(self, client, settings):
        settings.STAFF_OTP_REQUIRED = False
        user = UserFactory(email="joiner@example.org", roles=[Role.ASSESSOR])
        client.force_login(user)
        url = invitation_for(OrganisationFactory())
        client.post(url)
        user.refresh_from_db()
        assert user.groups.filter(name=Role.APPLICANT).exists()
        assert user.memberships.count() == 1

    def test_an_expired_link_gets_a_clear_page(self, client):
        url = invitation_for(OrganisationFactory())
        with time_machine.travel(timedelta(days=8)):
            response = client.get(url)
            posted = client.post(
                url, {"full_name": "Joan", "password1": STRONG, "password2": STRONG}
            )
        assert response.status_code == 410
        assert "This invitation link has expired" in response.text
        assert posted.status_code == 410
        assert not User.objects.filter(email="joiner@example.org").exists()

    def test_a_reused_link_gets_a_clear_page(self, client):
        url = invitation_for(OrganisationFactory())
        client.post(url, {"full_name": "Joan", "password1": STRONG, "password2": STRONG})
        client.post(reverse("logout"))
        response = client.get(url)
        assert response.status_code == 410
        assert "This invitation link has already been used" in response.text
        assert Membership.objects.count() == 1

    def test_accepting_twice_at_the_service_level_gives_one_membership(self):
        organisation = OrganisationFactory()
        invitation_for(organisation, token="t")
        user = UserFactory(email="joiner@example.org")
        services.accept_invitation("t", user)
        with pytest.raises(services.InvitationUnusable):
            services.accept_invitation("t", user)
        assert Membership.objects.filter(user=user).count() == 1

    def test_an_unknown_link_or_a_staff_invitation_is_not_for_this_page(self, client):
        InvitationFactory(token="staff-token", roles=[Role.ASSESSOR])
        for token in ("nonsense", "staff-token"):
            response = client.get(reverse("organisation-join", args=[token]))
            assert response.status_code == 410
            assert "This invitation link is not right" in response.text

    def test_an_invitation_for_another_address_is_refused(self, client):
        organisation = OrganisationFactory()
        someone = signed_in(client, UserFactory(email="someone@example.org", roles=["applicant"]))
        url = invitation_for(organisation)
        page = client.get(url)
        assert page.status_code == 403
        assert (
            "This invitation is for joiner@example.org, but you are signed in as "
            "someone@example.org" in page.text
        )
        assert client.post(url).status_code == 403
        assert not Membership.objects.filter(user=someone).exists()
        assert Invitation.objects.get().accepted_at is None

    def test_the_sign_out_button_comes_back_to_the_link(self, client):
        signed_in(client, UserFactory(email="someone@example.org", roles=["applicant"]))
        url = invitation_for(OrganisationFactory())
        client.get(url)
        response = client.post(reverse("logout"), {"next": url})
        assert response.url == url
        assert "Create an account" in client.get(url).text


class TestRemovingMembers:
    def test_a_member_is_removed_after_confirming(self, client):
        me = MembershipFactory()
        other = MembershipFactory(organisation=me.organisation, user__full_name="Olive Other")
        client.force_login(me.user)
        url = reverse("organisation-remove-member", args=[other.pk])
        page = client.get(url)
        assert "Are you sure you want to remove Olive Other?" in page.text
        assert Membership.objects.filter(pk=other.pk).exists()
        response = client.post(url)
        assert response.url == reverse("organisation-members")
        assert not Membership.objects.filter(pk=other.pk).exists()
        assert "Olive Other has been removed" in client.get(response.url).text

    def test_the_only_contact_cannot_be_removed(self, client):
        me = MembershipFactory(is_contact=False)
        contact = MembershipFactory(
            organisation=me.organisation, is_contact=True, user__full_name="Cora Contact"
        )
        client.force_login(me.user)
        url = reverse("organisation-remove-member", args=[contact.pk])
        page = client.get(url)
        assert "Cora Contact is the only contact for" in page.text
        assert "Remove member</button>" not in page.text
        response = client.post(url)
        assert response.url == reverse("organisation-members")
        assert "Choose another contact before removing them" in client.get(response.url).text
        assert Membership.objects.filter(pk=contact.pk, is_contact=True).exists()

    def test_the_last_member_cannot_leave(self, client):
        me = MembershipFactory()
        client.force_login(me.user)
        url = reverse("organisation-remove-member", args=[me.pk])
        assert "You cannot leave" in client.get(url).text
        client.post(url)
        assert Membership.objects.filter(pk=me.pk).exists()

    def test_a_member_may_leave_while_another_contact_remains(self, client):
        me = MembershipFactory()
        MembershipFactory(organisation=me.organisation, is_contact=True)
        client.force_login(me.user)
        url = reverse("organisation-remove-member", args=[me.pk])
        assert "Are you sure you want to leave" in client.get(url).text
        response = client.post(url)
        assert response.url == reverse("applicant-home")
        assert not Membership.objects.filter(pk=me.pk).exists()
        assert SESSION_KEY not in client.session
        assert "Set up your organisation first" in client.get(reverse("organisation-profile")).text


class TestContacts:
    def test_choosing_the_contacts(self, client):
        me = MembershipFactory(is_contact=True)
        other = MembershipFactory(organisation=me.organisation, is_contact=False)
        client.force_login(me.user)
        page = client.get(reverse("organisation-contacts"))
        assert page.text.count('checked="checked"') == 1
        response = client.post(
            reverse("organisation-contacts"),
            {"contacts": [other.pk], "version": services.contacts_version(me.organisation)},
        )
        assert response.url == reverse("organisation-members")
        me.refresh_from_db()
        other.refresh_from_db()
        assert (me.is_contact, other.is_contact) == (False, True)

    def test_unticking_every_contact_is_refused_and_changes_nothing(self, client):
        me = MembershipFactory(is_contact=True)
        other = MembershipFactory(organisation=me.organisation, is_contact=True)
        client.force_login(me.user)
        response = client.post(reverse("organisation-contacts"), {})
        assert response.status_code == 200
        assert "Select at least one contact" in response.text
        assert response.text.count("<title>Error: ") == 1
        assert 'href="#id_contacts_1"' in response.text
        assert Membership.objects.filter(pk__in=[me.pk, other.pk], is_contact=True).count() == 2

    def test_the_service_refuses_no_contacts_too(self):
        me = MembershipFactory(is_contact=True)
        with pytest.raises(services.OrganisationError, match="at least one contact"):
            services.set_contacts(me.organisation, [], actor=me.user)
        me.refresh_from_db()
        assert me.is_contact


def test_invitation_validity_follows_the_setting(settings):
    settings.INVITATION_VALID_DAYS = 2
    me = MembershipFactory()
    invitation, _ = services.invite_member(
        me.organisation, email="x@example.org", invited_by=me.user, base_url=""
    )
    assert timedelta(days=2) - (invitation.expires_at - invitation.created_at) < timedelta(
        seconds=5
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_members_removing_each_other_at_once_leave_one(monkeypatch):
    """Each removal checks 'someone else remains' and then deletes. Both
    checks are held at a barrier before either deletes: without the lock on
    the organisation's row both would pass and leave nobody. With it, the
    second waits for the first to commit, sees it alone, and is refused."""
    import threading

    from django.db import connection

    first = MembershipFactory()
    second = MembershipFactory(organisation=first.organisation)
    barrier = threading.Barrier(2, timeout=2)
    checked = services.removal_refusal

    def check_then_wait(membership):
        refusal = checked(membership)
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            pass
        return refusal

    monkeypatch.setattr(services, "removal_refusal", check_then_wait)
    outcomes = []

    def remove(membership):
        try:
            services.remove_member(membership, actor=membership.user)
            outcomes.append("removed")
        except services.OrganisationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=remove, args=(m,)) for m in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "removed"]
    assert Membership.objects.filter(organisation=first.organisation).count() == 1


def test_the_service_refuses_another_organisations_member_as_a_contact():
    mine = MembershipFactory(is_contact=True)
    theirs = MembershipFactory(is_contact=False)
    with pytest.raises(services.OrganisationError, match="from the members listed"):
        services.set_contacts(mine.organisation, [mine.pk, theirs.pk], actor=mine.user)
    theirs.refresh_from_db()
    assert not theirs.is_contact


@pytest.mark.parametrize(
    ("kind", "phrase"),
    [
        (K.ACADEMY_TRUST, "an academy trust"),
        (K.UNIVERSITY, "a university"),
        (K.COFE_DIOCESE, "a Church of England diocese"),
        (K.OTHER_FAITH_GROUP, "another faith group"),
        (K.PRIVATE_OR_THIRD_SECTOR, "a private or third sector organisation (non-educational)"),
    ],
)
def test_a_kind_is_named_in_a_sentence_with_its_article(kind, phrase):
    from accreditation.models.organisations import kind_phrase

    assert kind_phrase(kind) == phrase
