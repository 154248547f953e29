"""The letters' layout on A4: a short letter fits on one page, and a
letter's close (the signature and how to check the letter) is kept
together, never left alone on a page of its own."""

import io

import pypdf
import pytest
from django.db import transaction

from accreditation.demo.histories import INELIGIBLE_ASG
from accreditation.workflow import Action, Status, move
from feedback.models import LetterPurpose
from feedback.services import letters
from register.models import EventKind, RegisterEntry
from register.services import revocation
from tests.casework import person_with
from tests.factories import ProposalFactory
from tests.test_letters import assessed_not_to_accredit

pytestmark = pytest.mark.django_db

CHECK = "You can check this letter is the one we issued"
ADDRESS = "Unit 4, The Old Mill\nChurch Lane\nLower Wincombe\nNorth Yorkshire\nYO62 5AB"


def pages(pdf):
    """Each page's text, its words joined by single spaces."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def assert_close_kept_together(texts):
    """The signature and the check line are on the last page, with the
    letter's own words before them."""
    last = texts[-1]
    assert "Yours sincerely," in last and CHECK in last
    assert not any(CHECK in text for text in texts[:-1])
    before_close = last.split("Yours sincerely,")[0]
    assert len(before_close.split()) > 10, "the close is not alone on its page"


@pytest.fixture
def official():
    return person_with("decision_official", full_name="Alexandra Fitzwilliam-Hargreaves")


def decided(case, action, official):
    with transaction.atomic():
        move(case, action, official, details={"reason": "Every criterion is met."})
    case.refresh_from_db()
    return case


def test_a_decision_letter_fits_on_one_page(official):
    case = ProposalFactory(
        status=Status.AWAITING_DECISION,
        accreditation_type="asg",
        leads_majority_trust=True,
        leads_federation=True,
        organisation__name="The Church of England Diocese of Lower Wincombe Academy Trust",
        organisation__address=ADDRESS,
    )
    decided(case, Action.ACCREDIT, official)
    texts = pages(letters.render(case, LetterPurpose.DECISION).pdf)
    assert len(texts) == 1, texts
    assert_close_kept_together(texts)


def test_a_screening_letter_fits_on_one_page():
    case = ProposalFactory(status=Status.SUBMITTED, organisation__address=ADDRESS)
    officer = person_with("casework_officer", full_name="Olu Officer")
    move(case, Action.SCREEN_INELIGIBLE, officer, details={"reason": INELIGIBLE_ASG})
    texts = pages(letters.render(case, LetterPurpose.SCREENING).pdf)
    assert len(texts) == 1, texts
    assert_close_kept_together(texts)


def test_a_revocation_notice_fits_on_one_page(official):
    case = ProposalFactory(status=Status.ACCREDITED, organisation__address=ADDRESS)
    letters.issue(case.pk)
    entry = RegisterEntry.objects.get(case=case)
    revocation.give_notice(
        entry,
        reason="The trust told us it no longer has the capacity to lead improvement in another "
        "school. Tell us within the response period if that has changed.",
        actor=official,
    )
    notice = entry.events.get(kind=EventKind.NOTICE_GIVEN)
    letter = letters.issue_revocation_letter(notice.pk)
    texts = pages(bytes(letter.pdf))
    assert len(texts) == 1, texts
    assert_close_kept_together(texts)


def test_a_long_feedback_letter_never_leaves_its_close_alone(official):
    case = ProposalFactory(status=Status.IN_ASSESSMENT, organisation__address=ADDRESS)
    assessed_not_to_accredit(case)
    decided(case, Action.NOT_ACCREDIT, official)
    texts = pages(letters.render(case, LetterPurpose.FEEDBACK).pdf)
    assert len(texts) >= 2
    assert_close_kept_together(texts)
