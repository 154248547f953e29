"""The service's own error pages everywhere, the local demo included: page
not found, no access, a problem with the service and a form sent without its
CSRF token. Django's debug pages (which list every URL) are never shown:
`make run` keeps DEBUG off and takes its conveniences from DEMO."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import BadRequest, PermissionDenied
from django.test import Client, override_settings
from django.urls import path, reverse

from accreditation.urls import urlpatterns as service_urlpatterns

BASE_DIR = Path(__file__).resolve().parent.parent


def demo_environment():
    """The variables `make run` gives every process (the Makefile's DEMO_ENV)."""
    makefile = (BASE_DIR / "Makefile").read_text()
    line = re.search(r"^DEMO_ENV\s*:=\s*(.*)$", makefile, re.MULTILINE).group(1)
    return dict(pair.split("=", 1) for pair in line.split())


def test_make_run_keeps_debug_off_and_turns_the_demo_on():
    env = demo_environment()
    assert env.get("DEMO") == "true"
    assert "DEBUG" not in env


# Run in a process of its own with only the demo's environment, as gunicorn
# runs under `make run`: the settings are read once, at start-up. Its empty
# database is never migrated: these pages, for a visitor with no session, read
# nothing from it (were one to, it would answer 500 and the test fail).
DEMO_PROBE = """
import json, os, django
os.environ["DJANGO_SETTINGS_MODULE"] = "accreditation.settings"
django.setup()
from django.conf import settings
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1")
missing = client.get("/no-such-page/")
strict = Client(HTTP_HOST="127.0.0.1", enforce_csrf_checks=True)
forged = strict.post("/account/sign-in/", {"username": "a@example.com", "password": "x"})
stylesheet = client.get("/assets/govuk-frontend.min.css")
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "anchor_key": bool(settings.TIMELINE_ANCHOR_KEY),
    "missing": [missing.status_code, missing.content.decode()],
    "forged": [forged.status_code, forged.content.decode()],
    "stylesheet": stylesheet.status_code,
}))
"""


def test_the_demo_shows_the_service_pages_not_djangos_debug_pages(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "VAR_DIR": str(tmp_path / "var"),
        **demo_environment(),
    }
    result = subprocess.run(
        [sys.executable, "-c", DEMO_PROBE],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["DEBUG"] is False
    # The demo's conveniences: plain HTTP on a laptop, a derived anchor key.
    assert seen["SECURE_SSL_REDIRECT"] is False
    assert seen["SESSION_COOKIE_SECURE"] is False
    assert seen["anchor_key"] is True
    # Static files straight from their folders, with no collectstatic.
    assert seen["stylesheet"] == 200

    status, body = seen["missing"]
    assert status == 404
    assert '<h1 class="govuk-heading-l">Page not found</h1>' in body
    assert "URLconf" not in body

    status, body = seen["forged"]
    assert status == 403
    assert "Sorry, your form could not be sent" in body
    assert "CSRF verification failed" not in body


def boom(request):
    raise RuntimeError("Something broke")


def forbidden(request):
    raise PermissionDenied("Your role cannot use this page.")


def bad_request(request):
    raise BadRequest("Malformed")


urlpatterns = [
    path("boom/", boom),
    path("forbidden/", forbidden),
    path("bad-request/", bad_request),
    *service_urlpatterns,
]
handler400 = "accreditation.views.public.error_400"
handler403 = "accreditation.views.public.error_403"
handler404 = "accreditation.views.public.error_404"
handler500 = "accreditation.views.public.error_500"


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_an_unexpected_error_shows_sorry_there_is_a_problem_with_the_service():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.text
    assert "RuntimeError" not in response.text


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_bad_request_shows_the_service_page():
    response = Client().get("/bad-request/")
    assert response.status_code == 400
    assert "Sorry, what was sent could not be used" in response.text
    assert "Malformed" not in response.text


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/account/sign-in/", "/register/"])
def test_a_request_for_a_host_the_service_is_not_is_a_bad_request(url, caplog):
    """Anyone can send any Host header: the answer is 400, never a fault."""
    response = Client(raise_request_exception=False).get(url, HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "Sorry, what was sent could not be used" in response.text
    assert not [r for r in caplog.records if r.levelname == "ERROR" and r.exc_info]


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_no_access_shows_the_service_page():
    response = Client().get("/forbidden/")
    assert response.status_code == 403
    assert "You do not have access to this page" in response.text
    assert "Your role cannot use this page." not in response.text


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_refusal_is_logged_as_one_line_a_fault_with_its_traceback(caplog):
    assert Client().get("/forbidden/").status_code == 403
    [refused] = [r for r in caplog.records if r.getMessage().startswith("Forbidden")]
    assert refused.getMessage() == "Forbidden (Permission denied): /forbidden/"
    assert refused.exc_info is None
    caplog.clear()
    assert Client(raise_request_exception=False).get("/boom/").status_code == 500
    [fault] = [r for r in caplog.records if r.levelname == "ERROR"]
    assert fault.exc_info is not None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/account/sign-in/", "/account/register/", "/account/password-reset/"]
)
def test_a_post_without_its_csrf_token_shows_the_service_page(url):
    response = Client(enforce_csrf_checks=True).post(url, {"username": "a@example.com"})
    assert response.status_code == 403
    assert "Sorry, your form could not be sent" in response.text
    assert "Go back to the page, reload it and try again" in response.text
    assert "CSRF" not in response.text


@pytest.mark.django_db
def test_an_address_that_only_takes_a_form_opened_as_a_page_says_so(client):
    from accreditation.roles import Role
    from tests.casework import sign_in_verified
    from tests.factories import UserFactory

    response = client.get("/account/sign-out/")
    assert response.status_code == 405
    assert "This address is for sending a form" in response.text
    assert response["Allow"] == "POST, OPTIONS"
    sign_in_verified(client, UserFactory(roles=[Role.CASEWORK_OFFICER]))
    response = client.get(reverse("staff-retry-emails"))
    assert response.status_code == 405
    assert "Nothing was done" in response.text
    assert response["Allow"] == "POST, OPTIONS"
    assert "no-store" in response["Cache-Control"]
