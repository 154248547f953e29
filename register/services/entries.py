"""Decisions make and change register entries, at once and in bulk: a few
queries for any number of cases moved together."""

from collections import defaultdict

from django.apps import apps

from accreditation import clock
from accreditation.models import LocalAuthority, Membership
from accreditation.models.organisations import MAINTAINED_SCHOOL_KINDS
from accreditation.workflow import Action, Status
from register.models import EntryState, EventKind, RegisterEntry, RegisterEvent
from register.queries import kept
from register.services import co_partners
from register.services.details import record_details_updated


def record_decisions(action, cases, events):
    """Bring the register up to date with cases the workflow just moved
    (inside the moving transaction): an accredited decision (or a decision
    corrected to accredited) creates, changes or reinstates the
    organisation's entry; a decision corrected to not accredited takes the
    entry it made off the register (the entry and its history are kept)."""
    accredited = [
        (c, e) for c, e in zip(cases, events, strict=True) if e.to_status == Status.ACCREDITED
    ]
    corrected = [
        (c, e)
        for c, e in zip(cases, events, strict=True)
        if action == Action.CORRECT_DECISION and e.to_status == Status.NOT_ACCREDITED
    ]
    if accredited:
        _accredit(accredited, corrected=action == Action.CORRECT_DECISION)
    if corrected:
        _withdraw(corrected)


def _locked_entries(organisation_ids):
    return {
        entry.organisation_id: entry
        for entry in RegisterEntry.objects.select_for_update().filter(
            organisation_id__in=organisation_ids
        )
    }


class _Facts:
    """What the entries of some cases are built from, read in one query each."""

    def __init__(self, cases):
        SchoolLed = apps.get_model("proposals", "SchoolLed")
        self.schools = defaultdict(list)
        for school in (
            SchoolLed.objects.filter(proposal__in=[c.pk for c in cases])
            .select_related("local_authority")
            .order_by("name", "pk")
        ):
            self.schools[school.proposal_id].append(school)
        self.co_partners = {
            partner.proposal_id: partner
            for partner in apps.get_model("proposals", "CoPartner").objects.filter(
                proposal__in=[c.pk for c in cases]
            )
        }
        self.contact = {}
        for organisation_id, email in (
            Membership.objects.filter(
                organisation__in={c.organisation_id for c in cases},
                is_contact=True,
                user__is_active=True,
            )
            .order_by("user__email")
            .values_list("organisation_id", "user__email")
        ):
            self.contact.setdefault(organisation_id, email)
        self.region = dict(
            LocalAuthority.objects.filter(
                pk__in={c.organisation.local_authority_id for c in cases}
            ).values_list("pk", "region_id")
        )

    def fill(self, entry, case):
        """Copy the case's and its organisation's facts onto ``entry``;
        returns the LAs it will work in."""
        organisation = case.organisation
        schools = self.schools[case.pk]
        entry.case = case
        entry.accreditation_type = case.accreditation_type
        entry.name = organisation.name
        entry.kind = organisation.kind
        entry.phase = organisation.phase
        entry.faith_designation = organisation.faith_designation
        entry.local_authority_id = organisation.local_authority_id
        entry.region_id = self.region[organisation.local_authority_id]
        entry.leads_majority_trust = case.leads_majority_trust
        # Only a maintained school can lead a federation (prospectus 2.13),
        # whatever a proposal said.
        entry.leads_federation = (
            case.leads_federation and organisation.kind in MAINTAINED_SCHOOL_KINDS
        )
        entry.schools_led = [
            {"name": s.name, "urn": s.urn, "local_authority": s.local_authority.name}
            for s in schools
        ]
        # What the provider keeps current itself stays as it set it.
        entry.contact_email = entry.contact_email or self.contact.get(organisation.pk, "")
        partner = self.co_partners.get(case.pk)
        if partner is not None and case.has_co_partner_route:
            entry.co_partner_name, entry.co_partner_kind = partner.name, partner.kind
        return {organisation.local_authority_id} | {s.local_authority_id for s in schools}


FIELDS = [
    "case",
    "state",
    "accreditation_type",
    "name",
    "kind",
    "phase",
    "faith_designation",
    "local_authority",
    "region",
    "leads_majority_trust",
    "leads_federation",
    "schools_led",
    "more_schools",
    "contact_email",
    "co_partner_name",
    "co_partner_kind",
    "accredited_since",
    "updated_at",
    "notice_given_at",
    "response_due",
    "revocation_reason",
]


def _accredit(pairs, *, corrected):
    entries = _locked_entries({case.organisation_id for case, _ in pairs})
    facts = _Facts([case for case, _ in pairs])
    new, changed, works_in, history = {}, {}, {}, []
    for case, event in pairs:
        when = event.created_at
        entry = entries.get(case.organisation_id)
        if entry is None:
            entry = RegisterEntry(organisation_id=case.organisation_id, accredited_since=when)
            kind, before = EventKind.ACCREDITED, None
            new[case.organisation_id] = entry
        else:
            before = entry.accreditation_type
            if entry.state in (EntryState.REVOKED, EntryState.REMOVED):
                kind = EventKind.REINSTATED
                entry.state, entry.accredited_since = EntryState.CURRENT, when
                entry.notice_given_at = entry.response_due = None
                entry.revocation_reason = ""
            elif before != case.accreditation_type:
                kind = EventKind.TYPE_CHANGED
            else:
                kind = EventKind.ACCREDITED
            if entry.pk:
                changed[case.organisation_id] = entry
        if kind == EventKind.REINSTATED or corrected:
            # The co-partner stood on the case that ended; the case the entry
            # now stands on brings its own, if it has one.
            entry.co_partner_name = entry.co_partner_kind = ""
        entries[case.organisation_id] = entry
        works_in[case.organisation_id] = facts.fill(entry, case)
        entry.updated_at = when
        details = {"reference": case.reference or ""}
        if before and before != case.accreditation_type:
            details["from_type"] = before
        if corrected:
            details["decision_corrected"] = True
        history.append((case.organisation_id, kind, case, event.actor_id, details, when))
    # In batches: a statement bound on the server takes at most 65,535 values.
    RegisterEntry.objects.bulk_create(new.values(), batch_size=1000)
    RegisterEntry.objects.bulk_update(changed.values(), FIELDS, batch_size=1000)
    _set_works_in(entries, works_in)
    RegisterEvent.objects.bulk_create(
        (
            RegisterEvent(
                entry=entries[organisation_id],
                kind=kind,
                accreditation_type=case.accreditation_type,
                case=case,
                actor_id=actor_id,
                details=details,
                created_at=when,
            )
            for organisation_id, kind, case, actor_id, details, when in history
        ),
        batch_size=1000,
    )
    kept.changed()  # the bulk writes above send no signal


def _set_works_in(entries, works_in):
    Through = RegisterEntry.works_in.through
    entry_ids = [entries[organisation_id].pk for organisation_id in works_in]
    Through.objects.filter(registerentry_id__in=entry_ids).delete()
    Through.objects.bulk_create(
        (
            Through(registerentry_id=entries[organisation_id].pk, localauthority_id=la)
            for organisation_id, las in works_in.items()
            for la in sorted(las)
        ),
        batch_size=1000,
    )


def _withdraw(pairs):
    """A decision corrected to not accredited: the entry it made stands on
    the organisation's other accredited case if it has one (an ASG decision
    corrected leaves its ASP accreditation), or leaves the register."""
    Proposal = apps.get_model("proposals", "Proposal")
    entries = _locked_entries({case.organisation_id for case, _ in pairs})
    for case, event in pairs:
        entry = entries.get(case.organisation_id)
        if entry is None or entry.case_id != case.pk or entry.state == EntryState.REVOKED:
            continue
        standing = (
            Proposal.objects.filter(organisation=case.organisation_id, status=Status.ACCREDITED)
            .exclude(pk=case.pk)
            .select_related("organisation")
            .order_by("-submitted_at", "-pk")
            .first()
        )
        when = event.created_at
        if standing is not None:
            _accredit([(standing, event)], corrected=True)
            continue
        entry.state, entry.updated_at = EntryState.REMOVED, when
        co_partners.close_open_changes(entry, when)
        entry.notice_given_at = entry.response_due = None
        entry.save(update_fields=["state", "updated_at", "notice_given_at", "response_due"])
        RegisterEvent.objects.create(
            entry=entry,
            kind=EventKind.REMOVED,
            accreditation_type=entry.accreditation_type,
            case=case,
            actor_id=event.actor_id,
            details={"reference": case.reference or "", "decision_corrected": True},
            created_at=when,
        )


PROFILE_SHOWN = ("name", "kind", "phase", "faith_designation", "local_authority")
"""What the register shows of a provider's profile."""


def follow_profile(organisation, actor=None):
    """The provider changed its profile: its entry shows the new name, kind,
    phase, faith designation and place (and will work where it now is). Its
    "Last updated" moves and its history says what changed, as the public
    reads it, only when one of these did."""
    entry = (
        RegisterEntry.objects.select_for_update()
        .select_related("local_authority")
        .filter(organisation=organisation)
        .first()
    )
    if entry is None:
        return
    local_authority = LocalAuthority.objects.get(pk=organisation.local_authority_id)
    now_shown = {
        "name": organisation.name,
        "kind": organisation.get_kind_display(),
        "phase": organisation.get_phase_display(),
        "faith_designation": organisation.get_faith_designation_display(),
        "local_authority": local_authority.name,
    }
    was_shown = {
        "name": entry.name,
        "kind": entry.get_kind_display(),
        "phase": entry.get_phase_display(),
        "faith_designation": entry.get_faith_designation_display(),
        "local_authority": entry.local_authority.name,
    }
    changes = {
        field: [was_shown[field], now_shown[field]]
        for field in PROFILE_SHOWN
        if was_shown[field] != now_shown[field]
    }
    if not changes:
        return
    entry.name = organisation.name
    entry.kind = organisation.kind
    entry.phase = organisation.phase
    entry.faith_designation = organisation.faith_designation
    entry.local_authority = local_authority
    entry.region_id = local_authority.region_id
    entry.updated_at = clock.now()
    entry.save(
        update_fields=[
            "name",
            "kind",
            "phase",
            "faith_designation",
            "local_authority",
            "region",
            "updated_at",
        ]
    )
    entry.works_in.add(local_authority)
    record_details_updated(entry, actor, changes, entry.updated_at)
