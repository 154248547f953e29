"""The service's policy numbers, named in one place and used by code and
templates alike (``{{ policy.concern_period_days }}``).

The prospectus fixes some (the ASG minimum); the rest are the department's
policy defaults, which the SPEC says to keep configurable: a deployment
overrides any of them with ``POLICY = {"concern_period_days": 21}`` in its
settings (or the ``POLICY_*`` environment variables read there).
"""

from dataclasses import dataclass, fields

from django.conf import settings


@dataclass(frozen=True)
class Policy:
    asg_minimum_schools: int = 2
    """An ASG leads (or governs) at least this many schools (the prospectus)."""
    concern_period_days: int = 28
    """Days from the letter in which an organisation may raise a concern."""
    revocation_response_days: int = 28
    """Days a provider has to respond to notice of revocation."""
    information_request_working_days: int = 10
    """Default time to answer a request for information, in working days."""
    out_of_round_window_max_days: int = 548
    """The furthest ahead (about 18 months) an out-of-round window's deadline
    may be set when it is granted: a mistyped year would open it for good."""
    information_request_max_days: int = 92
    """The furthest ahead a request's due date (or its extension) may be set:
    a mistyped year would leave the case waiting, never chased."""
    reminder_days_before_deadline: tuple = (14, 7, 1)
    """Days before a deadline on which contacts with drafts are reminded."""
    assessment_chase_escalation_working_days: int = 3
    """Working days after chasing an assessor (or an applicant for information)
    before the casework officers (or the assessor who asked) are told."""
    advice_chase_days_before_meeting: int = 3
    """Days before an Advisory Group meeting that members who have not given
    their view on an item are reminded."""
    qa_score_gap: int = 2
    """Two assessors' scores this far apart need an agreed score."""
    second_assessor_for_every_asg: bool = True
    """Quality assurance: every ASG case gets a second assessor who scores blind."""
    assessor_round_capacity: int = 12
    """Cases an assessor takes in a round (first and second assessments) unless
    the casework officer sets another number for them."""
    assessment_working_days: int = 20
    """Working days an assessor has for a case outside a round (a round's cases
    are due on its assessment due date)."""
    score_labels: tuple = (
        (4, "Strong evidence"),
        (3, "Sufficient evidence"),
        (2, "Limited evidence"),
        (1, "Insufficient or no evidence"),
    )
    """What each point of the framework's scale means, highest first."""
    quorum_members_besides_chair: int = 2
    """An Advisory Group meeting is quorate with its chair and this many members."""
    retention_years: int = 7
    """Years after the decision that a case's records are kept."""
    retention_by_record_type: tuple = ()
    """(record type, years) for the record types (``accreditation.services.
    retention.RECORD_TYPES``, and ``emails`` for the outbox) kept for other
    than ``retention_years``, e.g. ``(("documents", 6),)``."""

    def retention_for(self, record_type):
        """Years after the decision that records of ``record_type`` are kept."""
        return dict(self.retention_by_record_type).get(record_type, self.retention_years)


def current():
    overrides = getattr(settings, "POLICY", {}) or {}
    known = {field.name for field in fields(Policy)}
    unknown = set(overrides) - known
    if unknown:
        raise ValueError(f"Unknown policy settings: {', '.join(sorted(unknown))}")
    return Policy(**overrides)
