"""The parts a person holds in one case, resolved in one place.

Staff roles are global (a person may be a casework officer and an assessor),
but what a person may do to a case depends on their part in *that* case: the
assessor assigned to it, the chair of the meeting it is on, a decision
official with no part in it, nobody with a conflict. ``resolve()`` answers
that for one case or for many at once, in one query whatever the number of
cases.

The spine knows only organisations and global roles. The apps that hold
assignments, conflicts and meetings register a *provider* at start-up (from
their ``AppConfig.ready``); the spine never imports them. A provider asks
its question as annotations on the query that reads the cases, so a page
can read a case and its viewer's roles together (``with_roles``).
"""

from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connections, models
from django.db.models import Exists, OuterRef, Value

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

ADVISING = frozenset({CaseRole.MEETING_CHAIR, CaseRole.MEETING_MEMBER})
"""The Advisory Group's parts in a case: a view on it, or its advice."""


@dataclass(frozen=True)
class Found:
    """What one provider found about the actor and one case."""

    roles: frozenset = frozenset()
    conflicted: bool = False
    """The actor may not act on the case as staff (a declared or standing
    conflict)."""
    part: bool = False
    """The actor had a part in the case, even one since ended (a former
    assessor)."""
    excludes: frozenset = frozenset()
    """Roles the actor may not hold on the case, whatever gives them: staff
    roles are combined on one person, never on one case (its assessor, now
    or before, does not advise on it)."""


@dataclass(frozen=True)
class Question:
    """What a provider asks of each case about one actor: ``annotations``
    (name: expression over the case, ``OuterRef`` to its fields) read with
    the cases, and ``read(values) -> Found`` of one case's values of them."""

    annotations: dict = field(default_factory=dict)
    read: Callable = lambda values: Found()


_providers = []


def provider(function):
    """Register ``function(actor) -> Question``. Every provider's question is
    asked in the one query that reads the cases, so resolving costs one
    query whatever the number of cases and of providers.

    A question may depend on the actor's pk, whether they are active and
    their roles, and on nothing else: the questions, and the SQL that asks
    them, are kept by those (``_kept``). Its ``read`` gets the values as the
    database gives them (a boolean may be 0 or 1)."""
    if function not in _providers:
        _providers.append(function)
    return function


_ACTOR = "roles_actor"


_kept = {}
"""Building every provider's question takes milliseconds of the ORM's time,
and compiling the query that asks them as many again: each process keeps
both, by what a question may depend on (``provider``), for the next request
or move of the same person (on the one database the service uses). Dropped
wholesale when full (``_KEEP_AT_MOST`` entries)."""
_KEEP_AT_MOST = 500


def _keep(key, build):
    value = _kept.get(key)
    if value is None:
        if len(_kept) >= _KEEP_AT_MOST:
            _kept.clear()
        value = _kept[key] = build()
    return value


def _actor_key(actor):
    return (actor.pk, actor.is_active, actor.role_names)


def _questions(actor):
    """Every provider's question for ``actor``, built once per process for
    each person and roles they hold. Annotating with them copies their
    expressions, so the same questions serve every query, in any thread."""
    return _keep(
        ("questions", *_actor_key(actor)),
        lambda: [(f"roles_{index}_", function(actor)) for index, function in enumerate(_providers)],
    )


def _annotations(actor, questions):
    annotations = {_ACTOR: Value(actor.pk)}
    for prefix, question in questions:
        for name, expression in question.annotations.items():
            annotations[prefix + name] = expression
    return annotations


def _judge(values, questions):
    held, conflicted, part, excluded = set(), False, False, set()
    for prefix, question in questions:
        found = question.read({name: values[prefix + name] for name in question.annotations})
        held |= found.roles
        conflicted |= found.conflicted
        part |= found.part
        excluded |= found.excludes
    held -= excluded
    if conflicted:
        held -= STAFF_CASE_ROLES
    if part or held & PARTS:
        held.discard(CaseRole.DECISION_OFFICIAL)
    return frozenset(held)


_remembered = ContextVar("case_roles_remembered", default=None)


@contextmanager
def remembering():
    """Resolve each person's parts in each case once within this block: for
    a request that changes nothing (``CaseRolesMiddleware``), whose page
    asks the same question of a case in its permission check and again in
    its template. What ``remembered`` reads is read once in it too."""
    token = _remembered.set({})
    try:
        yield
    finally:
        _remembered.reset(token)


def is_remembering():
    """Whether this is inside ``remembering()``: a request that changes nothing."""
    return _remembered.get() is not None


def remembered(key, read):
    """``read()``, read once per ``key`` inside ``remembering()`` (a key of
    the caller's own: a tuple that starts with a string, never a person's
    and a case's pks); outside it, read each time."""
    memory = _remembered.get()
    if memory is None:
        return read()
    if key not in memory:
        memory[key] = read()
    return memory[key]


def keep(key, value):
    """Keep ``value`` as what ``remembered`` gives for ``key`` inside
    ``remembering()``: what the request has just read for itself (the
    membership through which it chose the person's organisation, say).
    Outside it, nothing is kept."""
    memory = _remembered.get()
    if memory is not None:
        memory[key] = value


def resolve_many(cases, actor, *, fresh=False):
    """{case pk: frozenset of CaseRole} for ``actor`` on each of ``cases``:
    one query, or none for cases already resolved inside ``remembering()``
    (unless ``fresh``: a move judges the parts held when its rows are locked)."""
    cases = list(cases)
    if actor is None:
        return {case.pk: frozenset({CaseRole.SYSTEM}) for case in cases}
    if not actor.is_active or not cases:
        return {case.pk: frozenset() for case in cases}
    memory = None if fresh else _remembered.get()
    if memory is None:
        return _resolve(cases, actor)
    known = {case.pk: memory[actor.pk, case.pk] for case in cases if (actor.pk, case.pk) in memory}
    missing = [case for case in cases if case.pk not in known]
    if missing:
        for pk, held in _resolve(missing, actor).items():
            memory[actor.pk, pk] = known[pk] = held
    return known


def _compiled(model, actor, questions, pks):
    """The SQL that reads every question for ``len(pks)`` cases, and its
    parameters but the cases' pks, which come last: the query has no
    ordering, grouping or limit after its filter on them."""
    annotations = _annotations(actor, questions)
    queryset = (
        model.objects.filter(pk__in=pks)
        .order_by()
        .annotate(**annotations)
        .values("pk", *annotations)
    )
    sql, params = queryset.query.get_compiler(queryset.db).as_sql()
    if list(params[len(params) - len(pks) :]) != pks:
        raise AssertionError("The cases' pks are not the query's last parameters")
    return queryset.db, sql, tuple(params[: len(params) - len(pks)])


def _resolve(cases, actor):
    questions = _questions(actor)
    model = type(cases[0])
    # Each case once: the query's filter drops repeated pks.
    pks = list(dict.fromkeys(case.pk for case in cases))
    database, sql, params = _keep(
        ("sql", model, len(pks), *_actor_key(actor)),
        lambda: _compiled(model, actor, questions, pks),
    )
    with connections[database].cursor() as cursor:
        cursor.execute(sql, (*params, *pks))
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    found = {row["pk"]: _judge(row, questions) for row in rows}
    return {case.pk: found.get(case.pk, frozenset()) for case in cases}


_REMEMBERED = "_case_roles_remembered"


def resolve(case, actor):
    """The CaseRoles ``actor`` holds on ``case`` (those ``remember`` kept on
    this very instance for this actor, if any)."""
    remembered = case.__dict__.get(_REMEMBERED)
    if remembered is not None and actor is not None and remembered[0] == actor.pk:
        return remembered[1]
    return resolve_many([case], actor)[case.pk]


def with_roles(queryset, actor):
    """``queryset`` of cases with what resolving ``actor``'s roles asks read
    in the same query, for ``remember`` to judge with no query of its own."""
    if actor is None or not actor.is_active:
        return queryset
    return queryset.annotate(**_annotations(actor, _questions(actor)))


def remember(case, actor):
    """Resolve ``actor``'s roles on ``case`` once and keep them on this
    instance, so that every later check of the same instance for the same
    actor (the rules' predicates, the page's template tags) reads them
    instead of asking the database again. A case read ``with_roles`` for
    this actor is judged from what was read with it.

    For pages that only read. The instance is the request's own and dies
    with it, so the roles never outlive the request; a service that changes
    someone's part in a case does so on its own locked copy of the row,
    which holds nothing remembered."""
    if actor is not None and case.__dict__.get(_ACTOR) == actor.pk:
        roles = _judge(case.__dict__, _questions(actor))
    else:
        roles = resolve(case, actor)
    case.__dict__[_REMEMBERED] = (actor.pk, roles)
    return roles


@provider
def organisation_and_global_roles(actor):
    """Members of the case's organisation act for it as applicants, and are in
    standing conflict with it as staff. Casework officers and decision
    officials act on any case they are not conflicted with."""
    Membership = apps.get_model("accreditation", "Membership")
    global_roles = set()
    if actor.has_role(Role.CASEWORK_OFFICER):
        global_roles.add(CaseRole.CASEWORK_OFFICER)
    if actor.has_role(Role.DECISION_OFFICIAL):
        global_roles.add(CaseRole.DECISION_OFFICIAL)
    applicant = actor.has_role(Role.APPLICANT)

    def read(values):
        member = values["member"]
        roles = global_roles | ({CaseRole.APPLICANT} if member and applicant else set())
        return Found(frozenset(roles), conflicted=member)

    member = Membership.objects.filter(user=actor, organisation_id=OuterRef("organisation_id"))
    return Question({"member": Exists(member)}, read)
