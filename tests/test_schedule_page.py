"""The schedule page (what is coming up and what the scheduler did) and the
previews of every e-mail the service sends: casework officers only."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.html import escape

from accreditation import clock, emails
from accreditation.models import OutboxMessage, ScheduledAction, ScheduledKind
from accreditation.roles import Role
from accreditation.services import scheduler
from advisory_group.models import Meeting
from proposals.tasks import lapse_overdue_drafts, remind_drafts
from tests.casework import sign_in_verified
from tests.factories import (
    MeetingFactory,
    MembershipFactory,
    ProposalFactory,
    RoundFactory,
    UserFactory,
    WindowFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(client):
    return sign_in_verified(client, UserFactory(roles=[Role.CASEWORK_OFFICER]))


def staff_client(client, role):
    return sign_in_verified(client, UserFactory(roles=[role]))


STAFF_URLS = [
    reverse("staff-schedule"),
    reverse("staff-email-templates"),
    reverse("staff-email-preview", args=["proposals", "reminder"]),
    reverse("staff-email-preview-html", args=["proposals", "reminder"]),
]


@pytest.mark.parametrize("url", STAFF_URLS)
@pytest.mark.parametrize(
    "role", [Role.ASSESSOR, Role.ADVISORY_GROUP_MEMBER, Role.DECISION_OFFICIAL, Role.ADMINISTRATOR]
)
def test_other_staff_are_refused(client, role, url):
    assert staff_client(client, role).get(url).status_code == 403


@pytest.mark.parametrize("url", STAFF_URLS)
def test_applicants_are_refused_and_signed_out_people_sent_to_sign_in(client, url):
    assert client.get(url).status_code == 302
    applicant = MembershipFactory().user
    client.force_login(applicant)
    assert client.get(url).status_code == 403


def test_the_page_shows_what_is_coming_up_and_what_the_scheduler_did(officer_client):
    closing = RoundFactory(deadline=clock.now() + timedelta(days=3))
    for _ in range(2):
        ProposalFactory(round=closing)
    window = WindowFactory(deadline=clock.now() + timedelta(days=5))
    MeetingFactory(held_at=clock.now() + timedelta(days=10))
    closed = RoundFactory(
        opens_at=clock.now() - timedelta(days=60), deadline=clock.now() - timedelta(minutes=5)
    )
    lapsing = ProposalFactory(round=closed)
    MembershipFactory(organisation=lapsing.organisation)
    lapse_overdue_drafts()
    remind_drafts()
    page = officer_client.get(reverse("staff-schedule")).text
    assert f"{closing} round closes" in page and "2 drafts not yet submitted" in page
    assert f"Out-of-round window for {window.organisation.name} closes" in page
    assert "Advisory Group meeting" in page
    assert f"Round closed: {closed} (1 draft lapsed)" in page
    assert "Closed 1 round" in page and "1 drafts lapsed" in page
    assert "Reminded 2 drafts" in page
    # The tasks that ran are on time; those that never ran are late.
    assert page.count("On time") == 2
    assert "Not yet run" in page


def test_failed_email_is_shown_with_a_button_that_sends_it_again(officer_client):
    message = OutboxMessage.objects.create(
        to="head@example.org", subject="Reminder", body="b", attempts=6, failed_at=clock.now()
    )
    page = officer_client.get(reverse("staff-schedule")).text
    assert "1 email could not be sent" in page
    assert 'action="/staff/emails/failed/retry/"' in page
    response = officer_client.post(reverse("staff-retry-emails"), {"all": "1"})
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.failed_at is None and message.attempts == 0
    assert "could not be sent" not in officer_client.get(reverse("staff-schedule")).text


def test_a_task_that_has_not_run_for_three_intervals_is_late(officer_client):
    scheduler.finished("proposals.tasks.lapse_overdue_drafts", {"closed": 0, "lapsed": 0})
    ScheduledAction.objects.all().delete()
    from accreditation.models import TaskRun

    TaskRun.objects.update(finished_at=clock.now() - timedelta(minutes=9))
    page = officer_client.get(reverse("staff-schedule")).text
    assert "On time" not in page and "Late" in page


def build(size):
    """``size`` rounds closing soon with drafts, windows, meetings and days of
    the scheduler's work."""
    for number in range(size):
        round_ = RoundFactory(deadline=clock.now() + timedelta(days=number + 1))
        ProposalFactory(round=round_)
        WindowFactory(deadline=clock.now() + timedelta(days=number + 2))
        MeetingFactory(held_at=clock.now() + timedelta(days=number + 3))
        for kind in (ScheduledKind.ROUND_CLOSED, ScheduledKind.REMINDER):
            ScheduledAction.objects.create(
                kind=kind,
                target=f"round:{round_.pk}",
                key="k",
                summary=str(round_),
                count=3,
                done_at=clock.now() - timedelta(days=number),
            )
    assert Meeting.objects.count() == size


@pytest.mark.parametrize("size", [1, 8])
def test_the_page_takes_the_same_queries_whatever_its_size(
    officer_client, django_assert_num_queries, size
):
    build(size)
    with django_assert_num_queries(18):
        response = officer_client.get(reverse("staff-schedule"))
    assert response.status_code == 200


def test_every_email_the_service_sends_can_be_previewed(officer_client):
    listing = officer_client.get(reverse("staff-email-templates")).text
    for email in emails.all_templates():
        assert escape(email.title) in listing
        url = reverse("staff-email-preview", args=[email.app, email.slug])
        preview = officer_client.get(url)
        assert preview.status_code == 200
        rendered = emails.render(email.name, email.example_context())
        assert escape(rendered.subject) in preview.text
        html = officer_client.get(reverse("staff-email-preview-html", args=[email.app, email.slug]))
        assert html.status_code == 200
        assert html.text == rendered.html and "<h1" in html.text
        policy = html["Content-Security-Policy"]
        assert "default-src 'none'" in policy and "sandbox" in policy
        assert "script-src" not in policy
        assert html["X-Frame-Options"] == "SAMEORIGIN"


def test_the_preview_escapes_the_text_part_and_frames_the_html_sandboxed(officer_client):
    page = officer_client.get(reverse("staff-email-preview", args=["proposals", "lapsed"])).text
    assert '<iframe class="app-email-preview"' in page and 'sandbox=""' in page
    assert "Your organisation’s draft ASP proposal for" in page


@pytest.mark.parametrize(
    "args", [["proposals", "nothing"], ["nothing", "reminder"], ["proposals", "reminder-"]]
)
def test_an_unknown_email_is_not_found(officer_client, args):
    assert officer_client.get(reverse("staff-email-preview", args=args)).status_code == 404
    assert officer_client.get(reverse("staff-email-preview-html", args=args)).status_code == 404


def test_every_email_template_is_registered_and_every_registered_email_has_both_parts():
    folder = settings.BASE_DIR / "templates" / "emails"
    files = {
        str(path.relative_to(folder).with_suffix(""))
        for path in folder.glob("*/*")
        if path.suffix in (".txt", ".html")
    }
    registered = {email.name for email in emails.all_templates()}
    assert files == registered
    for name in registered:
        assert (folder / f"{name}.txt").exists() and (folder / f"{name}.html").exists()
