"""The parts a person holds in one case, resolved in one place.

Staff roles are global (a person may be a casework officer and an assessor),
but what a person may do to a case depends on their part in *that* case: the
assessor assigned to it, the chair of the meeting it is on, a decision
official with no part in it, nobody with a conflict. ``resolve()`` answers
that for one case or for many at once, with the same few queries whatever the
number of cases.

The spine knows only organisations and global roles. The apps that hold
assignments, conflicts and meetings register a *provider* at start-up (from
their ``AppConfig.ready``); the spine never imports them.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import models

from accreditation.roles import Role


class CaseRole(models.TextChoices):
    APPLICANT = "applicant", "Member of the applicant organisation"
    CASEWORK_OFFICER = "casework_officer", "Casework officer"
    ASSESSOR = "assessor", "Assigned assessor"
    SECOND_ASSESSOR = "second_assessor", "Second assessor"
    MEETING_CHAIR = "meeting_chair", "Chair of the case's Advisory Group meeting"
    MEETING_MEMBER = "meeting_member", "Member of the case's Advisory Group meeting"
    DECISION_OFFICIAL = "decision_official", "Decision official"
    SYSTEM = "system", "The service's scheduled work"


STAFF_CASE_ROLES = frozenset(set(CaseRole) - {CaseRole.APPLICANT, CaseRole.SYSTEM})

PARTS = frozenset(
    {
        CaseRole.ASSESSOR,
        CaseRole.SECOND_ASSESSOR,
        CaseRole.MEETING_CHAIR,
        CaseRole.MEETING_MEMBER,
    }
)
"""Holding any of these is a part in the case, so its holder may not decide it
(nor a concern about it)."""


@dataclass(frozen=True)
class CaseRef:
    """What providers need to know of a case, read in one query for all."""

    pk: int
    organisation_id: int
    local_authority_id: int | None


@dataclass
class Findings:
    """What one provider found about one actor and some cases."""

    roles: dict = field(default_factory=lambda: defaultdict(set))
    conflicted: set = field(default_factory=set)
    """Cases the actor may not act on as staff (a declared or standing conflict)."""
    parts: set = field(default_factory=set)
    """Cases the actor had a part in, even one since ended (a former assessor)."""


_providers = []


def provider(function):
    """Register ``function(refs, actor) -> Findings``. It must make a constant
    number of queries, whatever the number of ``refs``."""
    if function not in _providers:
        _providers.append(function)
    return function


def _refs(cases):
    """The cases' references: from the cases themselves where their
    organisation is loaded already, from the database for the rest."""
    cases = list(cases)
    if not cases:
        return []
    model = type(cases[0])
    loaded = [case for case in cases if model.organisation.is_cached(case)]
    refs = [
        CaseRef(case.pk, case.organisation_id, case.organisation.local_authority_id)
        for case in loaded
    ]
    rest = [case.pk for case in cases if not model.organisation.is_cached(case)]
    if rest:
        rows = model.objects.filter(pk__in=rest).values_list(
            "pk", "organisation_id", "organisation__local_authority_id"
        )
        refs += [CaseRef(*row) for row in rows]
    return refs


def resolve_many(cases, actor):
    """{case pk: frozenset of CaseRole} for ``actor`` on each of ``cases``."""
    cases = list(cases)
    if actor is None:
        return {case.pk: frozenset({CaseRole.SYSTEM}) for case in cases}
    if not actor.is_active:
        return {case.pk: frozenset() for case in cases}
    refs = _refs(cases)
    roles = defaultdict(set)
    conflicted, parts = set(), set()
    for function in _providers:
        findings = function(refs, actor)
        for pk, found in findings.roles.items():
            roles[pk] |= set(found)
        conflicted |= findings.conflicted
        parts |= findings.parts
    result = {}
    for case in cases:
        held = roles[case.pk]
        if case.pk in conflicted:
            held -= STAFF_CASE_ROLES
        if case.pk in parts or held & PARTS:
            held.discard(CaseRole.DECISION_OFFICIAL)
        result[case.pk] = frozenset(held)
    return result


_REMEMBERED = "_case_roles_remembered"


def resolve(case, actor):
    """The CaseRoles ``actor`` holds on ``case`` (those ``remember`` kept on
    this very instance for this actor, if any)."""
    remembered = case.__dict__.get(_REMEMBERED)
    if remembered is not None and actor is not None and remembered[0] == actor.pk:
        return remembered[1]
    return resolve_many([case], actor)[case.pk]


def remember(case, actor):
    """Resolve ``actor``'s roles on ``case`` once and keep them on this
    instance, so that every later check of the same instance for the same
    actor (the rules' predicates, the page's template tags) reads them
    instead of asking the database again.

    For pages that only read. The instance is the request's own and dies
    with it, so the roles never outlive the request; a service that changes
    someone's part in a case does so on its own locked copy of the row,
    which holds nothing remembered."""
    roles = resolve(case, actor)
    case.__dict__[_REMEMBERED] = (actor.pk, roles)
    return roles


@provider
def organisation_and_global_roles(refs, actor):
    """Members of the case's organisation act for it as applicants, and are in
    standing conflict with it as staff. Casework officers and decision
    officials act on any case they are not conflicted with."""
    findings = Findings()
    organisation_ids = {ref.organisation_id for ref in refs}
    member_of = set(
        actor.memberships.filter(organisation_id__in=organisation_ids).values_list(
            "organisation_id", flat=True
        )
    )
    global_roles = set()
    if actor.has_role(Role.CASEWORK_OFFICER):
        global_roles.add(CaseRole.CASEWORK_OFFICER)
    if actor.has_role(Role.DECISION_OFFICIAL):
        global_roles.add(CaseRole.DECISION_OFFICIAL)
    applicant = actor.has_role(Role.APPLICANT)
    for ref in refs:
        findings.roles[ref.pk] |= global_roles
        if ref.organisation_id in member_of:
            findings.conflicted.add(ref.pk)
            if applicant:
                findings.roles[ref.pk].add(CaseRole.APPLICANT)
    return findings
