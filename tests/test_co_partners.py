"""An accredited provider keeps its register details current and adds or
changes its educational co-partner later; a casework officer scores the
co-partner's Part Two answers and records whether it meets the track
record criteria; the register shows the outcome."""

import csv
import importlib
import io
import json
import re

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accreditation.models import (
    AccreditationType,
    ActivityEntry,
    Framework,
    LocalAuthority,
    OrganisationKind,
    OutboxMessage,
)
from accreditation.versions import StaleEdit
from accreditation.workflow import Action, Status, move
from proposals.models import Route
from register.models import (
    ChangeState,
    CoPartnerChange,
    EntryState,
    EventKind,
    RegisterEntry,
)
from register.queries.co_partners import waiting
from register.services import co_partners, details, revocation
from tests.casework import person_with, sign_in_verified
from tests.factories import (
    ConflictFactory,
    CoPartnerFactory,
    MembershipFactory,
    ProposalFactory,
    RegisterEntryFactory,
)

pytestmark = pytest.mark.django_db


def co_partner_details(**overrides):
    return {
        "name": "Riverside Primary School",
        "kind": OrganisationKind.MAINTAINED_PRIMARY,
        "identifier": "123456",
        "local_authority": LocalAuthority.objects.order_by("code").first(),
        "contact_name": "Rita River",
        "contact_email": "rita@riverside.example.org",
        "role_in_partnership": "Leads the primary curriculum work in each school.",
        **overrides,
    }


@pytest.fixture
def provider():
    """A current entry and an applicant who is a member of its organisation."""
    entry = RegisterEntryFactory()
    member = MembershipFactory(organisation=entry.organisation).user
    return entry, member


def answered(entry, member, **overrides):
    change = co_partners.start(entry, actor=member, **co_partner_details(**overrides))
    for criterion in co_partners.criteria(change.framework, entry.accreditation_type):
        co_partners.save_answer(
            change,
            criterion=criterion,
            text=f"Evidence for {criterion.code}.",
            version=0,
            actor=member,
        )
    return change


def submitted(entry, member, **overrides):
    return co_partners.submit(answered(entry, member, **overrides), actor=member)


def scores_of(change, value=3):
    return [
        co_partners.Score(c, value, f"Comment on {c.code}.")
        for c in co_partners.criteria(change.framework, change.entry.accreditation_type)
    ]


# --- The provider's details ------------------------------------------------------------


def test_the_provider_keeps_its_details_current_and_the_register_shows_them(client, provider):
    entry, member = provider
    before = entry.updated_at
    details.update_details(
        entry, actor=member, more_schools=2, contact_email="schools@oak.example.org"
    )
    entry.refresh_from_db()
    assert (entry.more_schools, entry.contact_email) == (2, "schools@oak.example.org")
    assert entry.updated_at > before
    event = entry.events.get(kind=EventKind.DETAILS_UPDATED)
    assert event.details["more_schools"] == [None, 2]
    page = client.get(reverse("register-provider", args=[entry.pk])).content.decode()
    assert "schools@oak.example.org" in page
    assert "can take on 2 more schools" in page
    assert "Details updated: can take on 2 more schools; contact email changed" in page
    details.update_details(
        entry, actor=member, more_schools=1, contact_email="schools@oak.example.org"
    )
    page = client.get(reverse("register-provider", args=[entry.pk])).content.decode()
    assert "can take on 1 more school<" in page
    [row] = list(
        csv.DictReader(io.StringIO(client.get(reverse("register-csv")).getvalue().decode()))
    )
    assert row["more_schools"] == "1"


@pytest.mark.parametrize(
    ("accreditation_type", "refused", "message", "allowed"),
    [
        (AccreditationType.ASP, -1, "The number of schools must be 0 or more", 0),
        (AccreditationType.ASP, 3, "An Accredited School Provider can take on at most 2 more", 2),
        (AccreditationType.ASG, 51, "An Accredited Schools Group can take on at most 50 more", 50),
    ],
)
def test_more_schools_is_bounded_by_the_provider_s_type(
    provider, accreditation_type, refused, message, allowed
):
    """An ASP leads improvement in one or two schools (the prospectus); an
    ASG grows, but not without bound."""
    entry, member = provider
    RegisterEntry.objects.filter(pk=entry.pk).update(accreditation_type=accreditation_type)
    with pytest.raises(details.DetailsError, match=message):
        details.update_details(entry, actor=member, more_schools=refused, contact_email="a@b.org")
    details.update_details(entry, actor=member, more_schools=allowed, contact_email="a@b.org")
    entry.refresh_from_db()
    assert entry.more_schools == allowed


def test_a_number_saved_before_the_limit_is_kept_while_the_contact_changes(client, provider):
    entry, member = provider
    RegisterEntry.objects.filter(pk=entry.pk).update(accreditation_type="asp", more_schools=5)
    client.force_login(member)
    url = reverse("provider-details")
    version = client.get(url).context["form"].initial["version"]
    response = client.post(
        url, {"more_schools": "5", "contact_email": "new@example.org", "version": version}
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.more_schools, entry.contact_email) == (5, "new@example.org")
    with pytest.raises(details.DetailsError, match="at most 2 more schools"):
        details.update_details(entry, actor=member, more_schools=4, contact_email="a@b.org")


def test_the_details_page_saves_and_refuses_bad_input(client, provider):
    entry, member = provider
    client.force_login(member)
    url = reverse("provider-details")
    version = client.get(url).context["form"].initial["version"]
    response = client.post(
        url, {"more_schools": "many", "contact_email": "x@y.org", "version": version}
    )
    assert "Enter how many more schools you can take on as a whole number" in response.text
    assert response.text.count("Error:") >= 1
    response = client.post(
        url, {"more_schools": "2", "contact_email": "x@y.org", "version": version}
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.more_schools == 2
    stale = client.post(url, {"more_schools": "1", "contact_email": "x@y.org", "version": version})
    assert "These details were saved again while you were editing them" in stale.text
    entry.refresh_from_db()
    assert entry.more_schools == 2


@pytest.mark.parametrize(
    ("accreditation_type", "number", "message"),
    [
        (AccreditationType.ASP, "3", "An Accredited School Provider can take on at most 2 more"),
        (AccreditationType.ASG, "51", "An Accredited Schools Group can take on at most 50 more"),
        (AccreditationType.ASG, "-1", "The number of schools must be 0 or more"),
    ],
)
def test_the_details_page_asks_for_a_whole_number_its_type_can_take_on(
    client, provider, accreditation_type, number, message
):
    """A GOV.UK text input for a number (not ``type="number"``), checked on
    the server, the message linked from the error summary."""
    entry, member = provider
    RegisterEntry.objects.filter(pk=entry.pk).update(accreditation_type=accreditation_type)
    client.force_login(member)
    url = reverse("provider-details")
    page = client.get(url)
    version = page.context["form"].initial["version"]
    field = re.search(r'<input[^>]*name="more_schools"[^>]*>', page.text).group()
    assert 'type="text"' in field and 'inputmode="numeric"' in field
    assert "govuk-input" in field and " max=" not in field
    response = client.post(
        url, {"more_schools": number, "contact_email": "x@y.org", "version": version}
    )
    assert response.status_code == 200
    assert f'<a href="#id_more_schools">{message}' in response.text
    entry.refresh_from_db()
    assert entry.more_schools is None


def test_a_second_save_with_an_old_version_is_refused(provider):
    entry, member = provider
    version = details.details_version(entry)
    details.update_details(
        entry, actor=member, more_schools=1, contact_email="a@b.org", version=version
    )
    with pytest.raises(StaleEdit):
        details.update_details(
            entry, actor=member, more_schools=2, contact_email="a@b.org", version=version
        )
    # The same details sent again (the form resent, or from another tab):
    # what was sent is kept, so nothing is refused and nothing recorded.
    details.update_details(
        entry, actor=member, more_schools=1, contact_email="a@b.org", version=version
    )
    assert entry.events.filter(kind=EventKind.DETAILS_UPDATED).count() == 1


# --- Starting and sending a change -------------------------------------------------------


def test_the_provider_proposes_a_co_partner_and_the_officer_finds_it_waiting(client, provider):
    entry, member = provider
    change = answered(entry, member)
    assert change.state == ChangeState.DRAFT
    officer = person_with("casework_officer")
    assert client.get(reverse("staff-home")).status_code == 302
    co_partners.submit(change, actor=member)
    change.refresh_from_db()
    assert change.state == ChangeState.SUBMITTED and change.submitted_at
    assert entry.events.filter(kind=EventKind.CO_PARTNER_PROPOSED).exists()
    client.force_login(member)
    own = client.get(reverse("provider-entry")).content.decode()
    assert "Co-partner proposed: Riverside Primary School</li>" in own
    sign_in_verified(client, officer)
    listing = client.get(reverse("staff-co-partner-changes")).content.decode()
    assert "Riverside Primary School" in listing
    home = client.get(reverse("staff-home")).content.decode()
    assert "1</span> Co-partner of an accredited provider to decide" in home


def test_the_co_partner_answers_part_two_as_in_a_proposal():
    framework = Framework.current()
    codes = [c.code for c in co_partners.criteria(framework, "asp")]
    assert codes == ["2A", "2B", "2C"]


def test_a_change_cannot_be_sent_with_an_answer_missing(provider):
    entry, member = provider
    change = co_partners.start(entry, actor=member, **co_partner_details())
    with pytest.raises(co_partners.CoPartnerError, match="Answer 2A"):
        co_partners.submit(change, actor=member)


def test_an_answer_over_the_word_limit_is_refused(provider):
    entry, member = provider
    change = co_partners.start(entry, actor=member, **co_partner_details())
    criterion = co_partners.criteria(change.framework, entry.accreditation_type)[0]
    with pytest.raises(co_partners.CoPartnerError, match="words or fewer"):
        co_partners.save_answer(
            change,
            criterion=criterion,
            text="word " * (criterion.word_limit + 1),
            version=0,
            actor=member,
        )


def test_a_stale_answer_is_refused(provider):
    entry, member = provider
    change = co_partners.start(entry, actor=member, **co_partner_details())
    criterion = co_partners.criteria(change.framework, entry.accreditation_type)[0]
    co_partners.save_answer(change, criterion=criterion, text="First.", version=0, actor=member)
    with pytest.raises(co_partners.StaleAnswer):
        co_partners.save_answer(change, criterion=criterion, text="Other.", version=0, actor=member)


def test_one_open_change_at_a_time(provider):
    entry, member = provider
    submitted(entry, member)
    with pytest.raises(co_partners.ChangeInProgress, match="started proposing Riverside"):
        co_partners.start(entry, actor=member, **co_partner_details(name="Another School"))
    assert CoPartnerChange.objects.count() == 1


def test_a_second_start_sent_shows_the_change_in_progress_and_what_it_held(client, provider):
    """The start form sent twice (or from a tab opened before): the change
    in progress is named and linked, and what this form held shown back."""
    entry, member = provider
    change = answered(entry, member)
    client.force_login(member)
    form = {
        **co_partner_details(name="Another School"),
        "local_authority": LocalAuthority.objects.order_by("code").first().pk,
    }
    response = client.post(reverse("provider-co-partner-start"), form)
    assert response.status_code == 409
    assert "started proposing Riverside Primary School as your co-partner" in response.text
    assert "Another School" in response.text
    assert CoPartnerChange.objects.get() == change


def test_an_organisation_not_accredited_is_refused(client):
    member = MembershipFactory().user
    ProposalFactory(organisation=member.memberships.get().organisation, status="submitted")
    client.force_login(member)
    assert client.get(reverse("provider-co-partner-start")).status_code == 404
    assert client.get(reverse("provider-details")).status_code == 404
    page = client.get(reverse("provider-entry")).content.decode()
    assert "is not on the register" in page


def test_a_revoked_provider_is_refused(client, provider):
    entry, member = provider
    RegisterEntry.objects.filter(pk=entry.pk).update(state=EntryState.REVOKED)
    entry.refresh_from_db()
    with pytest.raises(PermissionDenied):
        co_partners.start(entry, actor=member, **co_partner_details())
    with pytest.raises(PermissionDenied):
        details.update_details(entry, actor=member, more_schools=1, contact_email="a@b.org")
    client.force_login(member)
    assert client.post(reverse("provider-co-partner-start"), {}).status_code == 409


def test_a_provider_off_the_register_is_told_why_and_keeps_what_it_sent(client, provider):
    """Revoked while its pages were open: each form sent is shown back with
    why nothing was saved; its entry says when and why it left; its change
    of co-partner is closed, for it and for the casework officer."""
    from datetime import timedelta

    import time_machine

    from accreditation import clock

    entry, member = provider
    change = submitted(entry, member)
    official = person_with("decision_official")
    revocation.give_notice(entry, reason="It leads no school.", actor=official)
    entry.refresh_from_db()
    with time_machine.travel(entry.response_due + timedelta(minutes=1)):
        revocation.revoke(entry, reason="It sent no response.", actor=official)
        revoked_on = clock.now()
    client.force_login(member)
    said = f"accreditation was revoked on {revoked_on:%-d %B %Y}"
    details_page = reverse("provider-details")
    response = client.post(details_page, {"more_schools": "1", "contact_email": "new@x.org"})
    assert response.status_code == 409
    assert said in response.text and "new@x.org" in response.text
    assert "Your register details were not saved." in response.text
    assert client.get(details_page).status_code == 410
    assert said in client.get(details_page).text
    response = client.post(reverse("provider-response"), {"response": "We lead Hill Primary."})
    assert response.status_code == 409
    assert "We lead Hill Primary." in response.text and said in response.text
    response = client.post(
        reverse("provider-co-partner-answer", args=[change.pk, "2A"]), {"text": "More."}
    )
    assert response.status_code == 409 and "was closed" in response.text
    assert "More." in response.text
    page = client.get(reverse("provider-co-partner-change", args=[change.pk])).text
    assert 'id="closed"' in page
    assert said in client.get(reverse("provider-entry")).text
    officer = person_with("casework_officer")
    sign_in_verified(client, officer)
    page = client.get(reverse("staff-co-partner-change", args=[change.pk])).text
    assert 'id="closed"' in page and "Score the answers and decide" not in page
    sent = {"outcome": "does_not_meet", "reason": "Its evidence is thin."}
    for criterion in co_partners.criteria(change.framework, entry.accreditation_type):
        sent |= {f"score_{criterion.code}": "2", f"comment_{criterion.code}": "Thin."}
    response = client.post(reverse("staff-co-partner-change", args=[change.pk]), sent)
    assert response.status_code == 409
    assert "Nothing was recorded." in response.text
    assert "Its evidence is thin." in response.text.split("What you wrote is below")[1]
    with pytest.raises(co_partners.CoPartnerError, match="nothing to decide"):
        co_partners.decide(
            change, actor=officer, scores=scores_of(change), meets=False, reason="No."
        )
    # Closed for good: on the register again, the provider starts afresh.
    change.refresh_from_db()
    assert (change.state, change.reason) == (ChangeState.CLOSED, co_partners.CLOSED_REASON)
    RegisterEntry.objects.filter(pk=entry.pk).update(state=EntryState.CURRENT)
    entry.refresh_from_db()
    assert list(waiting(officer)) == []
    assert co_partners.open_change(entry) is None
    co_partners.start(entry, actor=member, **co_partner_details(name="Another School"))


def test_a_response_sent_after_the_notice_was_withdrawn_says_so_and_keeps_it(client, provider):
    entry, member = provider
    official = person_with("decision_official")
    revocation.give_notice(entry, reason="It leads no school.", actor=official)
    client.force_login(member)
    assert client.get(reverse("provider-response")).status_code == 200
    revocation.withdraw_notice(entry, actor=official)
    response = client.post(reverse("provider-response"), {"response": "We lead Hill Primary."})
    assert response.status_code == 409
    assert "The notice of revocation was withdrawn on" in response.text
    assert "We lead Hill Primary." in response.text
    assert "Your response was not sent." in response.text
    assert not entry.events.filter(kind=EventKind.RESPONSE_RECEIVED).exists()


def test_another_organisations_change_is_not_found(client, provider):
    entry, member = provider
    change = answered(entry, member)
    stranger = MembershipFactory(organisation=RegisterEntryFactory().organisation).user
    client.force_login(stranger)
    for name, args in [
        ("provider-co-partner-change", [change.pk]),
        ("provider-co-partner-details", [change.pk]),
        ("provider-co-partner-answer", [change.pk, "2A"]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404, name
        assert client.post(reverse(name, args=args)).status_code == 404, name
    with pytest.raises(PermissionDenied):
        co_partners.submit(change, actor=stranger)


def test_a_sent_change_can_no_longer_be_edited(client, provider):
    entry, member = provider
    change = submitted(entry, member)
    client.force_login(member)
    response = client.get(reverse("provider-co-partner-answer", args=[change.pk, "2A"]))
    assert response.status_code == 302
    criterion = co_partners.criteria(change.framework, entry.accreditation_type)[0]
    with pytest.raises(PermissionDenied):
        co_partners.save_answer(change, criterion=criterion, text="Late.", version=1, actor=member)


def test_sending_twice_sends_once(provider):
    entry, member = provider
    change = answered(entry, member)
    co_partners.submit(change, actor=member)
    co_partners.submit(change, actor=member)
    assert entry.events.filter(kind=EventKind.CO_PARTNER_PROPOSED).count() == 1


def test_a_second_send_from_another_tab_says_it_was_already_sent(client, provider):
    entry, member = provider
    change = answered(entry, member)
    client.force_login(member)
    url = reverse("provider-co-partner-change", args=[change.pk])
    assert "has been sent" in client.post(url, follow=True).content.decode()
    again = client.post(url, follow=True).content.decode()
    assert "Your co-partner was already sent to the accreditation team at" in again
    assert "Nothing more was sent." in again and "Success" not in again
    assert entry.events.filter(kind=EventKind.CO_PARTNER_PROPOSED).count() == 1


# --- The officer's decision --------------------------------------------------------------


def test_a_co_partner_that_meets_the_criteria_is_shown_on_the_register(client, provider):
    entry, member = provider
    RegisterEntry.objects.filter(pk=entry.pk).update(
        co_partner_name="Old Partner School", co_partner_kind=OrganisationKind.MAINTAINED_PRIMARY
    )
    change = submitted(entry, member)
    officer = person_with("casework_officer")
    co_partners.decide(change, actor=officer, scores=scores_of(change), meets=True, reason="")
    entry.refresh_from_db()
    assert entry.co_partner_name == "Riverside Primary School"
    event = entry.events.get(kind=EventKind.CO_PARTNER_CHANGED)
    assert event.details["from"] == "Old Partner School"
    assert change.scores.count() == 3
    page = client.get(reverse("register-provider", args=[entry.pk])).content.decode()
    assert "Riverside Primary School" in page
    assert "(was Old Partner School)" in page
    body = json.loads(client.get(reverse("register-json")).content)
    assert body["providers"][0]["co_partner"] == "Riverside Primary School"
    assert body["providers"][0]["co_partner_kind"] == OrganisationKind.MAINTAINED_PRIMARY
    assert "co-partner changed" in client.get(reverse("register-feed")).content.decode()
    assert OutboxMessage.objects.filter(key__startswith="register/co_partner_met").count() == 1
    assert ActivityEntry.objects.filter(action="co_partner_change_decided").exists()


def test_a_co_partner_that_does_not_meet_them_leaves_the_entry_unchanged(provider):
    entry, member = provider
    change = submitted(entry, member)
    before = entry.updated_at
    officer = person_with("casework_officer")
    co_partners.decide(
        change,
        actor=officer,
        scores=scores_of(change, 2),
        meets=False,
        reason="No evidence of pupils' progress.",
    )
    entry.refresh_from_db()
    assert entry.co_partner_name == "" and entry.updated_at == before
    assert entry.events.get(kind=EventKind.CO_PARTNER_NOT_MET).details["reason"]
    message = OutboxMessage.objects.get(key__startswith="register/co_partner_not_met")
    assert "No evidence of pupils" in message.body
    # A new change may now start.
    co_partners.start(entry, actor=member, **co_partner_details(name="Second Try School"))


def test_meets_needs_every_score_at_the_threshold_and_does_not_needs_a_reason(provider):
    entry, member = provider
    change = submitted(entry, member)
    officer = person_with("casework_officer")
    with pytest.raises(co_partners.CoPartnerError, match="every answer scores"):
        co_partners.decide(
            change, actor=officer, scores=scores_of(change, 2), meets=True, reason=""
        )
    with pytest.raises(co_partners.CoPartnerError, match="Enter why"):
        co_partners.decide(change, actor=officer, scores=scores_of(change), meets=False, reason=" ")
    with pytest.raises(co_partners.CoPartnerError, match="Score every answer"):
        co_partners.decide(
            change, actor=officer, scores=scores_of(change)[:1], meets=True, reason=""
        )
    change.refresh_from_db()
    assert change.state == ChangeState.SUBMITTED and not change.scores.exists()


def test_deciding_twice_is_refused_and_the_first_stands(provider):
    entry, member = provider
    change = submitted(entry, member)
    officer = person_with("casework_officer")
    co_partners.decide(change, actor=officer, scores=scores_of(change), meets=True, reason="")
    with pytest.raises(co_partners.AlreadyDecided):
        co_partners.decide(
            change, actor=officer, scores=scores_of(change, 1), meets=False, reason="No."
        )
    change.refresh_from_db()
    assert change.state == ChangeState.MEETS


def test_a_conflicted_officer_neither_sees_nor_decides(client, provider):
    entry, member = provider
    change = submitted(entry, member)
    officer = person_with("casework_officer")
    ConflictFactory(user=officer, organisation=entry.organisation)
    sign_in_verified(client, officer)
    assert client.get(reverse("staff-co-partner-change", args=[change.pk])).status_code == 404
    assert "Riverside" not in client.get(reverse("staff-co-partner-changes")).content.decode()
    with pytest.raises(PermissionDenied):
        co_partners.decide(change, actor=officer, scores=scores_of(change), meets=True, reason="")


def test_only_a_casework_officer_decides(client, provider):
    entry, member = provider
    change = submitted(entry, member)
    for role in ("assessor", "decision_official"):
        person = person_with(role)
        with pytest.raises(PermissionDenied):
            co_partners.decide(
                change, actor=person, scores=scores_of(change), meets=True, reason=""
            )


def test_the_officer_records_the_outcome_on_the_page(client, provider):
    entry, member = provider
    change = submitted(entry, member)
    sign_in_verified(client, person_with("casework_officer"))
    url = reverse("staff-co-partner-change", args=[change.pk])
    response = client.post(url, {"outcome": "does_not_meet"})
    assert "Select a score for 2A" in response.text
    assert "Enter why the co-partner does not meet" in response.text
    data = {"outcome": "meets"}
    for code in ("2A", "2B", "2C"):
        data[f"score_{code}"], data[f"comment_{code}"] = "4", f"Strong {code}."
    assert client.post(url, data).status_code == 302
    entry.refresh_from_db()
    assert entry.co_partner_name == "Riverside Primary School"


def test_the_service_refuses_a_non_educational_co_partner_or_the_providers_own_urn(provider):
    entry, member = provider
    organisation = entry.organisation
    organisation.urn = "654321"
    organisation.save(update_fields=["urn"])
    with pytest.raises(co_partners.CoPartnerError, match="educational organisation"):
        co_partners.start(
            entry, actor=member, **co_partner_details(kind=OrganisationKind.PRIVATE_OR_THIRD_SECTOR)
        )
    with pytest.raises(co_partners.CoPartnerError, match="654321 is your organisation's"):
        co_partners.start(entry, actor=member, **co_partner_details(identifier="654321"))
    change = co_partners.start(entry, actor=member, **co_partner_details())
    with pytest.raises(co_partners.CoPartnerError, match="654321 is your organisation's"):
        co_partners.save_details(
            change,
            actor=member,
            version=co_partners.details_version(change),
            **co_partner_details(identifier="654321"),
        )
    change.refresh_from_db()
    assert change.identifier == "123456"


def test_a_revoked_entry_cannot_take_a_new_co_partner(provider):
    entry, member = provider
    change = submitted(entry, member)
    official = person_with("decision_official")
    revocation.give_notice(entry, reason="Gone.", actor=official)
    RegisterEntry.objects.filter(pk=entry.pk).update(state=EntryState.REVOKED)
    # No longer waiting for the officers, and refused if decided all the same.
    assert list(waiting(person_with("casework_officer"))) == []
    with pytest.raises(co_partners.CoPartnerError, match="nothing to decide"):
        co_partners.decide(
            change,
            actor=person_with("casework_officer"),
            scores=scores_of(change),
            meets=True,
            reason="",
        )


def test_a_later_decision_keeps_what_the_provider_set():
    """Accredited again (an ASP as an ASG), the entry keeps the number of
    schools and the contact the provider set."""
    asp = ProposalFactory(status=Status.ACCREDITED)
    entry = RegisterEntry.objects.get(organisation=asp.organisation)
    member = MembershipFactory(organisation=entry.organisation).user
    details.update_details(entry, actor=member, more_schools=2, contact_email="me@oak.example.org")
    asg = ProposalFactory(
        status=Status.AWAITING_DECISION,
        organisation=asp.organisation,
        accreditation_type=AccreditationType.ASG,
    )
    move(asg, Action.ACCREDIT, person_with("decision_official"))
    entry.refresh_from_db()
    assert entry.accreditation_type == AccreditationType.ASG
    assert (entry.more_schools, entry.contact_email) == (2, "me@oak.example.org")


def test_a_reinstated_entry_takes_the_co_partner_of_its_new_case_or_none():
    """Revoked, then accredited again on a case with no co-partner: the
    register no longer names the co-partner of the case that ended."""
    case = ProposalFactory(
        status=Status.AWAITING_DECISION,
        organisation__non_educational=True,
        route=Route.WITH_CO_PARTNER,
    )
    CoPartnerFactory(proposal=case, name="Valley Academy Trust")
    official = person_with("decision_official")
    move(case, Action.ACCREDIT, official)
    entry = RegisterEntry.objects.get(organisation=case.organisation)
    assert entry.co_partner_name == "Valley Academy Trust"
    RegisterEntry.objects.filter(pk=entry.pk).update(state=EntryState.REVOKED)
    again = ProposalFactory(
        status=Status.AWAITING_DECISION,
        organisation=case.organisation,
        route=Route.OWN_RIGHT,
    )
    move(again, Action.ACCREDIT, official)
    entry.refresh_from_db()
    assert entry.state == EntryState.CURRENT
    assert (entry.co_partner_name, entry.co_partner_kind) == ("", "")


def test_entries_made_before_co_partners_were_shown_take_their_cases_co_partner():
    migration = importlib.import_module("register.migrations.0004_co_partners_of_existing_entries")
    case = ProposalFactory(
        status=Status.AWAITING_DECISION,
        organisation__non_educational=True,
        route=Route.CONSORTIUM_LEAD,
    )
    CoPartnerFactory(proposal=case, name="Valley Academy Trust", kind="academy_trust")
    move(case, Action.ACCREDIT, person_with("decision_official"))
    own = RegisterEntryFactory()
    RegisterEntry.objects.update(co_partner_name="", co_partner_kind="")
    migration.fill(django_apps, None)
    entry = RegisterEntry.objects.get(organisation=case.organisation)
    assert (entry.co_partner_name, entry.co_partner_kind) == (
        "Valley Academy Trust",
        "academy_trust",
    )
    own.refresh_from_db()
    assert own.co_partner_name == ""


def test_an_accredited_consortium_shows_its_co_partner():
    case = ProposalFactory(
        status=Status.AWAITING_DECISION,
        organisation__non_educational=True,
        route=Route.CONSORTIUM_LEAD,
    )
    CoPartnerFactory(proposal=case, name="Valley Academy Trust")
    move(case, Action.ACCREDIT, person_with("decision_official"))
    entry = RegisterEntry.objects.get(organisation=case.organisation)
    assert entry.co_partner_name == "Valley Academy Trust"


# --- Queries -------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [2, 12])
def test_the_waiting_list_takes_the_same_queries_at_any_size(
    client, size, django_assert_num_queries
):
    for _ in range(size):
        entry = RegisterEntryFactory()
        submitted(entry, MembershipFactory(organisation=entry.organisation).user)
    sign_in_verified(client, person_with("casework_officer"))
    with django_assert_num_queries(QUERIES_WAITING):
        response = client.get(reverse("staff-co-partner-changes"))
    assert len(response.context["changes"]) == size


QUERIES_WAITING = (
    10  # session, user, roles, second factor (two), conflicts, the organisations in conflict,
    # the page and its count, nav
)
