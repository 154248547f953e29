"""The casework officer's assignment pages: one case's assessors, the rounds,
and a round's proposed assignment with each assessor's capacity."""

import re

from django.contrib import messages
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.views.generic import FormView, ListView, TemplateView

from accreditation.access import StaffAreaMixin
from accreditation.models import Round
from accreditation.paging import NearestPageMixin
from accreditation.queries.cases import visible_to
from assessments.forms.assignment import CapacitiesForm, CaseAssessorForm
from assessments.models import Assignment, AssignmentKind, FeedbackOccasion
from assessments.queries import assignment as queries
from assessments.queries.scoring import feedback_unwritten
from assessments.services import assignment as services
from assessments.services import conflicts

FIRST, SECOND = AssignmentKind.FIRST, AssignmentKind.SECOND
SUGGESTED_NOTE = "possible conflict of interest, not yet confirmed or dismissed"
LINE_FIELD = re.compile(r"^line-([0-9]{1,10})-(first|second)$")


def line_name(case_id, kind):
    return f"line-{case_id}-{kind}"


def possible_conflicts(made):
    """For the assignments a round's page just ``made``: "assessor with
    organisation (reference)" for each whose assessor has a possible conflict
    the service suggested about the case's organisation and nobody has
    settled (as the case's assessors page notes one), in a fixed few queries."""
    open_ = conflicts.open_suggestions_for(
        (assignment.case.organisation, assignment.assessor) for assignment in made
    )
    return [
        f"{a.assessor.full_name} with {a.case.organisation.name} ({a.case.reference})"
        for a in made
        if (a.case.organisation_id, a.assessor_id) in open_
    ]


class CaseAssessorsView(StaffAreaMixin, FormView):
    """Assign or replace a case's assessor and, for a case that has quality
    assurance, its second assessor."""

    see_permission = "accreditation.view_case"
    act_permission = "assessments.assign_case_assessors"
    template_name = "assessments/assignment/case.html"
    form_class = CaseAssessorForm

    @cached_property
    def case(self):
        return (
            queries.proposal_model()
            .objects.select_related("organisation", "round", "window")
            .filter(pk=self.kwargs["pk"])
            .first()
        )

    def get_permission_object(self):
        return self.case

    @cached_property
    def current(self):
        return {
            assignment.kind: assignment
            for assignment in Assignment.objects.filter(case=self.case, ended_at__isnull=True)
            .select_related("assessor")
            .order_by()
        }

    @cached_property
    def writing_feedback(self):
        """Why the feedback to the applicant of a finished assessment waits
        for an assessor to write it (a ``FeedbackOccasion``), or None: then
        only a first assessor can be assigned."""
        if self.case.status in queries.ASSESSABLE:
            return None
        return feedback_unwritten(self.case)

    @cached_property
    def kinds(self):
        if self.writing_feedback:
            return [FIRST]
        if services.needs_second_assessor(self.case):
            return [FIRST, SECOND]
        return [FIRST]

    def people(self):
        """Every assessor, with what the officer should know before choosing:
        a conflict, a part in the case already, a likely conflict the service
        suggested to them that they have not yet settled, their workload in
        the round."""
        people = list(queries.assessors())
        case = self.case
        cases = queries.proposal_model().objects.filter(pk=case.pk)
        conflicted = {pk for _, pk in queries.conflicted_pairs(cases, people)}
        barred = {pk: why for (_, pk), why in queries.barred_pairs(cases).items()}
        on_case = {a.assessor_id: a.get_kind_display().lower() for a in self.current.values()}
        suggested = conflicts.open_suggestions_about(case.organisation, people)
        loads = queries.round_loads(case.round) if case.round_id else {}
        capacities = queries.capacities(case.round, people) if case.round_id else {}
        listed = []
        for person in people:
            if person.pk == self.request.user.pk:
                note = "you: another casework officer assigns you"
            elif person.pk in conflicted:
                note = "conflict of interest"
            elif person.pk in barred:
                note = queries.BARRED_BECAUSE[barred[person.pk]][1]
            elif person.pk in on_case:
                note = f"already the {on_case[person.pk]}"
            else:
                notes = [SUGGESTED_NOTE] if person.pk in suggested else []
                if case.round_id:
                    notes.append(
                        f"{loads.get(person.pk, 0)} of {capacities[person.pk]} cases this round"
                    )
                note = "; ".join(notes)
            listed.append((person, note))
        return listed

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "kinds": self.kinds,
            "people": self.people(),
            "writing_feedback": bool(self.writing_feedback),
        }

    def get_context_data(self, **kwargs):
        history = (
            Assignment.objects.filter(case=self.case)
            .select_related("assessor", "assigned_by")
            .order_by("-assigned_at", "-pk")
        )
        return super().get_context_data(
            case=self.case,
            current=[(AssignmentKind(kind), self.current.get(kind)) for kind in self.kinds],
            history=history,
            assessable=self.case.status in queries.ASSESSABLE or self.writing_feedback,
            writing_feedback=self.writing_feedback,
            revising=self.writing_feedback == FeedbackOccasion.RETURNED,
            **kwargs,
        )

    def form_valid(self, form):
        data = form.cleaned_data
        person = queries.assessors().filter(pk=data["assessor"]).first()
        try:
            assignment = services.assign(
                self.case,
                person,
                data["kind"],
                self.request.user,
                reason=data["reason"],
                may_see_earlier_scores=data.get("may_see_earlier_scores", False),
            )
        except services.AssignmentRefused as refusal:
            form.add_error(refusal.field, str(refusal))
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"{assignment.assessor.full_name} is now the "
            f"{assignment.get_kind_display().lower()} of {self.case.reference}.",
        )
        return redirect("staff-case", pk=self.case.pk)


class RoundListView(StaffAreaMixin, NearestPageMixin, ListView):
    """The rounds, with how many of their cases wait for an assessor and how
    many for a second assessor (of those the officer may see: none they are
    in conflict with): the lines the round's page has, as the staff home
    counts those waiting for a second assessor."""

    act_permission = "assessments.assign_assessors"
    template_name = "assessments/assignment/rounds.html"
    context_object_name = "rounds"
    paginate_by = 20

    def get_queryset(self):
        cases = visible_to(
            self.request.user,
            queries.proposal_model().objects.filter(
                round=OuterRef("pk"), status__in=queries.ASSESSABLE
            ),
        )
        current = Assignment.objects.filter(case=OuterRef("pk"), ended_at__isnull=True)
        first_wanted = ~Exists(current.filter(kind=FIRST))
        second_wanted = services.second_assessor_rule() & ~Exists(current.filter(kind=SECOND))

        def count(queryset):
            counted = queryset.order_by().values("round").annotate(n=Count("pk")).values("n")
            return Coalesce(Subquery(counted, output_field=IntegerField()), 0)

        return (
            Round.objects.not_cancelled()
            .annotate(
                being_assessed=count(cases),
                awaiting=count(cases.filter(first_wanted)),
                awaiting_second=count(cases.filter(second_wanted)),
            )
            .order_by("-opens_at")
        )


class RoundAssignmentView(StaffAreaMixin, TemplateView):
    """A round's proposed assignment: each line's assessor can be changed
    (a select per line), then the whole is applied at once. Capacities are
    set on the same page."""

    act_permission = "assessments.assign_assessors"
    template_name = "assessments/assignment/round.html"

    @cached_property
    def period(self):
        period = Round.objects.filter(pk=self.kwargs["round"]).first()
        if period is None:
            raise Http404("No such round")
        return period

    def get_permission_object(self):
        return self.period

    def get_context_data(self, proposal=None, choices=None, problems=None, **kwargs):
        proposal = proposal or services.propose(self.period, self.request.user)
        people = {person.pk: person for person in proposal.people}
        problems = problems or {}
        if choices is None:
            choices = {line.key: line.proposed for line in proposal.lines}
        capacities_form = kwargs.setdefault(
            "capacities_form",
            CapacitiesForm(people=proposal.people, capacities=proposal.capacities),
        )
        proposed = proposal.resulting_loads()
        resulting = proposal.resulting_loads(choices)
        lines = []
        for line in proposal.lines:
            choice = choices.get(line.key)
            # A refused choice (someone in conflict, say) stays shown as chosen.
            offered = line.allowed | ({choice} if choice in people else set())
            lines.append(
                {
                    "line": line,
                    "name": line_name(*line.key),
                    "choice": choice,
                    "options": [people[pk] for pk in sorted(offered, key=self.order(people))],
                    "problem": problems.get(line.key),
                }
            )
        loads = [
            {
                "person": person,
                "now": proposal.loads.get(person.pk, 0),
                "proposed": proposed[person.pk],
                "resulting": resulting[person.pk],
                "capacity": proposal.capacities[person.pk],
                "field": capacities_form[CapacitiesForm.name_for(person)],
            }
            for person in proposal.people
        ]
        nobody_allowed = sum(1 for line in proposal.lines if not line.allowed)
        # A line no longer proposed (its case given an assessor meanwhile)
        # has nowhere on this page to link to.
        stale = [
            (None, message)
            for message in dict.fromkeys(
                message
                for key, message in problems.items()
                if key not in {line.key for line in proposal.lines}
            )
        ]
        return super().get_context_data(
            period=self.period,
            proposal=proposal,
            lines=lines,
            loads=loads,
            unassigned=sum(1 for line in lines if line["choice"] is None),
            nobody_allowed=nobody_allowed,
            short_of_room=proposal.solution.wanted - proposal.solution.assigned - nobody_allowed,
            errors=[(row["name"], row["problem"]) for row in lines if row["problem"]] + stale,
            **kwargs,
        )

    @staticmethod
    def order(people):
        return lambda pk: (people[pk].full_name, pk)

    def post(self, request, *args, **kwargs):
        if "save_capacities" in request.POST:
            return self.save_capacities()
        return self.apply()

    def save_capacities(self):
        people = list(queries.assessors())
        form = CapacitiesForm(
            self.request.POST,
            people=people,
            capacities=queries.capacities(self.period, people),
        )
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(capacities_form=form))
        services.set_capacities(self.period, form.values(), self.request.user)
        messages.success(self.request, "Capacities saved. The proposal below uses them.")
        return redirect("assignment-round", round=self.period.pk)

    def apply(self):
        choices, unreadable = {}, {}
        for name, value in self.request.POST.items():
            match = LINE_FIELD.match(name)
            if not match:
                continue
            key = (int(match[1]), match[2])
            if value == "":
                choices[key] = None
            elif value.isascii() and value.isdigit() and len(value) <= 10:
                choices[key] = int(value)
            else:
                unreadable[key] = "Choose an assessor from the list"
        try:
            if unreadable:
                raise services.ProposalRefused(unreadable)
            made = services.apply(self.period, choices, self.request.user)
        except services.ProposalRefused as refusal:
            context = self.get_context_data(choices=choices, problems=refusal.problems)
            return self.render_to_response(context)
        if made:
            messages.success(
                self.request,
                f"{len(made)} assignment{'s' if len(made) != 1 else ''} made in {self.period}.",
            )
            possible = possible_conflicts(made)
            if possible:
                messages.warning(
                    self.request,
                    "The service suggests a possible conflict of interest, not yet confirmed or "
                    f"dismissed, for {'; '.join(possible)}. Check each on the case's assessors "
                    "page, and change the assessor if the conflict stands.",
                )
        else:
            messages.info(
                self.request,
                "No assignment was made: every line was left without an assessor. Choose an "
                "assessor for the lines to assign.",
            )
        return redirect("assignment-round", round=self.period.pk)
