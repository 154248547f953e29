"""Policy numbers in one place; event types and statuses that explain
themselves."""

from datetime import date

import pytest

from accreditation import clock, eligibility, events, policy
from accreditation.models import AccreditationType, OrganisationKind
from accreditation.workflow import STATUS_META, Action, Status
from tests.factories import OrganisationFactory


def test_the_policy_defaults_are_the_specs():
    current = policy.current()
    assert current.asg_minimum_schools == 2
    assert current.concern_period_days == 28
    assert current.information_request_working_days == 10
    assert current.reminder_days_before_deadline == (14, 7, 1)
    assert current.quorum_members_besides_chair == 2
    assert current.retention_years == 7


def test_an_unknown_policy_setting_is_refused(settings):
    settings.POLICY = {"concern_period_dayz": 21}
    with pytest.raises(ValueError, match="concern_period_dayz"):
        policy.current()


@pytest.mark.django_db
def test_the_asg_minimum_is_read_from_the_policy(settings):
    trust = OrganisationFactory.build(
        kind=OrganisationKind.ACADEMY_TRUST, primary_governance_count=2
    )
    assert eligibility.assess(trust, AccreditationType.ASG).eligible
    settings.POLICY = {"asg_minimum_schools": 3}
    verdict = eligibility.assess(trust, AccreditationType.ASG)
    assert not verdict.eligible
    assert "at least 3 primary schools" in verdict.reason


def test_working_days_skip_weekends_and_bank_holidays():
    # Friday 24 December 2027: Christmas and Boxing Day fall on a weekend, so
    # the bank holidays are Monday 27 and Tuesday 28 December.
    assert clock.working_days_after(date(2027, 12, 24), 1) == date(2027, 12, 29)
    assert not clock.is_working_day(date(2027, 12, 27))
    assert clock.is_working_day(date(2027, 12, 29))


def test_every_workflow_action_is_a_registered_event_with_an_applicant_label():
    for action in Action:
        event_type = events.get(action)
        assert event_type.staff_label == action.label
        assert event_type.applicant_visible


def test_staff_only_events_are_not_shown_to_applicants():
    assert not events.get("proposal_pdf_downloaded").applicant_visible
    assert "proposal_pdf_downloaded" not in events.applicant_codes()
    assert "submit" in events.applicant_codes()


def test_an_unknown_event_type_is_refused():
    with pytest.raises(events.UnknownEvent):
        events.get("teleported")


def test_a_code_cannot_be_registered_twice_with_different_labels():
    with pytest.raises(ValueError, match="registered twice"):
        events.register(events.EventType("submit", "Sent in"))


def test_every_status_has_an_applicant_label_and_a_tag_colour():
    assert set(STATUS_META) == set(Status)
    colours = {"", "grey", "green", "turquoise", "blue", "light-blue", "purple", "pink", "red"}
    colours |= {"orange", "yellow"}
    for meta in STATUS_META.values():
        assert meta.applicant_label and meta.colour in colours
    # Applicants do not see the inner steps of assessment.
    assert STATUS_META[Status.ADVISORY_REVIEW].applicant_label == "Being assessed"


@pytest.mark.django_db
def test_the_timeline_refuses_an_event_type_nobody_registered():
    from accreditation import timeline
    from tests.factories import ProposalFactory

    case = ProposalFactory()
    with pytest.raises(events.UnknownEvent):
        timeline.record(case, "teleported", None)
    assert not case.events.exists()
