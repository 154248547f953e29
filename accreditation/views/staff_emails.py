"""Casework officers see e-mail that could not be sent and send it again."""

from django.contrib import messages
from django.shortcuts import redirect
from django.views import View
from django.views.generic import ListView

from accreditation.access import StaffAreaMixin
from accreditation.numbers import parse_id
from accreditation.paging import NearestPageMixin
from accreditation.services import outbox


class FailedEmailListView(StaffAreaMixin, NearestPageMixin, ListView):
    act_permission = "accreditation.retry_email"
    template_name = "staff/failed_emails.html"
    paginate_by = 50
    context_object_name = "failed"

    def get_queryset(self):
        return outbox.failed_messages()


class RetryEmailView(StaffAreaMixin, View):
    """One failed message (``message``) or all of them (``all``) back in the
    outbox, with fresh attempts."""

    act_permission = "accreditation.retry_email"

    def post(self, request):
        chosen = parse_id(request.POST.get("message", ""))
        if "all" in request.POST:
            count = outbox.retry_failed(request.user)
        elif chosen is not None:
            count = outbox.retry_failed(request.user, ids=[chosen])
        else:
            count = 0
        if count:
            sent_again = "1 email" if count == 1 else f"{count} emails"
            messages.success(request, f"{sent_again} will be sent again.")
        else:
            messages.info(request, "That email is no longer waiting to be sent again.")
        return redirect("staff-failed-emails")
