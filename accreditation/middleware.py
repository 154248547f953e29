"""Per-request context: the organisation an applicant is acting for."""

from django.utils.cache import add_never_cache_headers
from django.utils.functional import SimpleLazyObject

SESSION_KEY = "current_organisation_id"


def current_organisation(request):
    """The organisation chosen in this session, if the user still belongs to
    it; otherwise their first organisation; None if they have none."""
    user = request.user
    if not user.is_authenticated:
        return None
    memberships = user.memberships.select_related("organisation")
    chosen = request.session.get(SESSION_KEY)
    if chosen is not None:
        membership = memberships.filter(organisation_id=chosen).first()
        if membership:
            return membership.organisation
    membership = memberships.order_by("organisation__name").first()
    return membership.organisation if membership else None


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
