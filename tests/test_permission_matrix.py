"""Every URL pattern × every role × GET and POST, generated from the URL
resolver, so every page added later is in it without anyone remembering.

The objects in the URLs belong to the *victim* organisations. For each
pattern whose address names such an object, a role that has no business
with it gets 404 (or 403 where the role may use the kind of page but not on
this object), anonymous people are sent to sign in, and the one role that
may (the victim's own member, or the staff role the page is for) really
reaches it — so the test cannot pass by pointing at nothing. No response is
ever a server error, and every response to a signed-in person is
``Cache-Control: no-store``.

A pattern with a keyword this module does not know fails the test, loudly:
say here which object of the victim it names.
"""

import re
from collections import deque
from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter
from django.urls.resolvers import RoutePattern
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accreditation import clock
from accreditation.models import OrganisationKind
from accreditation.roles import Role
from accreditation.services import activity
from assessments.models import AssessorCapacity, Assignment, Recommendation
from assessments.services import requests
from feedback.services import concerns
from proposals.models import Route
from proposals.queries.journey import Journey
from proposals.services import applicant as services
from register.services import co_partners, revocation
from tests.casework import give_part, person_with, sign_in_verified
from tests.factories import (
    AgendaItemFactory,
    ConflictFactory,
    EvidenceFactory,
    InvitationFactory,
    LetterFactory,
    MeetingFactory,
    MembershipFactory,
    OutOfRoundRequestFactory,
    ProposalFactory,
    RegisterEntryFactory,
    RoundFactory,
    SchoolLedFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ANONYMOUS, OWNER, OUTSIDER = "anonymous", "member of the owning organisation", "outsider"
STAFF = [
    Role.CASEWORK_OFFICER,
    Role.ASSESSOR,
    Role.ADVISORY_GROUP_MEMBER,
    Role.DECISION_OFFICIAL,
    Role.ADMINISTRATOR,
]
ROLES = [ANONYMOUS, OUTSIDER, *STAFF, OWNER]
SIGN_IN = "/account/sign-in/"
MISSING = 999_999_999


# --- The URL patterns ------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    route: str  # like "proposals/<id:pk>/documents/<id:doc>/download/"
    name: str
    converters: dict

    @property
    def kwargs(self):
        return sorted(self.converters)


def patterns(resolver=None, prefix="", converters=None):
    """Every URL pattern the resolver holds, with its full route."""
    resolver = resolver or get_resolver()
    converters = converters or {}
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver) and entry.app_name == "admin":
            # The Django admin answers for its whole site at once (administrators
            # past the second factor): tests/test_admin.py tries every role on it.
            continue
        route = prefix + str(entry.pattern)
        merged = {**converters, **entry.pattern.converters}
        if not isinstance(entry.pattern, RoutePattern):
            pytest.fail(
                f"{route!r} is a regular-expression pattern: write it with path() and "
                "converters, so this matrix can fill it in.",
                pytrace=False,
            )
        if isinstance(entry, URLResolver):
            yield from patterns(entry, route, merged)
        elif isinstance(entry, URLPattern):
            yield Pattern(route, entry.name or route, merged)


ALL_PATTERNS = sorted(patterns(), key=lambda p: p.route)


# --- What each keyword names ----------------------------------------------------------
#
# (route prefix, keyword) -> (what it is, how to read it from the world).
# "object": an object of the victim, under access control.
# "value": not a secret and not an object (a kind, a criterion code).
# "capability": a secret token; whoever holds it may use it by design.

KWARGS = {
    ("proposals/", "pk"): ("object", lambda w, p: w.proposal_for(p).pk),
    ("proposals/", "doc"): ("object", lambda w, p: w.evidence.pk),
    ("proposals/", "school"): ("object", lambda w, p: w.school.pk),
    ("proposals/", "code"): ("value", lambda w, p: w.question.criterion.code),
    ("proposals/", "party"): ("value", lambda w, p: w.question.party),
    ("out-of-round/", "pk"): ("object", lambda w, p: w.out_of_round.pk),
    ("staff/out-of-round/", "pk"): ("object", lambda w, p: w.out_of_round.pk),
    ("staff/cases/", "pk"): ("object", lambda w, p: w.case.pk),
    ("staff/cases/<id:pk>/requests/", "pk"): (
        "object",
        lambda w, p: w.sent_document.request.case_id,
    ),
    ("staff/cases/<id:pk>/requests/", "doc"): ("object", lambda w, p: w.sent_document.pk),
    ("proposals/<id:pk>/information-request/", "pk"): (
        "object",
        lambda w, p: w.request_case.pk,
    ),
    ("proposals/<id:pk>/information-request/", "doc"): (
        "object",
        lambda w, p: w.request_document.pk,
    ),
    ("staff/screening/", "pk"): ("object", lambda w, p: w.case.pk),
    ("staff/decisions/", "pk"): ("object", lambda w, p: w.awaiting_case.pk),
    ("staff/conflicts/", "pk"): ("object", lambda w, p: w.conflict.pk),
    ("staff/conflicts/suggestions/", "pk"): ("object", lambda w, p: w.suggested.pk),
    ("staff/assignment/", "round"): ("object", lambda w, p: w.case.round_id),
    ("staff/rounds/", "pk"): ("object", lambda w, p: w.case.round_id),
    ("staff/rounds/calendar/", "term"): ("value", lambda w, p: "spring"),
    # A round's report (and its CSV): the victim's case's round.
    ("staff/reports/", "pk"): ("object", lambda w, p: w.case.round_id),
    # An assessor's pages of a case: the case the staff assessor is assigned to.
    **{
        (f"staff/cases/<id:pk>/{page}/", "pk"): ("object", lambda w, p: w.scored_case.pk)
        for page in ("scores", "quality-assurance", "recommendation", "documents")
    },
    # Feedback the assessor writes after a decision against their recommendation.
    ("staff/cases/<id:pk>/feedback/", "pk"): ("object", lambda w, p: w.feedback_case.pk),
    ("staff/cases/<id:pk>/documents/", "doc"): ("object", lambda w, p: w.scored_evidence.pk),
    # Letters: an issued letter of the victim's case; a preview of the
    # scored case's letter, before issue.
    ("proposals/<id:pk>/letters/", "pk"): ("object", lambda w, p: w.letter.case_id),
    ("proposals/<id:pk>/letters/", "letter"): ("object", lambda w, p: w.letter.pk),
    ("staff/cases/<id:pk>/letters/", "pk"): ("object", lambda w, p: w.letter.case_id),
    ("staff/cases/<id:pk>/letters/", "letter"): ("object", lambda w, p: w.letter.pk),
    ("staff/cases/<id:pk>/letters/preview/", "pk"): ("object", lambda w, p: w.scored_case.pk),
    ("staff/cases/<id:pk>/letters/preview/", "purpose"): ("value", lambda w, p: "feedback"),
    ("organisation/", "pk"): ("object", lambda w, p: w.colleague.pk),
    ("organisation/", "kind"): ("value", lambda w, p: w.diocese.kind),
    ("organisation/", "token"): ("capability", lambda w, p: w.join_token),
    ("organisation/members/invitations/", "pk"): ("object", lambda w, p: w.join_invitation.pk),
    ("staff/users/", "pk"): ("object", lambda w, p: w.staff_member.pk),
    ("staff/users/invitations/", "pk"): ("object", lambda w, p: w.withdrawn_invitation.pk),
    ("invitation/", "token"): ("capability", lambda w, p: w.staff_token),
    ("account/password-reset/", "uidb64"): ("capability", lambda w, p: w.reset_uid),
    ("account/password-reset/", "token"): ("capability", lambda w, p: w.reset_token),
    ("guidance/", "version"): ("value", lambda w, p: 1),
    # An Advisory Group meeting none of the world's staff chairs or sits on,
    # and the victim's case on its agenda.
    ("staff/advisory-group/", "pk"): ("object", lambda w, p: w.meeting.pk),
    ("staff/advisory-group/items/", "pk"): ("object", lambda w, p: w.agenda_item.pk),
    ("staff/advisory-group/<id:pk>/packs/", "member"): (
        "object",
        lambda w, p: w.meeting.chair_id,
    ),
    # A concern the victim raised about its feedback letter, and its document.
    ("proposals/<id:pk>/concern/", "pk"): ("object", lambda w, p: w.concern.case_id),
    ("proposals/<id:pk>/concern-documents/", "pk"): ("object", lambda w, p: w.concern.case_id),
    ("proposals/<id:pk>/concern-documents/", "doc"): (
        "object",
        lambda w, p: w.concern_document.pk,
    ),
    ("staff/concerns/", "pk"): ("object", lambda w, p: w.concern.pk),
    ("staff/concerns/<id:pk>/documents/", "doc"): (
        "object",
        lambda w, p: w.concern_document.pk,
    ),
    ("register/", "pk"): ("object", lambda w, p: w.register_entry.pk),
    # The victim's proposed co-partner (sent), and a question it answers.
    ("accredited/co-partner/", "pk"): ("object", lambda w, p: w.co_partner_change.pk),
    ("accredited/co-partner/", "code"): ("value", lambda w, p: "2A"),
    ("staff/co-partners/", "pk"): ("object", lambda w, p: w.co_partner_change.pk),
    ("staff/register/", "pk"): ("object", lambda w, p: w.register_entry.pk),
    # An e-mail's preview: its name in the registry of e-mails (example data only).
    ("staff/emails/templates/", "app"): ("value", lambda w, p: "proposals"),
    ("staff/emails/templates/", "key"): ("value", lambda w, p: "reminder"),
}

# Who may reach a page about a victim's object (longest prefix wins).
ALLOWED = {
    "proposals/": {OWNER},
    "organisation/": {OWNER},
    "out-of-round/": {OWNER},
    "staff/out-of-round/": {Role.CASEWORK_OFFICER},
    "staff/cases/": {Role.CASEWORK_OFFICER},
    "staff/screening/": {Role.CASEWORK_OFFICER},
    # A case awaiting decision: any decision official with no part in it.
    "staff/decisions/": {Role.DECISION_OFFICIAL},
    # A person's own conflicts and suggestions (the world's are the assessor's).
    "staff/conflicts/": {Role.ASSESSOR},
    "staff/assignment/": {Role.CASEWORK_OFFICER},
    # Rounds and the term calendar: casework officers run them.
    "staff/rounds/": {Role.CASEWORK_OFFICER},
    "staff/reports/": {Role.CASEWORK_OFFICER},
    # Only the case's own assessor scores, assures and recommends (the
    # casework officer, who sees the case, is refused with 403); staff who
    # see a case may read its documents.
    "staff/cases/<id:pk>/scores/": {Role.ASSESSOR},
    "staff/cases/<id:pk>/quality-assurance/": {Role.ASSESSOR},
    "staff/cases/<id:pk>/recommendation/": {Role.ASSESSOR},
    "staff/cases/<id:pk>/feedback/": {Role.ASSESSOR},
    "staff/cases/<id:pk>/documents/": {Role.ASSESSOR, Role.CASEWORK_OFFICER},
    # A letter before issue: the case's assessor and the casework officer
    # (and the official who decides, once it awaits decision).
    "staff/cases/<id:pk>/letters/preview/": {Role.ASSESSOR, Role.CASEWORK_OFFICER},
    "staff/users/": {Role.ADMINISTRATOR},
    # Casework officers run every meeting; a member reaches only their own.
    "staff/advisory-group/": {Role.CASEWORK_OFFICER},
    "staff/advisory-group/items/": {Role.CASEWORK_OFFICER},
    # The public register: anyone, signed in or not; revoking is the decision official's.
    "register/": set(ROLES),
    "staff/register/": {Role.DECISION_OFFICIAL},
    # The provider's own co-partner changes; the casework officers decide them.
    "accredited/": {OWNER},
    "staff/co-partners/": {Role.CASEWORK_OFFICER},
    # Concerns: casework officers, and decision officials (who decide them).
    "staff/concerns/": {Role.CASEWORK_OFFICER, Role.DECISION_OFFICIAL},
}


def kwarg_spec(pattern, name):
    """What ``name`` in ``pattern`` names (the longest matching prefix)."""
    prefixes = [
        prefix for prefix, kwarg in KWARGS if kwarg == name and pattern.route.startswith(prefix)
    ]
    if not prefixes:
        pytest.fail(
            f"URL pattern {pattern.name!r} ({pattern.route}) has a keyword {name!r} that "
            "tests/test_permission_matrix.py does not know: add to KWARGS which object of "
            "another organisation it names.",
            pytrace=False,
        )
    return KWARGS[(max(prefixes, key=len), name)]


def allowed_roles(pattern):
    prefixes = [prefix for prefix in ALLOWED if pattern.route.startswith(prefix)]
    if not prefixes:
        pytest.fail(
            f"URL pattern {pattern.name!r} ({pattern.route}) names an object, but "
            "tests/test_permission_matrix.py's ALLOWED does not say who may reach it.",
            pytrace=False,
        )
    return ALLOWED[max(prefixes, key=len)]


# --- The world: two victim organisations, their member, and everyone else ----------


class World:
    def __init__(self):
        period = RoundFactory()
        # The owner belongs to both victim organisations: a diocese (which
        # answers the new-provision question) and a non-educational lead of
        # a consortium (which has a co-partner).
        diocese = MembershipFactory(
            organisation__kind=OrganisationKind.COFE_DIOCESE,
            organisation__urn="",
            organisation__phase="not_applicable",
        )
        self.owner = diocese.user
        self.diocese = diocese.organisation
        consortium = MembershipFactory(user=self.owner, organisation__non_educational=True)
        self.colleague = MembershipFactory(organisation=self.diocese)
        self.proposal = services.start_proposal(
            organisation=self.diocese, period=period, accreditation_type="asp", actor=self.owner
        )
        self.consortium_proposal = services.start_proposal(
            organisation=consortium.organisation,
            period=period,
            accreditation_type="asp",
            actor=self.owner,
        )
        services.set_type_and_models(
            self.consortium_proposal,
            route=Route.CONSORTIUM_LEAD,
            majority_trust=True,
            federation=False,
            actor=self.owner,
        )
        self.case = ProposalFactory(organisation=self.diocese, status="submitted")
        self.request_case, self.request_document = information_request_of(self.diocese, self.owner)
        self.sent_document = sent_with_answers(*information_request_of(self.diocese, self.owner))
        self.awaiting_case = ProposalFactory(organisation=self.diocese, status="awaiting_decision")
        self.question = Journey.load(self.proposal).questions[0]
        self.evidence = EvidenceFactory(proposal=self.proposal, uploaded_by=self.owner)
        self.school = SchoolLedFactory(proposal=self.proposal)
        self.out_of_round = OutOfRoundRequestFactory(
            organisation=self.diocese, requested_by=self.owner
        )
        self.join_token = "join-token-of-the-victim"
        self.join_invitation = InvitationFactory(
            token=self.join_token,
            organisation=self.diocese,
            roles=[],
            invited_by=self.owner,
            email="joiner@example.org",
        )
        self.staff_token = "staff-token"
        InvitationFactory(token=self.staff_token, email="newstaff@example.org")
        self.reset_uid = urlsafe_base64_encode(force_bytes(self.owner.pk))
        self.reset_token = default_token_generator.make_token(self.owner)
        self.outsider = MembershipFactory().user
        self.staff = {role: UserFactory(roles=[role]) for role in STAFF}
        self.scored_case = ProposalFactory(organisation=self.diocese, status="in_assessment")
        give_part(self.staff[Role.ASSESSOR], "assessor", [self.scored_case])
        self.scored_evidence = EvidenceFactory(proposal=self.scored_case, uploaded_by=self.owner)
        self.feedback_case = decided_against_recommendation(self.diocese, self.staff[Role.ASSESSOR])
        self.staff_member = UserFactory(roles=[Role.ASSESSOR])
        self.withdrawn_invitation = InvitationFactory(email="to-withdraw@example.org")
        self.letter = LetterFactory(
            case=self.case, purpose="screening", issued_at=clock.now(), pdf=b"%PDF-1.7 letter"
        )
        self.meeting = MeetingFactory()
        self.agenda_item = AgendaItemFactory(
            meeting=self.meeting,
            case__organisation=self.diocese,
        )
        self.register_entry = RegisterEntryFactory(case=self.case)
        self.co_partner_change = co_partner_change_of(self.register_entry, self.owner)
        # Under notice of revocation, so that its members may respond.
        revocation.give_notice(
            self.register_entry,
            reason="It no longer leads any school.",
            actor=person_with("decision_official"),
        )
        self.concern = concern_of(self.diocese, self.owner)
        self.concern_document = self.concern.documents.get()
        assessor = self.staff[Role.ASSESSOR]
        self.conflict = ConflictFactory(user=assessor)
        # The assessor was a member of the consortium's lead: a suggestion.
        self.suggested = consortium.organisation
        activity.record(
            self.owner, "member_removed", self.suggested, {"member": [assessor.email, None]}
        )

    def proposal_for(self, pattern):
        return self.consortium_proposal if pattern.name == "proposal-co-partner" else self.proposal

    def user(self, role):
        return {OWNER: self.owner, OUTSIDER: self.outsider}.get(role) or self.staff.get(role)

    def url(self, pattern, missing=False):
        """The pattern's address with the victim's objects in it (or, with
        ``missing``, ids that name no object), and whether any of them is an
        object under access control."""
        path, names_object = "/" + pattern.route, False
        for name, converter in pattern.converters.items():
            kind, read = kwarg_spec(pattern, name)
            names_object = names_object or kind == "object"
            value = converter.to_url(
                MISSING if missing and kind == "object" else read(self, pattern)
            )
            path = re.sub(rf"<(?:[^:>]+:)?{name}>", value, path)
        assert "<" not in path, path
        return path, names_object


def information_request_of(organisation, member):
    """A case of ``organisation`` waiting on an information request, with a
    document ``member`` has sent with their answers so far."""
    case = ProposalFactory(organisation=organisation, status="in_assessment")
    request = requests.ask(
        case,
        person_with("assessor", case),
        [requests.NewQuestion("Send the latest inspection report.")],
        requests.default_due(),
    )
    upload = SimpleUploadedFile("report.pdf", b"%PDF-1.4\n%%EOF\n")
    document = requests.add_document(
        request, upload, content_type="application/pdf", sha256="0" * 64, actor=member
    )
    return case, document


def sent_with_answers(case, document):
    """``document``, sent with its request's answers (staff read only those)."""
    request = document.request
    member = document.uploaded_by
    requests.save_answers(
        request, member, {q.pk: ("Attached.", None) for q in request.questions.all()}
    )
    requests.send_answers(request, member)
    return document


def co_partner_change_of(entry, member):
    """A co-partner ``member`` proposed for ``entry``, sent to the officers."""
    change = co_partners.start(
        entry,
        actor=member,
        name="Riverside Primary School",
        kind=OrganisationKind.MAINTAINED_PRIMARY,
        local_authority=entry.local_authority,
        contact_name="Rita River",
        contact_email="rita@example.org",
        role_in_partnership="Leads the curriculum work.",
    )
    for criterion in co_partners.criteria(change.framework, entry.accreditation_type):
        co_partners.save_answer(
            change, criterion=criterion, text="Evidence.", version=0, actor=member
        )
    return co_partners.submit(change, actor=member)


def concern_of(organisation, member):
    """A concern ``member`` raised, with a document, about the feedback
    letter of a case of ``organisation`` decided not accredited."""
    case = ProposalFactory(organisation=organisation, status="not_accredited")
    LetterFactory(case=case, purpose="feedback", issued_at=clock.now(), pdf=b"%PDF-1.7 letter")
    upload = SimpleUploadedFile("concern.pdf", b"%PDF-1.4\n%%EOF\n")
    return concerns.raise_concern(
        case, member, "A concern.", [concerns.Upload(upload, "application/pdf", "0" * 64)]
    )


def decided_against_recommendation(organisation, assessor):
    """A case of ``organisation`` that ``assessor`` recommended for
    accreditation and a decision official decided not accredited: the
    assessor is to write its feedback."""
    case = ProposalFactory(organisation=organisation, status="not_accredited")
    give_part(assessor, "assessor", [case])
    Recommendation.objects.create(
        case=case,
        assignment=Assignment.objects.get(case=case, assessor=assessor),
        recommendation="accredit",
        suggested="accredit",
        reasoning="Every criterion is met.",
        outcome="completed",
        made_by=assessor,
        made_at=clock.now() - timedelta(days=1),
    )
    return case


def client_for(world, role):
    client = Client()
    user = world.user(role)
    if user is None:
        return client
    client.force_login(user)
    if role in STAFF:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    client.role_user = user
    return client


def ensure_signed_in(client, role):
    """Sign the client in again if a request (signing out) ended its session."""
    if role != ANONYMOUS and "_auth_user_id" not in client.session:
        client.force_login(client.role_user)
        if role in STAFF:
            device = TOTPDevice.objects.filter(user=client.role_user).first()
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()


# --- The matrix -------------------------------------------------------------------------


def test_no_url_uses_the_int_converter():
    """Ids in addresses go through the one ``id`` converter (ASCII digits,
    within range); ``int`` takes ``²`` and twenty digits to the database."""
    offenders = [
        p.route
        for p in ALL_PATTERNS
        if any(isinstance(c, IntConverter) for c in p.converters.values())
    ]
    assert not offenders


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """One world for the module's tests (built once per xdist worker): made
    in a transaction rolled back after the module's last test, each test
    running in a savepoint inside it (pytest-django's ``db``), so what one
    test's requests change the next test does not see."""
    from accreditation.defaults import ensure_defaults
    from accreditation.schedule import ensure_schedule

    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        ensure_defaults()
        ensure_schedule()
        yield World()
        transaction.set_rollback(True)


# One test per role and method, so xdist shares them out: GETs and POSTs
# each start from the world as it was built (a POST may change it).
@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("role", ROLES)
def test_every_url_for_every_role(world, role, method):
    client = client_for(world, role)
    problems = []
    checked = 0
    for pattern in ALL_PATTERNS:
        path, names_object = world.url(pattern)
        ensure_signed_in(client, role)
        response = getattr(client, method)(path)
        checked += 1
        where = f"{method.upper()} {path} ({pattern.name}) as {role}"
        status = response.status_code
        if status >= 500:
            problems.append(f"{where}: {status}")
        if role != ANONYMOUS and "_auth_user_id" in client.session:
            if "no-store" not in response.get("Cache-Control", ""):
                problems.append(f"{where}: no Cache-Control: no-store")
        if not names_object:
            continue
        allowed = allowed_roles(pattern)
        if role in allowed:
            if method == "get" and status in (403, 404):
                problems.append(f"{where}: {status}, but this role may reach it")
        elif role == ANONYMOUS:
            if not (
                status in (403, 404, 405)
                or (status == 302 and response["Location"].startswith(SIGN_IN))
            ):
                problems.append(f"{where}: {status}, expected a redirect to sign in")
        elif status not in (403, 404, 405):
            problems.append(f"{where}: {status}, expected 404 (or 403)")
    assert checked == len(ALL_PATTERNS)
    assert not problems, "\n".join(problems)


def test_an_object_that_does_not_exist_is_404_to_everyone_who_may_reach_its_kind(world):
    """Each pattern naming an object, with ids that name nothing, asked by
    each role that may reach the real object: 404 (or 405), never a server
    error or a page that did work on the missing object first."""
    clients = {}
    problems = []
    for pattern in ALL_PATTERNS:
        path, names_object = world.url(pattern, missing=True)
        if not names_object:
            continue
        for role in sorted(allowed_roles(pattern) - {ANONYMOUS}):
            if role not in clients:
                clients[role] = client_for(world, role)
                clients[role].raise_request_exception = False
            client = clients[role]
            for method in ("get", "post"):
                ensure_signed_in(client, role)
                status = getattr(client, method)(path).status_code
                if status not in (404, 405):
                    problems.append(f"{method.upper()} {path} ({pattern.name}) as {role}: {status}")
    assert not problems, "\n".join(problems)


# --- Every page a role can reach by following links is no-store ------------------------


class LinkParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)


def crawl(client, start, limit=60):
    """The pages reachable from ``start`` by GET through links on the site
    (up to ``limit``), with their responses."""
    seen, queue = set(), deque([start])
    while queue and len(seen) < limit:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        yield path, response
        if response.status_code in (301, 302):
            links = [response["Location"]]
        elif "text/html" in response.get("Content-Type", ""):
            parser = LinkParser()
            parser.feed(response.content.decode())
            links = parser.links
        else:
            continue
        for href in links:
            target = urlsplit(urljoin(path, href))
            if (
                not target.netloc
                and target.path.startswith("/")
                and target.path != "/account/sign-out/"
            ):
                queue.append(target.path + (f"?{target.query}" if target.query else ""))


@pytest.mark.parametrize("role", [r for r in ROLES if r != ANONYMOUS])
def test_every_page_a_signed_in_role_can_crawl_is_no_store(world, role):
    client = client_for(world, role)
    pages = list(crawl(client, "/home/"))
    assert len(pages) > 3, pages
    not_private = [
        f"{path} ({response.status_code})"
        for path, response in pages
        if "no-store" not in response.get("Cache-Control", "")
    ]
    assert not not_private


# --- Assigning assessors and the assessor's queue ----------------------------------------


@pytest.mark.parametrize("role", STAFF)
def test_only_casework_officers_assign_assessors(role, client):
    """Other staff are refused every assignment page, for reading and for
    writing (403; 404 for a case they may not see), and nothing is written.
    An assessor assigned to the case may see it, but not assign to it."""
    case = ProposalFactory(status="in_assessment")
    assessor = UserFactory(roles=[Role.ASSESSOR])
    person = UserFactory(roles=[role])
    if role == Role.ASSESSOR:
        give_part(person, "assessor", [case])
    client = sign_in_verified(client, person)
    rounds = reverse("assignment-rounds")
    proposal = reverse("assignment-round", args=[case.round_id])
    one_case = reverse("case-assessors", args=[case.pk])
    if role == Role.CASEWORK_OFFICER:
        assert [client.get(url).status_code for url in (rounds, proposal, one_case)] == [200] * 3
        return
    before = Assignment.objects.count()
    refused = {403} if role == Role.ASSESSOR else {403, 404}
    assert client.get(rounds).status_code == 403
    assert client.get(proposal).status_code == 403
    assert client.get(one_case).status_code in refused
    apply = {f"line-{case.pk}-first": str(assessor.pk), "apply": "1"}
    assert client.post(proposal, apply).status_code == 403
    capacities = {f"capacity-{assessor.pk}": "1", "save_capacities": "1"}
    assert client.post(proposal, capacities).status_code == 403
    assign = {"kind": "first", "assessor": str(assessor.pk)}
    assert client.post(one_case, assign).status_code in refused
    assert Assignment.objects.count() == before
    assert not AssessorCapacity.objects.exists()


@pytest.mark.parametrize("role", STAFF)
def test_an_assessor_sees_only_their_own_queue(role, client):
    mine = ProposalFactory(status="in_assessment")
    theirs = ProposalFactory(status="in_assessment")
    person_with("assessor", theirs)
    person = UserFactory(roles=[role])
    if role == Role.ASSESSOR:
        give_part(person, "assessor", [mine])
    response = sign_in_verified(client, person).get(reverse("assessor-queue"))
    if role == Role.ASSESSOR:
        assert response.status_code == 200
        assert mine.reference in response.text
        assert theirs.reference not in response.text
    else:
        assert response.status_code == 403


# --- Letters -----------------------------------------------------------------------------


def test_another_organisations_letter_is_not_found(client):
    letter = LetterFactory(
        case=ProposalFactory(status="submitted"),
        purpose="screening",
        issued_at=clock.now(),
        pdf=b"%PDF-1.7 letter",
    )
    url = reverse("letter-download", args=[letter.case_id, letter.pk])
    client.force_login(MembershipFactory().user)
    assert client.get(url).status_code == 404
    client.force_login(letter.case.created_by)
    assert client.get(url).content == b"%PDF-1.7 letter"


@pytest.mark.parametrize("kind", ["letter-preview", "letter-preview-pdf"])
def test_staff_with_no_part_in_the_case_cannot_preview_its_letters(client, kind):
    """The Advisory Group member who sees the case on their agenda may not
    preview its letters (403); an assessor of other cases, or an official
    with a part in it, does not see it at all (404)."""
    case = ProposalFactory(status="advisory_review", accreditation_type="asg")
    url = reverse(kind, args=[case.pk, "feedback"])
    member = person_with("meeting_member", case)
    assert sign_in_verified(client, member).get(url).status_code == 403
    client.logout()
    other_assessor = person_with("assessor", ProposalFactory(status="in_assessment"))
    assert sign_in_verified(client, other_assessor).get(url).status_code == 404
    client.logout()
    assert sign_in_verified(client, person_with("casework_officer")).get(url).status_code == 200


# --- The case list's CSV and the notices of revocation -----------------------------------

CASEWORK_STAFF = {
    Role.CASEWORK_OFFICER,
    Role.ASSESSOR,
    Role.ADVISORY_GROUP_MEMBER,
    Role.DECISION_OFFICIAL,
}


@pytest.mark.parametrize(
    "name, allowed",
    [
        ("staff-cases", CASEWORK_STAFF),
        ("staff-cases-csv", CASEWORK_STAFF),
        ("staff-register-notices", {Role.DECISION_OFFICIAL}),
        ("staff-co-partner-changes", {Role.CASEWORK_OFFICER}),
    ],
)
def test_lists_without_an_object_in_their_address(world, name, allowed):
    """Every role: staff who work on cases download the cases they may see
    (the victim's case only for the casework officer, who sees every
    submitted case); everyone else is refused or sent to sign in."""
    for role in ROLES:
        response = client_for(world, role).get(reverse(name))
        if role == ANONYMOUS:
            assert response.status_code == 302, role
            assert response["Location"].startswith(SIGN_IN)
        elif role in allowed:
            assert response.status_code == 200, role
            assert "no-store" in response["Cache-Control"]
            if name == "staff-cases-csv":
                body = b"".join(response.streaming_content).decode()
                seen = world.case.reference in body
                assert seen is (role == Role.CASEWORK_OFFICER), role
        else:
            assert response.status_code == 403, role
