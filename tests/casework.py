"""People who hold a given part in a case, made the way the service makes
them: a membership, a global role, an assignment, a place on a meeting; and
cases walked to a status through the workflow by such people."""

from datetime import timedelta
from functools import cached_property

from django.db import transaction
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accreditation import clock, timeline
from accreditation.roles import Role
from accreditation.workflow import TRANSITIONS, Action, Status, move
from assessments.models import Assignment, AssignmentKind
from assessments.services import requests as information_requests
from benchmarks.registry import PAGES
from proposals.services.applicant import next_reference
from tests.factories import (
    AgendaItemFactory,
    AssignmentFactory,
    MeetingFactory,
    MembershipFactory,
    UserFactory,
)

GLOBAL_ROLE = {
    "applicant": Role.APPLICANT,
    "casework_officer": Role.CASEWORK_OFFICER,
    "assessor": Role.ASSESSOR,
    "second_assessor": Role.ASSESSOR,
    "meeting_chair": Role.ADVISORY_GROUP_MEMBER,
    "meeting_member": Role.ADVISORY_GROUP_MEMBER,
    "decision_official": Role.DECISION_OFFICIAL,
}


QUERY_BUDGETS = {page.name: page.max_queries for page in PAGES if page.max_queries is not None}
"""The query budget of each page that has one, as ``benchmarks/pages.py``
checks it at national scale; the pages' own query-count tests hold to it
too."""


def give_part(person, case_role, cases):
    """Give ``person`` the case role ``case_role`` on each of ``cases``."""
    if case_role == "applicant":
        for organisation in {case.organisation for case in cases}:
            MembershipFactory(user=person, organisation=organisation)
    elif case_role in ("assessor", "second_assessor"):
        kind = AssignmentKind.FIRST if case_role == "assessor" else AssignmentKind.SECOND
        for case in cases:
            # A reassignment, as the service makes one: the current assessor
            # of this kind (a walk's, say) is ended, not doubled.
            Assignment.objects.filter(case=case, kind=kind, ended_at__isnull=True).update(
                ended_at=clock.now()
            )
            AssignmentFactory(case=case, assessor=person, kind=kind)
    elif case_role in ("meeting_chair", "meeting_member"):
        meeting = (
            MeetingFactory(chair=person)
            if case_role == "meeting_chair"
            else MeetingFactory(members=[person])
        )
        for case in cases:
            AgendaItemFactory(meeting=meeting, case=case)
    return person


def person_with(case_role, *cases, **user_fields):
    """A new person holding ``case_role`` on ``cases`` (``"system"``: None)."""
    if case_role == "system":
        return None
    person = UserFactory(roles=[GLOBAL_ROLE[case_role]], **user_fields)
    return give_part(person, case_role, cases)


def sign_in_verified(client, user, device=None):
    """Signed in, past the staff second factor (with ``device``, or a new
    authenticator app)."""
    client.force_login(user)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


# --- Walking a case to a status ------------------------------------------------


class Walk:
    """One case's walk through the workflow, with one person for each part the
    walk needs, made the first time it is needed: the applicant who started
    the draft, a casework officer, an assessor, a meeting's chair and a
    decision official."""

    def __init__(self, case, target):
        self.case, self.target = case, target

    @cached_property
    def applicant(self):
        person = self.case.created_by
        if not person.memberships.filter(organisation=self.case.organisation).exists():
            give_part(person, "applicant", [self.case])
        return person

    @cached_property
    def officer(self):
        return person_with("casework_officer")

    @cached_property
    def assessor(self):
        return person_with("assessor")

    @cached_property
    def official(self):
        return person_with("decision_official")

    def move(self, action, actor, **options):
        move(self.case, action, actor, **options)

    # One step, named after its action, per action a shortest path can take.

    def submit(self):
        """Submitted as ``proposals.services.applicant.submit`` does it, with
        a reference from the counter; in a period already closed, in its last
        second."""
        period = self.case.period
        when = min(clock.now(), period.deadline - timedelta(seconds=1))
        year = period.year if self.case.round_id else clock.local(when).year
        with transaction.atomic():
            reference = next_reference(self.case.accreditation_type, year)
            self.move(
                Action.SUBMIT,
                self.applicant,
                details={"reference": reference},
                changes={
                    "reference": reference,
                    "submitted_at": when,
                    "submitted_profile": self.case.organisation.profile_snapshot(),
                },
                when=when,
            )

    def lapse(self):
        """Lapsed by the scheduled work, at the deadline or now if later."""
        self.move(Action.LAPSE, None, when=max(clock.now(), self.case.period.deadline))

    def withdraw(self):
        self.move(Action.WITHDRAW, self.applicant, details={"reason": "We are not ready."})

    def screen_eligible(self):
        self.move(Action.SCREEN_ELIGIBLE, self.officer)

    def screen_ineligible(self):
        reason = "The organisation does not lead improvement in any school."
        self.move(Action.SCREEN_INELIGIBLE, self.officer, details={"reason": reason})

    def _assign(self):
        """The walk's assessor, assigned by its officer, on the timeline."""
        give_part(self.assessor, "assessor", [self.case])
        timeline.record(
            self.case, "assessor_assigned", self.officer, details={"assessor": self.assessor.pk}
        )
        return self.assessor

    def request_information(self):
        """Asked as the assessor asks, through the service: the request and
        its question, with the default due date, and the applicant emailed."""
        question = information_requests.NewQuestion("Tell us more about the schools you lead.")
        information_requests.ask(
            self.case, self._assign(), [question], information_requests.default_due()
        )

    def recommend(self):
        """Recommends the decision the walk is going to (accreditation when
        it goes to none), so the decision needs no reason."""
        recommendation = "not_accredit" if self.target == Status.NOT_ACCREDITED else "accredit"
        self.move(Action.RECOMMEND, self._assign(), details={"recommendation": recommendation})

    def refer_to_advisory_group(self):
        self.move(Action.REFER_TO_ADVISORY_GROUP, self.officer)

    def refer_to_decision(self):
        self.move(Action.REFER_TO_DECISION, self.officer)

    def advise(self):
        """The group agrees, recorded by the chair of a meeting with the case
        on its agenda."""
        chair = person_with("meeting_chair", self.case)
        self.move(Action.ADVISE, chair, details={"advice": "agree"})

    def accredit(self):
        self.move(Action.ACCREDIT, self.official)

    def not_accredit(self):
        self.move(Action.NOT_ACCREDIT, self.official)

    def steps(self):
        """{action: step} for the actions this class has a step for: the
        Advisory Group for an ASG, straight to decision for an ASP."""
        skipped = Action.REFER_TO_DECISION if self.case.is_asg else Action.REFER_TO_ADVISORY_GROUP
        return {
            action: getattr(self, action)
            for action in Action
            if hasattr(self, action) and action != skipped
        }

    def path(self, steps):
        """The shortest list of actions in the transition table from the
        case's status to the walk's target, by ``steps``."""
        target = self.target
        paths = {self.case.status: []}
        frontier = [self.case.status]
        while frontier and target not in paths:
            following = []
            for (source, action), transition in TRANSITIONS.items():
                if source in frontier and action in steps and transition.target not in paths:
                    paths[transition.target] = [*paths[source], action]
                    following.append(transition.target)
            frontier = following
        if target not in paths:
            raise ValueError(
                f"A {self.case.accreditation_type.upper()} case cannot be walked from "
                f"‘{self.case.status}’ to ‘{target}’."
            )
        return paths[target]

    def run(self):
        steps = self.steps()
        for action in self.path(steps):
            steps[action]()
        self.case.refresh_from_db()
        return self.case


def walk_to(case, status):
    """Walk ``case`` from its status to ``status`` through ``move()``, by the
    shortest path in the transition table, each move made by a person who
    holds the part with the details its guards ask for; refreshed. The walk
    leaves what the service would: an assignment of its assessor, a meeting
    with the case on its agenda."""
    return Walk(case, status).run()
