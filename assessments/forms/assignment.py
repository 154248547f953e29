"""Forms for assigning assessors: one case's assessor, and each assessor's
capacity in a round. A round's proposed lines are read by the view (one
select per line) and checked by the service."""

from crispy_forms_gds.layout import Field, Size
from django import forms

from accreditation.forms.helpers import WholeNumberField, free_text_field, gds_helper
from accreditation.models import User
from accreditation.numbers import parse_id
from accreditation.roles import STAFF_ROLES, Role
from assessments.models import AssignmentKind

CAPACITY_MAX = 200


class CaseAssessorForm(forms.Form):
    """Assign or replace one of a case's assessors. ``kinds`` are the kinds
    the case takes; ``people`` are (assessor, note) pairs for the select."""

    kind = forms.ChoiceField(
        label="Which assessor",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether this is the assessor or the second assessor",
            "invalid_choice": "Choose whether this is the assessor or the second assessor",
        },
    )
    assessor = forms.TypedChoiceField(
        label="Person to assign",
        coerce=int,
        error_messages={
            "required": "Choose an assessor",
            "invalid_choice": "Choose an assessor from the list",
        },
    )
    reason = free_text_field(
        label="Reason for the change (only when replacing an assessor)",
        what="The reason",
        required=False,
        max_length=2000,
        help_text="Recorded on the case's timeline.",
    )
    may_see_earlier_scores = forms.BooleanField(
        label="The new assessor may see the scores of the assessor they replace",
        required=False,
    )

    def __init__(self, *args, kinds, people, writing_feedback=False, **kwargs):
        super().__init__(*args, **kwargs)
        if writing_feedback:
            # One who writes the feedback of a finished assessment always
            # sees the scores it stood on (``services.assign``).
            del self.fields["may_see_earlier_scores"]
        self.fields["kind"].choices = [(kind, AssignmentKind(kind).label) for kind in kinds]
        if len(kinds) == 1:
            self.fields["kind"].initial = kinds[0]
        self.fields["assessor"].choices = [("", "Choose an assessor")] + [
            (person.pk, f"{person.full_name}{f' ({note})' if note else ''}")
            for person, note in people
        ]
        self.helper = gds_helper(
            Field.radios("kind", legend_size=Size.SMALL),
            Field.select("assessor"),
            Field.textarea("reason", rows=3),
            *([] if writing_feedback else [Field.checkbox("may_see_earlier_scores")]),
            submit="Assign",
        )

    def clean(self):
        cleaned = super().clean()
        if self.has_error("assessor", "invalid_choice"):
            gone = _no_longer_assessing(self.data.get(self.add_prefix("assessor")))
            if gone:
                self.errors["assessor"] = self.error_class([gone])
        return cleaned


def _no_longer_assessing(value):
    """Why the person chosen (from a page opened before the change) can no
    longer be assigned, if their account was switched off or their
    assessor role taken away; otherwise None. Said only of someone who
    held a staff role: an applicant's name is not the officer's to read
    from an id."""
    person = User.objects.filter(pk=parse_id(str(value or ""))).first()
    if person is None or not person.role_names & {role.value for role in STAFF_ROLES}:
        return None
    if not person.is_active:
        return f"{person.full_name}’s account has been switched off: choose another assessor"
    if not person.has_role(Role.ASSESSOR):
        return f"{person.full_name} does not have the assessor role: choose another assessor"
    return None


class CapacitiesForm(forms.Form):
    """One number per assessor: the cases they take in the round."""

    def __init__(self, *args, people, capacities, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = people
        for person in people:
            self.fields[self.name_for(person)] = WholeNumberField(
                label=f"Capacity of {person.full_name}",
                min_value=0,
                max_value=CAPACITY_MAX,
                initial=capacities[person.pk],
                error_messages={
                    "required": f"Enter the capacity of {person.full_name}",
                    "invalid": f"Enter the capacity of {person.full_name} as a whole number",
                    "min_value": f"The capacity of {person.full_name} must be 0 or more",
                    "max_value": f"The capacity of {person.full_name} must be "
                    f"{CAPACITY_MAX} or fewer",
                },
            )

    @staticmethod
    def name_for(person):
        return f"capacity-{person.pk}"

    def values(self):
        return {person.pk: self.cleaned_data[self.name_for(person)] for person in self.people}
