"""PDFs of the service's documents, rendered with WeasyPrint.

Every PDF is tagged (PDF/UA-1) with its language and title, set in Liberation
Sans (Debian's ``fonts-liberation2``), and may load nothing but the service's
own static files: applicant text is autoescaped by the templates, and even
if markup ever slipped through, the URL fetcher (``pdf_engine``) refuses remote
addresses and files outside the static folders, so a PDF cannot be made to
fetch anything.
"""

from django.conf import settings
from django.template.loader import render_to_string


def html_to_pdf(html):
    """A tagged PDF of a complete HTML document (which must give its ``lang``
    and ``<title>``)."""
    from accreditation.pdf_engine import write_pdf

    return write_pdf(html)


def render_html(template_name, context, *, title):
    """The HTML of a template extending ``pdf/base.html``, ready for
    ``html_to_pdf``."""
    return render_to_string(
        template_name,
        {
            "service_name": settings.SERVICE_NAME,
            "department_name": settings.DEPARTMENT_NAME,
            "contact_email": settings.CONTACT_EMAIL,
            **context,
            "pdf_title": title,
        },
    )


def render_pdf(template_name, context, *, title):
    """Render a template extending ``pdf/base.html`` to PDF bytes."""
    return html_to_pdf(render_html(template_name, context, title=title))
