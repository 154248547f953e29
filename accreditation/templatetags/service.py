from django import template
from django.forms import CheckboxSelectMultiple, RadioSelect

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key, key)


@register.filter
def error_target(field_id, bound_field):
    """The id the error summary links to: radios and checkboxes are
    rendered by crispy-forms-gds with their first input at ``<id>_1``."""
    if isinstance(bound_field.field.widget, (RadioSelect, CheckboxSelectMultiple)):
        return f"{field_id}_1"
    return field_id
