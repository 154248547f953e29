"""PDFs: the questions for drafting offline, and the renderer every PDF of
the service goes through. Real WeasyPrint, real PDFs read back with pypdf; a
real HTTP server on the loopback address proves nothing is fetched."""

import io
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pypdf
import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.template.loader import render_to_string
from weasyprint import HTML

from accreditation.models import Framework, Sector
from accreditation.pdf import html_to_pdf, render_html, render_pdf
from accreditation.pdf_engine import RefusedURL, StaticFilesFetcher
from accreditation.views import guidance
from tests.factories import (
    CriterionFactory,
    CriterionGuidanceFactory,
    FrameworkFactory,
    PartFactory,
)

PDF_CSS = settings.BASE_DIR / "static" / "app" / "pdf.css"


@pytest.fixture
def http_server():
    """A web server on the loopback address that records every request."""
    requests = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the standard library's name
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.requests = requests
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def read_pdf(data):
    assert data.startswith(b"%PDF-")
    return pypdf.PdfReader(io.BytesIO(data))


def text_of(reader):
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def embedded_fonts(reader):
    """(name, embedded?) of every font the pages use."""
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                embedded = any(
                    key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
                )
                fonts.add((str(descendant.get_object()["/BaseFont"]), embedded))
    return fonts


def assert_tagged(reader, title):
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"].value is True
    assert root["/Lang"] == "en-GB"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert reader.metadata.title == title
    fonts = embedded_fonts(reader)
    assert fonts, "no fonts"
    assert all(embedded for _, embedded in fonts), fonts
    assert any("Liberation-Sans" in name for name, _ in fonts), fonts


# --- The questions for drafting offline ------------------------------------


@pytest.mark.django_db
def test_questions_pdf_is_a_tagged_pdf_of_every_question(client):
    response = client.get("/guidance/criteria/questions.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"] == 'attachment; filename="accreditation-questions-v1.pdf"'
    )
    reader = read_pdf(response.content)
    framework = Framework.objects.get(version=1)
    assert_tagged(
        reader,
        "Accreditation questions: Criteria for accreditation in the primary phase (version 1)",
    )
    text = text_of(reader)
    for part in framework.parts.all():
        assert str(part) in text
        for criterion in part.criteria.all():
            assert f"{criterion.code} {criterion.title}" in text
            assert " ".join(criterion.question.split()) in text
            assert f"No more than {criterion.word_limit} words." in text
            assert f"Your answer to {criterion.code}" in text
            for example in criterion.sector_guidance.all():
                assert f"{example.get_sector_display()} {example.text}" in text
    assert "Only for non-educational organisations applying in their own right" in text
    assert "Not needed from a National Support School" in text
    assert settings.CONTACT_EMAIL in text
    # The print stylesheet (a static file, through the fetcher) numbered the pages.
    assert f"Page 1 of {len(reader.pages)}" in text


@pytest.mark.django_db
def test_questions_pdf_for_a_version(client):
    framework = FrameworkFactory(version=7, title="Revised criteria")
    part = PartFactory(framework=framework, number=1, title="Vision")
    CriterionFactory(part=part, code="1A", title="Revised", question="What is new?", word_limit=99)
    response = client.get("/guidance/criteria/7/questions.pdf")
    assert response.status_code == 200
    assert 'filename="accreditation-questions-v7.pdf"' in response["Content-Disposition"]
    reader = read_pdf(response.content)
    assert reader.metadata.title == "Accreditation questions: Revised criteria (version 7)"
    text = text_of(reader)
    assert "1A Revised What is new? No more than 99 words." in text
    assert "Describe your vision" not in text


@pytest.mark.django_db
def test_criterion_markup_is_printed_as_text_and_fetches_nothing(client, http_server):
    framework = FrameworkFactory(version=9, title="Hostile")
    part = PartFactory(framework=framework, number=2, title="Track record")
    image = f"<img src={http_server.url}/pixel.png>"
    stylesheet = f'<link rel="stylesheet" href="{http_server.url}/evil.css">'
    criterion = CriterionFactory(
        part=part,
        code="2A",
        title="<b>Bold</b>",
        question=f'<script>alert("x")</script> {image}',
        guidance=stylesheet,
    )
    CriterionGuidanceFactory(
        criterion=criterion,
        sector=Sector.SCHOOLS,
        text=f"<style>@import url({http_server.url}/import.css);</style>",
    )
    response = client.get("/guidance/criteria/9/questions.pdf")
    assert response.status_code == 200
    text = text_of(read_pdf(response.content))
    assert "2A <b>Bold</b>" in text
    assert f'<script>alert("x")</script> {image}' in text
    assert stylesheet in text
    assert f"<style>@import url({http_server.url}/import.css);</style>" in text
    assert http_server.requests == []


@pytest.mark.django_db
def test_questions_pdf_is_rendered_once_until_the_questions_change(client, monkeypatch):
    cache.clear()
    rendered = []

    def counting_html_to_pdf(html):
        rendered.append(html)
        return html_to_pdf(html)

    monkeypatch.setattr(guidance, "html_to_pdf", counting_html_to_pdf)
    first = client.get("/guidance/criteria/questions.pdf").content
    second = client.get("/guidance/criteria/questions.pdf").content
    assert len(rendered) == 1
    assert second == first

    criterion = Framework.objects.get(version=1).parts.get(number=1).criteria.get(code="1A")
    criterion.question = "A reworded question about your vision."
    criterion.save()
    third = client.get("/guidance/criteria/questions.pdf").content
    assert len(rendered) == 2
    assert "A reworded question about your vision." in text_of(read_pdf(third))


# --- The renderer ------------------------------------------------------------


def test_render_pdf_gives_a_tagged_pdf_with_its_title():
    reader = read_pdf(
        render_pdf("pdf/base.html", {"service_name": "A service"}, title="A <title> & more")
    )
    assert_tagged(reader, "A <title> & more")
    assert "Department for Education · A service" in text_of(reader)


def test_a_thread_renders_every_pdf_with_one_font_configuration(monkeypatch):
    """A new font configuration per PDF leaks its font map: a worker issuing
    hundreds of letters grew without end (benchmarks/letter_batch.py)."""
    used = []
    write_pdf = HTML.write_pdf

    def recording(self, *args, font_config=None, **kwargs):
        used.append(font_config)
        return write_pdf(self, *args, font_config=font_config, **kwargs)

    monkeypatch.setattr(HTML, "write_pdf", recording)
    html = render_html("pdf/base.html", {}, title="Fonts")
    html_to_pdf(html)
    html_to_pdf(html)
    other = threading.Thread(target=html_to_pdf, args=[html])
    other.start()
    other.join()
    assert used[0] is not None and used[0] is used[1]
    assert used[2] is not None and used[2] is not used[0]


def test_markup_that_gets_past_escaping_still_fetches_nothing(http_server):
    """Were applicant HTML ever rendered unescaped, the fetcher still refuses
    every address but the service's static files."""
    url = http_server.url
    html = f"""<!DOCTYPE html><html lang="en-GB"><head><title>Hostile</title>
      <link rel="stylesheet" href="{url}/a.css">
      <link rel="stylesheet" href="/assets/app/pdf.css">
      <style>@import url("{url}/b.css"); body {{ background: url({url}/c.png) }}</style>
      </head><body><h1>Hostile</h1>
      <img src="{url}/d.png" alt="">
      <img src="file:///etc/hostname" alt="">
      <img src="/assets/../../../etc/hostname" alt="">
      <object data="{url}/e.pdf"></object>
      <embed src="{url}/f.svg">
      <iframe src="{url}/g.html"></iframe>
      </body></html>"""
    reader = read_pdf(html_to_pdf(html))
    assert http_server.requests == []
    # The service's own stylesheet was still served.
    assert "Page 1 of 1" in text_of(reader)


def test_collected_static_files_with_hashed_names_are_served(settings, tmp_path):
    """In production ``{% static %}`` names the collected, hashed copy."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    html = render_to_string("pdf/base.html", {"pdf_title": "Hashed"})
    assert re.search(r'href="/assets/app/pdf\.[0-9a-f]{12}\.css"', html)
    assert "Page 1 of 1" in text_of(read_pdf(html_to_pdf(html)))


def test_fetcher_serves_static_files():
    response = StaticFilesFetcher().fetch("file:///assets/app/pdf.css")
    try:
        assert response.read() == PDF_CSS.read_bytes()
        assert response.content_type == "text/css"
    finally:
        response.close()


@pytest.mark.parametrize(
    "url",
    [
        "https://www.gov.uk/assets/app/pdf.css",
        "http://example.org/image.png",
        "ftp://example.org/image.png",
        "data:text/css,body%7Bcolor:red%7D",
        "file:///etc/passwd",
        "file://localhost/assets/app/pdf.css",
        "file:///assets/../etc/passwd",
        "file:///assets/app/../../accreditation/settings.py",
        "file:///assets/%2e%2e/%2e%2e/etc/passwd",
        "file:///assets//etc/passwd",
        "file:///assets/%2Fetc%2Fpasswd",
        "file:///assets/app%5C..%5C..%5Caccreditation%5Csettings.py",
        "file:///assets/",
        "file:///assets/app/no-such-file.css",
        f"file://{PDF_CSS}",
    ],
)
def test_fetcher_refuses_everything_but_static_files(url):
    with pytest.raises(RefusedURL):
        StaticFilesFetcher().fetch(url)


def test_fetcher_refuses_a_live_address_without_asking_it(http_server):
    with pytest.raises(RefusedURL):
        StaticFilesFetcher().fetch(f"{http_server.url}/assets/app/pdf.css")
    assert http_server.requests == []


def test_a_process_that_renders_no_pdf_does_not_import_weasyprint():
    """WeasyPrint takes most of a second to import: a process pays for it
    only when it renders a PDF, not at start (the service's URLs, views and
    tasks loaded)."""
    import subprocess
    import sys

    script = (
        "import sys, django; django.setup(); "
        "import accreditation.urls, accreditation.celery, feedback.tasks; "
        "print('weasyprint' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "False"
