"""GOV.UK error styles on every kind of field, for every form of the service
(``FORM_RENDERER``).

crispy-forms-gds marks a select and a textarea in error with the text input's
class, which their own border rules outweigh (a select in error keeps its
black border), and an email, password or file input with none at all. Each
field in error gets its own component's error class here instead."""

from django.forms import MultiWidget
from django.forms.boundfield import BoundField
from django.forms.renderers import DjangoTemplates

ERROR_CLASSES = {
    "govuk-input": "govuk-input--error",
    "govuk-select": "govuk-select--error",
    "govuk-textarea": "govuk-textarea--error",
    "govuk-file-upload": "govuk-file-upload--error",
}


class GdsBoundField(BoundField):
    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        # A date's day, month and year are marked one by one where it is laid out.
        if self.errors and not isinstance(widget, MultiWidget):
            given = attrs.get("class", widget.attrs.get("class", "")).split()
            classes = [name for name in given if name not in ERROR_CLASSES.values()]
            classes += [ERROR_CLASSES[name] for name in classes if name in ERROR_CLASSES]
            if classes:
                attrs["class"] = " ".join(classes)
        return attrs


class GdsFormRenderer(DjangoTemplates):
    bound_field_class = GdsBoundField
