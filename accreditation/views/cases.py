"""The staff path to a case: a case's page with its timeline (the list of
cases is in ``case_list``). A case the person may not see answers 404."""

from django.apps import apps
from django.utils.functional import cached_property
from django.views.generic import TemplateView

from accreditation import events
from accreditation.access import StaffAreaMixin
from accreditation.case_roles import CaseRole, resolve
from accreditation.models import CaseEvent


class CaseView(StaffAreaMixin, TemplateView):
    act_permission = "accreditation.do_casework"
    see_permission = "accreditation.view_case"
    template_name = "staff/cases/case.html"

    @cached_property
    def case(self):
        return (
            apps.get_model("proposals", "Proposal")
            .objects.select_related("organisation__local_authority", "round", "window", "framework")
            .filter(pk=self.kwargs["pk"])
            .first()
        )

    def get_permission_object(self):
        return self.case

    def get_context_data(self, **kwargs):
        case = self.case
        timeline = CaseEvent.objects.filter(case=case).select_related("actor").order_by("-sequence")
        parts = sorted(CaseRole(role).label for role in resolve(case, self.request.user))
        return super().get_context_data(
            case=case,
            parts=parts,
            assignments=case.assignments.select_related("assessor").order_by("-assigned_at"),
            timeline=[(event, events.get(event.action).staff_label) for event in timeline],
            **kwargs,
        )
