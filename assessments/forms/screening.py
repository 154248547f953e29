"""The casework officer's screening decision."""

from crispy_forms_gds.layout import Button, Field, Size
from django import forms
from django.core.exceptions import ValidationError

from accreditation.forms.helpers import free_text_field, gds_helper
from assessments.models import NssOutcome, ScreeningDecision
from assessments.services import screening
from assessments.services.screening import NSS_REASON_MAX_CHARS


class ScreeningForm(forms.Form):
    decision = forms.ChoiceField(
        label="Is the case eligible?",
        choices=ScreeningDecision.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether the case is eligible",
            "invalid_choice": "Select whether the case is eligible",
        },
    )
    reason = free_text_field(
        label="If it is not eligible, why not?",
        what="The reason",
        help_text="The applicant will read this, in the service and by email.",
        required=False,
    )
    nss = forms.ChoiceField(
        label="Is the National Support School claim confirmed?",
        choices=[
            (NssOutcome.CONFIRMED.value, "Yes: criteria 2A and 2B are not needed"),
            (NssOutcome.REJECTED.value, "No: ask the applicant for 2A and 2B"),
        ],
        widget=forms.RadioSelect,
        required=False,
        help_text="Only if the case is eligible.",
        error_messages={
            "invalid_choice": "Select whether the National Support School claim is confirmed"
        },
    )
    nss_reason = free_text_field(
        label="If the claim is not confirmed, why not?",
        what="The reason",
        max_length=NSS_REASON_MAX_CHARS,
        help_text="The applicant will read this with the questions on 2A and 2B they are asked.",
        required=False,
    )

    def __init__(self, *args, claims_nss, **kwargs):
        super().__init__(*args, **kwargs)
        self.claims_nss = claims_nss
        fields = [
            Field.radios("decision", legend_size=Size.MEDIUM),
            Field.textarea("reason", rows=4),
        ]
        if claims_nss:
            fields += [
                Field.radios("nss", legend_size=Size.SMALL),
                Field.textarea("nss_reason", rows=3, max_characters=NSS_REASON_MAX_CHARS),
            ]
        else:
            del self.fields["nss"], self.fields["nss_reason"]
        self.helper = gds_helper(*fields, submit="Record screening decision")

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            reason, nss, nss_reason = screening.check_decision(
                self.claims_nss,
                cleaned.get("decision"),
                cleaned.get("reason"),
                cleaned.get("nss"),
                cleaned.get("nss_reason"),
            )
        except screening.ScreeningError as error:
            raise ValidationError({error.field: str(error)}) from error
        cleaned.update(reason=reason, nss=nss, nss_reason=nss_reason)
        return cleaned


class IdentifierClaimForm(forms.Form):
    """Which organisation's claim to a contested URN or UKPRN is genuine."""

    genuine = forms.ChoiceField(
        label="Whose claim is genuine?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the organisation whose claim is genuine",
            "invalid_choice": "Select the organisation whose claim is genuine",
        },
    )
    reason = free_text_field(
        label="Why is this claim genuine?",
        what="The reason",
        help_text="For example, what Get information about schools shows. The organisations "
        "whose claim is not genuine are sent this by email.",
        error_messages={
            "required": "Enter why this claim is genuine: the other organisations will read it"
        },
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        # Choice labels are escaped by crispy-forms-gds's radio template.
        self.fields["genuine"].choices = [
            (str(organisation.pk), organisation.name) for organisation in organisations
        ]
        # Its button's own name, so its id is not the screening form's
        # "id_submit": the screening page shows both forms.
        self.helper = gds_helper(
            Field.radios("genuine", legend_size=Size.MEDIUM),
            Field.textarea("reason", rows=4),
            buttons=[Button("decide_claim", "Record whose claim is genuine")],
        )
