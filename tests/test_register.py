"""The register: entries made by decisions through the workflow, one entry
per provider whatever its type, corrections, revocation, and the public
pages (search, filters, provider page, downloads, feed)."""

import csv
import io
import json
import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils.html import escape

from accreditation import clock
from accreditation.models import (
    AccreditationType,
    ActivityEntry,
    LocalAuthority,
    OrganisationKind,
    OutboxMessage,
)
from accreditation.models.organisations import PROFILE_FIELDS, contact_addresses
from accreditation.services.organisations import update_organisation
from accreditation.workflow import Action, Status, move, move_many
from feedback.tasks import issue_owed_letters
from proposals.models import Proposal
from register.models import EntryState, EventKind, NoticeResponse, RegisterEntry, RegisterEvent
from register.services import revocation
from register.views.public import neutralise
from tests.casework import person_with, sign_in_verified
from tests.factories import (
    ConflictFactory,
    MembershipFactory,
    ProposalFactory,
    RegisterEntryFactory,
    SchoolLedFactory,
)

pytestmark = pytest.mark.django_db


def kinds(entry):
    return list(entry.events.values_list("kind", flat=True))


def awaiting(**fields):
    return ProposalFactory(status=Status.AWAITING_DECISION, **fields)


def correct(case):
    move(
        case,
        Action.CORRECT_DECISION,
        person_with("decision_official"),
        details={
            "reason": "The decision was recorded against the wrong case.",
            "decision_reasons": "Its track record does not show sustained improvement.",
        },
    )


# --- Entries from decisions ----------------------------------------------------------


def test_an_accredited_decision_enters_the_provider_on_the_register():
    other_la = LocalAuthority.objects.order_by("-code").first()
    case = awaiting(leads_majority_trust=True, leads_federation=False)
    organisation = case.organisation
    MembershipFactory(organisation=organisation, user__email="aaa-contact@example.org")
    SchoolLedFactory(proposal=case, local_authority=other_la, name="Hill Primary")
    assert not RegisterEntry.objects.exists()

    event = move(case, Action.ACCREDIT, person_with("decision_official"))

    entry = RegisterEntry.objects.get(organisation=organisation)
    assert entry.state == EntryState.CURRENT
    assert entry.case == case
    assert entry.accreditation_type == AccreditationType.ASP
    assert (entry.name, entry.kind, entry.phase) == (
        organisation.name,
        organisation.kind,
        organisation.phase,
    )
    assert entry.region == organisation.local_authority.region
    assert (entry.leads_majority_trust, entry.leads_federation) == (True, False)
    assert set(entry.works_in.all()) == {organisation.local_authority, other_la}
    assert [school["name"] for school in entry.schools_led] == ["Hill Primary"]
    assert entry.more_schools is None
    assert entry.contact_email == "aaa-contact@example.org"
    assert entry.accredited_since == entry.updated_at == event.created_at
    assert kinds(entry) == [EventKind.ACCREDITED]


def test_only_a_maintained_school_is_shown_as_able_to_lead_a_federation():
    school = awaiting(leads_federation=True)
    trust = awaiting(
        leads_federation=True,
        organisation__kind=OrganisationKind.ACADEMY_TRUST,
        organisation__urn="",
    )
    official = person_with("decision_official")
    move(school, Action.ACCREDIT, official)
    move(trust, Action.ACCREDIT, official)
    assert RegisterEntry.objects.get(organisation=school.organisation).leads_federation
    assert not RegisterEntry.objects.get(organisation=trust.organisation).leads_federation


def test_a_decision_not_to_accredit_makes_no_entry():
    case = awaiting()
    move(case, Action.NOT_ACCREDIT, person_with("decision_official"), details={"reason": "No."})
    assert not RegisterEntry.objects.exists()


def test_a_batch_decision_enters_every_case_it_accredits():
    cases = [awaiting(), awaiting()]
    result = move_many(
        Proposal.objects.filter(pk__in=[c.pk for c in cases]),
        Action.ACCREDIT,
        person_with("decision_official"),
    )
    assert sorted(result.moved) == sorted(c.pk for c in cases)
    entries = RegisterEntry.objects.order_by("pk")
    assert [e.case_id for e in entries] == sorted(c.pk for c in cases)
    assert all(kinds(e) == [EventKind.ACCREDITED] for e in entries)
    assert all(e.works_in.count() == 1 for e in entries)


def test_an_asp_later_accredited_as_an_asg_keeps_one_entry_whose_type_changes(client):
    asp = ProposalFactory(status=Status.ACCREDITED)
    organisation = asp.organisation
    first = RegisterEntry.objects.get(organisation=organisation)
    asg = awaiting(organisation=organisation, accreditation_type=AccreditationType.ASG)

    move(asg, Action.ACCREDIT, person_with("decision_official"))

    entry = RegisterEntry.objects.get(organisation=organisation)
    assert entry.pk == first.pk
    assert entry.accreditation_type == AccreditationType.ASG
    assert entry.case == asg
    assert entry.accredited_since == first.accredited_since
    assert kinds(entry) == [EventKind.ACCREDITED, EventKind.TYPE_CHANGED]
    assert entry.events.last().details["from_type"] == AccreditationType.ASP
    history = client.get(reverse("register-provider", args=[entry.pk])).text
    assert ": Accredited as an Accredited School Provider" in history
    assert ": Type changed to Accredited Schools Group" in history

    # The ASG decision corrected: the entry stands on the ASP accreditation again.
    correct(asg)
    entry.refresh_from_db()
    assert entry.state == EntryState.CURRENT
    assert (entry.accreditation_type, entry.case) == (AccreditationType.ASP, asp)
    assert kinds(entry)[-1] == EventKind.TYPE_CHANGED


def test_a_decision_corrected_to_not_accredited_takes_the_entry_off_the_register(client):
    from register.models import ChangeState, CoPartnerChange
    from register.services import co_partners
    from tests.test_co_partners import co_partner_details

    case = ProposalFactory(status=Status.ACCREDITED)
    entry = RegisterEntry.objects.get(organisation=case.organisation)
    assert client.get(reverse("register-provider", args=[entry.pk])).status_code == 200
    member = MembershipFactory(organisation=case.organisation).user
    co_partners.start(entry, actor=member, **co_partner_details())

    correct(case)

    entry.refresh_from_db()
    assert entry.state == EntryState.REMOVED
    assert CoPartnerChange.objects.get(entry=entry).state == ChangeState.CLOSED
    assert kinds(entry) == [EventKind.ACCREDITED, EventKind.REMOVED]
    gone = client.get(reverse("register-provider", args=[entry.pk]))
    assert gone.status_code == 410
    assert "taken off the register" in gone.text
    assert "the decision to accredit it was corrected" in gone.text
    assert entry.name not in client.get(reverse("register-search")).content.decode()

    # Corrected back: reinstated, the same entry, its history kept.
    correct(case)
    entry.refresh_from_db()
    assert entry.state == EntryState.CURRENT
    assert kinds(entry) == [EventKind.ACCREDITED, EventKind.REMOVED, EventKind.REINSTATED]
    assert RegisterEntry.objects.count() == 1


def test_the_entry_follows_the_providers_profile(client):
    case = ProposalFactory(status=Status.ACCREDITED)
    organisation = case.organisation
    old_name, old_la = organisation.name, organisation.local_authority
    applicant = MembershipFactory(organisation=organisation).user
    entry = RegisterEntry.objects.get(organisation=organisation)
    new_la = LocalAuthority.objects.exclude(pk=organisation.local_authority_id).first()
    values = {name: getattr(organisation, name) for name in PROFILE_FIELDS}
    values.update(name="Renamed Trust", local_authority=new_la)

    update_organisation(organisation, values, actor=applicant)

    entry.refresh_from_db()
    assert (entry.name, entry.local_authority, entry.region) == (
        "Renamed Trust",
        new_la,
        new_la.region,
    )
    assert new_la in entry.works_in.all()
    assert entry.updated_at > entry.accredited_since
    event = entry.events.get(kind=EventKind.DETAILS_UPDATED)
    assert event.actor == applicant
    assert event.details["name"][1] == "Renamed Trust"
    assert event.details["local_authority"] == [old_la.name, new_la.name]
    page = client.get(reverse("register-provider", args=[entry.pk])).content.decode()
    assert f"Renamed (was {escape(old_name)}); now in {escape(new_la.name)}" in page

    # A change to what the register does not show leaves it as it was.
    shown_since = entry.updated_at
    organisation.refresh_from_db()
    values = {name: getattr(organisation, name) for name in PROFILE_FIELDS}
    values.update(address="1 New Street, Leeds")
    update_organisation(organisation, values, actor=applicant)
    entry.refresh_from_db()
    assert entry.updated_at == shown_since
    assert entry.events.filter(kind=EventKind.DETAILS_UPDATED).count() == 1


# --- Revocation ------------------------------------------------------------------------


def messages(kind):
    return OutboxMessage.objects.filter(key__startswith=f"register-{kind}:")


def test_revocation_gives_notice_waits_for_the_response_period_then_revokes(client):
    case = ProposalFactory(status=Status.ACCREDITED)
    contact = MembershipFactory(organisation=case.organisation).user
    entry = RegisterEntry.objects.get(organisation=case.organisation)
    official = person_with("decision_official")
    sign_in_verified(client, official)
    page = reverse("staff-register-revoke", args=[entry.pk])

    shown = client.get(page)
    assert shown.status_code == 200
    back = f'<a href="{reverse("register-provider", args=[entry.pk])}" class="govuk-back-link">'
    assert back in shown.text  # where its "Revoke this accreditation" link is
    response = client.post(page, {"step": "notice", "reason": "  "})
    assert response.status_code == 200
    assert "Enter the reason for revoking the accreditation" in response.content.decode()
    assert response.content.decode().count("Error:") >= 1

    response = client.post(page, {"step": "notice", "reason": "It no longer leads any school."})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.state == EntryState.NOTICE_GIVEN
    assert entry.response_due == entry.notice_given_at + timedelta(days=28)
    contacts = contact_addresses(entry.organisation_id)
    assert contact.email in contacts
    # Told once, in the notice's letter and its e-mail (tests/test_revocation_letters.py).
    assert not messages("notice_given").exists()
    issue_owed_letters()  # the worker's sweeper: the decision letter, then the notice
    told = OutboxMessage.objects.filter(key__startswith=f"letter:{case.pk}:revocation_notice:")
    assert sorted(told.values_list("to", flat=True)) == contacts
    assert "It no longer leads any school." in told.first().body
    back = f'<a href="{reverse("staff-register-notices")}" class="govuk-back-link">'
    assert back in client.get(page).text
    # Still on the public register while the provider may respond.
    assert client.get(reverse("register-provider", args=[entry.pk])).status_code == 200

    # Notice again, and revoking before the period ends, are refused.
    client.post(page, {"step": "notice", "reason": "Again."})
    early = client.post(page, {"step": "revoke", "reason": "Too early."}, follow=True)
    assert "Check before you revoke" not in early.text
    assert "revoke the accreditation after that" in early.text
    entry.refresh_from_db()
    assert entry.state == EntryState.NOTICE_GIVEN
    assert issue_owed_letters() == {"issued": 0}
    assert told.count() == len(contacts)

    with time_machine.travel(entry.response_due + timedelta(minutes=1)):
        sign_in_verified(client, official)
        # The decision needs its own reason, kept beside the notice's.
        response = client.post(page, {"step": "revoke", "reason": " "})
        assert response.status_code == 200
        assert "Enter the reason for revoking the accreditation" in response.text
        decision = {"step": "revoke", "reason": "It sent no response and leads no school."}
        # Asked once more, with the reason shown, before anything is done.
        check = client.post(page, decision)
        assert check.status_code == 200
        assert "Check before you revoke the accreditation" in check.text
        assert "It sent no response and leads no school." in check.text
        entry.refresh_from_db()
        assert entry.state == EntryState.NOTICE_GIVEN
        # Going back to change the reason keeps it in the box.
        change = client.post(page, {**decision, "confirm": "change"})
        assert "Check before you revoke" not in change.text
        assert "It sent no response and leads no school.</textarea>" in change.text
        assert client.post(page, {**decision, "confirm": "yes"}).status_code == 302
        # Sent again (a second tab): told it is revoked already, not to give notice.
        again = client.post(page, {**decision, "confirm": "yes"}, follow=True)
        assert "This accreditation has already been revoked. Nothing was changed." in again.text
        assert "Give notice before revoking" not in again.text
    entry.refresh_from_db()
    assert entry.state == EntryState.REVOKED
    assert issue_owed_letters() == {"issued": 1}
    revoked = OutboxMessage.objects.filter(key__startswith=f"letter:{case.pk}:revocation:")
    assert sorted(revoked.values_list("to", flat=True)) == contacts
    assert kinds(entry) == [EventKind.ACCREDITED, EventKind.NOTICE_GIVEN, EventKind.REVOKED]
    assert entry.events.get(kind=EventKind.REVOKED).details == {
        "reason": "It sent no response and leads no school.",
        "notice_reason": "It no longer leads any school.",
    }
    gone = client.get(reverse("register-provider", args=[entry.pk]))
    assert gone.status_code == 410
    assert "was revoked on" in gone.text
    history = client.get(page).content.decode()
    assert "Notice of revocation given" in history and "Revoked" in history


def test_a_notice_can_be_withdrawn_after_the_providers_response():
    entry = RegisterEntryFactory()
    MembershipFactory(organisation=entry.organisation)
    official = person_with("decision_official")
    revocation.give_notice(entry, reason="Concerns about capacity.", actor=official)
    revocation.withdraw_notice(entry, actor=official)
    entry.refresh_from_db()
    assert entry.state == EntryState.CURRENT
    assert entry.response_due is None
    assert messages("notice_withdrawn").count() == len(contact_addresses(entry.organisation_id))
    assert list(
        ActivityEntry.objects.filter(action__startswith="register_")
        .order_by("pk")
        .values_list("action", "changes")
    ) == [
        ("register_notice_given", {"state": ["current", "notice_given"]}),
        ("register_notice_withdrawn", {"state": ["notice_given", "current"]}),
    ]
    # Revoking from a page opened before the notice was withdrawn says so.
    with pytest.raises(revocation.RevocationError) as refused:
        revocation.revoke(entry, reason="Its response was enough.", actor=official)
    assert str(refused.value).startswith(f"{official.full_name} withdrew the notice at ")
    assert "the accreditation is current, and nothing was changed" in str(refused.value)


def test_a_notice_given_or_withdrawn_leaves_the_public_last_updated():
    entry = RegisterEntryFactory()
    before = RegisterEntry.objects.get(pk=entry.pk).updated_at
    official = person_with("decision_official")
    with time_machine.travel(clock.now() + timedelta(hours=2)):
        entry = revocation.give_notice(entry, reason="It leads no school.", actor=official)
        revocation.withdraw_notice(entry, actor=official)
    assert RegisterEntry.objects.get(pk=entry.pk).updated_at == before


def test_notice_given_twice_is_refused_saying_so():
    """Two officials on the page at once, or one form sent twice."""
    entry = RegisterEntryFactory()
    official = person_with("decision_official")
    revocation.give_notice(entry, reason="It no longer leads any school.", actor=official)
    with pytest.raises(revocation.RevocationError, match="has already been given") as refused:
        revocation.give_notice(entry, reason="The same, typed again.", actor=official)
    assert "Nothing was changed." in str(refused.value)
    entry.refresh_from_db()
    assert entry.revocation_reason == "It no longer leads any school."


def test_responses_to_a_withdrawn_notice_are_not_shown_as_responses_to_the_next(client):
    entry = RegisterEntryFactory()
    member = MembershipFactory(organisation=entry.organisation).user
    official = person_with("decision_official")
    entry = revocation.give_notice(entry, reason="First concern.", actor=official)
    revocation.respond(entry, text="Answer to the first notice.", actor=member)
    entry = revocation.withdraw_notice(entry, actor=official)
    with time_machine.travel(clock.now() + timedelta(minutes=1)):
        entry = revocation.give_notice(entry, reason="Second concern.", actor=official)
    entry.refresh_from_db()
    sign_in_verified(client, official)
    page = client.get(reverse("staff-register-revoke", args=[entry.pk])).text
    responses, history = page.split('<h2 class="govuk-heading-m">History</h2>')
    assert "The provider has not responded yet" in responses
    assert "Answer to the first notice." not in responses
    assert "Answer to the first notice." in history  # kept there
    client.force_login(member)
    mine = client.get(reverse("provider-entry")).text
    assert "Answer to the first notice." not in mine


def test_a_member_acting_for_another_organisation_is_offered_the_one_under_notice(client):
    """The notice's email links to the entry page, which shows the
    organisation the person is acting for now."""
    entry = RegisterEntryFactory(name="Wessex University")
    member = MembershipFactory(organisation=entry.organisation).user
    acting_for = MembershipFactory(user=member, organisation__name="Aardvark College")
    revocation.give_notice(
        entry, reason="It no longer leads any school.", actor=person_with("decision_official")
    )
    client.force_login(member)
    session = client.session
    session["current_organisation_id"] = acting_for.organisation_id
    session.save()
    page = client.get(reverse("provider-entry")).text
    assert "Aardvark College is not on the register" in page
    assert "Switch to Wessex University" in page and "Notice of revocation" in page
    switched = client.post(
        reverse("switch-organisation"),
        {"organisation": entry.organisation_id, "next": reverse("provider-entry")},
    )
    assert switched.url == reverse("provider-entry")
    assert "We intend to revoke your accreditation" in client.get(switched.url).text
    # Acting for another organisation on the register: the notice is pointed out.
    other = RegisterEntryFactory(name="Aardvark Trust")
    MembershipFactory(user=member, organisation=other.organisation)
    session = client.session
    session["current_organisation_id"] = other.organisation_id
    session.save()
    page = client.get(reverse("provider-entry")).text
    assert "We intend to revoke the accreditation of another of your organisations" in page
    assert "Switch to Wessex University" in page
    revocation.withdraw_notice(
        RegisterEntry.objects.get(pk=entry.pk), actor=person_with("decision_official")
    )
    page = client.get(reverse("provider-entry")).text
    assert "another of your organisations" not in page and "Switch to" not in page
    # Elsewhere, switching still leads to the applicant's home.
    back = client.post(
        reverse("switch-organisation"),
        {"organisation": acting_for.organisation_id, "next": "https://example.com/"},
    )
    assert back.url == reverse("applicant-home")


def test_a_response_sent_after_switching_organisation_in_another_tab_keeps_what_was_written(
    client,
):
    """The response page was opened for the provider under notice; in
    another tab the person switched to an organisation not on the register.
    Sending the response saves nothing and says why, shows what was written
    and switches back on request; anyone else's organisation is a 404."""
    entry = RegisterEntryFactory(name="Wessex University")
    member = MembershipFactory(organisation=entry.organisation).user
    other = MembershipFactory(user=member, organisation__name="Aardvark College").organisation
    revocation.give_notice(
        entry, reason="It no longer leads any school.", actor=person_with("decision_official")
    )
    client.force_login(member)
    session = client.session
    session["current_organisation_id"] = other.pk
    session.save()
    url = reverse("provider-response")
    sent = {"acting_for": entry.organisation_id, "response": "We lead two schools still."}

    response = client.post(url, sent)
    assert response.status_code == 409
    assert "Nothing was saved: you are now acting for Aardvark College" in response.text
    assert f"You opened this page for {escape(entry.organisation.name)}" in response.text
    assert "We lead two schools still." in response.text
    typed = response.text.split('<dl class="govuk-summary-list">')[1].split("</dl>")[0]
    assert "Your response" in typed and "Acting" not in typed and "csrf" not in typed.lower()
    assert not NoticeResponse.objects.exists()
    switched = client.post(
        reverse("switch-organisation"), {"organisation": entry.organisation_id, "next": url}
    )
    assert switched.url == url
    assert "Your response" in client.get(url).text

    # Not one of theirs (forged, or they left it since): nothing is saved,
    # and it is not named; not sent from a page, the plain 404 stands.
    session = client.session
    session["current_organisation_id"] = other.pk
    session.save()
    stranger = RegisterEntryFactory().organisation
    for forged in (stranger.pk, "x"):
        response = client.post(url, {**sent, "acting_for": forged})
        assert response.status_code == 409
        assert "You opened this page for another organisation" in response.text
        assert escape(stranger.name) not in response.text and "Switch back" not in response.text
    assert not NoticeResponse.objects.exists()
    assert client.get(url).status_code == 404


def test_the_provider_responds_to_a_notice_and_the_official_reads_it_before_deciding(client):
    entry = RegisterEntryFactory()
    member = MembershipFactory(organisation=entry.organisation).user
    official = person_with("decision_official")
    client.force_login(member)
    respond = reverse("provider-response")
    # No notice, nothing to respond to.
    assert client.get(respond).status_code == 404
    assert "Respond to the notice" not in client.get(reverse("provider-entry")).text

    entry = revocation.give_notice(entry, reason="It no longer leads any school.", actor=official)
    home = client.get(reverse("provider-entry")).text
    assert "We intend to revoke your accreditation" in home
    assert "It no longer leads any school." in home and respond in home
    response = client.post(respond, {"response": "  "})
    assert response.status_code == 200
    assert "Enter your response to the notice" in response.text
    assert "Error: " in response.text
    words = "We took on <b>Hill Primary</b> in September."
    assert client.post(respond, {"response": words}).status_code == 302
    event = entry.events.get(kind=EventKind.RESPONSE_RECEIVED)
    assert event.actor == member and event.details == {} and event.response.text == words
    home = client.get(reverse("provider-entry")).text
    assert "We took on &lt;b&gt;Hill Primary&lt;/b&gt; in September." in home
    # Its own history has the notice and its response, which the public's does not.
    history = home.split('<h2 class="govuk-heading-m">History</h2>')[1]
    assert "Notice of revocation given</li>" in history
    assert "Provider&#x27;s response to the notice</li>" in history
    public = client.get(reverse("register-provider", args=[entry.pk])).text
    assert "Notice of revocation given" not in public

    # Another organisation's member cannot respond for it.
    stranger = MembershipFactory(organisation=RegisterEntryFactory().organisation).user
    client.force_login(stranger)
    assert client.get(respond).status_code == 404
    with pytest.raises(Exception, match="not allowed"):
        revocation.respond(entry, text="Ours.", actor=stranger)

    sign_in_verified(client, official)
    page = client.get(reverse("staff-register-revoke", args=[entry.pk])).text
    assert "The provider&#x27;s response" in page or "The provider's response" in page
    assert "We took on &lt;b&gt;Hill Primary&lt;/b&gt; in September." in page
    assert "Revoke the accreditation</button>" not in page  # not before the period ends

    with time_machine.travel(entry.response_due):
        with pytest.raises(revocation.RevocationError, match="The time to respond ended"):
            revocation.respond(entry, text="Late.", actor=member)
        client.force_login(member)
        # Said before anything is written: no form to fill in.
        page = client.get(respond).text
        assert 'id="response-ended"' in page and "<textarea" not in page
        home = client.get(reverse("provider-entry")).text
        assert "The time to respond ended" in home and respond not in home
        response = client.post(respond, {"response": "Late."})
        assert "The time to respond ended" in response.text
    assert entry.events.filter(kind=EventKind.RESPONSE_RECEIVED).count() == 1


@pytest.mark.parametrize("who", ["casework_officer", "assessor", "conflicted official"])
def test_only_a_decision_official_free_of_conflict_may_revoke(client, who):
    entry = RegisterEntryFactory()
    if who == "conflicted official":
        person = person_with("decision_official")
        ConflictFactory(user=person, organisation=entry.organisation)
    else:
        person = person_with(who)
    sign_in_verified(client, person)
    page = reverse("staff-register-revoke", args=[entry.pk])
    # A provider they are in conflict with is not theirs to know of: 404.
    refused = 404 if who == "conflicted official" else 403
    assert client.get(page).status_code == refused
    assert client.post(page, {"step": "notice", "reason": "No."}).status_code == refused
    entry.refresh_from_db()
    assert entry.state == EntryState.CURRENT
    with pytest.raises(Exception, match="not allowed"):
        revocation.give_notice(entry, reason="No.", actor=person)


# --- The public pages ------------------------------------------------------------------


PROVIDER_LINK = re.compile(r'href="/register/(\d+)/(?:\?from=[^"]*)?"')


def page_ids(client, query):
    """The entries a search lists, over all its pages."""
    ids, page = [], 1
    while True:
        response = client.get(reverse("register-search"), {**query, "page": page})
        assert response.status_code == 200
        ids += [int(pk) for pk in PROVIDER_LINK.findall(response.content.decode())]
        if not response.context["page_obj"].has_next():
            return ids
        page += 1


def csv_rows(client, query):
    response = client.get(reverse("register-csv"), query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def json_body(client, query):
    response = client.get(reverse("register-json"), query)
    assert response.status_code == 200
    return json.loads(response.content)


MISSING = 999_999_999


def left(entry, kind):
    """``entry``, made off the register, with the event that took it off."""
    RegisterEvent.objects.create(
        entry=entry,
        kind=kind,
        accreditation_type=entry.accreditation_type,
        created_at=entry.updated_at,
    )
    return entry


@pytest.fixture
def register():
    las = list(LocalAuthority.objects.order_by("code")[:2])
    asgs = [
        RegisterEntryFactory(
            accreditation_type=AccreditationType.ASG,
            leads_federation=True,
            case__accreditation_type=AccreditationType.ASG,
            works_in=las,
        )
        for _ in range(23)
    ]
    asps = [RegisterEntryFactory() for _ in range(4)]
    hidden = [
        left(RegisterEntryFactory(state=EntryState.REVOKED), EventKind.REVOKED),
        left(RegisterEntryFactory(state=EntryState.REMOVED), EventKind.REMOVED),
    ]
    noticed = RegisterEntryFactory(
        state=EntryState.NOTICE_GIVEN,
        notice_given_at=clock.now(),
        response_due=clock.now() + timedelta(days=28),
    )
    return {"asg": asgs, "asp": asps, "hidden": hidden, "noticed": noticed, "las": las}


def test_only_current_and_noticed_entries_are_public(client, register):
    ids = page_ids(client, {})
    expected = [e.pk for e in register["asg"] + register["asp"] + [register["noticed"]]]
    assert sorted(ids) == sorted(expected)
    # Off the register: their pages say so (410 Gone), and no more.
    for entry in register["hidden"]:
        response = client.get(reverse("register-provider", args=[entry.pk]))
        assert response.status_code == 410
        assert entry.contact_email not in response.text
    assert client.get(reverse("register-provider", args=[MISSING])).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"type": "asg"},
        {"type": "asp"},
        {"federation": "on"},
        {"region": "REGION"},
        {"local_authority": "LA"},
        {"q": "NAME"},
    ],
)
def test_downloads_hold_exactly_the_rows_of_the_pages_filtered_results(client, register, query):
    query = dict(query)
    if "region" in query:
        query["region"] = register["asg"][0].region_id
    if "q" in query:
        query["q"] = register["asg"][0].name.upper()[2:-1]
    if "local_authority" in query:
        query["local_authority"] = register["las"][1].code
    ids = page_ids(client, query)
    assert ids
    rows = csv_rows(client, query)
    body = json_body(client, query)
    assert [int(row["id"]) for row in rows] == ids
    assert [provider["id"] for provider in body["providers"]] == ids
    assert body["count"] == len(ids)
    assert list(rows[0]) == list(body["schema"]["fields"]) == list(body["providers"][0])


def test_the_download_fields_are_documented(client, register):
    page = client.get(reverse("register-download")).content.decode()
    body = json_body(client, {})
    for name, description in body["schema"]["fields"].items():
        assert f"<code>{name}</code>" in page
        assert description
    asg = next(p for p in body["providers"] if p["id"] == register["asg"][0].pk)
    assert asg["type"] == "asg"
    assert asg["can_lead_federation"] is True
    assert asg["works_in_local_authority_codes"] == sorted(la.code for la in register["las"])


@pytest.mark.parametrize("name", ["=HYPERLINK(1)", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(client, name):
    entry = RegisterEntryFactory(name=name)
    [row] = csv_rows(client, {})
    assert row["name"] == "'" + name
    assert int(row["id"]) == entry.pk


def test_neutralise_leaves_ordinary_text_alone():
    assert neutralise("Hill Trust") == "Hill Trust"
    assert neutralise(None) == ""
    assert neutralise("a=b") == "a=b"


@pytest.mark.parametrize(
    ("query", "download"),
    [
        # A filter that cannot be used: the page says so; a download refuses.
        ({"type": "xyz"}, 400),
        ({"local_authority": "999"}, 400),
        ({"local_authority": "<b>"}, 400),
        ({"region": "abc"}, 400),
        ({"region": "99999999999999999999999"}, 400),
        ({"phase": "nursery"}, 400),
        ({"kind": "x"}, 400),
        ({"faith_designation": "x"}, 400),
        ({"federation": "maybe"}, 200),
        ({"page": "9999"}, 200),
        ({"page": "-1"}, 200),
        ({"page": "abc"}, 200),
        ({"q": "x" * 10_000}, 200),
        ({"q": "'; DROP TABLE register_registerentry; --"}, 200),
        ({"q": "<script>alert(1)</script>"}, 200),
        ({"q": "%_\\"}, 200),
    ],
)
def test_odd_queries_are_answered_never_a_server_error(client, register, query, download):
    assert client.get(reverse("register-search"), query).status_code == 200
    for name in ("register-csv", "register-json"):
        assert client.get(reverse(name), query).status_code == download, name
    page = client.get(reverse("register-search"), query).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert RegisterEntry.objects.count() == 30


def test_a_providers_back_link_returns_to_the_results_it_was_found_in(client, register):
    search = reverse("register-search")
    results = client.get(search, {"type": "asg", "sort": "name", "page": 2}).text
    first = int(re.search(r'href="/register/(\d+)/\?from=', results).group(1))
    # Only the search's own filters and page (no "sort": the register has none).
    link = f"/register/{first}/?from=type%3Dasg%26page%3D2"
    assert f'href="{link}"' in results
    provider = client.get(link).text
    back = f"{search}?type=asg&amp;page=2"
    assert f'<a href="{back}" class="govuk-back-link">Back to the register</a>' in provider
    # From page 1 of the whole register, or any other way in: the register.
    assert re.search(r'href="/register/\d+/"', client.get(search).text)
    plain = f'<a href="{search}" class="govuk-back-link">Back to the register</a>'
    assert plain in client.get(f"/register/{first}/").text
    # Only the search's own filters go back: nothing else can be slipped in.
    many = "&" * 1001 + "type=asg"
    for forged in ("//evil.example/", "javascript:alert(1)", "next=%2F%2Fevil", "q=", many):
        assert plain in client.get(f"/register/{first}/", {"from": forged}).text
    # Nor is anything but the search's own carried in the results' links.
    odd = client.get(search, {"type": "asg", "utm_source": "x", "page": 2}).text
    assert not re.search(r'\?from=[^"]*utm_source', odd)
    assert f'href="/register/{first}/?from=type%3Dasg%26page%3D2"' in odd


def test_a_page_past_the_end_shows_the_last_page(client, register):
    response = client.get(reverse("register-search"), {"page": 9999})
    assert response.context["page_obj"].number == 2


def test_a_name_is_found_whichever_way_its_apostrophe_is_written(client):
    straight = RegisterEntryFactory(name="St Aidan's CofE Junior School")
    curly = RegisterEntryFactory(name="St Bede\u2019s Catholic Primary")
    RegisterEntryFactory(name="Oak Trust")
    for typed, found in [
        ("St Aidan's", straight),
        ("st aidan\u2019s", straight),
        ("St Bede's", curly),
        ("bede\u2019s", curly),
        ("St Aidans", straight),
        ("bedes catholic", curly),
    ]:
        page = client.get(reverse("register-search"), {"q": typed})
        assert list(page.context["entries"]) == [found], typed


def test_a_name_with_apostrophes_is_found_with_some_left_out(client):
    both = RegisterEntryFactory(name="St Mary's and St John's Federation")
    page = client.get(reverse("register-search"), {"q": "St Mary's and St Johns"})
    assert list(page.context["entries"]) == [both]


def test_a_name_stored_without_its_apostrophe_is_found_with_one(client):
    plain = RegisterEntryFactory(name="St Marys and St Johns Federation")
    RegisterEntryFactory(name="St Mary Trust")
    for typed in (
        "St Mary's and St John's",
        "marys and st john\u2019s",
        "St Marys and St Johns",
    ):
        page = client.get(reverse("register-search"), {"q": typed})
        assert list(page.context["entries"]) == [plain], typed


def test_saint_is_found_however_it_is_spelled(client):
    short = RegisterEntryFactory(name="St Aidan's CofE Junior School")
    dotted = RegisterEntryFactory(name="St. Bede's Catholic Primary")
    whole = RegisterEntryFactory(name="Saint Cuthbert Academy Trust")
    RegisterEntryFactory(name="Forest Aidan Trust")
    RegisterEntryFactory(name="Forest Cuthbert Trust")
    for typed, found in [
        ("Saint Aidans", short),
        ("st. aidan's", short),
        ("St Bedes", dotted),
        ("saint bede", dotted),
        ("St Cuthbert", whole),
        ("Saint Cuthbert", whole),
        ("saint aidan", short),
        ("St. Cuthbert academy", whole),
    ]:
        page = client.get(reverse("register-search"), {"q": typed})
        assert list(page.context["entries"]) == [found], typed
    # Last after another word it may be a street's, and is looked for as typed too.
    street = RegisterEntryFactory(name="Queen Street Primary")
    page = client.get(reverse("register-search"), {"q": "Queen St"})
    assert list(page.context["entries"]) == [street]
    # Alone, it finds the saints, not every name holding "st".
    for typed in ("Saint", "st", "St."):
        page = client.get(reverse("register-search"), {"q": typed})
        assert {entry.pk for entry in page.context["entries"]} == {
            short.pk,
            dotted.pk,
            whole.pk,
        }, typed


def test_a_place_searched_as_a_name_is_told_where_to_look_for_places(client):
    RegisterEntryFactory(name="Alderbank Learning Trust")
    page = client.get(reverse("register-search"), {"q": "Hull"}).text
    assert "No accredited providers match" in page
    assert "to find providers in a place, choose its local authority or region" in page
    page = client.get(reverse("register-search")).text
    assert 'aria-describedby="id_q-hint"' in page
    assert "The search looks at providers’ names only" not in page


def test_apostrophes_alone_find_the_names_that_have_one_not_every_name(client):
    straight = RegisterEntryFactory(name="St Aidan's CofE Junior School")
    curly = RegisterEntryFactory(name="St Bede\u2019s Catholic Primary")
    RegisterEntryFactory(name="Oak Trust")
    for typed in ("'", "\u2019", " ' "):
        page = client.get(reverse("register-search"), {"q": typed})
        assert sorted(entry.pk for entry in page.context["entries"]) == sorted(
            [straight.pk, curly.pk]
        ), typed


def test_a_code_is_taken_in_any_letter_case(client):
    """The download's documentation gives codes in small letters; a local
    authority's script that writes ?type=ASG gets the same providers."""
    asg = RegisterEntryFactory(accreditation_type="asg")
    RegisterEntryFactory(accreditation_type="asp")
    for typed in ("asg", "ASG", " Asg "):
        page = client.get(reverse("register-search"), {"type": typed})
        assert list(page.context["entries"]) == [asg], typed
        rows = json.loads(client.get(reverse("register-json"), {"type": typed}).content)
        assert [row["id"] for row in rows["providers"]] == [asg.pk], typed


def test_a_filter_that_does_not_exist_is_reported_and_shows_no_providers(client, register):
    """Not the whole register as though no filter had been asked for: a
    local authority's old link, to one since removed, must not pass for a
    list of the providers there."""
    response = client.get(reverse("register-search"), {"type": "xyz", "phase": "primary"})
    content = response.content.decode()
    assert content.count("Error:") >= 2  # the title and the field
    assert response.context["page_obj"].paginator.count == 0
    assert "No providers shown" in content
    assert "Correct the filters to see the providers that match them" in content
    assert "No accredited providers match" not in content
    # No download link that could only be refused.
    assert reverse("register-csv") + "?" not in content


def test_a_download_with_a_filter_that_does_not_exist_is_refused_not_whole(client, register):
    """A program asking for type=xyz gets a 400 naming the filter, never the
    whole register as though it had asked for no filter."""
    query = {"type": "xyz", "local_authority": "999999"}
    response = client.get(reverse("register-csv"), query)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert text.startswith("The register was not downloaded")
    assert "type: " in text and "local_authority: " in text
    response = client.get(reverse("register-json"), query)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"type", "local_authority"}


def test_last_updated_tells_when_a_provider_left_the_register(client):
    case = ProposalFactory(status=Status.ACCREDITED)
    with time_machine.travel(clock.now() + timedelta(days=3)):
        correct(case)
        removed_at = clock.now()
    response = client.get(reverse("register-search"))
    assert abs(response.context["last_updated"] - removed_at) < timedelta(minutes=1)


def test_the_feed_announces_changes_but_not_notices(client):
    case = ProposalFactory(status=Status.ACCREDITED)
    entry = RegisterEntry.objects.get(organisation=case.organisation)
    MembershipFactory(organisation=entry.organisation)
    revocation.give_notice(entry, reason="Secret reason.", actor=person_with("decision_official"))
    response = client.get(reverse("register-feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = response.content.decode()
    assert f"{entry.name}: accredited" in feed
    assert "Secret reason" not in feed
    assert "Notice" not in feed
    # Atom (RFC 4287): each entry's id an IRI, an author for the feed.
    ids = re.findall(r"<entry>.*?<id>([^<]*)</id>", feed)
    assert ids and all(re.fullmatch(r"tag:[a-z0-9.-]+,2026:register-event-[0-9]+", i) for i in ids)
    assert "<author><name>Department for Education</name></author>" in feed


def test_a_name_in_the_feeds_html_summary_is_text(client):
    """The summary is marked as HTML: a feed reader unescapes it once and
    renders it, so a name typed with markup stays text there."""
    import xml.etree.ElementTree as ElementTree

    ProposalFactory(
        status=Status.ACCREDITED, organisation__name="<img src=x onerror=alert(1)> & Oak Trust"
    )
    feed = ElementTree.fromstring(client.get(reverse("register-feed")).content)
    atom = "{http://www.w3.org/2005/Atom}"
    [entry] = [
        entry
        for entry in feed.iter(f"{atom}entry")
        if entry.find(f"{atom}title").text == "<img src=x onerror=alert(1)> & Oak Trust: accredited"
    ]
    summary = entry.find(f"{atom}summary")
    assert summary.get("type") == "html"
    assert summary.text.startswith("&lt;img src=x onerror=alert(1)&gt; &amp; Oak Trust – ")


def test_the_feed_pages_back_through_every_change_once(client, monkeypatch):
    """A reader who comes back after a busy week follows each page's "next"
    link (RFC 5005) to the earlier changes: every change once, in order,
    changes made in the same instant included."""
    monkeypatch.setattr("register.queries.register.FEED_PAGE", 2)
    with time_machine.travel(clock.now(), tick=False):
        for _ in range(3):
            ProposalFactory(status=Status.ACCREDITED)
    for _ in range(2):
        ProposalFactory(status=Status.ACCREDITED)
    entry = RegisterEntry.objects.order_by("pk").first()
    MembershipFactory(organisation=entry.organisation)
    revocation.give_notice(entry, reason="Not in the feed.", actor=person_with("decision_official"))
    expected = list(
        RegisterEvent.objects.filter(kind=EventKind.ACCREDITED)
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)
    )
    seen, url, pages = [], reverse("register-feed"), 0
    while url:
        feed = client.get(url).content.decode()
        pages += 1
        ids = [int(pk) for pk in re.findall(r"<entry>.*?<id>[^<]*register-event-(\d+)</id>", feed)]
        assert len(ids) <= 2
        seen += ids
        following = re.search(r'<link href="http://testserver([^"]*)" rel="next"', feed)
        url = following[1] if following else None
    assert seen == expected and pages == 3


@pytest.mark.parametrize("after", ["abc", "-1", "99999999", "notice"])
def test_a_feed_page_after_no_change_of_the_feed_is_not_found(client, after):
    entry = RegisterEntry.objects.get(
        organisation=ProposalFactory(status=Status.ACCREDITED).organisation
    )
    if after == "notice":
        MembershipFactory(organisation=entry.organisation)
        revocation.give_notice(entry, reason="Hidden.", actor=person_with("decision_official"))
        after = RegisterEvent.objects.get(kind=EventKind.NOTICE_GIVEN).pk
    assert client.get(reverse("register-feed"), {"after": after}).status_code == 404


def revoked_entry(reason="Secret reason."):
    """A provider's entry walked through notice and revocation."""
    case = ProposalFactory(status=Status.ACCREDITED)
    entry = RegisterEntry.objects.get(organisation=case.organisation)
    MembershipFactory(organisation=entry.organisation)
    official = person_with("decision_official")
    entry = revocation.give_notice(entry, reason=reason, actor=official)
    with time_machine.travel(entry.response_due + timedelta(days=1)):
        revocation.revoke(entry, reason="Secret decision.", actor=official)
        revoked_on = clock.today()
    entry.refresh_from_db()
    return entry, revoked_on


def feed_links(client):
    """{entry title: link} of the feed's entries."""
    feed = client.get(reverse("register-feed")).content.decode()
    return re.findall(r"<entry><title>([^<]*)</title><link[^>]*href=\"([^\"]*)\"", feed)


def test_every_feed_entry_links_to_a_page_that_answers_even_once_revoked(client):
    current = RegisterEntry.objects.get(
        organisation=ProposalFactory(status=Status.ACCREDITED).organisation
    )
    entry, revoked_on = revoked_entry()
    links = feed_links(client)
    page = reverse("register-provider", args=[entry.pk])
    assert sorted(title for title, _ in links) == sorted(
        [f"{current.name}: accredited", f"{entry.name}: accredited", f"{entry.name}: revoked"]
    )
    for title, link in links:
        response = client.get(link)
        if title.startswith(entry.name):
            # The revoked provider's entries (the accreditation too, which a
            # reader may have kept) lead to its page, which says it is gone.
            assert link.endswith(page)
            assert response.status_code == 410
            assert f"was revoked on {revoked_on.day} {revoked_on:%B %Y}" in response.text
        else:
            assert response.status_code == 200
            assert current.name in response.text


def test_a_revoked_providers_page_says_when_and_nothing_internal(client):
    entry, _ = revoked_entry(reason="Secret reason.")
    sign_in_verified(client, person_with("decision_official"))
    response = client.get(reverse("register-provider", args=[entry.pk]))
    assert response.status_code == 410
    assert entry.name in response.text
    for internal in ("Secret reason.", "Secret decision.", entry.contact_email, "Revoke this"):
        assert internal not in response.text
    assert "Notice" not in response.text


def test_a_provider_reinstated_after_removal_has_its_page_back(client):
    case = ProposalFactory(status=Status.ACCREDITED)
    entry = RegisterEntry.objects.get(organisation=case.organisation)
    page = reverse("register-provider", args=[entry.pk])
    correct(case)
    assert client.get(page).status_code == 410
    correct(case)
    response = client.get(page)
    assert response.status_code == 200 and entry.name in response.text


def test_the_provider_page_shows_its_entry_and_nothing_internal(client):
    case = ProposalFactory(status=Status.ACCREDITED, leads_federation=True)
    entry = RegisterEntry.objects.get(organisation=case.organisation)
    MembershipFactory(organisation=entry.organisation)
    revocation.give_notice(entry, reason="Secret reason.", actor=person_with("decision_official"))
    page = client.get(reverse("register-provider", args=[entry.pk])).content.decode()
    assert entry.name in page
    assert "A federation" in page
    assert "Secret reason" not in page
    assert "Notice" not in page
    assert "Revoke this accreditation" not in page


# --- Queries ---------------------------------------------------------------------------


@pytest.mark.parametrize("size", [3, 40])
def test_the_register_search_takes_the_same_queries_at_any_size(
    client, size, django_assert_num_queries
):
    for _ in range(size):
        RegisterEntryFactory()
    with django_assert_num_queries(QUERIES_SEARCH):
        response = client.get(reverse("register-search"), {"type": "asp", "phase": "primary"})
    assert response.context["page_obj"].paginator.count == size


@pytest.mark.parametrize("size", [1, 6])
def test_a_provider_page_takes_the_same_queries_at_any_size(
    client, size, django_assert_num_queries
):
    las = list(LocalAuthority.objects.order_by("code")[:size])
    entry = RegisterEntryFactory(
        works_in=las,
        schools_led=[
            {"name": f"School {n}", "urn": f"{200000 + n}", "local_authority": "X"}
            for n in range(size)
        ],
    )
    with django_assert_num_queries(QUERIES_PROVIDER):
        response = client.get(reverse("register-provider", args=[entry.pk]))
    assert response.content.decode().count("(URN 2000") == size


@pytest.mark.parametrize("size", [1, 6])
def test_a_revoked_providers_page_takes_the_same_queries_at_any_size(
    client, size, django_assert_num_queries
):
    entry = left(
        RegisterEntryFactory(
            state=EntryState.REVOKED, works_in=list(LocalAuthority.objects.order_by("code")[:size])
        ),
        EventKind.REVOKED,
    )
    with django_assert_num_queries(QUERIES_GONE):
        response = client.get(reverse("register-provider", args=[entry.pk]))
    assert response.status_code == 410


QUERIES_SEARCH = 6  # the page and its count, last updated (two), the LA and region options
QUERIES_PROVIDER = 3  # the entry, the LAs it will work in, its history
QUERIES_GONE = 2  # the entry, the event that took it off


def test_what_it_can_lead_widens_with_each_box_ticked(client):
    """The boxes under "What it can lead" are one group: ticking both shows
    providers that can lead either, not only those that can lead both."""
    trust = RegisterEntryFactory(leads_majority_trust=True, leads_federation=False)
    federation = RegisterEntryFactory(leads_majority_trust=False, leads_federation=True)
    both = RegisterEntryFactory(leads_majority_trust=True, leads_federation=True)
    neither = RegisterEntryFactory(leads_majority_trust=False, leads_federation=False)
    assert sorted(page_ids(client, {"majority_trust": "on"})) == sorted([trust.pk, both.pk])
    assert sorted(page_ids(client, {"federation": "on"})) == sorted([federation.pk, both.pk])
    assert sorted(page_ids(client, {"majority_trust": "on", "federation": "on"})) == sorted(
        [trust.pk, federation.pk, both.pk]
    )
    assert neither.pk in page_ids(client, {})


def test_a_null_character_searched_for_finds_what_the_rest_finds(client):
    entry = RegisterEntryFactory(name="Alder Schools Trust")
    response = client.get(reverse("register-search"), {"q": "Alder\x00"})
    assert response.status_code == 200
    assert "Null characters are not allowed" not in response.text
    assert page_ids(client, {"q": "Alder\x00"}) == [entry.pk]


def test_words_searched_for_with_several_spaces_between_find_the_name(client):
    entry = RegisterEntryFactory(name="Kingsway High School")
    for typed in ("Kingsway  High", " Kingsway \t High ", "Kingsway\u00a0 High"):
        assert page_ids(client, {"q": typed}) == [entry.pk], typed


def test_the_same_response_sent_twice_is_kept_once():
    """The form resent, or sent from two tabs: one response for the
    official to read. Another text, or another member, is another response."""
    entry = RegisterEntryFactory()
    member = MembershipFactory(organisation=entry.organisation).user
    colleague = MembershipFactory(organisation=entry.organisation).user
    entry = revocation.give_notice(
        entry, reason="It leads no school.", actor=person_with("decision_official")
    )
    first = revocation.respond(entry, text="We lead Hill Primary.", actor=member)
    assert revocation.respond(entry, text=" We lead Hill Primary. ", actor=member) == first
    revocation.respond(entry, text="We lead Hill Primary.", actor=colleague)
    revocation.respond(entry, text="And Dale Primary.", actor=member)
    assert entry.events.filter(kind=EventKind.RESPONSE_RECEIVED).count() == 3
