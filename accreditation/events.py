"""What each kind of timeline event is called, and who may see it.

Every event a case's timeline holds has a registered type: its label for
staff, and its label for the applicant (None: staff only). The workflow's
actions are registered here; apps register the events they record
(``register(EventType(...))`` at import of their services).
"""

from dataclasses import dataclass

from accreditation.workflow import Action


@dataclass(frozen=True)
class EventType:
    code: str
    staff_label: str
    applicant_label: str | None = None
    applicant_reads_reason: bool = True
    """Whether the applicant's history shows the event's reason: not a
    decision's correction, whose reason is for the department's record (the
    decision letter gives the decision's own reasons)."""

    @property
    def applicant_visible(self):
        return self.applicant_label is not None


class UnknownEvent(LookupError):
    pass


_types = {}


def register(*event_types):
    for event_type in event_types:
        known = _types.get(event_type.code)
        if known is not None and known != event_type:
            raise ValueError(f"The event type {event_type.code!r} is registered twice.")
        _types[event_type.code] = event_type


def get(code):
    try:
        return _types[code]
    except KeyError:
        raise UnknownEvent(f"No event type {code!r} is registered.") from None


def all_types():
    return dict(_types)


def applicant_codes():
    return sorted(code for code, event_type in _types.items() if event_type.applicant_visible)


ACTION_LABELS = {
    # action: (what staff read on the timeline, what the applicant reads or None)
    Action.SUBMIT: ("Proposal submitted", "Proposal submitted"),
    Action.LAPSE: (
        "Lapsed at the deadline",
        "Proposal lapsed: it was not submitted by the deadline",
    ),
    Action.WITHDRAW: ("Withdrawn by the applicant", "Proposal withdrawn"),
    Action.SCREEN_ELIGIBLE: ("Screened: eligible", "Found eligible: assessment has started"),
    Action.SCREEN_INELIGIBLE: ("Screened: not eligible", "Found not eligible"),
    Action.REQUEST_INFORMATION: ("Information requested", "We asked for more information"),
    Action.RESPOND_TO_REQUEST: (
        "Information sent by the applicant",
        "You sent the information we asked for",
    ),
    # Applicants see a case being assessed until it awaits decision (as its
    # status tag says), not the steps inside assessment.
    Action.RECOMMEND: ("Recommendation made", None),
    Action.REFER_TO_ADVISORY_GROUP: ("Referred to the Advisory Group", None),
    Action.REFER_BACK: ("Referred back to the assessor", None),
    Action.ADVISE: ("Advisory Group advice recorded", "Sent for a decision"),
    Action.REFER_TO_DECISION: ("Referred for decision", "Sent for a decision"),
    Action.ACCREDIT: ("Decided: accredited", "Decision: accredited"),
    Action.NOT_ACCREDIT: ("Decided: not accredited", "Decision: not accredited"),
    Action.CORRECT_DECISION: ("Decision corrected", "Decision corrected"),
    Action.UPHOLD_CONCERN: (
        "Concern upheld",
        "Your concern was upheld: the case will be looked at again",
    ),
}

register(
    *(
        EventType(
            action.value,
            *ACTION_LABELS[action],
            applicant_reads_reason=action != Action.CORRECT_DECISION,
        )
        for action in Action
    ),
    EventType("created", "Proposal started", "Proposal started"),
    EventType("copied", "Started from an earlier proposal", "Proposal started from an earlier one"),
    EventType("proposal_pdf_downloaded", "Proposal PDF downloaded"),
    EventType("document_uploaded", "Document uploaded"),
    EventType("document_deleted", "Document deleted"),
    EventType("document_downloaded", "Document downloaded"),
    EventType("assessor_assigned", "Assessor assigned"),
    EventType("assessor_reassigned", "Assessor reassigned"),
    EventType("second_assessor_assigned", "Second assessor assigned (quality assurance)"),
    EventType("second_assessor_reassigned", "Second assessor reassigned (quality assurance)"),
    EventType("assessor_stood_down", "Assessor stood down: they declared a conflict of interest"),
    EventType(
        "second_assessor_stood_down",
        "Second assessor stood down: they declared a conflict of interest",
    ),
    EventType(
        "assessor_released",
        "Assessor taken off the case: their account was switched off, or they no longer "
        "have the assessor role",
    ),
    EventType(
        "second_assessor_released",
        "Second assessor taken off the case: their account was switched off, or they no "
        "longer have the assessor role",
    ),
    # Scoring, quality assurance and the recommendation: staff only.
    EventType("score_saved", "Score saved"),
    EventType("scoring_finished", "Scoring finished"),
    EventType("agreed_score_recorded", "Agreed score recorded"),
    EventType(
        "quality_assurance_needed",
        "Recommendation held for quality assurance",
    ),
    EventType("note", "Note"),
    EventType(
        "round_cancelled",
        "Round cancelled: the draft is kept, to be moved to another round",
        "The round was cancelled: your draft is kept, to be moved to another round",
    ),
    EventType("moved_to_round", "Moved to another round", "Moved to another round"),
    EventType("identifier_claim_decided", "Claim to the organisation's URN or UKPRN decided"),
    EventType("evidence_zip_downloaded", "All the case’s evidence downloaded as a zip"),
    # The tombstone ``manage.py apply_retention`` leaves: what was removed at
    # the end of its retention period (the events before it stay).
    EventType(
        "records_removed",
        "Records removed at the end of their retention period",
        "Records removed at the end of their retention period",
    ),
)
