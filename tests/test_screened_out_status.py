"""A screened-out applicant's status page says what happened (screening, not
an assessment) and what they can do: raise a concern, or apply in a later
round."""

import pytest
from django.urls import reverse

from accreditation import clock
from accreditation.workflow import Status
from feedback.models import Letter, LetterPurpose
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db


def test_the_screened_out_status_page_speaks_of_screening_and_what_to_do(client):
    case = ProposalFactory(status=Status.CLOSED_INELIGIBLE)
    client.force_login(case.created_by)
    page = client.get(reverse("proposal-status", args=[case.pk])).text
    assert "the assessment" not in page
    assert "(screening)" in page
    assert "Your proposal was not assessed." in page
    assert "If you think the screening was wrong, you can raise a concern within 28 days" in page
    assert "screened again by someone else" in page
    assert "You can apply again" in page


def test_a_not_accredited_case_still_speaks_of_the_assessment(client):
    case = ProposalFactory(status=Status.NOT_ACCREDITED)
    Letter.objects.create(case=case, purpose=LetterPurpose.FEEDBACK, issued_at=clock.now())
    client.force_login(case.created_by)
    page = client.get(reverse("proposal-status", args=[case.pk])).text
    assert "a concern about the assessment or its result" in page
    assert "(screening)" not in page
