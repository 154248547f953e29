"""What applicants do to a proposal. Each service checks its own rules, runs
in one transaction with the proposal row locked (so a save cannot slip in
after a submission), and changes status only through the workflow."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from accreditation import clock, eligibility, emails, timeline
from accreditation.access import require
from accreditation.models import Organisation, Round
from accreditation.models.organisations import contact_addresses
from accreditation.versions import check_version, version_of
from accreditation.workflow import Action, GuardFailed, Move, Status, move
from feedback.queries.letters import decision_untold
from proposals.guards import window_open
from proposals.models import (
    Answer,
    CoPartner,
    PartnershipKind,
    Party,
    Proposal,
    ReferenceCounter,
    Route,
    SchoolLed,
)
from proposals.queries.journey import (
    CO_PARTNER_FIRST,
    Journey,
    Problem,
    can_lead_federation,
    count_words,
)
from proposals.queries.starting import in_period, start_options


class ProposalError(Exception):
    """A refusal with a message fit to show the applicant."""


class StaleAnswer(ProposalError):
    def __init__(self, current, actor):
        who = (
            "You saved this answer in another tab or window"
            if current.updated_by_id == actor.pk
            else "Someone else saved this answer"
        )
        super().__init__(
            f"{who} while you were editing it here. That version is shown on this page; your text "
            "has not been saved. Copy anything you need, then save again."
        )
        self.current = current


class Incomplete(ProposalError):
    def __init__(self, problems):
        super().__init__("Your proposal is not complete yet.")
        self.problems = problems


def undeclare(proposals, *, by_profile=False):
    """A change after the declaration needs the declaration made again: undo
    the declarations of the drafts among ``proposals``. ``by_profile``: the
    organisation's profile changed, which the task list then tells."""
    undone = {"declaration_undone_at": clock.now()} if by_profile else {}
    proposals.filter(status=Status.DRAFT, declared_at__isnull=False).update(
        declared_by=None, declared_at=None, **undone
    )


def lock_draft(proposal, actor, *, changes_content=True):
    """Lock the proposal's row and refuse unless ``actor`` may change it and
    it is still a draft; a change to its content undoes the declaration."""
    require(actor, "proposals.view_proposal", proposal)
    locked = (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("round", "window")
        .get(pk=proposal.pk)
    )
    if locked.status != Status.DRAFT:
        raise ProposalError("This proposal has been submitted and can no longer be changed.")
    if locked.deadline_passed:
        raise ProposalError(
            f"The deadline for this proposal was {clock.describe_deadline(locked.period.deadline)} "
            "(UK time). It can no longer be changed."
        )
    if changes_content:
        undo_declaration(locked)
    return locked


def undo_declaration(locked):
    """The draft ``locked`` (its row locked) changed: its declaration, if
    made, must be made again."""
    if locked.declared_at:
        undeclare(Proposal.objects.filter(pk=locked.pk))
        locked.declared_by = locked.declared_at = None


def start_proposal(*, organisation, period, accreditation_type, actor):
    """A new draft, if the organisation may seek this type in this round or
    window and has no live proposal for it there already."""
    require(actor, "accreditation.act_for_organisation", organisation)
    verdict = next(
        v for v in start_options(organisation, period) if v.accreditation_type == accreditation_type
    )
    if not verdict.eligible:
        raise ProposalError(verdict.reason)
    if not period.is_open():
        what = "round" if isinstance(period, Round) else "out-of-round window"
        raise ProposalError(f"This {what} is not open for proposals now")
    where = in_period(period)
    try:
        with transaction.atomic():
            proposal = Proposal.objects.create(
                organisation=organisation,
                framework=period.framework,
                accreditation_type=accreditation_type,
                created_by=actor,
                # A majority trust is the one partnership an organisation that
                # cannot lead a federation can lead: a fact, not a question.
                leads_majority_trust=not can_lead_federation(organisation),
                **where,
            )
            timeline.record(proposal, "created", actor, details={"period": str(period)})
    except IntegrityError as error:
        raise ProposalError(
            f"Your organisation already has an {accreditation_type.upper()} proposal here."
        ) from error
    return proposal


def save_answer(proposal, *, criterion, party, text, version, actor):
    """Save one answer if it is within the word limit and nobody saved it
    since ``version`` (0 for a new answer). Returns the saved answer."""
    words = count_words(text)
    if words > criterion.word_limit:
        raise ProposalError(
            f"Your answer must be {criterion.word_limit} words or fewer. It has {words} words."
        )
    with transaction.atomic():
        locked = lock_draft(proposal, actor, changes_content=False)
        if party == Party.CO_PARTNER and not CoPartner.objects.filter(proposal=proposal).exists():
            raise ProposalError(CO_PARTNER_FIRST)
        current = Answer.objects.filter(proposal=proposal, criterion=criterion, party=party).first()
        if current is not None and current.version == version and current.text == text:
            # Saved as it was (changed from check answers, then not changed):
            # nothing changed, and the declaration stands.
            return current
        undo_declaration(locked)
        if current is None:
            if version != 0:
                raise ProposalError("This answer could not be found. Reload the page.")
            try:
                with transaction.atomic():
                    return Answer.objects.create(
                        proposal=proposal,
                        criterion=criterion,
                        party=party,
                        text=text,
                        updated_by=actor,
                    )
            except IntegrityError:
                current = Answer.objects.get(proposal=proposal, criterion=criterion, party=party)
                raise StaleAnswer(current, actor) from None
        updated = Answer.objects.filter(pk=current.pk, version=version).update(
            text=text, version=version + 1, updated_by=actor, updated_at=clock.now()
        )
        if not updated:
            raise StaleAnswer(current, actor)
        current.refresh_from_db()
        return current


TYPE_FIELDS = ("route", "leads_majority_trust", "leads_federation")
CO_PARTNER_FIELDS = (
    "name",
    "kind",
    "identifier",
    "local_authority",
    "contact_name",
    "contact_email",
    "role_in_partnership",
)
NEW_PROVISION_FIELDS = ("seeks_new_faith_provision", "new_provision_statement")


def co_partner_version(proposal):
    return version_of(CoPartner.objects.filter(proposal=proposal).first(), CO_PARTNER_FIELDS)


def set_type_and_models(proposal, *, route, majority_trust, federation, actor, version=None):
    """How the organisation applies and the partnerships it means to lead. A
    route without a co-partner keeps the co-partner's details and answers:
    they are left out of the proposal (``Journey``) until the route has a
    co-partner again, and nothing written is lost."""
    organisation = proposal.organisation
    if organisation.is_educational:
        route = ""
    elif route not in Route.values:
        raise ProposalError("Select how your organisation is applying")
    if not (majority_trust or federation):
        raise ProposalError("Select the partnerships you want to lead")
    if federation and not can_lead_federation(organisation):
        raise ProposalError("Only a maintained school can lead a federation")
    with transaction.atomic():
        locked = lock_draft(proposal, actor, changes_content=False)
        check_version(version_of(locked, TYPE_FIELDS), version)
        chosen = (route, majority_trust, federation)
        if chosen == tuple(getattr(locked, name) for name in TYPE_FIELDS):
            # Saved as it was: the declaration stands.
            return
        undo_declaration(locked)
        locked.route = route
        locked.leads_majority_trust = majority_trust
        locked.leads_federation = federation
        locked.save(
            update_fields=["route", "leads_majority_trust", "leads_federation", "updated_at"]
        )
    proposal.refresh_from_db()


class SchoolRefused(ProposalError):
    def __init__(self, message, field):
        super().__init__(message)
        self.field = field


def add_school(proposal, *, actor, **fields):
    """A school the organisation leads (or whose governance it is
    accountable for): another school, never the organisation itself, and
    through a federation only if the organisation can lead one."""
    with transaction.atomic():
        lock_draft(proposal, actor)
        if fields["urn"] == proposal.organisation.urn:
            raise SchoolRefused(
                f"Enter another school’s URN: {fields['urn']} is your organisation’s own URN",
                "urn",
            )
        if SchoolLed.objects.filter(proposal=proposal, urn=fields["urn"]).exists():
            raise SchoolRefused("You have already added a school with this URN", "urn")
        if fields.get("partnership") == PartnershipKind.FEDERATION and not can_lead_federation(
            proposal.organisation
        ):
            raise SchoolRefused(
                "Only a maintained school can lead a federation: select the kind of "
                "partnership through which your organisation leads the school",
                "partnership",
            )
        return SchoolLed.objects.create(proposal=proposal, **fields)


def remove_school(proposal, school_id, *, actor):
    """Whether the school was removed: False when it is no longer on the
    proposal (removed already, from another tab or a double click)."""
    with transaction.atomic():
        lock_draft(proposal, actor)
        deleted, _ = SchoolLed.objects.filter(proposal=proposal, pk=school_id).delete()
    return bool(deleted)


def save_co_partner(proposal, *, actor, version=None, **fields):
    with transaction.atomic():
        locked = lock_draft(proposal, actor)
        if not locked.has_co_partner_route:
            raise ProposalError(
                "Only a consortium or a proposal with a co-partner has a co-partner"
            )
        check_version(co_partner_version(locked), version)
        CoPartner.objects.update_or_create(proposal=locked, defaults=fields)


def save_new_provision(proposal, *, seeks, statement, actor, version=None):
    if seeks and not statement.strip():
        raise ProposalError("Describe the new faith provision you seek")
    with transaction.atomic():
        locked = lock_draft(proposal, actor)
        check_version(version_of(locked, NEW_PROVISION_FIELDS), version)
        locked.seeks_new_faith_provision = seeks
        locked.new_provision_statement = statement if seeks else ""
        locked.save(
            update_fields=["seeks_new_faith_provision", "new_provision_statement", "updated_at"]
        )
    proposal.refresh_from_db()


def declare(proposal, actor):
    with transaction.atomic():
        locked = lock_draft(proposal, actor, changes_content=False)
        locked.declared_by = actor
        locked.declared_at = clock.now()
        locked.declaration_undone_at = None
        locked.save(
            update_fields=["declared_by", "declared_at", "declaration_undone_at", "updated_at"]
        )
    proposal.refresh_from_db()


def next_reference(accreditation_type, year):
    """The next number for this type and year, from a locked counter row.
    Called inside the submitting transaction: if submission is refused the
    number is rolled back with it, so references have no gaps."""
    ReferenceCounter.objects.bulk_create(
        [ReferenceCounter(accreditation_type=accreditation_type, year=year)], ignore_conflicts=True
    )
    counter = ReferenceCounter.objects.select_for_update().get(
        accreditation_type=accreditation_type, year=year
    )
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"{accreditation_type.upper()}-{year}-{counter.last_number:04d}"


def standing_problem(proposal):
    """What submission refuses whatever the answers, as a ``Problem``
    (another of the organisation's proposals of this type not yet decided,
    or the type already held), or None."""
    organisation = proposal.organisation
    refusal = eligibility.standing_refusal(
        organisation, proposal.accreditation_type, eligibility.standing_of(organisation)
    )
    return Problem(refusal, reverse("proposal-dashboard")) if refusal else None


def submit(proposal, actor):
    """Submit once. A second request (a double click, two tabs) finds it
    already submitted and returns it unchanged. The deadline is checked by
    the workflow inside this transaction; refused, nothing is written."""
    with transaction.atomic():
        # The organisation first (as a profile change takes it, then its
        # drafts): two of its drafts submitted at once are judged in turn.
        Organisation.objects.select_for_update().filter(pk=proposal.organisation_id).first()
        locked = Proposal.objects.select_for_update(of=("self",)).get(pk=proposal.pk)
        if locked.status != Status.DRAFT:
            if locked.reference:
                return locked
            raise ProposalError("This proposal can no longer be submitted.")
        locked = Proposal.objects.select_related("organisation", "round", "window").get(
            pk=locked.pk
        )
        # Past its deadline (or its round cancelled), that is what is said,
        # not what the draft still lacks: nothing it could add would help.
        closed = window_open(Move(locked, actor, Action.SUBMIT, clock.now(), None, frozenset()))
        if closed:
            raise GuardFailed(closed, guard="proposals.guards.window_open")
        journey = Journey.load(locked)
        problems = journey.problems()
        standing = standing_problem(locked)
        if standing:
            problems.append(standing)
        if problems:
            raise Incomplete(problems)
        now = clock.now()
        # A round's cases take its year; an out-of-round case the year it is submitted.
        year = locked.round.year if locked.round_id else clock.local(now).year
        reference = next_reference(locked.accreditation_type, year)
        move(
            locked,
            Action.SUBMIT,
            actor,
            details={"reference": reference},
            changes={
                "reference": reference,
                "submitted_at": now,
                "submitted_profile": locked.organisation.profile_snapshot(),
            },
            when=now,
        )
        _queue_submission_email(locked.pk)
    return locked


def _queue_submission_email(proposal_pk):
    proposal = Proposal.objects.select_related("organisation", "round", "window").get(
        pk=proposal_pk
    )
    recipients = contact_addresses(proposal.organisation_id)
    if not recipients:
        return
    emails.queue(
        "proposals/submitted",
        {
            "proposal": proposal,
            "link": settings.SERVICE_URL + reverse("proposal-status", kwargs={"pk": proposal.pk}),
        },
        recipients,
        key=f"submitted:{proposal.pk}",
    )


def next_round_for(proposal, when=None):
    """The round a draft that missed its deadline could be copied into: one
    open now that takes its type, or else the next to open. (round, is_open),
    or (None, False) when no later round is known yet."""
    when = when or clock.now()
    for round_ in Round.objects.open_at(when).exclude(pk=proposal.round_id).order_by("deadline"):
        if round_.accepts(proposal.accreditation_type):
            return round_, True
    for round_ in Round.objects.upcoming(when):
        if round_.accepts(proposal.accreditation_type):
            return round_, False
    return None, False


def rounds_to_copy_into(organisation, rounds):
    """Each of ``rounds`` (open ones) with the types ``start_options``
    lets the organisation start there, in one query however many rounds."""
    live = set(
        Proposal.objects.filter(organisation=organisation, round__in=rounds)
        .exclude(status=Status.WITHDRAWN)
        .values_list("round_id", "accreditation_type")
    )
    standing = eligibility.standing_of(organisation)
    return [
        (
            round_,
            {
                v.accreditation_type
                for v in eligibility.verdicts(organisation, round_, standing)
                if v.eligible and (round_.pk, v.accreditation_type) not in live
            },
        )
        for round_ in rounds
    ]


def copy_round(proposal, targets):
    """The first round of ``targets`` (from :func:`rounds_to_copy_into`) that
    a copy of ``proposal`` can really go to: not its own, and taking its type
    from its organisation. None if there is none, or it cannot be copied
    (one whose decision the applicant has not been told cannot yet)."""
    if not proposal.is_copyable or decision_untold(proposal):
        return None
    return next(
        (
            round_
            for round_, types in targets
            if round_.pk != proposal.round_id and proposal.accreditation_type in types
        ),
        None,
    )


def withdraw(proposal, actor, reason):
    """Withdraw the proposal; its organisation's contacts are told who did,
    when and why (a colleague may have)."""
    reason = reason.strip()
    with transaction.atomic():
        event = move(proposal, Action.WITHDRAW, actor, details={"reason": reason})
        recipients = contact_addresses(proposal.organisation_id)
        if recipients:
            withdrawn = Proposal.objects.select_related("organisation", "round", "window").get(
                pk=proposal.pk
            )
            emails.queue(
                "proposals/withdrawn",
                {
                    "proposal": withdrawn,
                    "withdrawn_by": actor.full_name or actor.email,
                    "withdrawn_at": event.created_at,
                    "reason": reason,
                    "link": settings.SERVICE_URL
                    + reverse("proposal-status", kwargs={"pk": proposal.pk}),
                },
                recipients,
                key=f"withdrawn:{proposal.pk}",
            )
    return event


def copy_to_new_draft(proposal, *, period, actor):
    """A lapsed or unsuccessful proposal carried into a new draft in a later
    round; answers carry over by criterion code."""
    require(actor, "proposals.view_proposal", proposal)
    if decision_untold(proposal):
        # Said alike whatever the decision: the letter tells it.
        raise ProposalError(
            "This proposal’s letter has not been issued yet: it can be copied once it has, if "
            "it is not accredited."
        )
    if not proposal.is_copyable:
        raise ProposalError("Only a lapsed or unsuccessful proposal can be copied.")
    if proposal.period == period:
        raise ProposalError("Choose a later round.")
    with transaction.atomic():
        draft = start_proposal(
            organisation=proposal.organisation,
            period=period,
            accreditation_type=proposal.accreditation_type,
            actor=actor,
        )
        draft.route = proposal.route
        draft.leads_majority_trust = proposal.leads_majority_trust
        draft.leads_federation = proposal.leads_federation
        draft.seeks_new_faith_provision = proposal.seeks_new_faith_provision
        draft.new_provision_statement = proposal.new_provision_statement
        draft.copied_from = proposal
        draft.save()
        by_code = {c.code: c for c in _criteria(draft.framework_id)}
        Answer.objects.bulk_create(
            [
                Answer(
                    proposal=draft,
                    criterion=by_code[answer.criterion.code],
                    party=answer.party,
                    text=answer.text,
                    updated_by=actor,
                )
                for answer in proposal.answers.select_related("criterion")
                if answer.criterion.code in by_code
            ]
        )
        SchoolLed.objects.bulk_create(
            [
                SchoolLed(
                    proposal=draft,
                    name=s.name,
                    urn=s.urn,
                    local_authority_id=s.local_authority_id,
                    partnership=s.partnership,
                    since=s.since,
                )
                for s in proposal.schools_led.all()
            ]
        )
        old_partner = getattr(proposal, "co_partner", None)
        if old_partner is not None:
            old_partner.pk = None
            old_partner.proposal = draft
            old_partner.save()
        timeline.record(draft, "copied", actor, details={"from": proposal.reference or proposal.pk})
    return draft


def _criteria(framework_id):
    from accreditation.models import Criterion

    return Criterion.objects.filter(part__framework_id=framework_id)
