"""The staff path to a case: a case's page with its timeline (the list of
cases is in ``case_list``). A case the person may not see answers 404."""

import rules
from django.apps import apps
from django.http import FileResponse
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import TemplateView

from accreditation import clock, policy
from accreditation.access import StaffAreaMixin
from accreditation.case_roles import CaseRole, remember, with_roles
from accreditation.queries.case_page import ASSESSING, case_page
from accreditation.queries.cases import case_seen_by, with_target
from accreditation.services import evidence_zip
from accreditation.views.case_list import list_address
from accreditation.workflow import Action, Status
from assessments.queries.assignment import ASSESSABLE
from assessments.queries.scoring import FEEDBACK_STATUSES, feedback_occasion, feedback_unwritten

DECISION_PAGE_STATUSES = (Status.AWAITING_DECISION, Status.ACCREDITED, Status.NOT_ACCREDITED)


class CaseMixin(StaffAreaMixin):
    act_permission = "accreditation.do_casework"
    see_permission = "accreditation.view_case"

    @cached_property
    def case(self):
        """The case, read with whether the viewer may see it (the
        permission check reads that from it) and what their roles in it
        depend on (``remember`` judges them from it)."""
        user = self.request.user
        cases = apps.get_model("proposals", "Proposal").objects.select_related(
            "organisation__local_authority__region",
            "round",
            "window",
            "framework",
            "co_partner__local_authority",
        )
        return case_seen_by(user, with_target(with_roles(cases, user)), self.kwargs["pk"])

    def get_permission_object(self):
        return self.case


class CaseView(CaseMixin, TemplateView):
    """Everything about a case in one place, with its timeline and each
    event's chain check (``accreditation.queries.case_page``)."""

    template_name = "staff/cases/case.html"

    def get_context_data(self, **kwargs):
        case = self.case
        user = self.request.user
        # Resolved once: the permission checks below and the template tags
        # read the roles kept on the case.
        roles = remember(case, user)
        page = case_page(case, user, roles)
        # Screened out, then a concern upheld: screened again by someone else.
        screen_again = case.status == Status.SUBMITTED and bool(
            page.screenings or page.screen_events
        )
        entry = self.register_entry()
        return super().get_context_data(
            case=case,
            page=page,
            parts=sorted(CaseRole(role).label for role in roles),
            # From the roles resolved once, as the rules judge them.
            can_score=bool(ASSESSING & roles),
            can_recommend=CaseRole.ASSESSOR in roles,
            feedback_to_write=user.has_perm("assessments.write_feedback", case)
            and feedback_occasion(case) is not None,
            # Only while the workflow lets a case have (new) assessors, or
            # its feedback waits for one to write it (not yet written).
            can_assign=CaseRole.CASEWORK_OFFICER in roles
            and (
                case.status in ASSESSABLE
                or (case.status in FEEDBACK_STATUSES and feedback_unwritten(case) is not None)
            ),
            screen_again=screen_again,
            today=clock.today(),
            may_screen=screen_again and user.has_perm("assessments.screen_case", case),
            screened_it_before=screen_again
            and any(
                entry.event.action == Action.SCREEN_INELIGIBLE and entry.event.actor_id == user.pk
                for entry in page.screen_events
            ),
            can_decide=rules.has_perm("accreditation.use_decisions", user)
            and case.status in DECISION_PAGE_STATUSES,
            scale_labels=dict(policy.current().score_labels),
            register_entry=entry,
            can_revoke=entry is not None and user.has_perm("register.revoke_entry", entry),
            back_to_cases=list_address(self.request),
            **kwargs,
        )

    def register_entry(self):
        """The register entry the case put its organisation on (an accredited
        case's), in whatever state it is now: revoked, it is no longer on the
        public register, and this is the way to its history."""
        if self.case.status != Status.ACCREDITED:
            return None
        RegisterEntry = apps.get_model("register", "RegisterEntry")
        return RegisterEntry.objects.filter(organisation_id=self.case.organisation_id).first()


class EvidenceZipView(CaseMixin, View):
    """All the case's evidence as one zip, built in a temporary file and
    streamed from it; the download is on the timeline."""

    def get(self, request, pk):
        handle = evidence_zip.evidence_zip(self.case, request.user)
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=evidence_zip.filename(self.case),
            content_type="application/zip",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
