"""Advisory Group meetings: the list, a meeting and its agenda (without the
items a person is conflicted on), creating and editing one, its attendance
and its close; an item with what the group reviews, members' views and the
chair's advice; moving an item to another meeting."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.views import View
from django.views.generic import TemplateView

from accreditation import clock
from accreditation.access import StaffAreaMixin
from accreditation.models import User
from accreditation.paging import nearest_page
from accreditation.queries.decisions import decision_of
from accreditation.versions import StaleEdit
from accreditation.workflow import WorkflowError
from advisory_group.forms.meetings import (
    AdviceForm,
    AttendanceForm,
    CloseForm,
    MeetingForm,
    MoveForm,
    ViewForm,
)
from advisory_group.models import AgendaItem, ItemPurpose, Meeting
from advisory_group.queries import agenda as queries
from advisory_group.services import advice, meetings, packs
from assessments.queries.scoring import assessment_state, draft_feedback, latest_recommendation


class MeetingListView(StaffAreaMixin, TemplateView):
    act_permission = "advisory_group.use_meetings"
    template_name = "advisory_group/list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            meetings=list(queries.meetings_for(self.request.user)),
            now=clock.now(),
            can_run=queries.may_run_meetings(self.request.user),
            waiting=len(queries.waiting()),
            **kwargs,
        )


def closed_meeting(request, meeting):
    """A closed meeting's forms are not offered: back to its page, saying so."""
    messages.info(request, "This meeting is closed: its record cannot change.")
    return redirect("advisory-meeting", pk=meeting.pk)


class MeetingMixin(StaffAreaMixin):
    see_permission = "advisory_group.view_meeting"

    @cached_property
    def meeting(self):
        # A missing meeting is 404, as one the person may not see is: the
        # permission holds for casework officers with no meeting at all.
        return get_object_or_404(
            Meeting.objects.select_related("round", "chair"), pk=self.kwargs["pk"]
        )

    def get_permission_object(self):
        return self.meeting


class MeetingView(MeetingMixin, TemplateView):
    """A meeting and its agenda, a page of items at a time, all of them or
    those open without the person's view or awaiting the group's advice."""

    template_name = "advisory_group/meeting.html"
    items_per_page = 50

    def get_context_data(self, **kwargs):
        meeting, user = self.meeting, self.request.user
        # The chair is shown as the chair, never again among the members.
        members = list(meeting.members.exclude(pk=meeting.chair_id).order_by("full_name", "email"))
        attendees = list(meeting.attendees.order_by("full_name", "email"))
        in_meeting = meeting.chair_id == user.pk or any(m.pk == user.pk for m in members)
        # Views are the chair's and the members': nobody else is offered theirs.
        choices = [
            (value, label)
            for value, label in queries.Show.CHOICES
            if in_meeting or value != queries.Show.WITHOUT_MY_VIEW
        ]
        show = self.request.GET.get("show", queries.Show.ALL)
        if show not in dict(choices):
            show = queries.Show.ALL
        can_run = queries.may_run_meetings(user)
        page = nearest_page(
            Paginator(queries.visible_items(meeting, user, show), self.items_per_page),
            self.request.GET.get("page"),
        )
        return super().get_context_data(
            meeting=meeting,
            items=queries.items_of(page.object_list, user),
            show=show,
            show_choices=choices,
            page_obj=page,
            paginator=page.paginator,
            is_paginated=page.has_other_pages(),
            members=members,
            attendees=attendees,
            quorate=queries.quorate(meeting, attendees, members),
            in_meeting=in_meeting,
            can_run=can_run,
            chair_may_not_advise=(
                queries.chair_may_not_advise(meeting, user)
                if can_run and meeting.closed_at is None
                else []
            ),
            quorum_needed=queries.quorum_needed,
            short_of_quorum=(
                queries.short_of_quorum(meeting, attendees, members, user)
                if can_run and meeting.closed_at is None
                else []
            ),
            **kwargs,
        )


class MeetingFormView(StaffAreaMixin, TemplateView):
    """Create a meeting (no ``pk``) or edit one."""

    act_permission = "advisory_group.run_meetings"
    template_name = "advisory_group/meeting_form.html"

    @cached_property
    def meeting(self):
        if "pk" not in self.kwargs:
            return None
        return get_object_or_404(Meeting, pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        if self.meeting is not None and self.meeting.closed_at is not None:
            return closed_meeting(request, self.meeting)
        return super().get(request, *args, **kwargs)

    @property
    def held_round(self):
        return self.meeting.round if self.meeting else None

    def get_context_data(self, form=None, **kwargs):
        if form is None:
            initial = MeetingForm.initial_for(self.meeting) if self.meeting else {}
            form = MeetingForm(initial=initial, held_round=self.held_round)
        return super().get_context_data(form=form, meeting=self.meeting, **kwargs)

    def post(self, request, *args, **kwargs):
        form = MeetingForm(request.POST, held_round=self.held_round)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            meeting = meetings.save_meeting(
                self.meeting,
                data=form.cleaned_data,
                actor=request.user,
                version=form.cleaned_data["version"] if self.meeting else None,
            )
        except StaleEdit as stale:
            # What they chose, shown again with the version saved since.
            sent = request.POST.copy()
            sent["version"] = stale.current
            form = MeetingForm(sent, held_round=self.held_round)
            form.is_valid()
            form.add_error(None, str(stale))
            return self.render_to_response(self.get_context_data(form=form))
        except meetings.MeetingError as refusal:
            form.add_error(refusal.field, str(refusal))
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, "The meeting has been saved")
        if not queries.quorate(
            meeting, [meeting.chair, *meeting.members.all()], meeting.members.all()
        ):
            # Saved all the same: members can be added before it is held.
            messages.warning(
                request,
                f"Even if everyone on it attends, this meeting cannot be quorate: "
                f"{queries.quorum_needed()} must attend. Add members before it is held.",
            )
        return redirect("advisory-meeting", pk=meeting.pk)


class MeetingActionView(MeetingMixin, TemplateView):
    """A form about a meeting that casework officers use."""

    act_permission = "advisory_group.run_meetings"
    form_class = None
    success = ""

    def make_form(self, data=None):
        return self.form_class(data)

    def get(self, request, *args, **kwargs):
        if self.meeting.closed_at is not None:
            return closed_meeting(request, self.meeting)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, form=None, **kwargs):
        return super().get_context_data(
            meeting=self.meeting, form=form or self.make_form(), **kwargs
        )

    def post(self, request, *args, **kwargs):
        if self.meeting.closed_at is not None:
            return closed_meeting(request, self.meeting)
        if not self.meeting.its_day_has_come:
            # Not offered before the day: the page says when it opens (the
            # service refuses it too).
            return redirect(request.path)
        form = self.make_form(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            self.act(form.cleaned_data)
        except meetings.MeetingError as refusal:
            form.add_error(refusal.field, str(refusal))
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, self.success)
        return redirect("advisory-meeting", pk=self.meeting.pk)


class AttendanceView(MeetingActionView):
    template_name = "advisory_group/attendance.html"
    form_class = AttendanceForm
    success = "The attendance has been saved"

    def make_form(self, data=None):
        initial = {"attendees": list(self.meeting.attendees.all())}
        return AttendanceForm(data, initial=initial, meeting=self.meeting)

    def act(self, data):
        meetings.record_attendance(
            self.meeting, attendees=data["attendees"], actor=self.request.user
        )


class CloseView(MeetingActionView):
    template_name = "advisory_group/close.html"
    form_class = CloseForm
    success = "The meeting has been closed"

    def make_form(self, data=None):
        return CloseForm(data, initial={"minutes": self.meeting.minutes})

    def get_context_data(self, **kwargs):
        open_items, others = queries.open_items(self.meeting, self.request.user)
        return super().get_context_data(open_items=open_items, others_open=others, **kwargs)

    def act(self, data):
        meetings.close_meeting(self.meeting, minutes=data["minutes"], actor=self.request.user)


class ItemMixin(StaffAreaMixin):
    see_permission = "advisory_group.view_item"

    @cached_property
    def item(self):
        return (
            AgendaItem.objects.select_related(
                "meeting__chair",
                "case__organisation__local_authority",
                "case__round",
                "case__window",
                "case__framework",
                "decided_by",
            )
            .filter(pk=self.kwargs["pk"])
            .first()
        )

    def get_permission_object(self):
        return self.item

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except Http404:
            item = self.item
            if (
                item is not None
                and request.method == "POST"
                and "record_advice" in request.POST
                and request.user.is_authenticated
                and request.user.has_perm("advisory_group.use_meetings")
                and meetings.moved_from_chair(item, request.user)
                and queries.advisable_by(AgendaItem.objects.filter(pk=item.pk), request.user)
            ):
                # Its chair's page, opened before the item moved to a meeting
                # they do not sit on.
                return self.moved(item)
            if (
                item is None
                and request.method == "POST"
                and request.user.is_authenticated
                and request.user.has_perm("advisory_group.use_meetings")
                and (removal := queries.removal_seen_by(self.kwargs["pk"], request.user))
            ):
                # A page of the chair's or a member's, opened before the item
                # was taken off the agenda (the decision corrected, say).
                return self.removed(*removal)
            if (
                item is None
                or item.meeting.closed_at is None
                or not request.user.is_authenticated
                or not queries.is_in_meeting(request.user, item.meeting)
                or not queries.advisable_by(AgendaItem.objects.filter(pk=item.pk), request.user)
            ):
                raise
            # The chair or a member who could advise on it, from a page opened
            # before the meeting closed: its items are shown to them only
            # while it is open. Anyone else still gets the plain 404.
            return render(
                request,
                "advisory_group/item_closed.html",
                {
                    "meeting": item.meeting,
                    "sent": request.method == "POST",
                    "typed": [
                        ("Your comment", text)
                        for name, text in request.POST.items()
                        if name.endswith("-comment") and text.strip()
                    ],
                },
                status=409 if request.method == "POST" else 410,
            )

    def moved(self, item):
        """The chair's advice sent after the item moved to a meeting someone
        else chairs: where it went, and what they wrote."""
        comment = self.request.POST.get("advice-comment", "").strip()
        return render(
            self.request,
            "advisory_group/item_moved.html",
            {
                "item": item,
                "meeting": item.meeting,
                "typed": [("Your comment", comment)] if comment else [],
            },
            status=409,
        )

    def removed(self, event, meeting):
        """Advice or a view sent after the item was taken off its agenda:
        when and why, and what they wrote."""
        return render(
            self.request,
            "advisory_group/item_removed.html",
            {
                "case": event.case,
                "meeting": meeting,
                "removal": event,
                "purpose": ItemPurpose(event.details["purpose"]).label.lower(),
                "typed": [
                    ("Your comment", text)
                    for name, text in self.request.POST.items()
                    if name.endswith("-comment") and text.strip()
                ],
            },
            status=409,
        )


class ItemView(ItemMixin, TemplateView):
    template_name = "advisory_group/item.html"

    @cached_property
    def draft(self):
        """The case's draft feedback, as the page shows it."""
        return draft_feedback(self.item.case)

    def advice_form(self, data=None):
        """The chair's form; for draft feedback, carrying the digest of the
        draft shown (``data``'s, when sent, is replaced by the page's own
        only when the page is shown again after the draft changed)."""
        initial = {}
        if self.item.purpose == ItemPurpose.FEEDBACK:
            initial["feedback"] = queries.digest(queries.feedback_rows(None, self.draft))
        return AdviceForm(data, item=self.item, prefix="advice", initial=initial)

    def forms(self, view_form=None, advice_form=None):
        item, user = self.item, self.request.user
        may_change = item.is_open and item.meeting.closed_at is None
        if view_form is None and may_change and user.has_perm("advisory_group.record_view", item):
            mine = item.views.filter(member=user).first()
            initial = {"view": mine.view, "comment": mine.comment} if mine else {}
            view_form = ViewForm(initial=initial, item=item, prefix="view")
        if (
            advice_form is None
            and may_change
            and user.has_perm("advisory_group.record_advice", item)
        ):
            advice_form = self.advice_form()
        return view_form, advice_form

    def get_context_data(self, view_form=None, advice_form=None, **kwargs):
        item = self.item
        case = item.case
        state = assessment_state(case, as_recommended=True)
        scores = [
            (
                scored,
                state.first_scores.get(scored.key),
                state.second_scores.get(scored.key),
                state.agreed.get(scored.key),
            )
            for scored in state.items
        ]
        view_form, advice_form = self.forms(view_form, advice_form)
        return super().get_context_data(
            item=item,
            case=case,
            may_see_case=self.request.user.has_perm("accreditation.view_case", case),
            state=state,
            scores=scores,
            quality_assured=state.second is not None or state.needs_quality_assurance,
            assessed_again=queries.assessed_again(case),
            recommendation=latest_recommendation(case),
            decision=decision_of(case),
            feedback=self.draft,
            views=queries.views_of(item),
            returned=queries.last_return(case) if item.purpose == ItemPurpose.FEEDBACK else None,
            view_form=view_form,
            advice_form=advice_form,
            quorum=queries.quorum_needed() if advice_form is not None else "",
            # Said before the chair fills the form in, not only after.
            too_few=advice.too_few_may_advise()
            if advice_form is not None
            and queries.quorum_present(item.meeting)
            and not queries.quorate_for(item)
            else "",
            form=next((f for f in (view_form, advice_form) if f is not None and f.errors), None),
            can_move=item.is_open and self.request.user.has_perm("advisory_group.move_item", item),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if "record_advice" in request.POST:
            return self.record_advice()
        return self.record_view()

    def record_view(self):
        item, user = self.item, self.request.user
        if not user.has_perm("advisory_group.record_view", item):
            return self.refuse(item)
        form = ViewForm(self.request.POST, item=item, prefix="view")
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(view_form=form))
        try:
            advice.record_view(
                item,
                member=user,
                view=form.cleaned_data["view"],
                comment=form.cleaned_data["comment"],
            )
        except advice.AdviceError as refusal:
            form.add_error(None, str(refusal))
            return self.render_to_response(self.get_context_data(view_form=form))
        messages.success(self.request, "Your view has been saved")
        return redirect("advisory-item", pk=item.pk)

    def record_advice(self):
        item, user = self.item, self.request.user
        if not user.has_perm("advisory_group.record_advice", item):
            if not meetings.moved_from_chair(item, user):
                return self.refuse(item)
            # A chair's page opened before the item moved to a meeting someone
            # else chairs (one they sit on as a member).
            return self.moved(item)
        form = self.advice_form(self.request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(advice_form=form))
        data = form.cleaned_data
        try:
            if item.purpose == ItemPurpose.ADVICE:
                advice.record_advice(
                    item,
                    advice=data["outcome"],
                    comment=data["comment"],
                    actor=user,
                    by_correspondence=data["by_correspondence"],
                )
            else:
                advice.review_feedback(
                    item,
                    outcome=data["outcome"],
                    comment=data["comment"],
                    actor=user,
                    by_correspondence=data["by_correspondence"],
                    seen=data["feedback"],
                )
        except advice.FeedbackChanged as changed:
            # Shown again with the draft as it is now, and what the chair
            # chose kept: sent again, it reviews that draft.
            self.__dict__.pop("draft", None)  # read again, as the service read it
            sent = self.request.POST.copy()
            sent[form.add_prefix("feedback")] = changed.current
            form = self.advice_form(sent)
            form.is_valid()
            form.add_error(None, str(changed))
            return self.render_to_response(self.get_context_data(advice_form=form))
        except (advice.AdviceError, WorkflowError) as refusal:
            form.add_error(getattr(refusal, "field", None), str(refusal))
            return self.render_to_response(self.get_context_data(advice_form=form))
        messages.success(self.request, "The group's advice has been recorded")
        return redirect("advisory-meeting", pk=item.meeting_id)


class MoveItemView(ItemMixin, TemplateView):
    act_permission = "advisory_group.move_item"
    template_name = "advisory_group/move.html"

    def get(self, request, *args, **kwargs):
        return self.advised() or super().get(request, *args, **kwargs)

    def advised(self):
        """An item the group has given its advice on (from a page opened
        before, say) does not move: its page says what was advised."""
        if self.item.is_open:
            return None
        messages.info(
            self.request,
            "The group has given its advice on this item, so it cannot move to another meeting.",
        )
        return redirect("advisory-item", pk=self.item.pk)

    def get_context_data(self, form=None, **kwargs):
        return super().get_context_data(
            item=self.item, form=form or MoveForm(item=self.item), **kwargs
        )

    def post(self, request, *args, **kwargs):
        advised = self.advised()
        if advised is not None:
            return advised
        form = MoveForm(request.POST, item=self.item)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            meetings.move_item(
                self.item,
                to=form.cleaned_data["meeting"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
                moving_from=form.cleaned_data["moving_from"],
            )
        except meetings.MeetingError as refusal:
            # Shown again from where the item is now, with what was typed:
            # sent again, it moves it from there.
            sent = request.POST.copy()
            sent["moving_from"] = self.item.meeting_id
            form = MoveForm(sent, item=self.item)
            form.is_valid()
            form.add_error(None, str(refusal))
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, "The item has been moved")
        return redirect("advisory-meeting", pk=form.cleaned_data["meeting"].pk)


class PackView(MeetingMixin, View):
    """A member's meeting pack (PDF): the member's own, or any member's for a
    casework officer; 404 for anyone else's."""

    def get(self, request, *args, **kwargs):
        meeting = self.meeting
        member = (
            User.objects.filter(pk=self.kwargs["member"])
            .filter(Q(meetings_chaired=meeting) | Q(advisory_meetings=meeting))
            .first()
        )
        if member is None or not (member == request.user or queries.may_run_meetings(request.user)):
            raise Http404("No such pack")
        pdf = packs.download(meeting, member, actor=request.user)
        response = HttpResponse(pdf, content_type="application/pdf")
        name = slugify(f"{meeting} pack {member}")
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
        return response
