"""``manage.py seed_demo``: a demo with every role, kind and status, built
through the real workflow, that can be run again (and scaled) safely. The
tests that need a seeded demo share its one seed (the slowest set-up in the
suite): the demo's own, the page benchmark's registry on it, and records
retention seven years on."""

import hashlib
import io
import re
import zipfile
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import RequestFactory, override_settings
from django.urls import clear_url_caches, reverse

from accreditation import clock, demo
from accreditation.demo.closing import CLOSING_MINUTES
from accreditation.demo.organisations import FEATURED, ORGS_PER_UNIT
from accreditation.models import (
    CaseEvent,
    Membership,
    Organisation,
    OrganisationKind,
    Round,
    User,
    Window,
)
from accreditation.models.organisations import UKPRN_KINDS, URN_KINDS
from accreditation.roles import Role
from accreditation.services import retention
from accreditation.workflow import Action, Status
from benchmarks.pages import client_for as benchmark_client_for
from benchmarks.registry import PAGES, Data, rows_rendered
from feedback.models import Concern, ConcernState, Letter, LetterPurpose
from proposals.models import Evidence, Proposal
from register.models import PUBLIC_STATES, EntryState, RegisterEntry
from tests.casework import sign_in_verified
from tests.test_retention import YEARS, later, run, verify

pytestmark = pytest.mark.django_db


def seed(*args):
    """Seed as `make run` does, with DEMO on (tests run with it off)."""
    out = io.StringIO()
    with override_settings(DEMO=True):
        call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def snapshot():
    """Everything a rerun could duplicate or change."""
    return {
        "users": sorted(User.objects.values_list("email", flat=True)),
        "organisations": sorted(Organisation.objects.values_list("name", "kind", "urn", "ukprn")),
        "memberships": Membership.objects.count(),
        "rounds": sorted(Round.objects.values_list("term", "year", "opens_at", "deadline")),
        "windows": Window.objects.count(),
        "cases": sorted(Proposal.objects.values_list("pk", "status", "reference")),
        "events": CaseEvent.objects.count(),
        "documents": sorted(Evidence.objects.values_list("file", flat=True)),
    }


def closing_windows():
    """The demo's out-of-round windows that close minutes after seeding."""
    return Window.objects.filter(deadline__lte=clock.now() + timedelta(minutes=CLOSING_MINUTES))


@pytest.fixture
def benchmark_urls(settings):
    """The service's URLs and the floor, as the benchmark mounts them, with
    staff signed in without a second factor (as the benchmark's demo is)."""
    settings.ROOT_URLCONF = "benchmarks.floor"
    settings.STAFF_OTP_REQUIRED = False
    clear_url_caches()
    yield
    clear_url_caches()


@pytest.fixture(scope="class")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """One demo, seeded once for the tests of a class and rolled back after
    them; what each test adds (a rerun, a scale-up) rolls back with the test.
    Its documents are stored in a folder of the test's own."""
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("demo-uploads")),
    ):
        with transaction.atomic():
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv("PORT", "8123")
                output = seed()
            yield output
            transaction.set_rollback(True)


@pytest.mark.usefixtures("seeded")
class TestTheDemo:
    def test_every_status_kind_and_role(self, seeded):
        output = seeded

        # Every status a case waits in: "assessed" is passed through, the
        # recommendation sending the case on in the same step.
        statuses = set(Proposal.objects.values_list("status", flat=True))
        assert statuses == {s.value for s in Status} - {Status.ASSESSED}
        kinds = set(Organisation.objects.values_list("kind", flat=True))
        assert kinds == {k.value for k in OrganisationKind}

        request = RequestFactory().post("/account/sign-in/")
        for role in Role:
            users = User.objects.filter(groups__name=role.value)
            assert users.exists(), role
            email = {
                Role.APPLICANT: "applicant@example.org",
                Role.CASEWORK_OFFICER: "caseworker@example.org",
                Role.ASSESSOR: "assessor@example.org",
                Role.ADVISORY_GROUP_MEMBER: "advisory@example.org",
                Role.DECISION_OFFICIAL: "decision@example.org",
                Role.ADMINISTRATOR: "admin@example.org",
            }[role]
            user = authenticate(request, username=email, password=demo.PASSWORD)
            assert user is not None and user.has_role(role), email
            assert email in output
        assert User.objects.filter(groups__name=Role.ASSESSOR).count() >= 2
        assert User.objects.filter(groups__name=Role.APPLICANT).count() >= 4
        assert authenticate(request, username="applicant@example.org", password="wrong") is None

        assert "http://127.0.0.1:8123/" in output
        cancelled = Round.objects.get(cancelled_at__isnull=False)
        assert re.search(rf"  {cancelled} +opens .*\(cancelled\)\n", output)
        assert "(open now)" in output
        assert "(opens later)" in output
        assert demo.PASSWORD in output
        for status in Status:
            assert status.label in output

    def test_applicant_contacts_three_organisations(self):
        applicant = User.objects.get(email="applicant@example.org")
        memberships = applicant.memberships.filter(is_contact=True)
        assert memberships.count() == 3
        # Every organisation has a contact, as the spec requires.
        assert not Organisation.objects.exclude(memberships__is_contact=True).exists()

    def test_organisations_have_valid_identifiers_across_regions(self):
        for organisation in Organisation.objects.all():
            organisation.full_clean()
            assert bool(organisation.urn) == (organisation.kind in URN_KINDS), organisation
            assert bool(organisation.ukprn) == (organisation.kind in UKPRN_KINDS), organisation
            if organisation.claims_national_support_school:
                assert organisation.is_maintained_primary
        regions = Organisation.objects.values("local_authority__region").distinct().count()
        assert regions >= 5

    def test_rounds_past_current_and_next(self):
        now = clock.now()
        rounds = list(Round.objects.not_cancelled().order_by("opens_at"))
        assert len(rounds) == 12
        assert sum(r.is_open(now) for r in rounds) == 1
        assert rounds[-1].opens_at > now
        assert all(r.deadline < now for r in rounds[:-2])
        current = rounds[-2]
        assert current.is_open(now)
        assert current.proposals.filter(status=Status.DRAFT).exists()
        for r in rounds:
            r.full_clean()
            assert r.framework.version == 1
        # As the SPEC's round rules hold: one round a term, one at a time.
        for earlier, following in zip(rounds, rounds[1:], strict=False):
            assert earlier.deadline <= following.opens_at, (earlier, following)

    def test_a_cancelled_round_whose_draft_was_moved(self):
        cancelled = Round.objects.get(cancelled_at__isnull=False)
        assert cancelled.cancellation_reason
        assert not cancelled.proposals.exists()
        moved = CaseEvent.objects.get(action="moved_to_round")
        assert moved.details["from"] == str(cancelled)
        draft = Proposal.objects.get(pk=moved.case_id)
        assert draft.round.cancelled_at is None and draft.status == Status.LAPSED
        assert CaseEvent.objects.filter(case_id=draft.pk, action="round_cancelled").exists()

    def test_windows_close_minutes_after_seeding_and_their_drafts_lapse(self, seeded):
        from proposals.tasks import lapse_overdue_drafts

        windows = list(closing_windows())
        assert len(windows) == 3
        drafts = Proposal.objects.filter(window__in=windows)
        assert list(drafts.values_list("status", flat=True)) == [Status.DRAFT] * 3
        assert "Out-of-round windows with drafts closing at" in seeded
        assert all((w.deadline.second, w.deadline.microsecond) == (0, 0) for w in windows)
        with time_machine.travel(max(w.deadline for w in windows)):
            result = lapse_overdue_drafts()
        assert result["lapsed"] >= 3
        assert list(drafts.values_list("status", flat=True)) == [Status.LAPSED] * 3

    def test_cases_walked_through_the_workflow(self):
        # Submitted cases carry a reference and were submitted inside their window.
        submitted = Proposal.objects.exclude(reference=None).select_related("round", "window")
        assert submitted.exists()
        for case in submitted:
            assert case.reference.startswith(f"{case.accreditation_type.upper()}-")
            period = case.period
            assert period.opens_at <= case.submitted_at < period.deadline
            first = case.events.order_by("sequence").first()
            assert first.action == Action.SUBMIT and first.created_at == case.submitted_at
        # The timeline's last move is to the case's status (events that move
        # nothing, as an assignment, may follow it), and nothing happens in
        # the future.
        now = clock.now()
        for case in Proposal.objects.exclude(status=Status.DRAFT):
            events = list(case.events.order_by("sequence"))
            assert [e.to_status for e in events if e.to_status][-1] == case.status
            times = [e.created_at for e in events]
            assert times == sorted(times) and times[-1] <= now
        # Lapsed by the service itself at the deadline.
        lapses = CaseEvent.objects.filter(action=Action.LAPSE)
        assert lapses.exists() and not lapses.exclude(actor=None).exists()
        # A concern upheld goes to a different decision maker than the decision.
        upheld = CaseEvent.objects.filter(action=Action.UPHOLD_CONCERN).first()
        decided = CaseEvent.objects.get(case=upheld.case, action=Action.NOT_ACCREDIT)
        assert upheld.actor != decided.actor

    def test_a_round_has_assessors_assigned_some_waiting_and_capacities_set(self):
        from assessments.models import AssessorCapacity, Assignment
        from assessments.services.assignment import propose

        capacity = AssessorCapacity.objects.select_related("round").first()
        assert capacity is not None and capacity.set_by.email == "caseworker@example.org"
        period = capacity.round
        assert Assignment.objects.filter(case__round=period, kind="second").exists()
        assert propose(period, capacity.set_by).lines, "some cases still wait for an assessor"

    def test_past_meetings_are_closed_so_members_see_only_current_items(self):
        from datetime import timedelta

        from accreditation.queries.cases import visible_to
        from advisory_group.models import Meeting

        week_ago = clock.now() - timedelta(days=7)
        past = Meeting.objects.filter(held_at__lt=week_ago)
        assert past.exists()
        for meeting in past.exclude(items__case__status=Status.ADVISORY_REVIEW):
            assert meeting.closed_at is not None
        member = User.objects.get(email="advisory@example.org")
        seen = list(visible_to(member))
        assert seen
        for case in seen:
            assert case.agenda_items.filter(meeting__closed_at=None).exists()
        on_any_agenda = Proposal.objects.filter(agenda_items__isnull=False).distinct().count()
        assert len(seen) < on_any_agenda

    def test_a_meeting_held_was_quorate_and_lists_its_chair_once(self):
        from advisory_group.models import Meeting
        from advisory_group.queries.agenda import quorate

        held = Meeting.objects.filter(held_at__lte=clock.now())
        assert held.exists()
        for meeting in held:
            assert not meeting.members.filter(pk=meeting.chair_id).exists()
            assert quorate(meeting, list(meeting.attendees.all()), list(meeting.members.all()))

    def test_an_upcoming_meeting_has_items_views_and_items_awaiting_advice(self):
        from advisory_group.models import MemberView
        from advisory_group.queries.agenda import next_meeting

        meeting = next_meeting()
        assert meeting is not None
        items = list(meeting.items.all())
        advice = [item for item in items if item.purpose == "advice"]
        assert len(advice) >= 2
        assert all(item.case.status == Status.ADVISORY_REVIEW for item in advice)
        # And the draft feedback of cases recommended not to accredit.
        assert any(item.purpose == "feedback" for item in items)
        with_views = {view.item_id for view in MemberView.objects.filter(item__meeting=meeting)}
        assert 0 < len(with_views) < len(items)
        assert all(item.outcome == "" for item in items)

    def test_every_advisory_item_has_answers_scores_a_recommendation_and_feedback(self):
        """What a member reads on an item is there for every item the demo
        made, open or advised, and an advised item has left the open agenda."""
        from advisory_group.models import AgendaItem
        from assessments.queries.scoring import (
            FEEDBACK_STATUSES as FEEDBACK,
        )
        from assessments.queries.scoring import (
            draft_feedback,
            latest_recommendation,
        )

        items = AgendaItem.objects.select_related("case", "meeting")
        assert items.count() > 5
        for item in items:
            case = item.case
            recommendation = latest_recommendation(case)
            assert recommendation is not None, case
            assert case.answers.exists(), case
            assert recommendation.assignment.scores.exists(), case
            if recommendation.recommendation == "not_accredit" and case.status in FEEDBACK:
                assert draft_feedback(case), case
            if item.meeting.closed_at is not None:
                assert item.outcome, item
        assert items.filter(purpose="feedback", outcome="approved").exists()

    def test_register_entries_say_what_they_can_lead_and_where(self):
        public = RegisterEntry.objects.filter(state__in=PUBLIC_STATES)
        assert not public.filter(leads_majority_trust=False, leads_federation=False).exists()
        assert public.filter(leads_majority_trust=True).exists()
        assert public.filter(leads_federation=True).exists()
        assert public.exclude(schools_led=[]).exists()
        works_in = [entry.works_in.count() for entry in public.prefetch_related("works_in")]
        assert max(works_in) >= 2

    def test_information_requests_waiting_in_time_overdue_and_answered(self):
        from assessments.models import InformationRequest

        today = clock.today()
        waiting = InformationRequest.objects.filter(
            sent_at=None, case__status=Status.INFORMATION_REQUESTED
        )
        assert waiting.filter(due__gte=today).exists()
        assert waiting.filter(due__lt=today).exists()
        answered = InformationRequest.objects.exclude(sent_at=None)
        assert answered.exists()
        assert not answered.filter(questions__answer="").exists()
        # Every move that asked has its request, and every answer its request answered.
        asked = CaseEvent.objects.filter(action=Action.REQUEST_INFORMATION).count()
        assert InformationRequest.objects.count() == asked
        sent = CaseEvent.objects.filter(action=Action.RESPOND_TO_REQUEST).count()
        assert answered.count() == sent
        # A case waiting on a request waits on exactly one.
        for case in Proposal.objects.filter(status=Status.INFORMATION_REQUESTED):
            assert waiting.filter(case=case).count() == 1

    def test_assessments_in_progress_quality_assurance_and_a_recommendation(self):
        from assessments.models import Recommendation, Score
        from assessments.queries.scoring import assessment_state

        assert Score.objects.filter(assignment__case__status=Status.IN_ASSESSMENT).exists()
        scored = Recommendation.objects.filter(case__status=Status.AWAITING_DECISION)
        assert scored.filter(made_by__email__startswith="assessor").exists()
        states = [
            assessment_state(case)
            for case in Proposal.objects.filter(
                assignments__kind="second", status=Status.IN_ASSESSMENT
            ).distinct()
        ]
        assert any(state.both_finished and state.unresolved for state in states)

    def test_the_services_references_carry_on_after_the_demos(self):
        from proposals.services.applicant import next_reference

        years = {case.submitted_at.year for case in Proposal.objects.exclude(reference=None)}
        for year in years | {clock.local(clock.now()).year}:
            for acc_type in ("asp", "asg"):
                reference = next_reference(acc_type, year)
                assert not Proposal.objects.filter(reference=reference).exists(), reference

    def test_cases_wait_for_screening_and_the_assessor_has_suggestions(self):
        from assessments.queries.screening import queue
        from assessments.services import conflicts, identifier_claims, screening

        officer = User.objects.get(email="caseworker@example.org")
        waiting = list(queue(officer))
        assert len(waiting) >= 3
        assert all(case.submitted_profile for case in waiting)
        larkrise = next(c for c in waiting if c.organisation.name == "Larkrise Primary School")
        assert screening.claims_national_support_school(larkrise)
        contest = identifier_claims.contest(larkrise.organisation)
        assert [c.organisation.name for c in contest.claimants] == ["Larkrise Lane Tutors"]
        fernhill = next(c for c in waiting if c.organisation.name == "Fernhill Primary School")
        check = screening.recheck(fernhill)
        assert check.then.eligible and not check.now.eligible
        assessor = User.objects.get(email="assessor@example.org")
        suggested = {s.organisation.name for s in conflicts.suggestions(assessor)}
        assert "Meadowbank Infant School" in suggested and len(suggested) >= 2

    def test_the_register_holds_every_accredited_provider_and_two_have_notice(self, seeded):
        accredited = set(
            Proposal.objects.filter(status=Status.ACCREDITED).values_list("organisation", flat=True)
        )
        public = RegisterEntry.objects.filter(state__in=PUBLIC_STATES)
        assert accredited
        assert set(public.values_list("organisation", flat=True)) == accredited
        notices = public.filter(state=EntryState.NOTICE_GIVEN)
        assert notices.count() == 2
        assert notices.filter(response_due__lte=clock.now()).count() == 1
        # The workflow's decisions made them as the demo played its cases.
        assert "register entries" not in seeded
        # Each notice's letter is issued, signed by the official who gave it.
        for noticed in notices:
            notice = Letter.objects.get(case=noticed.case, purpose=LetterPurpose.REVOCATION_NOTICE)
            assert notice.signatory.email == "decision@example.org"

    def test_concerns_waiting_not_upheld_and_one_that_can_still_be_raised(self):
        from feedback.services import concerns

        waiting = Concern.objects.get(state=ConcernState.OPEN)
        answered = Concern.objects.get(state=ConcernState.NOT_UPHELD)
        assert concerns.window(waiting.case).concern == waiting
        response = Letter.objects.get(concern=answered, purpose=LetterPurpose.CONCERN_RESPONSE)
        assert response.signatory.email == "decision2@example.org"
        # A case whose letter is issued, within the period, nothing raised.
        cases = Proposal.objects.filter(status__in=concerns.CONCERN_STATUSES)
        assert any(concerns.window(case).is_open for case in cases)

    def test_every_letter_owed_is_issued_dated_when_its_case_got_there(self):
        from feedback.queries.letters import PURPOSE_BY_STATUS
        from feedback.services.letters import owed_cases
        from register.models import RegisterEvent

        # Nothing is left for `make run`'s worker to issue today.
        assert not owed_cases().exists()
        letters = list(Letter.objects.select_related("case", "register_event"))
        assert {letter.purpose for letter in letters} >= {
            LetterPurpose.DECISION,
            LetterPurpose.FEEDBACK,
            LetterPurpose.SCREENING,
            LetterPurpose.REVOCATION_NOTICE,
        }
        now = clock.now()
        years = set()
        for letter in letters:
            assert bytes(letter.pdf).startswith(b"%PDF")
            issued = CaseEvent.objects.get(
                case=letter.case, action="letter_issued", details__letter=letter.pk
            )
            assert issued.created_at == letter.issued_at <= now
            if letter.purpose in PURPOSE_BY_STATUS.values():
                # Minutes after the move that brought the case to its outcome.
                reached = (
                    CaseEvent.objects.filter(case=letter.case, to_status=letter.case.status)
                    .order_by("sequence")
                    .last()
                )
                assert timedelta(0) < letter.issued_at - reached.created_at <= timedelta(hours=1)
                years.add(clock.local(letter.issued_at).year)
        assert len(years) >= 3, "decided over the years, issued over the years"
        # A notice's letter is dated at the notice, after the decision letter.
        for event in RegisterEvent.objects.filter(kind="notice_given"):
            notice = Letter.objects.get(register_event=event)
            assert timedelta(0) <= notice.issued_at - event.created_at <= timedelta(hours=1)
            decision = Letter.objects.get(case=notice.case, purpose=LetterPurpose.DECISION)
            assert decision.issued_at < notice.issued_at
        assert RegisterEvent.objects.filter(
            kind="notice_given", created_at__lt=now - timedelta(days=28)
        ).exists()

    def test_every_submitted_case_answers_every_question_in_varied_words(self):
        from assessments.queries.scoring import items_of

        submitted = Proposal.objects.exclude(submitted_at=None).select_related("organisation")
        assert submitted.count() > 100
        texts = set()
        for case in submitted:
            answers = {(a.criterion_id, a.party): a for a in case.answers.all()}
            asked = items_of(case)
            assert asked and all(item.key in answers for item in asked), case
            for answer in answers.values():
                assert len(answer.text.split()) >= 40
                assert len(answer.text.split()) <= answer.criterion.word_limit
                assert answer.updated_at <= case.submitted_at
                texts.add(answer.text)
        assert len(texts) > 200, "answers differ from case to case"

    def test_no_case_rests_assessed_where_no_page_could_send_it_on(self):
        """A recommendation sends the case on in the step that assesses it."""
        assert not Proposal.objects.filter(status=Status.ASSESSED).exists()
        assert Proposal.objects.filter(status=Status.AWAITING_DECISION).exists()

    def test_every_recommended_or_decided_case_has_its_scores(self):
        from assessments.queries.scoring import items_of, latest_recommendation

        decided = Proposal.objects.filter(
            status__in=[
                Status.AWAITING_DECISION,
                Status.ACCREDITED,
                Status.NOT_ACCREDITED,
            ]
        )
        assert decided.count() > 80
        for case in decided:
            recommendation = latest_recommendation(case)
            assert recommendation is not None, case
            assignment = recommendation.assignment
            scored = {(s.criterion_id, s.party) for s in assignment.scores.all()}
            assert {item.key for item in items_of(case)} <= scored, case
            assert assignment.score_sheets.exists(), case

    def test_every_asg_recommended_was_quality_assured_by_a_second_assessor(self):
        """SPEC: every ASG gets a second assessor who scores blind before it
        can be recommended (a tester found the demo's without one)."""
        from assessments.queries.scoring import assessment_state

        recommended = Proposal.objects.filter(
            accreditation_type="asg",
            status__in=[
                Status.ADVISORY_REVIEW,
                Status.AWAITING_DECISION,
                Status.ACCREDITED,
                Status.NOT_ACCREDITED,
            ],
        )
        assert recommended.count() > 5
        for case in recommended:
            state = assessment_state(case, as_recommended=True)
            assert state.second is not None, case
            assert state.second.assessor != state.first.assessor, case
            assert state.second.score_sheets.exists(), case
            assert set(state.second_scores) == set(state.first_scores), case

    def test_submitted_proposals_have_documents_in_storage_and_in_the_evidence_zip(self, client):
        """Small real PDFs stored as uploads are, so the case page lists
        documents to open and its evidence zip holds them."""
        documents = list(Evidence.objects.select_related("proposal"))
        featured = Proposal.objects.filter(
            organisation__name__in=[spec.name for spec in FEATURED], submitted_at__isnull=False
        )
        assert len(documents) == 2 * featured.count() > 0
        assert all(document.proposal.submitted_at for document in documents)
        for document in documents:
            with document.file.open("rb") as stored:
                content = stored.read()
            assert content.startswith(b"%PDF-")
            assert len(content) == document.size
            assert hashlib.sha256(content).hexdigest() == document.sha256
            assert document.uploaded_at < document.proposal.submitted_at
        case = documents[0].proposal
        officer = User.objects.get(email="caseworker@example.org")
        client = sign_in_verified(client, officer)
        page = client.get(reverse("staff-case", args=[case.pk])).text
        assert "inspection-summary.pdf" in page
        response = client.get(reverse("staff-case-evidence-zip", args=[case.pk]))
        archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
        pdfs = [name for name in archive.namelist() if name.endswith("inspection-summary.pdf")]
        assert pdfs and archive.read(pdfs[0]).startswith(b"%PDF-")

    def test_out_of_round_requests_waiting_granted_and_refused(self, client):
        from proposals.models import OutOfRoundRequest

        outcomes = sorted(OutOfRoundRequest.objects.values_list("outcome", flat=True))
        assert outcomes == ["granted", "pending", "pending", "refused"]
        granted = OutOfRoundRequest.objects.get(outcome="granted")
        assert granted.window.deadline > clock.now()
        client = sign_in_verified(client, User.objects.get(email="caseworker@example.org"))
        page = client.get(reverse("out-of-round-staff-list")).text
        assert "Waiting for a decision (2)" in page and "Recently decided" in page
        client.force_login(User.objects.get(email="applicant@example.org"))
        session = client.session
        session["current_organisation_id"] = Organisation.objects.get(
            name="Hollybank Primary School"
        ).pk
        session.save()
        assert "Ashgrove Primary School" in client.get(reverse("out-of-round-list")).text

    def test_the_decision_page_gives_the_assessors_reasons(self, client):
        """Each case awaiting decision shows its official what the assessor
        recommended and why (the recommendation's timeline event), as the case
        page shows it (the recommendation's record)."""
        from assessments.queries.scoring import latest_recommendation

        cases = Proposal.objects.filter(status=Status.AWAITING_DECISION)
        assert cases.exists()
        client = sign_in_verified(client, User.objects.get(email="decision@example.org"))
        for case in cases:
            reasoning = latest_recommendation(case).reasoning
            page = client.get(reverse("decision-case", args=[case.pk])).text
            reasons = page.split(">Reasoning</dt>", 1)[1].split("</dd>", 1)[0]
            assert reasoning in reasons, case

    def test_second_run_changes_nothing_and_timeline_verifies(self):
        before = snapshot()
        output = seed()
        assert snapshot() == before
        assert "nothing new to add" in output
        out = io.StringIO()
        call_command("verify_timeline", stdout=out)
        assert "Timeline intact" in out.getvalue()

    def test_rerun_on_another_day_does_not_clash(self):
        cases = Proposal.objects.count()
        with time_machine.travel(clock.now() + timedelta(days=130), tick=True):
            seed()
            now = clock.now()
            assert Round.objects.filter(opens_at__gt=now).exists()
        assert Proposal.objects.count() == cases
        call_command("verify_timeline", stdout=io.StringIO())

    @pytest.mark.usefixtures("benchmark_urls")
    def test_every_benchmarked_page_answers_its_person_and_its_floor_renders_as_many_rows(self):
        data = Data()
        for page in PAGES:
            url = page.url(data)
            client, user = benchmark_client_for(page, data)
            response = client.get(url)
            assert response.status_code == 200, (page.name, url, response.status_code)
            if page.who(data) is not None:
                assert response.wsgi_request.user == user, page.name
            rows = rows_rendered(response.content.decode())
            floor = client.get(f"/__benchmark__/floor/{rows}/")
            assert floor.status_code == 200
            assert rows_rendered(floor.content.decode()) == rows, page.name

    @pytest.mark.usefixtures("benchmark_urls")
    def test_every_benchmarked_list_page_shows_rows(self):
        """A list page timed empty would prove nothing."""
        data = Data()
        empty = []
        for page in PAGES:
            if not page.is_list:
                continue
            client, _ = benchmark_client_for(page, data)
            if rows_rendered(client.get(page.url(data)).content.decode()) == 0:
                empty.append(page.name)
        assert empty == []

    def test_seven_years_on_retention_removes_records_and_the_timeline_still_verifies(
        self, settings, tmp_path, django_capture_on_commit_callbacks
    ):
        """The demo, its cases closed, seven years on: everything past
        retention removed, and ``verify_timeline`` still passes. Its storage
        is a folder of its own: the files it removes would not come back
        with the rollback, and the class's other tests read the demo's."""
        settings.MEDIA_ROOT = tmp_path
        closed = retention.past_retention(clock.today() + timedelta(days=365 * YEARS + 400))
        assert closed, "the demo has closed cases with records"
        with later(YEARS, days=400), django_capture_on_commit_callbacks(execute=True):
            output = run("--delete")
        assert f"Removed from {len(closed)} case(s)" in output
        assert CaseEvent.objects.filter(action="records_removed").count() == len(closed)
        assert "Timeline intact" in verify()

    def test_scale_two_roughly_doubles_and_is_idempotent(self):
        base_orgs, base_cases = Organisation.objects.count(), Proposal.objects.count()
        base_documents = Evidence.objects.count()
        # As a benchmark seeds, with DEMO off and the explicit flag.
        call_command("seed_demo", "--scale", "2", "--allow-without-demo", stdout=io.StringIO())
        orgs, cases = Organisation.objects.count(), Proposal.objects.count()
        # Each unit of scale adds ORGS_PER_UNIT organisations to the base set
        # (which also holds the screening demo's own).
        assert orgs == base_orgs + ORGS_PER_UNIT
        assert 1.6 * base_cases <= cases <= 2.4 * base_cases
        assert Organisation.objects.filter(name="Scale org 00001").exists()
        assert set(
            Proposal.objects.filter(organisation__name__startswith="Scale org ").values_list(
                "status", flat=True
            )
        ) >= {Status.DRAFT, Status.ACCREDITED, Status.NOT_ACCREDITED, Status.LAPSED}
        # The scale adds no documents: those are the featured proposals'.
        assert base_documents == Evidence.objects.count()
        scaled = snapshot()
        seed("--scale", "2")
        assert snapshot() == scaled
        call_command("verify_timeline", stdout=io.StringIO())
        # Each unit of scale brings about three staff, mostly assessors who
        # share the scale cases with the demo's own.
        staff = User.objects.filter(email__startswith="scale-staff-")
        assert staff.count() == 3
        assert all(person.has_role(Role.ASSESSOR) for person in staff[:2])
        assert Proposal.objects.filter(
            organisation__name__startswith="Scale org ",
            assignments__assessor__in=staff,
        ).exists()
        # Every accredited scale case has its decision letter, on its timeline.
        accredited = Proposal.objects.filter(
            organisation__name__startswith="Scale org ", status=Status.ACCREDITED
        )
        assert accredited.exists()
        assert not accredited.exclude(letters__purpose="decision").exists()
        assert CaseEvent.objects.filter(case__in=accredited, action="letter_issued").count() == (
            accredited.count()
        )
        # Their applicants answered every question; nothing is owed a letter.
        from feedback.services.letters import owed_cases

        scaled_cases = Proposal.objects.filter(organisation__name__startswith="Scale org ")
        assert not scaled_cases.exclude(submitted_at=None).filter(answers=None).exists()
        assert not owed_cases().exists()
        # A scale contact can sign in and belongs to their organisation.
        contact = User.objects.get(email="scale-contact-00001@example.org")
        assert contact.check_password(demo.PASSWORD) and contact.has_role(Role.APPLICANT)
        assert contact.memberships.get().organisation.name == "Scale org 00001"


def test_scale_must_be_positive():
    with pytest.raises(CommandError):
        seed("--scale", "0")


def counts():
    return [
        model.objects.count()
        for model in (User, Group, Organisation, Membership, Round, Window, Proposal, CaseEvent)
    ]


def test_refused_with_demo_off_and_no_flag_and_nothing_is_created(settings):
    settings.DEMO = False
    before = counts()
    with pytest.raises(CommandError, match="DEMO is off") as refusal:
        call_command("seed_demo", stdout=io.StringIO())
    assert "--allow-without-demo" in str(refusal.value)
    assert "Nothing was created" in str(refusal.value)
    assert counts() == before
    assert not User.objects.filter(email="caseworker@example.org").exists()
