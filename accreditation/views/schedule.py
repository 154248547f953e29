"""The schedule page: what is coming up, and what the scheduler did, so a
casework officer can trust it ran."""

from django.views.generic import ListView

from accreditation.access import StaffAreaMixin
from accreditation.paging import NearestPageMixin
from accreditation.queries import schedule


class ScheduleView(StaffAreaMixin, NearestPageMixin, ListView):
    act_permission = "accreditation.view_schedule"
    template_name = "staff/schedule.html"
    paginate_by = 20

    def get_queryset(self):
        return schedule.activity()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            upcoming=schedule.upcoming(),
            upcoming_days=schedule.UPCOMING_DAYS,
            tasks=schedule.task_statuses(),
            failed_emails=schedule.failed_email_count(),
            openings_and_closings=schedule.recent_openings_and_closings(),
            activity=[(row, *schedule.describe_activity(row)) for row in context["object_list"]],
        )
        return context
