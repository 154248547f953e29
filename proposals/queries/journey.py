"""What a proposal must contain, and how far it has got.

Which criteria a proposal answers follows the framework's applicability rules
and the organisation's circumstances; the task list's sections and their
status are derived from what has been saved, never stored.
"""

import re
from dataclasses import dataclass, field
from functools import cached_property

from django.apps import apps
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import ngettext

from accreditation import clock, eligibility, policy
from accreditation.kept import Version
from accreditation.models import AccreditationType, Circumstance
from accreditation.models.organisations import DIOCESE_KINDS, MAINTAINED_SCHOOL_KINDS, kind_phrase
from proposals.models import Answer, PartnershipKind, Party, Route
from proposals.queries.starting import start_options

# Words are runs of non-space characters. The class below is exactly what
# JavaScript's \s matches, so GOV.UK's word count on the page and this count
# on the server always agree.
_JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_WORD = re.compile(f"[^{_JS_SPACE}]+")


def count_words(text):
    return len(_WORD.findall(text or ""))


def can_lead_federation(organisation):
    """Only a maintained school can lead a federation (prospectus 2.13)."""
    return organisation.kind in MAINTAINED_SCHOOL_KINDS


@dataclass(frozen=True)
class Question:
    """One criterion to be answered by one party."""

    criterion: object
    party: str

    @property
    def slug(self):
        return f"{self.criterion.code}-{self.party}"


def criterion_applies(criterion, proposal, *, national_support_school=None):
    """Does ``criterion`` apply to ``proposal``? ``national_support_school``
    says whether the organisation is one (the claim, when not given: what
    the applicant answers; assessment passes the screened status)."""
    organisation = proposal.applicant_profile
    if national_support_school is None:
        national_support_school = organisation.claims_national_support_school
    if proposal.accreditation_type == AccreditationType.ASP and not criterion.applies_to_asp:
        return False
    if proposal.accreditation_type == AccreditationType.ASG and not criterion.applies_to_asg:
        return False
    if criterion.circumstance == Circumstance.NON_EDUCATIONAL_OWN_RIGHT and not (
        not organisation.is_educational and proposal.route == Route.OWN_RIGHT
    ):
        return False
    return not (criterion.skipped_for_national_support_school and national_support_school)


FRAMEWORKS = Version("frameworks")
"""The token of the frameworks' criteria kept (``criteria_of``)."""
KEPT_SECONDS = 600


def watch_frameworks():
    """Connected at start-up: a framework, its parts and its criteria (a
    framework is frozen once a round using it opens, so they change while
    it is drafted)."""
    FRAMEWORKS.watch(
        apps.get_model("accreditation", "Framework"),
        apps.get_model("accreditation", "Part"),
        apps.get_model("accreditation", "Criterion"),
    )


def criteria_of(case):
    """The criteria of the case's framework, with their parts, in order:
    read by every page of the applicant's journey and of the case's
    assessment, so kept between changes to a framework (``FRAMEWORKS``)."""
    framework_id = case.framework_id
    return FRAMEWORKS.kept(
        f"criteria:{framework_id}", lambda: _read_criteria(framework_id), KEPT_SECONDS
    )


def _read_criteria(framework_id):
    return list(
        apps.get_model("accreditation", "Criterion")
        .objects.filter(part__framework_id=framework_id)
        .select_related("part")
        .order_by("part__number", "position")
    )


def answer_to(proposal, question):
    """The proposal's answer to ``question``, or None: one row at most (one
    per criterion and party), read by its key, not in the model's order
    (which joins the criterion and its part)."""
    return (
        Answer.objects.filter(proposal=proposal, criterion=question.criterion, party=question.party)
        .order_by("pk")
        .first()
    )


def questions(proposal, criteria, *, national_support_school=None):
    """Every (criterion, party) the proposal must answer, in order."""
    applies = [
        c
        for c in criteria
        if criterion_applies(c, proposal, national_support_school=national_support_school)
    ]
    result = [Question(criterion, Party.LEAD) for criterion in applies]
    if proposal.has_co_partner_route:
        result += [Question(c, Party.CO_PARTNER) for c in applies if c.answered_per_party]
    return result


@dataclass(frozen=True)
class SchoolsBasis:
    """How the schools section asks for schools: in the words of the basis
    on which the organisation may be an ASG (the eligibility table), or as
    the optional schools an ASP leads."""

    title: str
    intro: str
    needed: str
    since_label: str
    with_partnership: bool


def schools_basis(proposal):
    if not proposal.is_asg:
        return SchoolsBasis(
            title="Schools you lead now",
            intro="If you already lead improvement in a school through a formal partnership, "
            "add it. This is optional for an Accredited School Provider.",
            needed="",
            since_label="Led since",
            with_partnership=True,
        )
    minimum = policy.current().asg_minimum_schools
    if eligibility.asg_basis(proposal.applicant_profile) == eligibility.GOVERNS_PRIMARIES:
        needed = ngettext(
            "Add at least %(n)d primary school whose governance you are accountable for",
            "Add at least %(n)d primary schools whose governance you are accountable for",
            minimum,
        ) % {"n": minimum}
        return SchoolsBasis(
            title="Primary schools whose governance you are accountable for",
            intro=f"Your organisation can be an Accredited Schools Group because it is "
            f"accountable for governance in primary schools. {needed}.",
            needed=needed,
            since_label="Accountable since",
            with_partnership=False,
        )
    needed = ngettext(
        "Add at least %(n)d school you lead improvement in through a formal partnership now",
        "Add at least %(n)d schools you lead improvement in through a formal partnership now",
        minimum,
    ) % {"n": minimum}
    return SchoolsBasis(
        title="Schools you lead now",
        intro=f"Your organisation can be an Accredited Schools Group because it leads "
        f"improvement in schools through a formal partnership. {needed}.",
        needed=needed,
        since_label="Led since",
        with_partnership=True,
    )


CO_PARTNER_FIRST = "Give your co-partner’s details before answering for them."
"""The co-partner's questions wait for its details: which examples of
evidence its answers are shown depends on what kind of organisation it is."""


class Status:
    NOT_STARTED = "Not started"
    IN_PROGRESS = "In progress"
    COMPLETED = "Completed"
    OPTIONAL = "Optional"
    CANNOT_START = "Cannot start yet"
    PROBLEM = "There is a problem"


@dataclass(frozen=True)
class Notice:
    """Something that changed under a section (the organisation's profile),
    what it means and what to do: shown on the task list and the section."""

    message: str
    what_to_do: str
    link_text: str
    url: str


@dataclass
class Section:
    key: str
    title: str
    url: str
    status: str
    problems: list = field(default_factory=list)
    hint: str = ""
    notice: Notice | None = None
    optional: bool = False
    """A section the proposal may go without (its documents, the schools an
    ASP leads): not one of those to complete, filled in or not."""

    @property
    def completed(self):
        return self.status == Status.COMPLETED


@dataclass
class Problem:
    """Something missing or wrong that stops submission, with where to fix it."""

    message: str
    url: str


class Journey:
    """A proposal's task list, built from data loaded once (the view passes a
    proposal with its related rows prefetched)."""

    def __init__(self, proposal, criteria, answers, schools, co_partner, documents):
        self.proposal = proposal
        self.organisation = proposal.applicant_profile
        self.criteria = criteria
        self.answers = {(a.criterion_id, a.party): a for a in answers}
        self.schools = schools
        self.co_partner = co_partner
        self.documents = documents
        self.questions = questions(proposal, criteria)

    @cached_property
    def verdict(self):
        """Whether the organisation may seek the proposal's type, asked once."""
        return eligibility.assess(self.organisation, self.proposal.accreditation_type)

    @property
    def is_diocese(self):
        return self.organisation.kind in DIOCESE_KINDS

    @classmethod
    def load(cls, proposal):
        criteria = criteria_of(proposal)
        answers = list(proposal.answers.all())
        schools = list(proposal.schools_led.select_related("local_authority"))
        co_partner = getattr(proposal, "co_partner", None) if proposal.pk else None
        documents = list(proposal.evidence.all())
        return cls(proposal, criteria, answers, schools, co_partner, documents)

    def url(self, name, *args):
        return reverse(name, args=[self.proposal.pk, *args])

    @property
    def profile_url(self):
        """The organisation's profile, with the way back to this proposal."""
        return f"{reverse('organisation-profile')}?{urlencode({'proposal': self.proposal.pk})}"

    @property
    def schools_basis(self):
        return schools_basis(self.proposal)

    def answer_for(self, question):
        return self.answers.get((question.criterion.id, question.party))

    def questions_in(self, part_number, party):
        return [
            q for q in self.questions if q.criterion.part.number == part_number and q.party == party
        ]

    def question_groups(self):
        """The questions by part, the lead's first, then the co-partner's
        Part Two: (key, title, questions) in task-list order."""
        groups = []
        for party in (Party.LEAD, Party.CO_PARTNER):
            parts = {
                q.criterion.part.number: q.criterion.part
                for q in self.questions
                if q.party == party
            }
            for number, part in sorted(parts.items()):
                title = str(part) if party == Party.LEAD else f"{part}: the co-partner’s answers"
                key = f"part-{number}" if party == Party.LEAD else f"part-{number}-co-partner"
                groups.append((key, title, self.questions_in(number, party)))
        return groups

    # --- sections -------------------------------------------------------------

    def sections(self):
        sections = [self._organisation(), self._type_and_models()]
        sections.append(self._schools())
        if self.proposal.has_co_partner_route:
            sections.append(self._co_partner())
        if self.is_diocese:
            sections.append(self._new_provision())
        sections += [
            self._questions_section(key, title, questions)
            if self.co_partner is not None or questions[0].party != Party.CO_PARTNER
            else Section(key, title, "", Status.CANNOT_START, hint=CO_PARTNER_FIRST)
            for key, title, questions in self.question_groups()
        ]
        sections.append(
            Section(
                "documents",
                "Supporting documents",
                self.url("proposal-documents"),
                Status.COMPLETED if self.documents else Status.OPTIONAL,
                optional=True,
            )
        )
        sections.append(self._declaration())
        return sections

    def _organisation(self):
        organisation = self.organisation
        problems = []
        if not organisation.address.strip():
            problems.append(Problem("Add your organisation’s address", self.profile_url))
        return Section(
            "organisation",
            "Organisation details",
            self.profile_url,
            Status.IN_PROGRESS if problems else Status.COMPLETED,
            problems,
        )

    def _instead(self):
        """The end of the advice to withdraw a proposal of a type the profile
        rules out: start one of the other type instead, if the organisation
        may here, or why it may not."""
        proposal = self.proposal
        other = next(
            verdict
            for verdict in start_options(self.organisation, proposal.period)
            if verdict.accreditation_type != proposal.accreditation_type
        )
        label = AccreditationType(other.accreditation_type).label
        if other.eligible:
            return f", and start an {label} proposal instead."
        return f". An {label} proposal cannot be started instead now. {other.reason}"

    def _type_and_models(self):
        proposal = self.proposal
        url = self.url("proposal-type")
        problems = []
        notice = None
        if not self.organisation.is_educational and not proposal.route:
            problems.append(Problem("Say how your organisation is applying", url))
        if not (proposal.leads_majority_trust or proposal.leads_federation):
            problems.append(Problem("Choose the partnerships you want to lead", url))
        if proposal.leads_federation and not can_lead_federation(self.organisation):
            problems.append(Problem("Only a maintained school can lead a federation", url))
            notice = Notice(
                "Only a maintained school can lead a federation, and your organisation’s "
                f"profile says it is {kind_phrase(self.organisation.kind)}.",
                "Choose the partnerships you want to lead again, or change your "
                "organisation’s profile if it is wrong.",
                "Change the partnerships you want to lead",
                url,
            )
        verdict = self.verdict
        if not verdict.eligible:
            problems.append(Problem(verdict.reason, self.profile_url))
            notice = Notice(
                verdict.reason,
                "If your organisation’s profile is wrong, change it. If it is right, this "
                f"proposal cannot be submitted: withdraw it{self._instead()}",
                "Change your organisation’s profile",
                self.profile_url,
            )
        # Only the questions the page asks count as something done: a page
        # that states the one partnership the organisation can lead, and asks
        # nothing, is complete when there is no problem, saved or not.
        asks_route = not self.organisation.is_educational
        asks_partnerships = can_lead_federation(self.organisation)
        touched = (asks_route and proposal.route) or (
            asks_partnerships and (proposal.leads_majority_trust or proposal.leads_federation)
        )
        status = (
            Status.COMPLETED
            if not problems
            else Status.PROBLEM
            if notice
            else Status.IN_PROGRESS
            if touched
            else Status.NOT_STARTED
        )
        # Told, not a problem: it stops nothing.
        notice = notice or self._co_partner_kept()
        return Section("type", "Type and partnerships", url, status, problems, notice=notice)

    def _co_partner_kept(self):
        """A proposal whose route no longer has a co-partner keeps its
        co-partner's details and answers, out of the proposal, to use again
        if the route has one again: a notice that says so, or None."""
        if self.proposal.has_co_partner_route or self.co_partner is None:
            return None
        count = sum(
            1
            for (_criterion, party), answer in self.answers.items()
            if party == Party.CO_PARTNER and answer.text.strip()
        )
        kept = "your co-partner’s details"
        if count:
            kept += " and " + ngettext(
                "the answer written for it", "the %(count)d answers written for it", count
            ) % {"count": count}
        if self.organisation.is_educational:
            return Notice(
                f"Your organisation’s profile says it is {kind_phrase(self.organisation.kind)}, "
                "and an educational "
                f"organisation applies without a co-partner, so {kept} are not part of this "
                "proposal.",
                "They have been kept: if the profile is wrong, change it to include them again.",
                "Change your organisation’s profile",
                self.profile_url,
            )
        return Notice(
            "Your organisation is not applying as the lead of a consortium or with an "
            f"educational co-partner, so {kept} are not part of this proposal.",
            "They have been kept: choose one of those ways of applying to include them again.",
            "Change how your organisation is applying",
            self.url("proposal-type"),
        )

    def _schools(self):
        url = self.url("proposal-schools")
        basis = self.schools_basis
        if not self.verdict.eligible:
            # Type and partnerships says why it cannot be submitted: no
            # advice here about schools it could never be submitted with.
            return Section(
                "schools",
                basis.title,
                "",
                Status.CANNOT_START,
                hint="This proposal cannot be submitted: Type and partnerships says why.",
            )
        problems = []
        notice = None
        if basis.needed and len(self.schools) < policy.current().asg_minimum_schools:
            problems.append(Problem(basis.needed, url))
        # Primary schools added for their governance have no partnership: if
        # the profile's kind now makes the basis the schools it leads, they
        # must be added again with one.
        unpartnered = [s.name for s in self.schools if basis.with_partnership and not s.partnership]
        if unpartnered:
            names = ", ".join(unpartnered)
            count = len(unpartnered)
            problems.append(Problem(f"Add {names} again with the kind of partnership", url))
            notice = Notice(
                f"Your organisation’s profile says it is {kind_phrase(self.organisation.kind)}, "
                "so an Accredited Schools Group shows the schools it leads through a formal "
                "partnership. "
                + ngettext(
                    "%(names)s was added without the kind of partnership.",
                    "%(names)s were added without the kind of partnership.",
                    count,
                )
                % {"names": names},
                ngettext(
                    "Remove it, and add it again with the kind of partnership if your "
                    "organisation leads it through one.",
                    "Remove them, and add again each one your organisation leads through a "
                    "formal partnership, with the kind of partnership.",
                    count,
                ),
                "Change the schools",
                url,
            )
        # Only a maintained school can lead a federation: a school added
        # through one before the profile's kind changed (or copied from an
        # earlier proposal) is added again through another partnership.
        federated = [
            s.name
            for s in self.schools
            if s.partnership == PartnershipKind.FEDERATION
            and not can_lead_federation(self.organisation)
        ]
        if federated:
            names = ", ".join(federated)
            problems.append(
                Problem(f"Add {names} again with a partnership other than a federation", url)
            )
            notice = notice or Notice(
                f"Your organisation’s profile says it is {kind_phrase(self.organisation.kind)}, "
                "and only a maintained school can lead a federation. "
                + ngettext(
                    "%(names)s was added as led through a federation.",
                    "%(names)s were added as led through a federation.",
                    len(federated),
                )
                % {"names": names},
                ngettext(
                    "Remove it, and add it again with the partnership through which your "
                    "organisation leads it.",
                    "Remove them, and add each again with the partnership through which your "
                    "organisation leads it.",
                    len(federated),
                ),
                "Change the schools",
                url,
            )
        if notice:
            status = Status.PROBLEM
        elif problems:
            status = Status.IN_PROGRESS if self.schools else Status.NOT_STARTED
        else:
            status = Status.COMPLETED if self.schools else Status.OPTIONAL
        return Section(
            "schools",
            basis.title,
            url,
            status,
            problems,
            hint=basis.needed,
            notice=notice,
            optional=not basis.needed,
        )

    def _co_partner(self):
        url = self.url("proposal-co-partner")
        if self.co_partner is None:
            return Section(
                "co-partner",
                "Co-partner details",
                url,
                Status.NOT_STARTED,
                [Problem("Give your co-partner’s details", url)],
            )
        return Section("co-partner", "Co-partner details", url, Status.COMPLETED)

    def _new_provision(self):
        url = self.url("proposal-new-provision")
        proposal = self.proposal
        problems = []
        if proposal.seeks_new_faith_provision is None:
            problems.append(
                Problem("Say whether you seek accreditation for new faith provision", url)
            )
        elif proposal.seeks_new_faith_provision and not proposal.new_provision_statement.strip():
            problems.append(Problem("Describe the new faith provision you seek", url))
        status = Status.COMPLETED if not problems else Status.NOT_STARTED
        if problems and proposal.seeks_new_faith_provision is not None:
            status = Status.IN_PROGRESS
        return Section("new-provision", "New faith provision", url, status, problems)

    def _questions_section(self, key, title, qs):
        problems = []
        answered = 0
        for question in qs:
            answer = self.answer_for(question)
            url = self.url("proposal-answer", question.criterion.code, question.party)
            if answer is None or not answer.text.strip():
                problems.append(
                    Problem(f"Answer {question.criterion.code}: {question.criterion.title}", url)
                )
                continue
            answered += 1
            words = count_words(answer.text)
            if words > question.criterion.word_limit:
                problems.append(
                    Problem(
                        f"Shorten {question.criterion.code}: it has {words} words and the limit "
                        f"is {question.criterion.word_limit}",
                        url,
                    )
                )
        first = qs[0] if qs else None
        url = (
            self.url("proposal-answer", first.criterion.code, first.party)
            if first
            else self.url("proposal-task-list")
        )
        status = (
            Status.COMPLETED
            if not problems
            else Status.IN_PROGRESS
            if answered
            else Status.NOT_STARTED
        )
        return Section(key, title, url, status, problems)

    def _declaration(self):
        url = self.url("proposal-declaration")
        if self.proposal.declared_at:
            return Section("declaration", "Declaration", url, Status.COMPLETED)
        undone = self.proposal.declaration_undone_at
        notice = None
        if undone:
            when = date_format(clock.local(undone), "j F Y")
            notice = Notice(
                f"Your organisation’s profile was changed on {when}, after you made the "
                "declaration, so it has been undone.",
                "Check that your answers are still true and complete, then make the "
                "declaration again.",
                "Make the declaration again",
                url,
            )
        return Section(
            "declaration",
            "Declaration",
            url,
            Status.PROBLEM if undone else Status.NOT_STARTED,
            [Problem("Make the declaration", url)],
            notice=notice,
        )

    def problems(self):
        return [problem for section in self.sections() for problem in section.problems]

    def section(self, key):
        return next(section for section in self.sections() if section.key == key)
