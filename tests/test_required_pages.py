"""The pages every GOV.UK service must have, complete: the accessibility
statement has the model statement's mandatory sections, and the privacy
notice says who controls the data, on what lawful basis, how long each
record is kept (from the retention policy), the person's rights and how to
complain to the Information Commissioner's Office."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def headings(html):
    return [
        re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<h[2-4][^>]*>(.*?)</h[2-4]>", html)
    ]


def test_the_accessibility_statement_has_the_mandatory_sections(client):
    page = client.get(reverse("accessibility")).text
    found = headings(page)
    for section in [
        "Feedback and contact information",
        "Reporting accessibility problems with this service",
        "Enforcement procedure",
        "Compliance status",
        "Non-accessible content",
        "Preparation of this accessibility statement",
    ]:
        assert section in found, section
    assert "Equality and Human Rights Commission (EHRC)" in page
    assert "Equality Commission for Northern Ireland (ECNI)" in page
    assert "Equality Advisory and Support Service (EASS)" in page
    assert "Web Content Accessibility Guidelines version 2.2" in page
    assert re.search(r"This statement was prepared on \d{1,2} \w+ \d{4}\.", page)
    assert re.search(r"It was last reviewed on \d{1,2} \w+ \d{4}\.", page)
    assert "axe-core" in page  # how it was tested


def test_the_privacy_notice_says_who_why_how_long_rights_and_complaints(client):
    page = client.get(reverse("privacy")).text
    assert "The Department for Education is the controller" in page
    assert "public task" in page
    assert "Article 6(1)(e)" in page
    assert "7 years after the decision" in page
    for right in ["a copy of the information", "correct", "restrict", "object", "delete"]:
        assert right in page, right
    assert "Information Commissioner’s Office" in page
    assert 'href="https://ico.org.uk/make-a-complaint/"' in page


def test_the_privacy_notice_reads_the_retention_period_from_the_policy(client, settings):
    settings.POLICY = {"retention_years": 10}
    page = client.get(reverse("privacy")).text
    assert "10 years after the decision" in page
    assert "7 years" not in page
