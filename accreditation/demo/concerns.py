"""The demo's concerns: three cases whose feedback or screening letter was
issued within the concern period: one with a concern waiting for a
decision, one with a concern not upheld and its response letter, and one
with nothing raised yet (the main demo applicant's where it can be). Each
letter is dated at its decision (``letters``), so where too few decided
cases had theirs within the period, submitted cases are screened out now,
their letters issued now. Screened, raised and decided through the
services, as people would."""

from accreditation.demo.histories import ASG, INELIGIBLE_ASG, INELIGIBLE_OTHER
from accreditation.demo.screening import SCREENING
from accreditation.models import Membership, User
from accreditation.workflow import Status
from assessments.models.screening import ScreeningDecision
from assessments.services import screening
from feedback.models import Concern
from feedback.services import concerns, letters
from proposals.models import Proposal

MAIN_APPLICANT = "applicant@example.org"
KEPT_IN_QUEUE = 3
WAITING = (
    "We think our proposal was not read in full: it describes our partnership with two "
    "schools, with their results, and the letter says we showed none."
)
ANSWERED = "The reason we were told we are not eligible does not match our profile."
RESPONSE = (
    "We checked the profile you submitted with your proposal against the eligibility rules. "
    "It showed no school your organisation leads through a formal partnership, so the "
    "screening decision was right. You can apply again in a later round."
)


def seed(seeder):
    if Concern.objects.exists():
        return
    cases = Proposal.objects.filter(status__in=concerns.CONCERN_STATUSES).order_by("pk")
    mains = set(
        Membership.objects.filter(user__email__iexact=MAIN_APPLICANT).values_list(
            "organisation_id", flat=True
        )
    )
    ordered = sorted(cases, key=lambda case: (case.organisation_id not in mains, case.pk))
    within = [case for case in ordered if concerns.window(case).is_open][:3]
    within += screen_out_now(3 - len(within), mains)
    if len(within) < 3:
        return
    untouched, waiting, answered = within
    decider = User.objects.get(email__iexact="decision2@example.org")
    concerns.raise_concern(waiting, contact_of(waiting), WAITING)
    concern = concerns.raise_concern(answered, contact_of(answered), ANSWERED)
    concerns.decide(concern, decider, upheld=False, response=RESPONSE)
    letters.issue_concern_response(concern.pk)
    seeder.created["concerns"] += 2


def screen_out_now(count, mains):
    """Screen ``count`` submitted cases out now, as the casework officer
    does, and issue their letters as the worker would: the demo's recent
    letters when none of its decided cases had one within the concern
    period. Cases claiming National Support School status, and the
    screening demo's own, stay in the screening queue, with at least
    ``KEPT_IN_QUEUE`` others."""
    if count <= 0:
        return []
    officer = User.objects.get(email__iexact="caseworker@example.org")
    waiting = sorted(
        Proposal.objects.filter(
            status=Status.SUBMITTED, organisation__claims_national_support_school=False
        ).exclude(organisation__name__in=[spec.name for spec in SCREENING]),
        key=lambda case: (case.organisation_id not in mains, case.pk),
    )
    chosen = waiting[: max(0, min(count, len(waiting) - KEPT_IN_QUEUE))]
    for case in chosen:
        reason = INELIGIBLE_ASG if case.accreditation_type == ASG else INELIGIBLE_OTHER
        screening.screen(case, officer, decision=ScreeningDecision.INELIGIBLE, reason=reason)
        letters.issue(case.pk)
    return chosen


def contact_of(case):
    membership = (
        Membership.objects.filter(organisation_id=case.organisation_id, is_contact=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user
