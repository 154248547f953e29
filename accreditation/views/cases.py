"""The staff path to a case: the cases a staff member may see, and a case's
page with its timeline. A case the person may not see answers 404."""

from django.apps import apps
from django.utils.functional import cached_property
from django.views.generic import ListView, TemplateView

from accreditation import events
from accreditation.access import StaffAreaMixin
from accreditation.case_roles import CaseRole, resolve
from accreditation.models import CaseEvent
from accreditation.queries.cases import visible_to


class CaseListView(StaffAreaMixin, ListView):
    act_permission = "accreditation.do_casework"
    template_name = "staff/cases/list.html"
    context_object_name = "cases"
    paginate_by = 50

    def get_queryset(self):
        return (
            visible_to(self.request.user)
            # The period's name says whose window an out-of-round case is in.
            .select_related("organisation", "round", "window__organisation")
            .order_by("-updated_at", "-pk")
        )


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
