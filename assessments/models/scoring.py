"""Scores, agreed scores, recommendations and the draft feedback they carry.

A score belongs to the assignment it was given under, so a reassigned
assessor starts a fresh set and who scored what stays known. An assessor's
set is finished once (``ScoreSheet``): from then on it is fixed, and the
second assessor's blind set can be compared with it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from accreditation import clock
from proposals.models import Party


class Score(models.Model):
    """One assessor's score of one criterion for one party. ``version`` goes
    up on every save, so a save from a stale page is refused."""

    assignment = models.ForeignKey(
        "assessments.Assignment", on_delete=models.PROTECT, related_name="scores"
    )
    criterion = models.ForeignKey(
        "accreditation.Criterion", on_delete=models.PROTECT, related_name="scores"
    )
    party = models.CharField(max_length=12, choices=Party.choices, default=Party.LEAD)
    value = models.PositiveSmallIntegerField()
    internal_comment = models.TextField(blank=True)
    applicant_feedback = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["criterion__part__number", "criterion__position", "party"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "criterion", "party"], name="score_unique_per_party"
            ),
        ]

    def __str__(self):
        return f"{self.criterion.code} ({self.party}): {self.value}"


class ScoreSheet(models.Model):
    """An assessor has finished scoring under an assignment: the set is fixed
    until the Advisory Group refers the case back, and finished again after."""

    assignment = models.ForeignKey(
        "assessments.Assignment", on_delete=models.PROTECT, related_name="score_sheets"
    )
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    finished_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-finished_at"]

    def __str__(self):
        return f"Scores finished under {self.assignment}"


class AgreedScore(models.Model):
    """The score the two assessors agreed where their scores differ too much,
    with who recorded the agreement and why."""

    first_score = models.ForeignKey(Score, on_delete=models.PROTECT, related_name="+")
    second_score = models.ForeignKey(Score, on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField()
    reason = models.TextField()
    applicant_feedback = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    agreed_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["first_score", "second_score"], name="agreed_score_unique_pair"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="agreed_score_has_a_reason"),
        ]

    def __str__(self):
        return f"Agreed {self.value} for score {self.first_score_id}"


class RecommendationChoice(models.TextChoices):
    ACCREDIT = "accredit", "Recommend accreditation"
    NOT_ACCREDIT = "not_accredit", "Recommend not to accredit"


class RecommendationOutcome(models.TextChoices):
    COMPLETED = "completed", "Assessment completed"
    QUALITY_ASSURANCE = "quality_assurance", "Sent to quality assurance"


class RecommendationQuerySet(models.QuerySet):
    def departing(self):
        """Recommendations that depart from the one their scores suggested."""
        return self.exclude(recommendation=models.F("suggested"))


class Recommendation(models.Model):
    """An assessor's recommendation: it completes the assessment, or (when it
    departs from the suggestion and quality assurance is not done) waits for
    a second assessor. Every one is kept; the latest stands."""

    case = models.ForeignKey(
        "proposals.Proposal", on_delete=models.PROTECT, related_name="recommendations"
    )
    assignment = models.ForeignKey(
        "assessments.Assignment", on_delete=models.PROTECT, related_name="recommendations"
    )
    recommendation = models.CharField(max_length=20, choices=RecommendationChoice.choices)
    suggested = models.CharField(max_length=20, choices=RecommendationChoice.choices)
    reasoning = models.TextField()
    departure_reason = models.TextField(blank=True)
    outcome = models.CharField(max_length=20, choices=RecommendationOutcome.choices)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField(default=clock.now)

    objects = RecommendationQuerySet.as_manager()

    class Meta:
        ordering = ["-made_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(recommendation=models.F("suggested")) | ~Q(departure_reason=""),
                name="recommendation_departure_has_a_reason",
            ),
        ]

    def __str__(self):
        return f"{self.get_recommendation_display()} for case {self.case_id}"

    @property
    def departs(self):
        return self.recommendation != self.suggested


class FeedbackOccasion(models.TextChoices):
    DECIDED_AGAINST = (
        "decided_against",
        "Decided not accredited against a recommendation to accredit",
    )
    RETURNED = "returned", "Returned by the Advisory Group to revise"


class ReadOnlyError(Exception):
    """Raised when code tries to write to a database view."""


def _read_only(model):
    raise ReadOnlyError(f"{model.__name__} is a database view: it cannot be changed.")


class ReadOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        _read_only(self.model)

    def delete(self):
        _read_only(self.model)


class FeedbackState(models.Model):
    """What decides, for each case, whether its first assessor is to write
    its feedback to the applicant now (``queries.scoring.with_feedback_occasion``):
    its latest completed recommendation (when, and which), whether the
    Advisory Group has approved feedback since, when the group last
    returned the feedback since, and when the case was last decided not
    accredited.

    A database view, one row per case, read-only (``assessments.database_views``:
    created after every migrate). A query joins it and names its columns,
    where the same correlated subqueries, written in the query itself, were
    built by Django again wherever a condition named them (the assessor's
    feedback worklist: 48 subqueries, about 9 ms to build its SQL before
    PostgreSQL saw it)."""

    case = models.OneToOneField(
        "proposals.Proposal",
        primary_key=True,
        on_delete=models.DO_NOTHING,
        related_name="feedback_state",
    )
    recommended_at = models.DateTimeField(null=True)
    recommended = models.CharField(max_length=20, choices=RecommendationChoice.choices, null=True)
    feedback_approved = models.BooleanField()
    returned_at = models.DateTimeField(null=True)
    decided_at = models.DateTimeField(null=True)

    objects = ReadOnlyQuerySet.as_manager()

    class Meta:
        managed = False
        db_table = "assessments_feedbackstate"

    def __str__(self):
        return f"Feedback state of case {self.case_id}"

    def save(self, *args, **kwargs):
        _read_only(type(self))

    def delete(self, *args, **kwargs):
        _read_only(type(self))


class FeedbackRevision(models.Model):
    """Feedback to the applicant the assessor writes after the assessment:
    from the decision official's reasons when a case recommended for
    accreditation is decided not accredited, or revised when the Advisory
    Group returns it. The latest, if written after the case's latest
    completed recommendation, replaces that recommendation's draft."""

    case = models.ForeignKey(
        "proposals.Proposal", on_delete=models.PROTECT, related_name="feedback_revisions"
    )
    occasion = models.CharField(max_length=20, choices=FeedbackOccasion.choices)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-written_at", "-pk"]

    def __str__(self):
        return f"Feedback written for case {self.case_id}"


class DraftFeedback(models.Model):
    """Feedback to the applicant on one criterion for one party, carried
    forward from a recommendation not to accredit (or written by the
    assessor in a revision) to the feedback letter."""

    recommendation = models.ForeignKey(
        Recommendation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="draft_feedback",
    )
    revision = models.ForeignKey(
        FeedbackRevision,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="draft_feedback",
    )
    criterion = models.ForeignKey(
        "accreditation.Criterion", on_delete=models.PROTECT, related_name="+"
    )
    party = models.CharField(max_length=12, choices=Party.choices, default=Party.LEAD)
    score = models.PositiveSmallIntegerField()
    text = models.TextField()

    class Meta:
        ordering = ["criterion__part__number", "criterion__position", "party"]
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "criterion", "party"],
                name="draft_feedback_unique_per_party",
            ),
            models.UniqueConstraint(
                fields=["revision", "criterion", "party"],
                name="revised_feedback_unique_per_party",
            ),
            models.CheckConstraint(
                condition=Q(recommendation__isnull=False, revision__isnull=True)
                | Q(recommendation__isnull=True, revision__isnull=False),
                name="draft_feedback_from_one_source",
            ),
        ]

    def __str__(self):
        return f"Feedback on {self.criterion.code} ({self.party})"
