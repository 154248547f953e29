"""The floor a page is compared with: a bare Django view that renders ``rows``
rows from one indexed query (cases by primary key) through the service's
own base template, as the same signed-in person. Whatever a page costs
above its floor is the page's own work: its queries, its forms, its
template.

Mounted only in the benchmark's process: ``urlpatterns`` here are the
service's own plus the floor, and the benchmark sets ``ROOT_URLCONF`` to
this module.
"""

import functools

from django.apps import apps
from django.template import engines
from django.template.response import TemplateResponse
from django.urls import include, path

FLOOR_TEMPLATE = """{% extends "base.html" %}
{% block title %}Floor{% endblock %}
{% block content %}
<h1 class="govuk-heading-l">Floor: {{ rows|length }} rows</h1>
<table class="govuk-table">
  <caption class="govuk-table__caption govuk-visually-hidden">Cases</caption>
  <thead class="govuk-table__head"><tr class="govuk-table__row">
    <th scope="col" class="govuk-table__header">Case</th>
    <th scope="col" class="govuk-table__header">Reference</th>
    <th scope="col" class="govuk-table__header">Status</th>
    <th scope="col" class="govuk-table__header">Updated</th>
  </tr></thead>
  <tbody class="govuk-table__body">
  {% for pk, reference, status, updated_at in rows %}
    <tr class="govuk-table__row">
      <td class="govuk-table__cell">{{ pk }}</td>
      <td class="govuk-table__cell">{{ reference|default:"Draft" }}</td>
      <td class="govuk-table__cell">{{ status }}</td>
      <td class="govuk-table__cell">{{ updated_at|date:"j F Y H:i" }}</td>
    </tr>
  {% endfor %}
  </tbody>
</table>
{% endblock %}
"""


@functools.cache
def _template():
    """Compiled once, as the service's own templates are (the cached loader)."""
    return engines["django"].from_string(FLOOR_TEMPLATE)


def floor(request, rows):
    cases = (
        apps.get_model("proposals", "Proposal")
        .objects.order_by("pk")
        .values_list("pk", "reference", "status", "updated_at")[:rows]
    )
    return TemplateResponse(request, _template(), {"rows": list(cases)})


handler400 = "accreditation.views.public.error_400"
handler403 = "accreditation.views.public.error_403"
handler404 = "accreditation.views.public.error_404"
handler500 = "accreditation.views.public.error_500"

urlpatterns = [
    path("__benchmark__/floor/<int:rows>/", floor, name="benchmark-floor"),
    path("", include("accreditation.urls")),
]
