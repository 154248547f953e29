"""The feedback the assessor writes after the assessment: one text per
criterion and party, needed on each criterion not met and optional on the
rest, at least one of them filled in."""

from crispy_forms_gds.layout import Button, Field, Size
from django import forms
from django.utils.html import escape

from accreditation.forms.helpers import free_text_field, gds_helper
from accreditation.versions import VersionedFormMixin


class FeedbackForm(VersionedFormMixin, forms.Form):
    def __init__(self, *args, items, needed=(), returned=False, **kwargs):
        """``needed``: the items not met, each of which the feedback must
        say something on. ``returned``: the Advisory Group returned the
        feedback to revise (otherwise it is written from the reasons for a
        decision)."""
        super().__init__(*args, **kwargs)
        self.items = items
        needed = {item.key for item in needed}
        hint = (
            "Leave empty if the feedback need not say anything on it."
            if returned
            else "Leave empty if the reasons for the decision do not concern it."
        )
        for item in items:
            self.fields[item.slug] = free_text_field(
                label=f"Feedback on {escape(item)}",
                what=f"The feedback on {item.criterion.code}",
                required=item.key in needed,
                error_messages={
                    "required": f"Enter feedback on {item}: it was not met, so the letter must "
                    "say why"
                },
                help_text=(
                    "Needed: the criterion was not met, so the letter must say why."
                    if item.key in needed
                    else hint
                ),
            )
        self.helper = gds_helper(
            *(Field.textarea(item.slug, label_size=Size.SMALL) for item in items),
            "version",
            buttons=[Button("save", "Save the feedback")],
        )

    def clean(self):
        cleaned = super().clean()
        # A text refused on its own (too long) was entered all the same.
        refused = any(item.slug in self.errors for item in self.items)
        if (
            self.items
            and not refused
            and not any(cleaned.get(item.slug, "").strip() for item in self.items)
        ):
            self.add_error(
                self.items[0].slug, "Enter feedback to the applicant on at least one criterion"
            )
        return cleaned

    @property
    def texts(self):
        return {item.slug: self.cleaned_data.get(item.slug, "") for item in self.items}
