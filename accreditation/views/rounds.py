"""Round management for casework officers: the rounds with their state and
counts, a round's page (its dates, what happened to it, cancelling it and
moving its drafts), creating and changing rounds, and the term calendar."""

import datetime

from crispy_forms_gds.layout import Button
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.http import Http404
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.views.generic import FormView, ListView, TemplateView

from accreditation import clock
from accreditation.access import StaffAreaMixin
from accreditation.forms.rounds import CalendarForm, CancelForm, MoveDraftsForm, RoundForm
from accreditation.models import ActivityEntry, Round, Term, TermCalendar
from accreditation.numbers import parse_id
from accreditation.paging import NearestPageMixin
from accreditation.queries import rounds as queries
from accreditation.services import rounds as services
from accreditation.versions import NEW, StaleEdit, StaleEditViewMixin
from proposals.services import moving

ACTIVITY_LABELS = {
    "round_created": "Created",
    "round_created_from_calendar": "Created from the term calendar",
    "round_changed": "Changed",
    "round_cancelled": "Cancelled",
    "round_drafts_moved": "Drafts moved to another round",
    "admin_added": "Created in the admin",
    "admin_changed": "Changed in the admin",
}


DEADLINE_FIELDS = ("opens_at", "deadline")


def change_value(field, value):
    """A value of a round's ``field`` as the activity log recorded it (JSON:
    times and dates as ISO text), written as the round page writes it."""
    if value is None or value == "":
        return "none"
    if isinstance(field, models.BooleanField):
        return "yes" if value else "no"
    if field.choices:
        return str(dict(field.choices).get(value, value))
    try:
        if isinstance(field, models.DateTimeField):
            when = datetime.datetime.fromisoformat(value)
            # A deadline to the second (``describe_deadline``); the moment
            # of a cancellation to the minute.
            if field.name in DEADLINE_FIELDS:
                return clock.describe_deadline(when)
            return clock.describe(when)
        if isinstance(field, models.DateField):
            return f"{datetime.date.fromisoformat(value):%-d %B %Y}"
    except (TypeError, ValueError):
        pass  # recorded some other way: shown as it was recorded
    return str(value)


def change_lines(changes):
    """[(what, before, after)] of a round's recorded ``changes`` ({field:
    [old, new]}), each field by its name on the round's page and each value
    as the page writes it; ``before`` None for a value set for the first
    time (a cancellation's reason). A field left empty when the round was
    created is left out (a new round's "Cancellation reason: none")."""
    lines = []
    for name, (old, new) in changes.items():
        if old is None and new in (None, ""):
            continue
        try:
            field = Round._meta.get_field(name)
        except FieldDoesNotExist:
            lines.append((name.replace("_", " ").capitalize(), old, new))
            continue
        label = str(field.verbose_name)
        lines.append(
            (
                label[:1].upper() + label[1:],
                None if old in (None, "") else change_value(field, old),
                change_value(field, new),
            )
        )
    return lines


class RoundsMixin(StaffAreaMixin):
    act_permission = "accreditation.manage_rounds"


class RoundListView(RoundsMixin, NearestPageMixin, ListView):
    template_name = "staff/rounds/list.html"
    context_object_name = "rounds"
    paginate_by = 25

    def get_queryset(self):
        return queries.listing()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = clock.now()
        for round_ in context["rounds"]:
            round_.state = round_.status(now)
        return context


class RoundMixin(RoundsMixin):
    @cached_property
    def round(self):
        found = Round.objects.select_related("framework").filter(pk=self.kwargs["pk"]).first()
        if found is None:
            raise Http404("No such round")
        return found

    def get_context_data(self, **kwargs):
        return super().get_context_data(round=self.round, state=self.round.status(), **kwargs)


def _create_buttons():
    return [
        Button("save", "Create the round"),
        Button.secondary("prefill", "Fill in the dates for this term"),
    ]


class RoundCreateView(RoundsMixin, FormView):
    """A new round, its dates filled in from the term calendar for the next
    term with no round; choosing another term and "Fill in the dates" fills
    them in for that term instead (no JavaScript needed)."""

    template_name = "staff/rounds/form.html"
    form_class = RoundForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "buttons": _create_buttons()}

    def get_initial(self):
        term, year = services.suggested_term()
        return {**RoundForm.initial_for(services.defaults_for(term, year)), "version": NEW}

    def post(self, request, *args, **kwargs):
        if "prefill" in request.POST:
            return self.prefill(request.POST.get("term"), request.POST.get("year"))
        return super().post(request, *args, **kwargs)

    def prefill(self, term, year):
        form = self.get_form_class()(buttons=_create_buttons(), initial=self.get_initial())
        year = parse_id(str(year).strip())
        if term in Term.values and year is not None and 2000 <= year <= 2100:
            values = services.defaults_for(term, year)
            form.initial = {**RoundForm.initial_for(values), "version": NEW}
            messages.info(
                self.request,
                f"The dates have been filled in from the {Term(term).label.lower()} term "
                "calendar. Check them, then create the round.",
            )
        else:
            messages.error(self.request, "Select a term and enter a year to fill in its dates.")
        return self.render_to_response(self.get_context_data(form=form))

    def form_valid(self, form):
        try:
            created = services.create_round(self.request.user, form.values())
        except services.AlreadyCreated as already:
            messages.info(self.request, f"{already} Nothing new was created.")
            return redirect("staff-round", pk=already.round.pk)
        except ValidationError as error:
            form.add_service_errors(error)
            return self.form_invalid(form)
        messages.success(self.request, f"The {created} round has been created.")
        return redirect("staff-round", pk=created.pk)


class RoundView(RoundMixin, TemplateView):
    template_name = "staff/rounds/round.html"
    recent_activity = 20

    def get_context_data(self, **kwargs):
        counts = queries.counts(self.round)
        cancelled = self.round.cancelled_at is not None
        targets = queries.open_rounds_besides(self.round)
        activity = list(
            ActivityEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(Round), object_id=str(self.round.pk)
            )
            .select_related("actor")
            .order_by("-created_at", "-pk")[: self.recent_activity]
        )
        for entry in activity:
            entry.label = ACTIVITY_LABELS.get(entry.action, entry.action.replace("_", " "))
            entry.lines = change_lines(entry.changes)
        return super().get_context_data(
            counts=counts,
            can_change=not cancelled,
            can_cancel=not cancelled and not counts["submitted"],
            move_form=MoveDraftsForm(rounds=targets)
            if cancelled and counts["drafts"] and targets.exists()
            else None,
            activity=activity,
            **kwargs,
        )


class RoundEditView(StaleEditViewMixin, RoundMixin, FormView):
    template_name = "staff/rounds/form.html"
    form_class = RoundForm

    def get(self, request, *args, **kwargs):
        return self.refuse_cancelled() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self.refuse_cancelled() or super().post(request, *args, **kwargs)

    def refuse_cancelled(self):
        if self.round.cancelled_at is None:
            return None
        messages.error(self.request, "This round has been cancelled, so it cannot be changed.")
        return redirect("staff-round", pk=self.round.pk)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "opened": self.round.has_opened()}

    def get_initial(self):
        values = {name: getattr(self.round, name) for name in services.EDITABLE_FIELDS}
        return {**RoundForm.initial_for(values), "version": services.round_version(self.round)}

    def form_valid(self, form):
        try:
            changed = services.change_round(
                self.request.user,
                self.round,
                form.values(self.round),
                version=form.cleaned_data["version"],
            )
        except StaleEdit as error:
            return self.stale(form, error)
        except ValidationError as error:
            form.add_service_errors(error)
            return self.form_invalid(form)
        if services.round_version(changed) == form.cleaned_data["version"]:
            messages.info(self.request, f"Nothing was changed: the {changed} round is as it was.")
        else:
            messages.success(self.request, f"The {changed} round has been changed.")
        return redirect("staff-round", pk=changed.pk)


class RoundCancelView(RoundMixin, FormView):
    template_name = "staff/rounds/cancel.html"
    form_class = CancelForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(counts=queries.counts(self.round), **kwargs)

    def form_valid(self, form):
        try:
            cancelled = services.cancel_round(
                self.request.user, self.round, form.cleaned_data["reason"]
            )
        except services.CannotCancel as error:
            form.add_error("reason", str(error))
            return self.form_invalid(form)
        drafts = queries.counts(cancelled)["drafts"]
        messages.success(
            self.request,
            f"The {cancelled} round has been cancelled."
            + (" Its drafts are kept: move them to another round below." if drafts else ""),
        )
        return redirect("staff-round", pk=cancelled.pk)


class MoveDraftsView(RoundMixin, FormView):
    template_name = "staff/rounds/move.html"
    form_class = MoveDraftsForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "rounds": queries.open_rounds_besides(self.round)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(counts=queries.counts(self.round), **kwargs)

    def form_valid(self, form):
        try:
            result = moving.move_drafts(self.request.user, self.round, form.cleaned_data["target"])
        except moving.MoveError as error:
            form.add_error("target", str(error))
            return self.form_invalid(form)
        target = form.cleaned_data["target"]
        moved = len(result.moved)
        if moved:
            messages.success(
                self.request,
                f"{moved} draft{'s' if moved != 1 else ''} moved to the {target} round. "
                "Their organisations' contacts have been told by email.",
            )
        elif not result.left:
            messages.info(
                self.request,
                f"No draft was moved: the {self.round} round has no draft to move.",
            )
        for draft, why in result.left:
            messages.warning(self.request, f"{draft.organisation.name}: not moved. {why}.")
        return redirect("staff-round", pk=self.round.pk)


class CalendarView(RoundsMixin, TemplateView):
    template_name = "staff/rounds/calendar.html"

    def get_context_data(self, **kwargs):
        year = clock.today().year + 1
        return super().get_context_data(
            terms=[(row, row.dates_for(year)) for row in TermCalendar.objects.ensure()],
            example_year=year,
            **kwargs,
        )


class CalendarEditView(StaleEditViewMixin, RoundsMixin, FormView):
    template_name = "staff/rounds/calendar_form.html"
    form_class = CalendarForm

    @cached_property
    def row(self):
        if self.kwargs["term"] not in Term.values:
            raise Http404("No such term")
        return next(r for r in TermCalendar.objects.ensure() if r.term == self.kwargs["term"])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "term": self.row.term}

    def get_initial(self):
        initial = {name: getattr(self.row, name) for name in services.CALENDAR_FIELDS}
        for name in ("opens_time", "deadline_time"):
            initial[name] = initial[name].strftime("%H:%M")
        return {**initial, "version": services.calendar_version(self.row)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(row=self.row, **kwargs)

    def form_valid(self, form):
        try:
            services.change_calendar(
                self.request.user,
                self.row,
                form.cleaned_data,
                version=form.cleaned_data["version"],
            )
        except StaleEdit as error:
            return self.stale(form, error)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"The {self.row.get_term_display().lower()} term calendar has been changed. Rounds "
            "already created keep their dates.",
        )
        return redirect("staff-round-calendar")
