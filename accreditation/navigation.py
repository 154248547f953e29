"""The service navigation (GOV.UK "service navigation" component, in the
base template): the sections the signed-in person can use, with the one
they are in marked; past a handful, the daily work and "More", a page
listing the rest. Each section links to a page that exists and that the
person may open; the permissions are the ones its page checks, asked of
the rules alone (Django's model permissions, never used for these, would
cost two queries a page)."""

from dataclasses import dataclass

import rules
from django.urls import reverse

# A person with more sections than this sees their daily work (the primary
# sections) and "More", a page listing the rest: GOV.UK's service navigation
# is meant for a handful of links, not a second row of them.
MOST_LINKS = 6


@dataclass(frozen=True)
class Section:
    label: str
    url_name: str
    permission: str | None = None
    # Other paths that belong to the section, besides its own page's.
    also: tuple = ()
    # Daily work, always in the navigation; the rest may be under "More".
    primary: bool = True
    # What it is for, on the "More" page.
    description: str = ""


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
    Section(
        "Rounds",
        "staff-rounds",
        permission="accreditation.manage_rounds",
        primary=False,
        description="Create, change and cancel rounds; the term calendar.",
    ),
    Section("Screening", "screening-queue", permission="assessments.screen_cases"),
    Section("Assignment", "assignment-rounds", permission="assessments.assign_assessors"),
    Section("Advisory Group", "advisory-meetings", permission="advisory_group.use_meetings"),
    Section(
        "Decisions",
        "decision-queue",
        permission="accreditation.use_decisions",
        also=("/staff/register/",),
    ),
    Section(
        "Concerns",
        "staff-concerns",
        permission="feedback.view_concerns",
        primary=False,
        description="Concerns applicants have raised about their feedback letters.",
    ),
    Section(
        "Letters",
        "staff-letters",
        permission="feedback.view_letters_register",
        primary=False,
        description="The letters issued for the cases you may see.",
    ),
    Section(
        "Reports",
        "staff-reports",
        permission="accreditation.view_reports",
        primary=False,
        description="Each round's figures, as charts, tables and CSV.",
    ),
    Section(
        "Out-of-round requests",
        "out-of-round-staff-list",
        permission="proposals.decide_out_of_round",
        primary=False,
        description="Requests to apply outside a round, to grant or refuse.",
    ),
    Section(
        "Schedule",
        "staff-schedule",
        permission="accreditation.view_schedule",
        primary=False,
        description="The deadlines coming up and what the service has done on its own.",
    ),
    Section(
        "Emails not sent",
        "staff-failed-emails",
        permission="accreditation.retry_email",
        primary=False,
        description="Emails the service could not deliver, to check and send again.",
    ),
    Section(
        "Conflicts of interest",
        "staff-conflicts",
        permission="assessments.declare_conflict",
        primary=False,
        description="Your conflicts of interest: declare one, confirm or dismiss suggestions.",
    ),
    Section(
        "Your proposals",
        "applicant-home",
        permission="accreditation.use_applicant_pages",
        also=("/applicant/", "/proposals/", "/organisation/", "/accredited/", "/out-of-round/"),
        primary=False,
        description="As an applicant: your organisations and their proposals.",
    ),
    Section(
        "Staff users",
        "staff-users",
        permission="accreditation.manage_users",
        primary=False,
        description="Invite staff and change their roles.",
    ),
    Section(
        "Reference data",
        "admin:index",
        permission="accreditation.use_admin",
        primary=False,
        description="Regions, local authorities, the criteria, rounds and the activity log.",
    ),
)

MORE = Section("More", "staff-more")

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


def _open_to(user):
    return [
        (section, reverse(section.url_name))
        for section in sections_for(user)
        if section.permission is None or rules.has_perm(section.permission, user)
    ]


def more_sections(user):
    """[(section, href)]: the sections beyond the person's daily work, which
    the "More" page lists (all of them, whether or not the navigation needs
    "More")."""
    return [(section, href) for section, href in _open_to(user) if not section.primary]


def _shown(user):
    """[(section, href, paths that belong to it)] in the navigation: every
    section the person may open, or, past MOST_LINKS, the primary ones and
    "More", which holds the paths of the sections it lists."""
    shown = _open_to(user)
    if len(shown) <= MOST_LINKS:
        return [(section, href, (href, *section.also)) for section, href in shown]
    entries = [(s, href, (href, *s.also)) for s, href in shown if s.primary]
    more = reverse(MORE.url_name)
    paths = [more]
    for section, href in shown:
        if not section.primary:
            paths += [href, *section.also]
    return [*entries, (MORE, more, tuple(paths))]


def items(request):
    """[{label, href, active, current}]: ``current`` on the section's own
    page, ``active`` anywhere in it (the longest matching path wins, so a
    case page is in Cases, not Staff home; a page of a section listed under
    "More" is in More)."""
    shown = _shown(request.user)
    path = request.path

    def match(entry):
        return max((len(p) for p in entry[2] if path.startswith(p)), default=0)

    best = max(shown, key=match, default=None)
    active = best if best is not None and match(best) else None
    return [
        {
            "label": entry[0].label,
            "href": entry[1],
            "active": entry is active,
            "current": path == entry[1],
        }
        for entry in shown
    ]
