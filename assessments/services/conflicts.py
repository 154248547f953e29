"""Conflicts of interest: declared by any staff member, ended (never
deleted), and suggested by the service from its data for the person to
confirm or dismiss. Everything here goes on the activity log.

A declared conflict takes effect through the case roles resolver
(``assessments.case_roles``) and ``accreditation.queries.conflicts``: the
person holds no part in the organisation's cases and does not see them."""

from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q

from accreditation import clock
from accreditation.access import require
from accreditation.models import ActivityEntry, Membership, Organisation, User
from accreditation.services import activity
from accreditation.workflow import Status
from assessments.models import Assignment, Conflict, DismissedSuggestion, Score, SuggestionBasis
from assessments.services import assignment

DECIDED_AGAINST = (Status.NOT_ACCREDITED, Status.CLOSED_INELIGIBLE)
"""An earlier case decided against the organisation: its assessor may be
seen as having a view of it."""


def _assessed_against():
    """The assignments of cases decided against their organisation whose
    assessor assessed them (scored at least one criterion): one replaced
    before scoring, or asked only to write the feedback, did not."""
    scored = Score.objects.filter(assignment=OuterRef("pk"))
    return Assignment.objects.filter(Exists(scored), case__status__in=DECIDED_AGAINST)


class ConflictError(Exception):
    """A refused change; the message is fit to show the person."""


def _reason(text, message):
    text = (text or "").strip()
    if not text:
        raise ConflictError(message)
    return text


def declare(user, *, reason, organisation=None, local_authority=None, suggested=False):
    """Record ``user``'s conflict with an organisation or a whole local
    authority (exactly one), unless one with it is already current. The
    assessments it bars them from that are under way are handed back to the
    casework officers (``assignment.stand_down``): the conflict's
    ``stood_down`` lists those cases' references."""
    require(user, "assessments.declare_conflict")
    if organisation is None and local_authority is None:
        raise ConflictError(
            "Choose the organisation or the local authority you have a conflict with"
        )
    if organisation is not None and local_authority is not None:
        raise ConflictError(
            "Choose either an organisation or a local authority, not both: "
            "declare a second conflict for the other"
        )
    reason = _reason(reason, "Enter why you have a conflict of interest")
    with transaction.atomic():
        # The person's own row, locked: two declarations at once cannot both
        # pass the check, and an assignment of them made at the same moment
        # is either refused or stood down (``assignment._lock_people``, which
        # says why this lock is FOR NO KEY UPDATE).
        User.objects.select_for_update(no_key=True).filter(pk=user.pk).first()
        current = Conflict.objects.active().filter(user=user)
        if current.filter(organisation=organisation, local_authority=local_authority).exists():
            raise ConflictError(
                f"You have already declared a conflict with {organisation or local_authority}"
            )
        conflict = Conflict.objects.create(
            user=user, organisation=organisation, local_authority=local_authority, reason=reason
        )
        activity.record(
            user,
            "conflict_confirmed" if suggested else "conflict_declared",
            conflict,
            {
                "with": [None, str(organisation or local_authority)],
                "reason": [None, reason],
            },
        )
        conflict.stood_down = assignment.stand_down(user, conflict)
    return conflict


def end(conflict, user, reason):
    """End ``user``'s own conflict, with a reason; the row stays."""
    require(user, "assessments.end_conflict", conflict)
    reason = _reason(reason, "Enter why the conflict has ended")
    with transaction.atomic():
        locked = Conflict.objects.select_for_update().get(pk=conflict.pk)
        if locked.ended_at is not None:
            raise ConflictError("This conflict has already ended.")
        if locked.organisation_id and is_member(user, locked.organisation_id):
            raise ConflictError(member_refusal(locked.organisation))
        locked.ended_at = clock.now()
        locked.end_reason = reason
        locked.save(update_fields=["ended_at", "end_reason"])
        activity.record(
            user, "conflict_ended", locked, {"ended": [None, True], "end_reason": [None, reason]}
        )
    conflict.ended_at, conflict.end_reason = locked.ended_at, locked.end_reason
    return conflict


def member_refusal(organisation):
    return (
        f"You are a member of {organisation}, so this conflict stands while you are: you can "
        "end it once you have left the organisation."
    )


def is_member(user, organisation_id):
    return Membership.objects.filter(user=user, organisation_id=organisation_id).exists()


# --- Suggestions ----------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    organisation: Organisation
    bases: tuple

    @property
    def labels(self):
        return [SuggestionBasis(basis).label for basis in self.bases]

    @property
    def reason(self):
        """The reason recorded if the person confirms it."""
        return "Suggested by the service and confirmed: " + "; ".join(
            label[0].lower() + label[1:] for label in self.labels
        )


def email_domain(email):
    """The domain of ``email`` if sharing it may mean a conflict: not a
    public provider's and not the department's own."""
    domain = email.rpartition("@")[2].strip().lower()
    if not domain or domain == settings.DEPARTMENT_EMAIL_DOMAIN.lower():
        return None
    if domain in {d.lower() for d in settings.COMMON_EMAIL_DOMAINS}:
        return None
    return domain


def _found(user):
    """{organisation pk: set of SuggestionBasis} from the service's data."""
    found = defaultdict(set)
    domain = email_domain(user.email)
    if domain:
        for organisation_id in (
            Membership.objects.filter(user__email__iendswith=f"@{domain}")
            .exclude(user=user)
            .values_list("organisation_id", flat=True)
        ):
            found[organisation_id].add(SuggestionBasis.EMAIL_DOMAIN)
    for organisation_id in user.memberships.values_list("organisation_id", flat=True):
        found[organisation_id].add(SuggestionBasis.MEMBERSHIP)
    # A member who left is removed from Membership; the activity log keeps
    # who was removed from which organisation.
    for object_id in ActivityEntry.objects.filter(
        action="member_removed",
        content_type__app_label=Organisation._meta.app_label,
        content_type__model=Organisation._meta.model_name,
        changes__member__0__iexact=user.email,
    ).values_list("object_id", flat=True):
        found[int(object_id)].add(SuggestionBasis.MEMBERSHIP)
    for organisation_id in (
        _assessed_against().filter(assessor=user).values_list("case__organisation_id", flat=True)
    ):
        found[organisation_id].add(SuggestionBasis.PAST_CASE)
    return found


def suggestions(user):
    """Likely conflicts ``user`` has not declared, confirmed or dismissed,
    by organisation name."""
    found = _found(user)
    if not found:
        return []
    current = Conflict.objects.active().filter(user=user)
    settled = set(
        Organisation.objects.filter(pk__in=found)
        .filter(
            Q(pk__in=current.exclude(organisation=None).values("organisation"))
            | Q(local_authority__in=current.exclude(local_authority=None).values("local_authority"))
            | Q(pk__in=DismissedSuggestion.objects.filter(user=user).values("organisation"))
        )
        .values_list("pk", flat=True)
    )
    organisations = Organisation.objects.filter(pk__in=set(found) - settled).order_by("name", "pk")
    order = list(SuggestionBasis)
    return [
        Suggestion(organisation, tuple(sorted(found[organisation.pk], key=order.index)))
        for organisation in organisations
    ]


def open_suggestions_about(organisation, people):
    """{person pk: bases} of those of ``people`` with an open suggestion
    about ``organisation``: ``suggestions`` seen from the organisation's
    side, on the same data, for the officer choosing an assessor. A fixed
    few queries, whatever the number of people."""
    pairs = [(organisation, person) for person in people]
    return {person_pk: bases for (_, person_pk), bases in open_suggestions_for(pairs).items()}


def open_suggestions_for(pairs):
    """{(organisation pk, person pk): bases} of those ``pairs`` (organisation,
    person) with an open suggestion, as ``open_suggestions_about`` finds
    them: a fixed few queries, however many pairs (a round's assignment)."""
    pairs = list(pairs)
    if not pairs:
        return {}
    organisations = {organisation.pk: organisation for organisation, _ in pairs}
    people = {person.pk: person for _, person in pairs}
    members = defaultdict(list)
    for organisation_id, user_id, email in Membership.objects.filter(
        organisation__in=list(organisations)
    ).values_list("organisation_id", "user_id", "user__email"):
        members[organisation_id].append((user_id, email))
    removed = defaultdict(set)
    for object_id, email in ActivityEntry.objects.filter(
        action="member_removed",
        content_type__app_label=Organisation._meta.app_label,
        content_type__model=Organisation._meta.model_name,
        object_id__in=[str(pk) for pk in organisations],
    ).values_list("object_id", "changes__member__0"):
        if email:
            removed[int(object_id)].add(str(email).lower())
    found = defaultdict(set)
    for organisation, person in pairs:
        key = (organisation.pk, person.pk)
        domain = email_domain(person.email)
        if domain and any(
            user_id != person.pk and email.rpartition("@")[2].lower() == domain
            for user_id, email in members[organisation.pk]
        ):
            found[key].add(SuggestionBasis.EMAIL_DOMAIN)
        if person.email.lower() in removed[organisation.pk] or any(
            user_id == person.pk for user_id, _ in members[organisation.pk]
        ):
            found[key].add(SuggestionBasis.MEMBERSHIP)
    asked = {(organisation.pk, person.pk) for organisation, person in pairs}
    for key in (
        _assessed_against()
        .filter(case__organisation__in=list(organisations), assessor__in=list(people))
        .values_list("case__organisation_id", "assessor_id")
    ):
        if key in asked:
            found[key].add(SuggestionBasis.PAST_CASE)
    if not found:
        return {}
    suspected = {person_pk for _, person_pk in found}
    settled = set()
    local_authorities = {o.local_authority_id for o in organisations.values()} - {None}
    for user_id, organisation_id, local_authority_id in (
        Conflict.objects.active()
        .filter(user__in=list(suspected))
        .filter(
            Q(organisation__in=list(organisations)) | Q(local_authority__in=list(local_authorities))
        )
        .values_list("user_id", "organisation_id", "local_authority_id")
    ):
        settled |= {
            (pk, user_id)
            for pk, organisation in organisations.items()
            if pk == organisation_id
            or (
                local_authority_id is not None
                and organisation.local_authority_id == local_authority_id
            )
        }
    settled |= set(
        DismissedSuggestion.objects.filter(
            user__in=list(suspected), organisation__in=list(organisations)
        ).values_list("organisation_id", "user_id")
    )
    order = list(SuggestionBasis)
    return {
        key: tuple(sorted(bases, key=order.index))
        for key, bases in found.items()
        if key not in settled
    }


def suggestion_for(user, organisation_id):
    """The open suggestion about this organisation, or None."""
    return next(
        (s for s in suggestions(user) if s.organisation.pk == organisation_id),
        None,
    )


def settled_suggestion(user, organisation_id):
    """How ``user`` settled their suggestion about the organisation, in
    words (a conflict of theirs with it stands, or they dismissed it), or
    None if they have done neither."""
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        return None
    conflict = (
        Conflict.objects.active()
        .filter(user=user)
        .filter(
            Q(organisation_id=organisation_id)
            | Q(local_authority_id=organisation.local_authority_id)
        )
        .select_related("organisation", "local_authority")
        .first()
    )
    if conflict is not None:
        return (
            "You have already settled this: your conflict of interest with "
            f"{conflict.organisation or conflict.local_authority} stands."
        )
    dismissal = (
        DismissedSuggestion.objects.filter(user=user, organisation_id=organisation_id)
        .select_related("organisation")
        .first()
    )
    if dismissal is not None:
        return (
            f"You have already said the suggestion about {dismissal.organisation} is not a "
            "conflict of interest."
        )
    return None


def _open(user, organisation):
    suggestion = suggestion_for(user, organisation.pk)
    if suggestion is None:
        raise ConflictError(
            f"There is no open suggestion about {organisation}: it may have been settled already."
        )
    return suggestion


def confirm(user, organisation):
    """The person agrees: the suggestion becomes a declared conflict."""
    suggestion = _open(user, organisation)
    return declare(user, organisation=organisation, reason=suggestion.reason, suggested=True)


def dismiss(user, organisation, reason):
    """The person says the suggestion does not stand; recorded with their
    reason so it is not made again."""
    require(user, "assessments.declare_conflict")
    reason = _reason(reason, "Enter why this is not a conflict of interest")
    suggestion = _open(user, organisation)
    if is_member(user, organisation.pk):
        raise ConflictError(
            f"You are a member of {organisation}, so this is a conflict of interest while you "
            "are: confirm it, or leave the organisation."
        )
    try:
        with transaction.atomic():
            dismissal = DismissedSuggestion.objects.create(
                user=user,
                organisation=organisation,
                bases=[str(basis) for basis in suggestion.bases],
                reason=reason,
            )
            activity.record(
                user,
                "conflict_suggestion_dismissed",
                dismissal,
                {"organisation": [None, organisation.name], "reason": [None, reason]},
            )
    except IntegrityError:
        raise ConflictError(f"The suggestion about {organisation} was already dismissed.") from None
    return dismissal
