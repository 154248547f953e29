"""Forms of Advisory Group meetings and their items."""

from datetime import timedelta

from crispy_forms_gds.layout import Button, Field, Size
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db.models import Q

from accreditation import clock
from accreditation.forms.helpers import GovukDateField, free_text_field, gds_helper
from accreditation.models import Round, User
from accreditation.roles import Role
from accreditation.versions import VersionedFormMixin
from advisory_group.models import (
    Advice,
    FeedbackOutcome,
    FeedbackView,
    ItemPurpose,
    Meeting,
    views_for,
)
from advisory_group.queries.agenda import meetings_to_move_to
from advisory_group.services.meetings import describe_meeting, meeting_version
from proposals.forms.out_of_round import parse_time


def group_members():
    return User.objects.filter(groups__name=Role.ADVISORY_GROUP_MEMBER, is_active=True).order_by(
        "full_name", "pk"
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name or obj.email


LARGEST_ID = 2**63 - 1


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name or obj.email

    def _check_values(self, value):
        """A value that cannot be anyone's id (text, a number larger than
        any id) is refused as any other choice not offered, before the
        database is asked (SQLite cannot even hold such a number)."""
        if isinstance(value, list | tuple):
            for pk in value:
                text = str(pk)
                if not (text.isascii() and text.isdigit() and int(text) <= LARGEST_ID):
                    raise ValidationError(
                        self.error_messages["invalid_choice"],
                        code="invalid_choice",
                        params={"value": text},
                    )
        return super()._check_values(value)


class MeetingDateField(GovukDateField):
    def __init__(self, **kwargs):
        super().__init__(
            real_date="The date of the meeting must be a real date",
            full_year="The year of the meeting must include 4 numbers",
            **kwargs,
        )
        self.error_messages.update(
            {
                "required": "Enter the date of the meeting",
                "incomplete": "The date of the meeting must include a day, month and year",
            }
        )
        for subfield, name in zip(self.fields, ("day", "month", "year"), strict=True):
            subfield.error_messages["incomplete"] = f"The date of the meeting must include a {name}"
            subfield.validators = [
                RegexValidator(r"^[0-9]+$", f"The {name} of the meeting must be a number")
            ]


class MeetingForm(VersionedFormMixin, forms.Form):
    round = forms.ModelChoiceField(
        label="Round",
        # A cancelled round has no cases for the group to advise on.
        queryset=Round.objects.filter(cancelled_at__isnull=True).order_by("-opens_at", "-pk"),
        required=False,
        empty_label="None: an ad hoc meeting",
        error_messages={"invalid_choice": "Select a round from the list, or none"},
    )
    date = MeetingDateField(label="Date")
    time = forms.CharField(
        label="Time (UK time)",
        help_text="For example, 10am or 14:30",
        initial="10am",
        max_length=10,
        error_messages={
            "required": "Enter the time of the meeting",
            "max_length": "Enter the time of the meeting, like 10am or 14:30",
        },
    )
    chair = PersonChoiceField(
        label="Chair",
        queryset=group_members(),
        empty_label="Select the chair",
        error_messages={
            "required": "Select the chair of the meeting",
            "invalid_choice": "Select the chair from the list of Advisory Group members",
        },
    )
    members = PeopleChoiceField(
        label="Members",
        queryset=group_members(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "Select members from the list"},
    )
    minutes = free_text_field(
        label="Minutes",
        what="The minutes",
        required=False,
        rows=8,
        help_text="From the day of the meeting.",
    )

    def __init__(self, *args, held_round=None, **kwargs):
        """``held_round``: the round of the meeting being changed, kept on
        offer if it was cancelled since the meeting was set up."""
        super().__init__(*args, **kwargs)
        example = clock.today() + timedelta(weeks=4)  # a date that could be chosen
        self.fields["date"].help_text = f"For example, {example.day} {example.month} {example.year}"
        self.fields["chair"].queryset = group_members()
        self.fields["members"].queryset = group_members()
        if held_round is not None and held_round.cancelled_at is not None:
            self.fields["round"].queryset = Round.objects.filter(
                Q(cancelled_at__isnull=True) | Q(pk=held_round.pk)
            ).order_by("-opens_at", "-pk")
        self.helper = gds_helper(
            Field.select("round"),
            Field("date", context={"legend_size": Size.for_legend(Size.SMALL)}),
            Field.text("time", field_width=5),
            Field.select("chair"),
            Field.checkboxes("members", legend_size=Size.SMALL),
            Field.textarea("minutes"),
            "version",
            submit="Save the meeting",
        )

    @classmethod
    def initial_for(cls, meeting):
        local = clock.local(meeting.held_at)
        return {
            "round": meeting.round,
            "date": local.date(),
            "time": local.strftime("%H:%M"),
            "chair": meeting.chair,
            "members": list(meeting.members.all()),
            "minutes": meeting.minutes,
            "version": meeting_version(meeting),
        }

    def clean_time(self):
        at = parse_time(self.cleaned_data["time"])
        if at is None:
            raise ValidationError("Enter the time of the meeting, like 10am or 14:30")
        return at

    def clean(self):
        cleaned = super().clean()
        day, at = cleaned.get("date"), cleaned.get("time")
        if day is not None and at is not None:
            held_at = clock.at(day, at)
            if held_at is None:
                self.add_error("time", "That time does not exist on that day; choose another time")
            cleaned["held_at"] = held_at
        chair = cleaned.get("chair")
        if chair is not None and chair in (cleaned.get("members") or []):
            self.add_error("members", "The chair is not also a member: leave them unticked here")
        return cleaned


class AttendanceForm(forms.Form):
    attendees = PeopleChoiceField(
        label="Who attended?",
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "Select who attended from the chair and members"},
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = User.objects.filter(
            pk__in=[meeting.chair_id, *meeting.members.values_list("pk", flat=True)]
        ).order_by("full_name", "pk")
        self.helper = gds_helper(
            Field.checkboxes("attendees", legend_size=Size.SMALL),
            submit="Save the attendance",
        )


class CloseForm(forms.Form):
    minutes = free_text_field(
        label="Minutes",
        what="The minutes",
        rows=8,
        error_messages={"required": "Enter the minutes the group agreed"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.textarea("minutes"), submit="Close the meeting")


class MeetingChoiceField(forms.ModelChoiceField):
    """Meetings told apart by their time and chair (several can fall on
    one day)."""

    def label_from_instance(self, obj):
        return describe_meeting(obj)


class MoveForm(forms.Form):
    meeting = MeetingChoiceField(
        label="Move to",
        queryset=Meeting.objects.none(),
        empty_label="Select a meeting",
        error_messages={
            "required": "Select the meeting to move the item to",
            "invalid_choice": "Select an open meeting from the list",
        },
    )
    reason = free_text_field(
        label="Why is it moving?",
        what="The reason",
        rows=3,
        error_messages={"required": "Enter why the item is moving to another meeting"},
    )

    moving_from = forms.IntegerField(widget=forms.HiddenInput, required=False)
    """The meeting the page showed the item on: moved since, it stays."""

    def __init__(self, *args, item, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings_to_move_to(item)
        self.fields["moving_from"].initial = item.meeting_id
        self.helper = gds_helper(
            Field.select("meeting"),
            Field.textarea("reason"),
            "moving_from",
            submit="Move the item",
        )


class ViewForm(forms.Form):
    """A member's view: on an ASG recommendation, agree, disagree or refer
    back; on draft feedback, approve it or say what needs revising."""

    view = forms.ChoiceField(label="Your view", widget=forms.RadioSelect)
    comment = free_text_field(label="Your comment", what="The comment", rows=4, required=False)

    def __init__(self, *args, item, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["view"]
        field.choices = views_for(item.purpose).choices
        if item.purpose == ItemPurpose.FEEDBACK:
            message = "Choose whether the feedback can be approved or needs revising"
        else:
            message = "Choose agree, disagree or refer back"
        field.error_messages = {"required": message, "invalid_choice": message}
        self.fields["comment"].help_text = (
            "Needed if the feedback needs revising: say what."
            if item.purpose == ItemPurpose.FEEDBACK
            else "Needed if you disagree or refer the case back: say why."
        )
        self.helper = gds_helper(
            Field.radios("view", legend_size=Size.SMALL),
            Field.textarea("comment"),
            buttons=[Button("record_view", "Save your view")],
        )

    def clean(self):
        cleaned = super().clean()
        # A comment refused for its length is not in ``cleaned``: its own
        # error says so, without this one too.
        if "comment" in cleaned and not cleaned["comment"].strip():
            if cleaned.get("view") == Advice.REFER_BACK:
                self.add_error(
                    "comment", "Enter a comment saying what the assessor should look at again"
                )
            elif cleaned.get("view") == Advice.DISAGREE:
                self.add_error(
                    "comment", "Enter a comment saying why you disagree with the recommendation"
                )
            elif cleaned.get("view") == FeedbackView.REVISE:
                self.add_error("comment", "Enter a comment saying what should be revised")
        return cleaned


class AdviceForm(forms.Form):
    """The chair's record of the group's advice (an ASG case) or review
    (draft feedback)."""

    outcome = forms.ChoiceField(
        label="The group's advice",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the group's advice",
            "invalid_choice": "Choose the group's advice",
        },
    )
    comment = free_text_field(
        label="The group's comment", what="The comment", rows=4, required=False
    )
    by_correspondence = forms.BooleanField(
        label="Recorded by correspondence, between meetings", required=False
    )
    feedback = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    """For draft feedback: the digest of the draft the page showed."""

    def __init__(self, *args, item, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["outcome"]
        if item.purpose == ItemPurpose.ADVICE:
            field.choices = Advice.choices
            message = "Choose agree, disagree or refer back"
            del self.fields["feedback"]
            self.fields[
                "comment"
            ].help_text = "Needed if the group disagrees or refers the case back: say why."
        else:
            field.label = "The group's review of the feedback"
            field.choices = FeedbackOutcome.choices
            message = "Choose whether to approve the feedback or return it to the assessor"
            self.fields[
                "comment"
            ].help_text = "Needed if the feedback goes back to the assessor: say what to change."
        field.error_messages = {"required": message, "invalid_choice": message}
        self.helper = gds_helper(
            Field.radios("outcome", legend_size=Size.SMALL),
            Field.textarea("comment"),
            Field.checkbox("by_correspondence"),
            *(["feedback"] if "feedback" in self.fields else []),
            buttons=[Button("record_advice", "Record the group's advice")],
        )

    def clean(self):
        """Referring a case back, or returning its feedback, says why: the
        error is the comment's (the service refuses it too)."""
        cleaned = super().clean()
        # A comment refused for its length is not in ``cleaned``: its own
        # error says so, without this one too.
        if "comment" in cleaned and not cleaned["comment"].strip():
            if cleaned.get("outcome") == Advice.REFER_BACK:
                self.add_error(
                    "comment", "Enter a comment saying what the assessor should look at again"
                )
            elif cleaned.get("outcome") == Advice.DISAGREE:
                self.add_error(
                    "comment",
                    "Enter a comment saying why the group disagrees with the recommendation",
                )
            elif cleaned.get("outcome") == FeedbackOutcome.RETURNED:
                self.add_error("comment", "Enter a comment saying what the assessor should change")
        return cleaned
