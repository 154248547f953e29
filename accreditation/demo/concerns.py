"""The demo's concerns: three cases whose feedback or screening letter is
issued now, so they are within the concern period: one with a concern
waiting for a decision, one with a concern not upheld and its response
letter, and one with nothing raised yet (the main demo applicant's, if its
letter can be issued: a feedback letter waits for approved feedback).
Raised and decided through the services, as people would."""

from accreditation.models import Membership, User
from feedback.models import Concern
from feedback.services import concerns, letters

MAIN_APPLICANT = "applicant@example.org"
WAITING = (
    "We think the assessor did not read our answer to 2C: it describes the impact of our "
    "partnership with two schools, with their results, and was scored as if it had none."
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
    cases = seeder.Proposal.objects.filter(status__in=concerns.CONCERN_STATUSES).order_by("pk")
    mains = set(
        Membership.objects.filter(user__email__iexact=MAIN_APPLICANT).values_list(
            "organisation_id", flat=True
        )
    )
    ordered = sorted(cases, key=lambda case: (case.organisation_id not in mains, case.pk))
    lettered = []
    for case in ordered:
        if letters.issue(case.pk) is not None:
            lettered.append(case)
        if len(lettered) == 3:
            break
    if len(lettered) < 3:
        return
    untouched, waiting, answered = lettered
    decider = User.objects.get(email__iexact="decision2@example.org")
    concerns.raise_concern(waiting, contact_of(waiting), WAITING)
    concern = concerns.raise_concern(answered, contact_of(answered), ANSWERED)
    concerns.decide(concern, decider, upheld=False, response=RESPONSE)
    letters.issue_concern_response(concern.pk)
    seeder.created["concerns"] += 2


def contact_of(case):
    membership = (
        Membership.objects.filter(organisation_id=case.organisation_id, is_contact=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user
