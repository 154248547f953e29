"""The pages the benchmark times: one entry each.

An entry names the page, who asks for it (a function of the seeded data
giving the signed-in user, or None for the public), how to build its URL
from the seeded data, whether it is a list (its query count must not grow
with the data), and optionally the most queries it may make. The floor it
is compared with renders as many rows as the page did (``Page.rows``: the
table rows, summary-list rows, task-list items and timeline items in the
page's HTML, unless an entry gives its own count).

To add a page (the round report, the case list's filters after a merge),
add one ``Page`` to ``PAGES``; ``tests/test_benchmark_registry.py`` then
checks that it answers 200 on the demo data.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from django.apps import apps
from django.urls import reverse

ROW_MARKERS = re.compile(
    r'<tr[\s>]|class="[^"]*\b(?:govuk-summary-list__row|govuk-task-list__item|moj-timeline__item)\b'
)
HEAD_ROWS = re.compile(r"<thead[\s>]")


def rows_rendered(html):
    """Rows a page shows: table body rows, summary-list rows, task-list items
    and timeline items."""
    return max(0, len(ROW_MARKERS.findall(html)) - len(HEAD_ROWS.findall(html)))


class NoData(Exception):
    """The seeded data has nothing this page can show."""


class Data:
    """Lookups into the seeded data that the entries share, each made once."""

    def user(self, email):
        return apps.get_model("accreditation", "User").objects.get(email=email)

    def _cases(self):
        return apps.get_model("proposals", "Proposal").objects

    @cached_property
    def applicant(self):
        return self.user("applicant@example.org")

    @cached_property
    def applicant_draft(self):
        """A draft of one of the applicant's organisations, in an open round."""
        from accreditation import clock

        now = clock.now()
        draft = (
            self._cases()
            .filter(
                organisation__memberships__user=self.applicant,
                status="draft",
                round__opens_at__lte=now,
                round__deadline__gt=now,
            )
            .order_by("pk")
            .first()
        )
        if draft is None:
            raise NoData("the demo applicant has no draft in an open round")
        return draft

    @cached_property
    def applicant_question(self):
        """The answer page of the draft's first question, as (criterion code,
        party): the page applicants ask for most (the load test saves it
        too)."""
        from proposals.queries.journey import Journey

        question = Journey.load(self.applicant_draft).questions[0]
        return question.criterion.code, question.party

    @cached_property
    def applicant_submitted(self):
        case = (
            self._cases()
            .filter(organisation__memberships__user=self.applicant, reference__isnull=False)
            .order_by("pk")
            .first()
        )
        if case is None:
            raise NoData("the demo applicant has no submitted case")
        return case

    @cached_property
    def scoring_case(self):
        """A case in assessment with the demo assessor as first assessor, the
        one with most scores."""
        from django.db.models import Count

        case = (
            self._cases()
            .filter(
                status="in_assessment",
                assignments__assessor__email="assessor@example.org",
                assignments__kind="first",
                assignments__ended_at=None,
            )
            .annotate(scored=Count("assignments__scores"))
            .order_by("-scored", "pk")
            .first()
        )
        if case is None:
            raise NoData("the demo assessor has no case in assessment")
        return case

    @cached_property
    def busiest_case(self):
        """The submitted case with the longest timeline."""
        case = (
            self._cases()
            .filter(submitted_at__isnull=False)
            .order_by("-timeline_sequence", "pk")
            .first()
        )
        if case is None:
            raise NoData("no submitted case")
        return case

    @cached_property
    def busiest_round(self):
        """The round with the most submitted cases."""
        from django.db.models import Count, Q

        round_ = (
            apps.get_model("accreditation", "Round")
            .objects.annotate(
                cases=Count("proposals", filter=Q(proposals__submitted_at__isnull=False))
            )
            .order_by("-cases", "pk")
            .first()
        )
        if round_ is None:
            raise NoData("no round")
        return round_

    @cached_property
    def next_meeting(self):
        from advisory_group.queries.agenda import next_meeting

        meeting = next_meeting()
        if meeting is None:
            raise NoData("no Advisory Group meeting to come")
        return meeting

    @cached_property
    def provider(self):
        """A provider on the public register that works in a local authority."""
        from register.models import PUBLIC_STATES, RegisterEntry

        entry = (
            RegisterEntry.objects.filter(state__in=PUBLIC_STATES, works_in__isnull=False)
            .select_related("region")
            .order_by("name", "pk")
            .first()
        )
        if entry is None:
            raise NoData("nobody on the register")
        return entry

    def register_every_filter(self):
        """The register search with every filter set to the provider's own
        values, so the results hold at least that provider."""
        from urllib.parse import urlencode

        entry = self.provider
        query = {
            "q": entry.name[:4],
            "type": entry.accreditation_type,
            "local_authority": entry.works_in.order_by("code").first().code,
            "region": entry.region_id,
            "phase": entry.phase,
            "kind": entry.kind,
            "faith_designation": entry.faith_designation,
        }
        if entry.leads_federation:
            query["federation"] = "on"
        if entry.leads_majority_trust:
            query["majority_trust"] = "on"
        return reverse("register-search") + "?" + urlencode(query)


def _email(address):
    return lambda data: data.user(address)


CASEWORKER = _email("caseworker@example.org")
ASSESSOR = _email("assessor@example.org")
CHAIR = _email("advisory@example.org")
DECISION = _email("decision@example.org")
ADMIN = _email("admin@example.org")


def _applicant(data):
    return data.applicant


def _public(data):
    return None


@dataclass(frozen=True)
class Page:
    name: str
    who: Callable
    url: Callable
    is_list: bool = False
    max_queries: int | None = None
    rows: int | None = None
    """The floor's rows; None: as many as the page rendered."""
    organisation: Callable | None = None
    """The applicant's organisation to switch to first (the session's choice)."""
    before: Callable | None = None
    """Called before each request of the page, untimed."""


def _register_changed():
    """The register changed: its kept search results are not used again."""
    from register.queries import kept

    kept.changed()


def _something_written():
    """Something was written to the database: the staff homes' kept counts
    are not used again (as ``kept.watch_writes`` marks them)."""
    from accreditation import homes

    homes.COUNTS_KEPT.changed()


def _url(name, *args):
    return lambda data: reverse(name, args=[arg(data) for arg in args])


PAGES = (
    # Anyone
    Page("start page", _public, _url("start")),
    Page("criteria guidance", _public, _url("guidance-criteria")),
    Page("register search", _public, _url("register-search"), is_list=True),
    Page(
        "register search, every filter",
        _public,
        lambda data: data.register_every_filter(),
        is_list=True,
    ),
    Page(
        "register search, by name",
        _public,
        lambda data: reverse("register-search") + "?q=trust",
        is_list=True,
    ),
    Page(
        "register search, after a change",
        _public,
        _url("register-search"),
        is_list=True,
        before=_register_changed,
    ),
    Page("register provider", _public, _url("register-provider", lambda d: d.provider.pk)),
    # Applicants
    Page("applicant home", _applicant, _url("applicant-home")),
    Page("applicant dashboard", _applicant, _url("proposal-dashboard"), is_list=True),
    Page(
        "task list",
        _applicant,
        _url("proposal-task-list", lambda d: d.applicant_draft.pk),
        organisation=lambda d: d.applicant_draft.organisation_id,
    ),
    Page(
        "answer page",
        _applicant,
        _url(
            "proposal-answer",
            lambda d: d.applicant_draft.pk,
            lambda d: d.applicant_question[0],
            lambda d: d.applicant_question[1],
        ),
        organisation=lambda d: d.applicant_draft.organisation_id,
    ),
    Page(
        "check answers",
        _applicant,
        _url("proposal-check", lambda d: d.applicant_draft.pk),
        organisation=lambda d: d.applicant_draft.organisation_id,
    ),
    Page(
        "case status (applicant)",
        _applicant,
        _url("proposal-status", lambda d: d.applicant_submitted.pk),
        organisation=lambda d: d.applicant_submitted.organisation_id,
    ),
    # Casework officers
    Page("screening queue", CASEWORKER, _url("screening-queue"), is_list=True),
    Page("staff home (casework officer)", CASEWORKER, _url("staff-home")),
    Page(
        "staff home, after a change",
        CASEWORKER,
        _url("staff-home"),
        before=_something_written,
    ),
    Page("case list", CASEWORKER, _url("staff-cases"), is_list=True, max_queries=19),
    Page(
        "case list, filtered",
        CASEWORKER,
        lambda d: reverse("staff-cases") + "?status=in_assessment&status=assessed&type=asp",
        is_list=True,
        max_queries=19,
    ),
    Page(
        "case list, searched",
        CASEWORKER,
        lambda d: reverse("staff-cases") + "?q=trust",
        is_list=True,
        max_queries=19,
    ),
    Page(
        "case list, sorted by assessor",
        CASEWORKER,
        lambda d: reverse("staff-cases") + "?sort=assessor",
        is_list=True,
        max_queries=19,
    ),
    Page(
        "case page",
        CASEWORKER,
        _url("staff-case", lambda d: d.busiest_case.pk),
        max_queries=19,
    ),
    Page("out-of-round requests", CASEWORKER, _url("out-of-round-staff-list"), is_list=True),
    Page("letters issued", CASEWORKER, _url("staff-letters"), is_list=True),
    Page(
        "round report",
        CASEWORKER,
        _url("staff-report", lambda d: d.busiest_round.pk),
        max_queries=19,
    ),
    Page(
        "round report, each assessor",
        CASEWORKER,
        _url("staff-report-calibration", lambda d: d.busiest_round.pk),
        is_list=True,
    ),
    # Assessors
    Page("assessor queue", ASSESSOR, _url("assessor-queue"), is_list=True),
    Page(
        "assessor queue, overdue",
        ASSESSOR,
        lambda d: reverse("assessor-queue") + "?overdue=on&sort=due",
        is_list=True,
    ),
    Page("scoring page", ASSESSOR, _url("case-scores", lambda d: d.scoring_case.pk)),
    # The Advisory Group
    Page("agenda", CHAIR, _url("advisory-meeting", lambda d: d.next_meeting.pk), is_list=True),
    # Decision officials
    Page("decision queue", DECISION, _url("decision-queue"), is_list=True),
    # Administrators
    Page("staff users", ADMIN, _url("staff-users"), is_list=True),
)
