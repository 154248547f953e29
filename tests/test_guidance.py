"""The public start page and the criteria and guidance: no sign-in, the
eligibility table as the code applies it, the rounds' dates in UK time, and
the criteria published from the framework itself."""

import html
import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.test import override_settings

from accreditation import eligibility
from accreditation.models import Framework, Sector, Term
from accreditation.models.framework import Circumstance
from accreditation.views.guidance import who_answers
from tests.factories import (
    CriterionFactory,
    CriterionGuidanceFactory,
    FrameworkFactory,
    PartFactory,
    RoundFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


def text_of(response):
    """The page's text with tags removed and whitespace collapsed."""
    body = response.content.decode()
    body = body[body.index("<main") :]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def make_round(term, year, opens_at, deadline, **fields):
    return RoundFactory(
        term=term,
        year=year,
        opens_at=opens_at,
        deadline=deadline,
        assessment_due=deadline.date(),
        advisory_group_meeting=deadline.date(),
        decision_target=fields.pop("decision_target", deadline.date()),
        **fields,
    )


# --- The start page --------------------------------------------------------


def test_start_page_shows_the_eligibility_table_the_code_applies(client):
    response = client.get("/")
    assert response.status_code == 200
    rows = re.findall(
        r'<th scope="row" class="govuk-table__header">(.*?)</th>\s*'
        r'<td class="govuk-table__cell">(.*?)</td>\s*'
        r'<td class="govuk-table__cell">(.*?)</td>',
        response.content.decode(),
    )
    shown = [tuple(html.unescape(cell) for cell in row) for row in rows]
    assert shown == [(row.label, row.asp_note, row.asg_wording()) for row in eligibility.TABLE]
    assert len(shown) == 8
    # The wording of the edges, as the code decides them.
    page = text_of(response)
    assert "If it leads improvement in at least 2 schools through a formal partnership" in page
    assert "If it is accountable for governance in at least 2 primary schools" in page
    assert (
        "Private or third sector organisation (non-educational) Yes: in its own right, "
        "as a consortium lead, or with an educational co-partner No"
    ) in page


def test_start_page_explains_accreditation_and_the_process(client):
    page = text_of(client.get("/"))
    assert "Accredited School Provider (ASP) is an organisation that is new to this work" in page
    assert "It will be accountable for three or more other schools." in page
    for step in [
        "You submit a proposal in an application round, before its deadline.",
        "checks that your organisation is eligible",
        "An assessor scores your proposal against the published criteria.",
        "The Advisory Group reviews every proposal to become an Accredited Schools Group",
        "The decision is made for the Secretary of State.",
        "it joins the public register and you get a decision letter",
        "you get a feedback letter",
        "you can send your concerns in writing",
    ]:
        assert step in page


@override_settings(CONTACT_EMAIL="accreditation@example.gov.uk")
def test_start_page_gives_the_contact_address_from_settings(client):
    response = client.get("/")
    assert (
        'href="mailto:accreditation@example.gov.uk">accreditation@example.gov.uk</a>'
        in response.content.decode()
    )
    assert "Contact the accreditation team" in text_of(response)


@time_machine.travel(NOW, tick=False)
def test_start_page_gives_the_open_and_next_rounds_dates_in_uk_time(client):
    # Summer time (BST, UTC+1) for the open round, winter (GMT) for the next
    # round's deadline: both shown as a clock in London shows them.
    make_round(
        Term.SUMMER,
        2026,
        opens_at=datetime(2026, 5, 1, 8, 0, tzinfo=UTC),
        deadline=datetime(2026, 7, 10, 16, 0, tzinfo=UTC),
        decision_target=date(2026, 10, 30),
    )
    make_round(
        Term.AUTUMN,
        2026,
        # 11pm UTC on 31 August is midnight in London, on 1 September.
        opens_at=datetime(2026, 8, 31, 23, 0, tzinfo=UTC),
        deadline=datetime(2026, 11, 27, 17, 0, tzinfo=UTC),
        accepts_asg=False,
    )
    # Neither a closed nor a cancelled round is offered.
    make_round(
        Term.SPRING,
        2026,
        opens_at=datetime(2026, 1, 5, 9, 0, tzinfo=UTC),
        deadline=datetime(2026, 3, 13, 17, 0, tzinfo=UTC),
    )
    make_round(
        Term.SPRING,
        2027,
        opens_at=datetime(2026, 8, 1, 9, 0, tzinfo=UTC),
        deadline=datetime(2026, 8, 20, 17, 0, tzinfo=UTC),
        cancelled_at=datetime(2026, 6, 1, tzinfo=UTC),
        cancellation_reason="Dates moved",
    )

    page = text_of(client.get("/"))

    assert (
        "The Summer 2026 round is open. Submit your proposal by 5pm on 10 July 2026 (UK time)."
    ) in page
    assert (
        "Summer 2026 round (open now) Opened 9am on 1 May 2026 (UK time) "
        "Deadline for proposals 5pm on 10 July 2026 (UK time) "
        "Takes proposals for Accredited School Provider (ASP) Accredited Schools Group (ASG) "
        "Decisions expected by 30 October 2026"
    ) in page
    assert (
        "Autumn 2026 round (next) Opens midnight on 1 September 2026 (UK time) "
        "Deadline for proposals 5pm on 27 November 2026 (UK time) "
        "Takes proposals for Accredited School Provider (ASP) Decisions"
    ) in page
    assert "Spring 2026" not in page
    assert "Spring 2027" not in page


@time_machine.travel(NOW, tick=False)
def test_start_page_with_no_round_open_says_so_and_when_the_next_opens(client):
    make_round(
        Term.AUTUMN,
        2026,
        opens_at=datetime(2026, 9, 1, 8, 30, tzinfo=UTC),
        deadline=datetime(2026, 11, 27, 17, 0, tzinfo=UTC),
    )
    page = text_of(client.get("/"))
    assert (
        "No round is open at the moment. The next round opens at 9:30am on "
        "1 September 2026 (UK time)."
    ) in page
    assert "(open now)" not in page


@time_machine.travel(NOW, tick=False)
def test_start_page_with_no_rounds_at_all(client):
    page = text_of(client.get("/"))
    assert "No round is open at the moment." in page
    assert "The dates of the next round have not been set yet." in page


def test_start_button_signs_in_or_continues(client):
    response = client.get("/")
    content = response.content.decode()
    assert re.search(r'<a href="/account/sign-in/" role="button"[^>]*govuk-button--start', content)
    assert 'href="/account/register/"' in content
    assert 'href="/guidance/criteria/"' in content
    assert 'href="/guidance/criteria/questions.pdf"' in content

    client.force_login(UserFactory())
    content = client.get("/").content.decode()
    assert re.search(r'<a href="/home/" role="button"[^>]*govuk-button--start', content)


# --- The criteria and guidance ----------------------------------------------

DEFAULT_CODES = ["1A", "1B", "1C", "1D", "1E", "2A", "2B", "2C"]


def criterion_section(page, code, next_code=None):
    """The text from a criterion's heading to the next one's."""
    start = page.index(f"{code} ")
    end = page.index(f"{next_code} ", start + 3) if next_code else len(page)
    return page[start:end]


def test_criteria_page_publishes_the_default_framework(client):
    response = client.get("/guidance/criteria/")
    assert response.status_code == 200
    framework = Framework.objects.get(version=1)
    page = text_of(response)
    assert f"{framework.title}, version 1" in page
    assert "Part One: Vision and capacity" in page
    assert "Part Two: Track record" in page
    for part in framework.parts.all():
        for criterion in part.criteria.all():
            assert f'id="criterion-{criterion.code}"' in response.content.decode()
            assert f"{criterion.code} {criterion.title}" in page
            assert criterion.question in page
            assert f"Word limit {criterion.word_limit} words" in page

    body = page[page.index("Part One: Vision and capacity Every proposal") :]
    sections = {
        code: criterion_section(body, code, nxt)
        for code, nxt in zip(DEFAULT_CODES, DEFAULT_CODES[1:] + [None], strict=True)
    }
    assert "For every proposal, ASP or ASG" in sections["1A"]
    assert "Only for non-educational organisations applying in their own right" in sections["1E"]
    assert "For every proposal" not in sections["1E"]
    for code in ("2A", "2B"):
        assert "Not needed from a National Support School" in sections[code]
    assert "Not needed from a National Support School" not in sections["2C"]
    assert "Not needed from a National Support School" not in sections["1A"]
    for code in ("2A", "2B", "2C"):
        assert "the lead and the educational co-partner each answer" in sections[code]
        assert "Examples of evidence for each sector" in sections[code]
        criterion = framework.parts.get(number=2).criteria.get(code=code)
        for guidance in criterion.sector_guidance.all():
            assert f"{guidance.get_sector_display()} {guidance.text}" in sections[code]
        # In the order the sectors are listed, schools first.
        labels = [label for label in Sector.labels if label in sections[code]]
        assert labels == list(Sector.labels)
        assert [sections[code].index(label) for label in labels] == sorted(
            sections[code].index(label) for label in labels
        )
    assert "Examples of evidence for each sector" not in sections["1A"]
    assert 'href="/guidance/criteria/questions.pdf"' in response.content.decode()


def make_framework(version, title="Revised criteria"):
    framework = FrameworkFactory(version=version, title=title)
    part = PartFactory(framework=framework, number=1, title="Vision", introduction="")
    criterion = CriterionFactory(
        part=part,
        code="1A",
        title="A revised vision",
        question="What is your revised vision?",
        word_limit=250,
        applies_to_asp=False,
    )
    CriterionGuidanceFactory(
        criterion=criterion, sector=Sector.DIOCESES_FAITH, text="Faith examples."
    )
    return framework


def test_criteria_page_with_no_round_open_publishes_the_newest_framework(client):
    make_framework(7)
    page = text_of(client.get("/guidance/criteria/"))
    assert "Revised criteria, version 7" in page
    assert "What is your revised vision?" in page
    assert "Only for proposals to become an Accredited Schools Group (ASG)" in page
    assert "Dioceses and faith groups Faith examples." in page
    # The older version is still there to read.
    assert "Criteria for accreditation in the primary phase, version 1" in page


def test_criteria_page_publishes_the_open_rounds_framework_over_a_newer_one(client):
    make_framework(7)
    RoundFactory(framework=Framework.objects.get(version=1))
    page = text_of(client.get("/guidance/criteria/"))
    assert page.startswith(
        "Back Criteria for accreditation in the primary phase, version 1 "
        "Criteria and guidance for accreditation"
    )
    assert "Describe your vision for leading improvement" in page
    assert "What is your revised vision?" not in page
    assert "Revised criteria, version 7" in page  # among the other versions


def test_criteria_page_for_a_version(client):
    make_framework(7)
    response = client.get("/guidance/criteria/7/")
    assert response.status_code == 200
    page = text_of(response)
    assert "What is your revised vision?" in page
    assert "Word limit 250 words" in page
    assert 'href="/guidance/criteria/7/questions.pdf"' in response.content.decode()

    response = client.get("/guidance/criteria/1/")
    assert "Describe your vision for leading improvement" in text_of(response)


def test_unknown_version_is_not_found(client):
    assert client.get("/guidance/criteria/99/").status_code == 404
    assert client.get("/guidance/criteria/99/questions.pdf").status_code == 404
    assert client.get("/guidance/criteria/latest/").status_code == 404


def test_criteria_text_from_the_database_is_shown_as_text(client):
    framework = make_framework(8)
    criterion = framework.parts.get().criteria.get()
    criterion.title = "<b>Bold</b> title"
    criterion.question = '<script>alert("x")</script> and <img src=http://example.org/x.png>'
    criterion.guidance = "<a href='http://example.org'>link</a>"
    criterion.save()
    content = client.get("/guidance/criteria/8/").content.decode()
    assert "<script>alert" not in content
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in content
    assert "&lt;img src=http://example.org/x.png&gt;" in content
    assert "&lt;b&gt;Bold&lt;/b&gt; title" in content
    assert "<a href='http://example.org'>" not in content


def test_a_circumstance_is_described_from_its_label():
    criterion = CriterionFactory.build(circumstance=Circumstance.NON_EDUCATIONAL_OWN_RIGHT)
    assert who_answers(criterion) == [
        "Only for non-educational organisations applying in their own right"
    ]
