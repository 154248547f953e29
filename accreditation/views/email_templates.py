"""Staff preview every e-mail the service sends, with example data: the
subject, the plain-text part, and the HTML part in a sandboxed frame served
with a policy that lets it run nothing and load nothing."""

from csp.decorators import csp_exempt
from django.http import Http404, HttpResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.generic import ListView, TemplateView

from accreditation import emails
from accreditation.access import StaffAreaMixin
from accreditation.paging import NearestPageMixin

HTML_PREVIEW_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'self'; sandbox"
)


class EmailTemplateListView(StaffAreaMixin, NearestPageMixin, ListView):
    act_permission = "accreditation.preview_emails"
    template_name = "staff/email_templates.html"
    context_object_name = "templates"
    paginate_by = 50

    def get_queryset(self):
        return emails.all_templates()


class EmailTemplateMixin(StaffAreaMixin):
    act_permission = "accreditation.preview_emails"

    def get_email(self):
        try:
            return emails.get(f"{self.kwargs['app']}/{self.kwargs['key']}")
        except emails.UnknownEmail:
            raise Http404("No such email") from None


class EmailPreviewView(EmailTemplateMixin, TemplateView):
    template_name = "staff/email_preview.html"

    def get_context_data(self, **kwargs):
        email = self.get_email()
        return super().get_context_data(
            email=email, rendered=emails.render(email.name, email.example_context()), **kwargs
        )


@method_decorator([csp_exempt(), xframe_options_sameorigin], name="dispatch")
class EmailPreviewHtmlView(EmailTemplateMixin, View):
    """The HTML part alone, for the preview's frame: its own policy forbids
    scripts, plugins and loading anything, and the frame is sandboxed too."""

    def get(self, request, *args, **kwargs):
        email = self.get_email()
        response = HttpResponse(emails.render(email.name, email.example_context()).html)
        response["Content-Security-Policy"] = HTML_PREVIEW_POLICY
        return response
