"""Screening a submitted case: its eligibility checked again against the
organisation's profile as it is today (and compared with the profile kept at
submission), the decision eligible or not eligible, and the National Support
School claim confirmed or not. Each decision is one workflow move, so it is
on the case timeline; the screening record keeps what was decided."""

from dataclasses import dataclass

from django.db import transaction

from accreditation import eligibility, emails
from accreditation.access import require
from accreditation.models import Criterion, Organisation
from accreditation.models.organisations import PROFILE_FIELDS, contact_addresses
from accreditation.workflow import Action, Status, move
from assessments.models import NssOutcome, Screening, ScreeningDecision
from assessments.services import identifier_claims, requests


class ScreeningError(Exception):
    """A refused screening; the message is fit to show the officer, and
    ``field`` names the part of the form to fix."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


class AlreadyScreened(ScreeningError):
    """Someone else screened the case first: nothing was written."""


# --- Eligibility, then and now -----------------------------------------------------


@dataclass(frozen=True)
class Difference:
    label: str
    then: str
    now: str


@dataclass(frozen=True)
class EligibilityCheck:
    """The verdict on the profile kept at submission (None if none was
    kept) and on today's profile, and how the profile changed between."""

    then: eligibility.Verdict | None
    now: eligibility.Verdict
    differences: tuple

    @property
    def changed(self):
        return self.then is None or self.then != self.now or bool(self.differences)

    def as_details(self):
        """For the timeline and the screening record."""
        return [
            {"field": difference.label, "then": difference.then, "now": difference.now}
            for difference in self.differences
        ]


def _shown(organisation, name):
    """A profile field's value as a person reads it."""
    field = Organisation._meta.get_field(name)
    if field.choices:
        return getattr(organisation, f"get_{name}_display")()
    value = getattr(organisation, field.attname)
    if field.is_relation:
        return str(getattr(organisation, name)) if value is not None else ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


STAFF_TELLER = "Its profile says"
"""How the officer reads what the organisation told us."""


def recheck(case):
    """The case's eligibility on today's profile beside the one it was
    submitted with. Load ``case`` with ``organisation__local_authority``."""
    today = case.organisation
    now = eligibility.assess(today, case.accreditation_type, STAFF_TELLER)
    if case.submitted_profile is None:
        return EligibilityCheck(None, now, ())
    submitted = case.applicant_profile
    differences = []
    for name in PROFILE_FIELDS:
        attname = Organisation._meta.get_field(name).attname
        if getattr(submitted, attname) != getattr(today, attname):
            differences.append(
                Difference(
                    str(Organisation._meta.get_field(name).verbose_name).capitalize(),
                    _shown(submitted, name),
                    _shown(today, name),
                )
            )
    then = eligibility.assess(submitted, case.accreditation_type, "The profile it submitted said")
    return EligibilityCheck(then, now, tuple(differences))


def claims_national_support_school(case):
    """Did the organisation claim it when it submitted (its answers were
    asked for on that basis)?"""
    return case.applicant_profile.claims_national_support_school


# --- The decision -------------------------------------------------------------------------


def _text(value):
    return (value or "").strip()


NSS_REASON_MAX_CHARS = 1000
"""The officer's reason for not confirming a National Support School claim
is told to the applicant in each question on 2A and 2B, which must stay
within a question's length (``requests.QUESTION_MAX_CHARS``)."""


def check_decision(claims_nss, decision, reason, nss, nss_reason):
    """The decision's (reason, NSS outcome, NSS reason), or ScreeningError
    naming the field to fix. ``claims_nss``: the case claims it."""
    if decision not in ScreeningDecision.values:
        raise ScreeningError("Select whether the case is eligible", field="decision")
    reason, nss_reason = _text(reason), _text(nss_reason)
    if decision == ScreeningDecision.INELIGIBLE:
        if not reason:
            raise ScreeningError(
                "Enter why the case is not eligible: the applicant will read it", field="reason"
            )
        return reason, NssOutcome.NOT_DECIDED if claims_nss else NssOutcome.NOT_CLAIMED, ""
    if reason:
        # Not thrown away unseen: the box is for a case not eligible only.
        raise ScreeningError(
            "You chose eligible: remove the reason it is not eligible, or choose not eligible. "
            "The reason is only for a case that is not eligible, and the applicant reads it",
            field="reason",
        )
    if not claims_nss:
        return "", NssOutcome.NOT_CLAIMED, ""
    if nss not in (NssOutcome.CONFIRMED, NssOutcome.REJECTED):
        raise ScreeningError(
            "Select whether the National Support School claim is confirmed", field="nss"
        )
    if nss == NssOutcome.REJECTED and not nss_reason:
        raise ScreeningError(
            "Enter why the National Support School claim is not confirmed", field="nss_reason"
        )
    if len(nss_reason) > NSS_REASON_MAX_CHARS:
        raise ScreeningError(
            f"The reason must be {NSS_REASON_MAX_CHARS:,} characters or fewer",
            field="nss_reason",
        )
    if nss == NssOutcome.CONFIRMED and nss_reason:
        raise ScreeningError(
            "You confirmed the claim: remove the reason it is not confirmed, or choose not "
            "confirmed. The reason is only for a claim not confirmed",
            field="nss_reason",
        )
    return "", NssOutcome(nss), nss_reason if nss == NssOutcome.REJECTED else ""


def screen(case, officer, *, decision, reason="", nss=None, nss_reason=""):
    """Screen a submitted case once. If someone else screened it first
    (``AlreadyScreened``) or the decision is incomplete (``ScreeningError``),
    nothing is written."""
    require(officer, "assessments.screen_case", case)
    Proposal = type(case)
    with transaction.atomic():
        locked = (
            Proposal.objects.select_for_update(of=("self",))
            .select_related("organisation__local_authority", "framework")
            .get(pk=case.pk)
        )
        if locked.status != Status.SUBMITTED:
            raise AlreadyScreened(
                f"{locked.reference} has already been screened: it is now "
                f"‘{locked.get_status_display().lower()}’. Nothing was changed."
            )
        reason, nss, nss_reason = check_decision(
            claims_national_support_school(locked), decision, reason, nss, nss_reason
        )
        if decision == ScreeningDecision.ELIGIBLE:
            refusal = identifier_claims.refusal_to_screen_eligible(locked.organisation)
            if refusal:
                raise ScreeningError(refusal, field="decision")
        check = recheck(locked)
        details = {
            "national_support_school": nss.value,
            "eligible_today": check.now.eligible,
            "profile_changes": check.as_details(),
        }
        if decision == ScreeningDecision.ELIGIBLE:
            if nss_reason:
                details["national_support_school_reason"] = nss_reason
            move(locked, Action.SCREEN_ELIGIBLE, officer, details=details)
        else:
            move(locked, Action.SCREEN_INELIGIBLE, officer, details={"reason": reason, **details})
        screening = Screening.objects.create(
            case=locked,
            officer=officer,
            decision=decision,
            reason=reason,
            nss_claim=nss,
            nss_reason=nss_reason,
            eligibility_changes=check.as_details(),
        )
        if decision == ScreeningDecision.INELIGIBLE:
            _tell_screened_out(locked, screening)
        elif nss == NssOutcome.REJECTED:
            request_part_two(locked, officer, nss_reason)
            screening.part_two_required = True
            screening.save(update_fields=["part_two_required"])
    case.refresh_from_db()
    return screening


def part_two_criteria(case):
    """The criteria a confirmed National Support School skips (2A and 2B),
    of the case's framework."""
    return list(
        Criterion.objects.filter(
            part__framework_id=case.framework_id, skipped_for_national_support_school=True
        ).order_by("part__number", "position")
    )


def request_part_two(case, actor, reason=""):
    """A National Support School claim not confirmed: the case proceeds to
    assessment and the applicant is asked, in an information request due
    in the policy's working days, to answer 2A and 2B; each question says
    why the claim was not confirmed (``reason``, the officer's)."""
    reason = reason.strip()
    if reason and reason[-1] not in ".!?":
        reason += "."
    said = (
        f"The National Support School claim was not confirmed at screening. Why: {reason} Answer"
        if reason
        else "The National Support School claim was not confirmed at screening: answer"
    )
    questions = [
        requests.NewQuestion(f"{said} {criterion.code}. {criterion.question}", criterion.pk)
        for criterion in part_two_criteria(case)
    ]
    return requests.ask(case, actor, questions, requests.default_due())


def _tell_screened_out(case, screening):
    recipients = contact_addresses(case.organisation_id)
    emails.queue(
        "assessments/not_eligible",
        {"case": case, "screening": screening},
        recipients,
        key=f"screened_out:{case.pk}:{screening.pk}",
    )
