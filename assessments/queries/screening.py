"""Read shapes for screening: the queue of submitted cases and one case."""

from django.apps import apps

from accreditation.models import CaseEvent
from accreditation.queries.cases import visible_to
from accreditation.workflow import Action, Status


def queue(user):
    """Submitted cases waiting to be screened that ``user`` may act on (none
    they are in conflict with, nor one they screened out before a concern
    about it was upheld: someone else screens it again), oldest submitted
    first."""
    screened_out = CaseEvent.objects.filter(actor=user, action=Action.SCREEN_INELIGIBLE)
    return (
        visible_to(user)
        .filter(status=Status.SUBMITTED)
        .exclude(pk__in=screened_out.values("case_id"))
        # The period's name says whose window an out-of-round case is in.
        .select_related("organisation__local_authority", "round", "window__organisation")
        .order_by("submitted_at", "pk")
    )


def case_for_screening(model, pk):
    """A case that has been submitted (a draft has nothing to screen)."""
    return (
        model.objects.exclude(submitted_at=None)
        .select_related("organisation__local_authority", "round", "window", "framework")
        .filter(pk=pk)
        .first()
    )


def screenings_of(case):
    return case.screenings.select_related("officer").order_by("-decided_at", "-pk")


def schools_of(case):
    """The schools an ASG case lists as the basis of its eligibility."""
    SchoolLed = apps.get_model("proposals", "SchoolLed")
    return list(
        SchoolLed.objects.filter(proposal_id=case.pk)
        .select_related("local_authority")
        .order_by("name", "urn")
    )


def to_screen_again(case):
    """A submitted case that was screened out before: a concern about that
    was upheld, so another casework officer screens it again."""
    return (
        case.status == Status.SUBMITTED
        and CaseEvent.objects.filter(case_id=case.pk, action=Action.SCREEN_INELIGIBLE).exists()
    )
