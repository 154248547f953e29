"""WeasyPrint's side of the service's PDFs (see ``accreditation.pdf``): the
URL fetcher that serves nothing but the service's static files, each
thread's font configuration, and the rendering.

Imported only when a PDF is rendered: WeasyPrint takes most of a second to
import, which every other process (each test worker's subprocess, a
management command, a web worker before its first PDF) would otherwise pay
at start.
"""

import mimetypes
import threading
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Relative references in a PDF template (``{% static %}`` gives
# "/assets/...") are resolved against this base, so they arrive at the
# fetcher as file URLs it can recognise; nothing is ever read from it.
BASE_URL = "file:///"

PDF_VARIANT = "pdf/ua-1"


class RefusedURL(ValueError):
    """A PDF asked for something that is not one of the service's static files."""


class StaticFilesFetcher(URLFetcher):
    """Serves the service's static files to WeasyPrint, and nothing else."""

    def fetch(self, url, headers=None):
        path = static_file_for(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            url, body=path.read_bytes(), headers={"Content-Type": content_type}
        )


def static_file_for(url):
    """The local static file a URL names, or ``RefusedURL``.

    Only URLs under ``STATIC_URL`` (resolved as a PDF template's references
    are) count; the rest of the name is found the way ``runserver`` and
    ``collectstatic`` find it, by the staticfiles finders, then in the
    collected files (whose names carry the manifest's hashes)."""
    prefix = urljoin(BASE_URL, settings.STATIC_URL)
    if not url.startswith(prefix):
        raise RefusedURL(f"Not a static file: {url}")
    parts = urlsplit(url)
    name = unquote(parts.path[len(urlsplit(prefix).path) :])
    if not name or name.startswith("/") or ".." in Path(name).parts or "\\" in name:
        raise RefusedURL(f"Not a static file: {url}")
    found = finders.find(name)
    if found:
        return Path(found)
    if staticfiles_storage.exists(name):
        return Path(staticfiles_storage.path(name))
    raise RefusedURL(f"No such static file: {url}")


_fonts = threading.local()


def font_configuration():
    """This thread's WeasyPrint font configuration, made once and used for
    every PDF it renders. A new one per PDF (WeasyPrint's default) leaves
    about 0.2 MiB of its Pango font map behind each time: a worker issuing
    hundreds of letters grew without end (``benchmarks/letter_batch.py``).
    One per thread, as Pango's font maps are not shared between threads."""
    if not hasattr(_fonts, "configuration"):
        _fonts.configuration = FontConfiguration()
    return _fonts.configuration


def write_pdf(html):
    """A tagged PDF of a complete HTML document (which must give its ``lang``
    and ``<title>``)."""
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesFetcher())
    return document.write_pdf(pdf_variant=PDF_VARIANT, font_config=font_configuration())
