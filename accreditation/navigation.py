"""The service navigation (GOV.UK "service navigation" component, in the
base template): the sections the signed-in person can use, with the one
they are in marked. Each section links to a page that exists and that the
person may open; the permissions are the ones its page checks, asked of
the rules alone (Django's model permissions, never used for these, would
cost two queries a page)."""

from dataclasses import dataclass

import rules
from django.urls import reverse


@dataclass(frozen=True)
class Section:
    label: str
    url_name: str
    permission: str | None = None
    # Other paths that belong to the section, besides its own page's.
    also: tuple = ()


APPLICANT_SECTIONS = (
    Section("Home", "applicant-home"),
    Section("Proposals", "proposal-dashboard", also=("/out-of-round/",)),
    Section("Organisation", "organisation-profile"),
    Section("Guidance", "guidance-criteria"),
    Section("Register", "register-search"),
)

STAFF_SECTIONS = (
    Section("Staff home", "staff-home"),
    Section("Cases", "staff-cases", permission="accreditation.do_casework"),
    Section("Your assessments", "assessor-queue", permission="assessments.use_queue"),
    Section("Rounds", "staff-rounds", permission="accreditation.manage_rounds"),
    Section("Screening", "screening-queue", permission="assessments.screen_cases"),
    Section("Assignment", "assignment-rounds", permission="assessments.assign_assessors"),
    Section("Advisory Group", "advisory-meetings", permission="advisory_group.use_meetings"),
    Section(
        "Decisions",
        "decision-queue",
        permission="accreditation.use_decisions",
        also=("/staff/register/",),
    ),
    Section("Concerns", "staff-concerns", permission="feedback.view_concerns"),
    Section("Letters", "staff-letters", permission="feedback.view_letters_register"),
    Section("Reports", "staff-reports", permission="accreditation.view_reports"),
    Section(
        "Out-of-round requests",
        "out-of-round-staff-list",
        permission="proposals.decide_out_of_round",
    ),
    Section("Schedule", "staff-schedule", permission="accreditation.view_schedule"),
    Section("Emails not sent", "staff-failed-emails", permission="accreditation.retry_email"),
    Section("Conflicts of interest", "staff-conflicts", permission="assessments.declare_conflict"),
    Section("Staff users", "staff-users", permission="accreditation.manage_users"),
    Section("Reference data", "admin:index", permission="accreditation.use_admin"),
)

SIGNED_OUT_SECTIONS = (
    Section("Guidance", "guidance-criteria"),
    Section("Register", "register-search"),
)


def sections_for(user):
    if not user.is_authenticated:
        return SIGNED_OUT_SECTIONS
    if user.is_staff_user:
        return STAFF_SECTIONS
    if rules.has_perm("accreditation.use_applicant_pages", user):
        return APPLICANT_SECTIONS
    return ()


def items(request):
    """[{label, href, active, current}]: ``current`` on the section's own
    page, ``active`` anywhere in it (the longest matching path wins, so a
    case page is in Cases, not Staff home)."""
    user = request.user
    shown = [
        (section, reverse(section.url_name))
        for section in sections_for(user)
        if section.permission is None or rules.has_perm(section.permission, user)
    ]
    path = request.path

    def match(entry):
        section, href = entry
        prefixes = (href, *section.also)
        return max((len(p) for p in prefixes if path.startswith(p)), default=0)

    best = max(shown, key=match, default=None)
    active = best if best is not None and match(best) else None
    return [
        {
            "label": section.label,
            "href": href,
            "active": (section, href) == active,
            "current": path == href,
        }
        for section, href in shown
    ]
