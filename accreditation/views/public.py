"""Pages anyone can read, and the health check."""

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import connection
from django.http import HttpResponseBadRequest, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from accreditation import clock
from accreditation.celery import app as celery_app
from accreditation.eligibility import TABLE
from accreditation.models import Round


class StartView(TemplateView):
    """The GOV.UK start page: what accreditation is, who may seek which type
    (from the same eligibility table the service applies), how the process
    runs and the rounds' dates."""

    template_name = "pages/start.html"

    def get_context_data(self, **kwargs):
        current_rounds, next_round = Round.objects.open_and_next(clock.now())
        return super().get_context_data(
            current_rounds=current_rounds,
            next_round=next_round,
            eligibility_rows=TABLE,
            **kwargs,
        )


def static_page(template_name):
    return TemplateView.as_view(template_name=template_name)


def _database_ok():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001 - any failure means unhealthy
        return False


def _broker_ok():
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            conn.default_channel  # noqa: B018 - opening a channel proves the broker answers
        return True
    except Exception:  # noqa: BLE001 - any failure means unhealthy
        return False


def favicon(request):
    """The icon a browser asks for at the root when a page names none (the
    admin's, a PDF opened in the browser): the service's GOV.UK icon."""
    return redirect(static("images/favicon.ico"))


@never_cache
def healthz(request):
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    healthy = all(checks.values())
    return JsonResponse(
        {name: "ok" if ok else "unavailable" for name, ok in checks.items()},
        status=200 if healthy else 503,
    )


def error_400(request, exception=None):
    """A request Django refused before any page saw it: more form data or
    files than it takes (DATA_UPLOAD_MAX_MEMORY_SIZE and
    DATA_UPLOAD_MAX_NUMBER_FILES), or a malformed one. One addressed to a
    host the service is not (``ALLOWED_HOSTS``) gets the page without the
    request's context, which would ask for the host again and fail."""
    if isinstance(exception, DisallowedHost):
        return HttpResponseBadRequest(loader.get_template("400.html").render(_bare(request)))
    return render(request, "400.html", status=400)


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def csrf_failure(request, reason=""):
    """A form sent without a valid CSRF token (CSRF_FAILURE_VIEW): the
    service's page, never Django's, which names the cause for developers."""
    return render(request, "403_csrf.html", status=403)


def _bare(request):
    """The context of an error page rendered without the request's."""
    return {
        "service_name": settings.SERVICE_NAME,
        "contact_email": settings.CONTACT_EMAIL,
        "service_phase": settings.SERVICE_PHASE,
        # The page's scripts run under the Content Security Policy too.
        "CSP_NONCE": getattr(request, "csp_nonce", ""),
    }


def error_500(request):
    """Rendered without the request's context: whatever broke (the database,
    say) must not break the error page too."""
    return HttpResponseServerError(loader.get_template("500.html").render(_bare(request)))
