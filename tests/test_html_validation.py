"""Every page the service shows is valid HTML by the Nu Html Checker (vnu,
the checker the W3C runs): the public pages, the register and guidance,
the error pages, forms sent back with their errors, every URL pattern
filled in with the permission matrix's world as a role that may see it, and
the pages each role reaches by following links from its home page.

The pages are fetched with Django's test client, saved to one folder and
checked by one run of vnu (starting Java once, not once a page). The
checker comes from the npm package ``vnu-jar`` (package.json), run with the
machine's Java (.ci/run installs a JRE)."""

import json
import re
import shutil
import subprocess
from collections import Counter, deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import Resolver404, resolve

from accreditation.views import public
from tests.conftest import require
from tests.test_permission_matrix import (
    ALL_PATTERNS,
    ANONYMOUS,
    OWNER,
    ROLES,
    STAFF,
    World,
    allowed_roles,
    client_for,
    ensure_signed_in,
)
from tests.test_register import revoked_entry

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parent.parent
VNU_JAR = BASE_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

# Pages of one kind (one URL name) each person's crawl checks: the same
# template with other data adds time, rarely an error.
PER_VIEW = 1
# Never followed: signing out ends the crawl's session; the Django admin is
# Django's own markup, not the service's.
NOT_FOLLOWED = ("/account/sign-out/", "/staff/admin/")
NOT_FETCHED = {"logout"}

PUBLIC_PAGES = [
    "/",
    "/cookies/",
    "/accessibility/",
    "/privacy/",
    "/account/sign-in/",
    "/account/register/",
    "/account/register/sent/",
    "/account/password-reset/",
    "/account/password-reset/sent/",
    "/account/signed-out/",
    "/letters/check/",
    "/guidance/criteria/",
    "/register/",
    "/register/download/",
    "/no-such-page/",
    "/invitation/not-a-real-token/",
]

# Forms sent back with their errors: (address, what is sent).
FORMS_WITH_ERRORS = [
    ("/account/sign-in/", {"username": "", "password": ""}),
    ("/account/register/", {"email": "not an email"}),
    ("/account/password-reset/", {"email": ""}),
    ("/letters/check/", {}),
]


class LinkParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href") if tag == "a" else None
        if href:
            self.links.append(href)


def view_name(path):
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return path
    return match.view_name


class Pages:
    """The HTML pages collected, each saved under a file name vnu reports."""

    def __init__(self, folder):
        self.folder = folder
        self.urls = {}  # file name -> "who: METHOD address (status)"
        self.views = Counter()
        self.seen = set()

    def add(self, where, response):
        if "text/html" not in response.get("Content-Type", ""):
            return
        name = f"page-{len(self.urls):04d}.html"
        (self.folder / name).write_bytes(response.content)
        self.urls[name] = f"{where} ({response.status_code})"

    def crawl(self, who, client, start):
        """Follow links from ``start`` (GET only), keeping at most PER_VIEW
        pages of each URL name across everyone's crawls (each person's
        start page always)."""
        queue = deque([(start, True)])
        while queue:
            path, always = queue.popleft()
            if (who, path) in self.seen:
                continue
            self.seen.add((who, path))
            name = view_name(path)
            if self.views[who, name] >= PER_VIEW and not always:
                continue
            self.views[who, name] += 1
            response = client.get(path)
            if response.status_code in (301, 302):
                queue.appendleft((response["Location"], always))
                continue
            self.add(f"{who}: GET {path}", response)
            if "text/html" not in response.get("Content-Type", ""):
                continue
            parser = LinkParser()
            parser.feed(response.content.decode())
            for href in parser.links:
                target = urlsplit(urljoin(path, href))
                address = target.path + (f"?{target.query}" if target.query else "")
                if (
                    not target.netloc
                    and target.path.startswith("/")
                    and not target.path.startswith(NOT_FOLLOWED)
                ):
                    queue.append((address, False))


def run_vnu(folder):
    """Errors vnu finds in the folder's pages: [(file name, line, message)]."""
    if not shutil.which("java"):
        require(False, "Java (for the Nu Html Checker)")
    require(VNU_JAR.exists(), "the Nu Html Checker (npm ci installs vnu-jar)")
    result = subprocess.run(
        # A short run: the JIT's quick tier and the simple collector start
        # fastest; the checker's schema needs a larger thread stack.
        [
            "java",
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-Xss4m",
            "-jar",
            str(VNU_JAR),
            "--errors-only",
            "--format",
            "json",
            str(folder),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode in (0, 1), result.stderr
    report = json.loads(result.stderr)
    return [
        (Path(urlsplit(m["url"]).path).name, m.get("lastLine", "?"), m["message"])
        for m in report["messages"]
        if m["type"] in ("error", "non-document-error")
    ]


def error_pages(pages):
    request = RequestFactory().get("/somewhere/")
    request.user = AnonymousUser()
    pages.add("error page: 400", public.error_400(request))
    pages.add("error page: 403", public.error_403(request, PermissionDenied()))
    pages.add("error page: 500", public.error_500(request))
    strict = Client(enforce_csrf_checks=True)
    pages.add("anonymous: POST without CSRF token", strict.post("/account/sign-in/", {}))


def every_pattern(pages, world, clients):
    """Every URL pattern, with the objects of the permission matrix's world
    in it, as a role that may see it (for a page about no object, the first
    role it answers); yields who reached which address."""
    for pattern in ALL_PATTERNS:
        if pattern.name in NOT_FETCHED:
            continue
        path, names_object = world.url(pattern)
        roles = [OWNER, *STAFF, ANONYMOUS]
        if names_object:
            roles = [role for role in roles if role in allowed_roles(pattern)]
        for role in roles:
            ensure_signed_in(clients[role], role)
            response = clients[role].get(path)
            if response.status_code == 200:
                pages.add(f"{role}: GET {path}", response)
                pages.views[role, pattern.name] += 1
                yield role, path
                break


def forms_sent_empty(pages, clients, reached):
    """Each page's form sent back empty: its error summary and inline
    errors (after every GET, as sending a form may change the world)."""
    for role, path in reached:
        ensure_signed_in(clients[role], role)
        response = clients[role].post(path, {})
        if response.status_code in (200, 400):
            pages.add(f"{role}: POST {path} with nothing in it", response)


def test_every_page_is_valid_html(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    folder = tmp_path / "pages"
    folder.mkdir()
    pages = Pages(folder)
    world = World()
    clients = {role: client_for(world, role) for role in ROLES}
    anonymous = clients[ANONYMOUS]
    for path in PUBLIC_PAGES:
        pages.add(f"anonymous: GET {path}", anonymous.get(path))
    for path, data in FORMS_WITH_ERRORS:
        pages.add(f"anonymous: POST {path}", anonymous.post(path, data))
    revoked, _ = revoked_entry()
    gone = f"/register/{revoked.pk}/"
    pages.add(f"anonymous: GET {gone} (revoked)", anonymous.get(gone))
    error_pages(pages)
    reached = list(every_pattern(pages, world, clients))
    for role in ROLES:
        pages.crawl(role, clients[role], "/home/" if role != ANONYMOUS else "/")
    forms_sent_empty(pages, clients, reached)

    assert len(pages.urls) > 100, pages.urls
    errors = run_vnu(folder)
    report = {}
    for name, line, message in errors:
        report.setdefault(pages.urls[name], []).append(f"  line {line}: {message}")
    assert not report, "\n".join(
        "\n".join([page, *messages]) for page, messages in sorted(report.items())
    )


def test_the_checker_finds_an_error(tmp_path):
    """The check can fail: a page with a block inside a paragraph."""
    (tmp_path / "page.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><title>x</title></head>'
        "<body><p><div>x</div></p></body></html>"
    )
    errors = run_vnu(tmp_path)
    assert [(name, re.sub(r"[“”]", '"', message)) for name, _, message in errors] == [
        ("page.html", 'No "p" element in scope but a "p" end tag seen.')
    ]
