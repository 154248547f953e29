"""Every e-mail the service sends, as Django templates with a plain-text and
an HTML part, registered here so staff can preview each with example data.

An e-mail ``name`` such as ``proposals/reminder`` is the pair of templates
``emails/proposals/reminder.txt`` and ``emails/proposals/reminder.html`` (the
HTML extends ``emails/base.html``, in GOV.UK style); its subject is a short
template string. Apps register their e-mails at import of their services, as
they register timeline events, so the spine imports none of them. Each
registration names a function giving example data for the preview: unsaved
model instances or plain values, never a query.
"""

from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.template import Context, Template
from django.template.loader import get_template
from django.utils.module_loading import import_string

from accreditation import policy
from accreditation.services import outbox


@dataclass(frozen=True)
class EmailTemplate:
    name: str
    title: str
    """What it is, for the list of templates: "Reminder of a draft's deadline"."""
    audience: str
    """Who receives it: "The organisation's contacts"."""
    subject: str
    """A template string for the subject, rendered with the same context."""
    example: str
    """Dotted path to a function returning example context for the preview."""

    @property
    def app(self):
        return self.name.split("/")[0]

    @property
    def slug(self):
        return self.name.split("/")[1]

    def example_context(self):
        return import_string(self.example)()


class UnknownEmail(LookupError):
    pass


_templates = {}


def register(*templates):
    for email in templates:
        known = _templates.get(email.name)
        if known is not None and known != email:
            raise ValueError(f"The email {email.name!r} is registered twice.")
        _templates[email.name] = email


def get(name):
    try:
        return _templates[name]
    except KeyError:
        raise UnknownEmail(f"No email {name!r} is registered.") from None


def all_templates():
    return sorted(_templates.values(), key=lambda email: email.name)


SUBJECT_MAX_CHARS = 250
"""As long as a subject the outbox keeps (``OutboxMessage.subject``)."""


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


@cache
def _subject_template(source):
    return Template("{% autoescape off %}" + source + "{% endautoescape %}")


def render(name, context):
    """The subject, text and HTML of e-mail ``name`` with ``context`` (the
    service's name and address are added)."""
    email = get(name)
    context = {
        "service_name": settings.SERVICE_NAME,
        "department_name": settings.DEPARTMENT_NAME,
        "contact_email": settings.CONTACT_EMAIL,
        "policy": policy.current(),
        **context,
    }
    subject = " ".join(_subject_template(email.subject).render(Context(context)).split())
    if len(subject) > SUBJECT_MAX_CHARS:  # a long name: the outbox keeps 250
        subject = subject[: SUBJECT_MAX_CHARS - 1].rstrip() + "…"
    return Rendered(
        subject=subject,
        text=get_template(f"emails/{name}.txt").render(context).strip() + "\n",
        html=get_template(f"emails/{name}.html").render({**context, "email_subject": subject}),
    )


def message(name, context, recipients, *, key="", secrets=()):
    """An outbox message of e-mail ``name`` (for ``outbox.queue_many``)."""
    rendered = render(name, context)
    return outbox.Message(
        rendered.subject, rendered.text, rendered.html, recipients, key=key, secrets=secrets
    )


def queue(name, context, recipients, *, key="", secrets=()):
    """Render e-mail ``name`` and queue it in the outbox (see ``outbox.queue``)."""
    outbox.queue_many([message(name, context, recipients, key=key, secrets=secrets)])
