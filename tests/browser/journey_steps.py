"""Steps of the applicant's proposal journey in real Chromium, as a person
would take them: by link text, labels and button names. Each step checks the
page it lands on with axe-core (``check``) where the journey tests ask it to."""

import re

from playwright.sync_api import expect

from tests.factories import PASSWORD
from tests.test_uploads import pdf_bytes

SAVE = "Save and continue"


def click_and_wait(page, locator):
    """Click something that loads a new page and wait until it has loaded."""
    with page.expect_navigation():
        locator.click()


def sign_in_to_dashboard(page, check, user):
    """Sign in through the form, land on "Your organisations" and go on to
    the organisation's proposals."""
    page.goto("/account/sign-in/")
    check(page)
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    click_and_wait(page, page.get_by_role("button", name="Sign in"))
    expect(page.locator("h1")).to_have_text("Your organisations")
    check(page)
    click_and_wait(page, page.get_by_role("button", name="Your proposals"))
    expect(page.locator("h1")).to_have_text("Your proposals")
    expect(page.get_by_text("Your organisation has no proposals yet.")).to_be_visible()
    check(page)


def start_proposal(page, check, type_label, *, cannot_apply=None):
    """Dashboard → start page (eligibility shown) → the new task list.
    ``cannot_apply`` is the reason shown for the other type, if refused."""
    click_and_wait(page, page.get_by_role("button", name="Start a new proposal"))
    expect(page.locator("h1")).to_have_text("Start a proposal")
    eligibility = page.locator(".govuk-summary-list")
    if cannot_apply:
        expect(eligibility.get_by_text("You can apply")).to_have_count(1)
        expect(eligibility.get_by_text("You cannot apply")).to_have_count(1)
        expect(eligibility).to_contain_text(cannot_apply)
        # One type to choose: stated, not asked with a lone radio.
        expect(page.get_by_role("radio")).to_have_count(0)
        expect(
            page.get_by_text(f"Your proposal will be for {type_label} accreditation.")
        ).to_be_visible()
        check(page)
    else:
        expect(eligibility.get_by_text("You can apply")).to_have_count(2)
        expect(page.get_by_role("radio")).to_have_count(2)
        check(page)
        page.get_by_label(type_label).check()
    click_and_wait(page, page.get_by_role("button", name="Start proposal"))
    expect(page).to_have_url(re.compile(r"/proposals/\d+/$"))
    pk = int(re.search(r"/proposals/(\d+)/$", page.url).group(1))
    code = re.search(r"\((\w+)\)$", type_label).group(1)
    expect(page.locator("h1")).to_have_text(re.compile(rf"^Draft {code} proposal, "))
    expect(page).to_have_title(re.compile(rf"^Draft {code} proposal, "))
    expect(section_status(page, "Declaration")).to_have_text("Not started")
    expect_cannot_submit_yet(page)
    check(page)
    return pk


def task(page, name):
    return page.locator(".govuk-task-list__item").filter(
        has=page.get_by_role("link", name=name, exact=True)
    )


def section_status(page, name):
    return task(page, name).locator(".govuk-task-list__status")


SUBMIT_STEP = "Check your answers and submit"


def submit_step(page):
    return page.locator(".govuk-task-list__item").filter(has_text=SUBMIT_STEP)


def expect_cannot_submit_yet(page):
    """GOV.UK's "Cannot start yet": the submit step is no link until every
    required section is complete."""
    expect(submit_step(page).locator(".govuk-task-list__status")).to_have_text("Cannot start yet")
    expect(page.get_by_role("link", name=SUBMIT_STEP)).to_have_count(0)


def expect_completed_count(page):
    """ "You have completed N of M sections" agrees with the rows shown, an
    optional section (left empty, or filled in and hinted so) not counted."""
    rows = (
        page.locator(".govuk-task-list__item")
        .filter(has_not_text=SUBMIT_STEP)
        .filter(has_not=page.locator(".govuk-tag", has_text="Optional"))
        .filter(has_not=page.locator(".govuk-task-list__hint", has_text=re.compile("^Optional$")))
    )
    completed = rows.locator(".govuk-task-list__status").filter(
        has_text=re.compile(r"^\s*Completed\s*$")
    )
    expect(page.get_by_text(re.compile(r"You have completed \d+ of \d+ sections"))).to_have_text(
        re.compile(rf"You have completed {completed.count()} of {rows.count()} sections")
    )


def open_section(page, name):
    click_and_wait(page, task(page, name).get_by_role("link"))


def expect_task_list(page):
    expect(page).to_have_url(re.compile(r"/proposals/\d+/$"))
    expect(page.locator("h1")).to_contain_text("proposal")


def choose_type_and_partnerships(
    page, check, *, route=None, offered, chosen, next_heading="Schools you lead now"
):
    """The "Type and partnerships" page: route radios only for a
    non-educational organisation; federation only for a maintained school."""
    expect(page.locator("h1")).to_have_text("Type and partnerships")
    routes = page.get_by_role("group", name="How is your organisation applying?")
    if route is None:
        expect(routes).to_have_count(0)
    else:
        expect(routes.get_by_role("radio")).to_have_count(3)
        routes.get_by_label(route).check()
    partnerships = page.get_by_role("group", name="Which partnerships do you want to lead?")
    if offered == ["Majority trust"]:
        # The one partnership it can lead is stated, not asked with a lone checkbox.
        expect(partnerships).to_have_count(0)
        expect(page.get_by_role("checkbox")).to_have_count(0)
        expect(page.get_by_text("Your organisation can lead a majority trust.")).to_be_visible()
        assert chosen == offered
    else:
        boxes = partnerships.get_by_role("checkbox")
        expect(boxes).to_have_count(len(offered))
        for label in offered:
            expect(partnerships.get_by_label(label, exact=True)).to_be_visible()
        for label in chosen:
            partnerships.get_by_label(label, exact=True).check()
    check(page)
    click_and_wait(page, page.get_by_role("button", name=SAVE))
    expect(page.locator("h1")).to_have_text(next_heading)


def fill_date(page, legend, date):
    """GOV.UK's date input: ``date`` as dd/mm/yyyy into its day, month and
    year boxes."""
    group = page.get_by_role("group", name=legend)
    for box, value in zip(("Day", "Month", "Year"), date.split("/"), strict=True):
        group.get_by_label(box).fill(value)


def fill_school(page, name, urn, authority, partnership, since, *, since_label="Led since"):
    """A school on the schools page; ``partnership`` None where the page
    does not ask it (a primary school whose governance is the applicant's)."""
    page.get_by_label("School name").fill(name)
    page.get_by_label("URN").fill(urn)
    page.get_by_label("Local authority").select_option(label=authority)
    if partnership is None:
        expect(page.get_by_role("group", name="Kind of partnership")).to_have_count(0)
    else:
        page.get_by_role("group", name="Kind of partnership").get_by_label(
            partnership, exact=True
        ).check()
    fill_date(page, since_label, since)


def add_schools(page, check, schools, *, heading="Schools you lead now", since_label="Led since"):
    """On the schools page (``heading``): add each (name, urn, authority,
    partnership or None, since as dd/mm/yyyy), then go back to the task list."""
    expect(page.locator("h1")).to_have_text(heading)
    check(page)
    for number, school in enumerate(schools, start=1):
        name, urn, authority = school[:3]
        fill_school(page, *school, since_label=since_label)
        click_and_wait(page, page.get_by_role("button", name="Add school"))
        expect(page.get_by_role("alert")).to_contain_text(f"{name} has been added")
        listed = page.locator(".govuk-summary-list__row")
        expect(listed).to_have_count(number)
        # The first URN on the page is spelt out: "URN (unique reference number)".
        expect(listed.filter(has_text=name)).to_contain_text(
            re.compile(rf"URN( \(unique reference number\))? {urn}, {re.escape(authority)}")
        )
        if number == 1:
            check(page)
    click_and_wait(page, page.get_by_role("button", name="Back to your proposal"))
    expect_task_list(page)
    if schools:
        expect(section_status(page, heading)).to_have_text("Completed")


def fill_answer(page, text, count_message):
    """Fill the answer and wait for GOV.UK's word count to show
    ``count_message``. fill() fires no keyup, so the count would wait for
    its once-a-second poller; pressing End, as someone finishing typing
    would, fires the keyup it listens for."""
    box = page.locator("textarea[name=text]")
    box.fill(text)
    box.press("End")
    expect(page.locator(".govuk-character-count__status")).to_have_text(count_message)


def answer_questions(page, check, expected, *, text, checked_captions=()):
    """From an answer page, answer each (code, caption) in ``expected`` in
    turn with "Save and continue"; the last one returns to the task list.
    Pages whose caption is in ``checked_captions`` are checked with axe the
    first time one is reached."""
    words = len(text.split())
    to_check = set(checked_captions)
    for code, caption in expected:
        expect(page.locator("h1")).to_contain_text(f"{code}:")
        expect(page.locator(".govuk-caption-l")).to_have_text(caption)
        limit = int(page.locator("[data-maxwords]").get_attribute("data-maxwords"))
        fill_answer(page, text, f"You have {limit - words} words remaining")
        if caption in to_check:
            to_check.discard(caption)
            check(page)
        click_and_wait(page, page.get_by_role("button", name=SAVE))
    assert not to_check, f"never reached {to_check}"
    expect_task_list(page)


def upload_document(page, check, name, data):
    open_section(page, "Supporting documents")
    expect(page.locator("h1")).to_have_text("Supporting documents")
    check(page)
    page.get_by_label("Upload a file").set_input_files(
        {"name": name, "mimeType": "application/pdf", "buffer": data}
    )
    click_and_wait(page, page.get_by_role("button", name="Upload file"))
    expect(page.get_by_role("alert")).to_contain_text(f"{name} has been uploaded")
    expect(page.get_by_role("link", name=name)).to_be_visible()
    check(page)
    click_and_wait(page, page.get_by_role("link", name="Return to your proposal"))
    expect(section_status(page, "Supporting documents")).to_have_text("Completed")


def declare(page, check):
    """Declaration, which leads on to check your answers."""
    open_section(page, "Declaration")
    expect(page.locator("h1")).to_have_text("Declaration")
    check(page)
    # Stated and confirmed with the button, not a lone checkbox.
    expect(page.get_by_role("checkbox")).to_have_count(0)
    expect(page.get_by_text("By confirming, you make this declaration:")).to_be_visible()
    click_and_wait(page, page.get_by_role("button", name="Confirm and continue"))
    expect(page.locator("h1")).to_have_text("Check your answers before submitting your proposal")


def submit(page, check, reference_prefix):
    """On check answers: submit and land on the confirmation panel.
    Returns the reference it shows."""
    click_and_wait(page, page.get_by_role("button", name="Submit proposal"))
    panel = page.locator(".govuk-panel--confirmation")
    expect(panel.get_by_role("heading", level=1)).to_have_text("Proposal submitted")
    expect(panel).to_contain_text(re.compile(rf"{reference_prefix}-\d{{4}}-0001"))
    expect(page.get_by_role("heading", name="What happens next")).to_be_visible()
    check(page)
    return panel.locator("strong").inner_text()


def finish(page, check):
    """Supporting documents, the task list at the end, the declaration, and
    on to check your answers (with nothing missing)."""
    upload_document(page, check, "Partnership agreement.pdf", pdf_bytes())
    expect_cannot_submit_yet(page)
    expect_completed_count(page)
    declare(page, check)
    click_and_wait(page, page.get_by_role("link", name="Back to your proposal"))
    expect(section_status(page, SUBMIT_STEP)).to_have_text("Ready to submit")
    expect(page.locator(".govuk-task-list__status .govuk-tag--blue")).to_have_count(1)
    expect_completed_count(page)
    check(page)
    open_section(page, SUBMIT_STEP)
    expect(page.locator("h1")).to_have_text("Check your answers before submitting your proposal")
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    expect(summary_row(page, "Documents")).to_contain_text("Partnership agreement.pdf")
    check(page)


def summary_row(page, key):
    """A row of the check-answers page by its key (exact)."""
    return page.locator(".govuk-summary-list__row").filter(
        has=page.locator(
            ".govuk-summary-list__key", has_text=re.compile(rf"^\s*{re.escape(key)}\s*$")
        )
    )
