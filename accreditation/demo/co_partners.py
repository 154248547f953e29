"""The demo's register details and co-partners: some providers say how many
more schools they can take on, one took on a co-partner and later changed
it (its history keeps the first), and one's proposed co-partner waits for
the casework officer. Played through the services, once."""

from accreditation.models import LocalAuthority, Membership, OrganisationKind, User
from register.models import CoPartnerChange, EntryState, RegisterEntry
from register.services import co_partners, details

PARTNERS = (
    ("Brookside Primary School", OrganisationKind.MAINTAINED_PRIMARY),
    ("Northgate Teaching School Alliance", OrganisationKind.ACADEMY_TRUST),
    ("Harbour Learning Trust", OrganisationKind.ACADEMY_TRUST),
)


def _member(entry):
    membership = (
        Membership.objects.filter(organisation=entry.organisation, user__is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership else None


def _propose(entry, member, name, kind):
    change = co_partners.start(
        entry,
        actor=member,
        name=name,
        kind=kind,
        local_authority=LocalAuthority.objects.get(pk=entry.local_authority_id),
        contact_name="Sam Patel",
        contact_email="partnerships@example.org",
        role_in_partnership="Leads the curriculum and assessment work in each school we support.",
    )
    for criterion in co_partners.criteria(change.framework, entry.accreditation_type):
        co_partners.save_answer(
            change,
            criterion=criterion,
            text=f"{name} has led improvement in three primary schools since 2004; "
            f"evidence for {criterion.title.lower()} follows.",
            version=0,
            actor=member,
        )
    return co_partners.submit(change, actor=member)


def _meets(change, officer):
    scores = [
        co_partners.Score(criterion, 3, "Clear evidence over several years.")
        for criterion in co_partners.criteria(change.framework, change.entry.accreditation_type)
    ]
    co_partners.decide(change, actor=officer, scores=scores, meets=True, reason="")


def seed(seeder):
    if CoPartnerChange.objects.exists():
        return
    officer = User.objects.get(email__iexact="caseworker@example.org")
    entries = [
        (entry, member)
        for entry in RegisterEntry.objects.filter(state=EntryState.CURRENT).order_by("name")[:8]
        if (member := _member(entry)) is not None
    ]
    for number, (entry, member) in enumerate(entries[:5]):
        details.update_details(
            entry,
            actor=member,
            more_schools=min(number + 1, details.MORE_SCHOOLS_MAX[entry.accreditation_type]),
            contact_email=entry.contact_email or "contact@example.org",
        )
    if len(entries) < 2:
        return
    entry, member = entries[0]
    _meets(_propose(entry, member, *PARTNERS[0]), officer)
    _meets(_propose(entry, member, *PARTNERS[1]), officer)
    entry, member = entries[1]
    _propose(entry, member, *PARTNERS[2])
    seeder.created["co-partner changes"] += 3
