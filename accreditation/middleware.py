"""Per-request context: the organisation an applicant is acting for; how
long the session has left, saved at most once a ``SESSION_REFRESH_SECONDS``;
people's parts in cases, resolved once in a request that changes nothing."""

from django.conf import settings
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.functional import SimpleLazyObject

from accreditation import case_roles, clock
from accreditation.rules import member_key

SESSION_KEY = "current_organisation_id"
SAVED_AT_KEY = "saved_at"
"""When the session was last saved (seconds since the epoch): its expiry is
``SESSION_COOKIE_AGE`` after that."""


def current_organisation(request):
    """The organisation chosen in this session, if the user still belongs to
    it; otherwise their first organisation; None if they have none. Read
    through the person's membership, which a request that changes nothing
    then keeps (``case_roles.keep``) for its permission checks."""
    user = request.user
    if not user.is_authenticated:
        return None
    memberships = user.memberships.select_related("organisation")
    chosen = request.session.get(SESSION_KEY)
    membership = None
    if chosen is not None:
        membership = memberships.filter(organisation_id=chosen).first()
    if membership is None:
        membership = memberships.order_by("organisation__name").first()
    if membership is None:
        return None
    # Read through the membership: the page's permission need not ask again.
    case_roles.keep(member_key(user, membership.organisation_id), True)
    return membership.organisation


class CurrentOrganisationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.organisation = SimpleLazyObject(lambda: current_organisation(request))
        return self.get_response(request)


class NoStoreMiddleware:
    """Nothing shown to a signed-in person is kept by a browser or a proxy:
    the pages, the second-factor set-up (its key), the PDFs and documents.
    The one place private responses are marked ``Cache-Control: no-store``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated:
            add_never_cache_headers(response)
        return response


class MethodNotAllowedPageMiddleware:
    """An address that only takes a form (signing out, sending emails
    again) opened as a page, from a bookmark or the browser's history:
    the service's page saying so, not the empty answer ``require_POST``
    gives. The ``Allow`` header stays."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or response.streaming or response.content:
            return response
        page = render(request, "405.html", status=405)
        if response.has_header("Allow"):
            page["Allow"] = response["Allow"]
        return page


def _seconds_now():
    return int(clock.now().timestamp())


def refresh_due(session):
    """Is the session's expiry older than ``SESSION_REFRESH_SECONDS``, so
    this request saves it again (restarting its clock)?"""
    saved_at = session.get(SAVED_AT_KEY)
    return saved_at is None or _seconds_now() - saved_at >= settings.SESSION_REFRESH_SECONDS


def session_seconds_left(session):
    """How long the session lasts from now if nothing else happens: the whole
    ``SESSION_COOKIE_AGE`` when this request saves it."""
    if session.modified or refresh_due(session):
        return settings.SESSION_COOKIE_AGE
    return settings.SESSION_COOKIE_AGE - (_seconds_now() - session[SAVED_AT_KEY])


class SessionRefreshMiddleware:
    """Activity keeps a session alive without writing it on every request:
    a session is saved when something in it changed or its last save is
    ``SESSION_REFRESH_SECONDS`` old, and each save stamps its time, so the
    timeout warning counts down from the real expiry. Comes after Django's
    SessionMiddleware, which saves what this marks modified."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = request.session
        if not session.is_empty() and (session.modified or refresh_due(session)):
            session[SAVED_AT_KEY] = _seconds_now()
        return response


class CaseRolesMiddleware:
    """A request that changes nothing (GET or HEAD) resolves each person's
    parts in a case once, however often its checks and template ask, and
    reads once what ``case_roles.remembered`` reads (the organisations a
    person is in conflict with, their membership of an organisation: not at
    all for the organisation ``current_organisation`` chose through it). So
    a GET must never change a membership or a conflict."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        with case_roles.remembering():
            return self.get_response(request)
