"""Out-of-round requests: an organisation asks to be considered outside the
rounds; a casework officer grants a window with its own deadline, or refuses
with a reason; the applicant sees the outcome."""

import threading
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from accreditation import clock, policy
from accreditation.models import Framework, LocalAuthority, Window
from accreditation.roles import Role
from accreditation.tasks import send_outbox
from proposals.forms.out_of_round import MIDNIGHT_DEADLINE
from proposals.models import OutOfRoundRequest, Urgency
from proposals.services import out_of_round
from tests.casework import sign_in_verified
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

LONDON = ZoneInfo("Europe/London")
Outcome = OutOfRoundRequest.Outcome


def make_request(organisation, **fields):
    defaults = {
        "local_authority": LocalAuthority.objects.order_by("name").first(),
        "school_name": "Hill Top Primary",
        "school_urn": "123456",
        "urgency": Urgency.URGENT,
        "reason": "The trust needs a partner now.",
        "requested_by": UserFactory(roles=[Role.APPLICANT]),
    }
    return OutOfRoundRequest.objects.create(organisation=organisation, **{**defaults, **fields})


@pytest.fixture
def membership(db):
    return MembershipFactory()


@pytest.fixture
def applicant_client(client, membership):
    client.force_login(membership.user)
    return client


@pytest.fixture
def officer(db):
    return UserFactory(roles=[Role.CASEWORK_OFFICER], full_name="Olive Officer")


@pytest.fixture
def officer_client(client, officer):
    return sign_in_verified(client, officer)


@pytest.fixture
def pending(membership):
    return make_request(membership.organisation)


def request_data(**overrides):
    data = {
        "local_authority": LocalAuthority.objects.order_by("name").first().pk,
        "school_name": "Hill Top Primary",
        "school_urn": "123456",
        "urgency": Urgency.THIS_TERM,
        "reason": "Hill Top Primary joins our trust in May and needs our support now.",
    }
    return {**data, **overrides}


def grant_data(when):
    """The grant form filled in for ``when`` (a Europe/London time)."""
    return {
        "grant-deadline_date_0": str(when.day),
        "grant-deadline_date_1": str(when.month),
        "grant-deadline_date_2": str(when.year),
        "grant-deadline_time": when.strftime("%H:%M"),
        "grant": "",
    }


def later_in_the_year(month, hour=17):
    """A day in ``month`` at least a month ahead, at ``hour`` in London."""
    today = clock.today()
    year = today.year + 1 if today.month >= month - 1 else today.year
    return datetime(year, month, 15, hour, 0, tzinfo=LONDON)


class TestApplicantRequests:
    def test_an_applicant_asks_for_consideration(self, applicant_client, membership):
        page = applicant_client.get(reverse("out-of-round-new"))
        assert page.status_code == 200
        html = page.content.decode()
        assert 'data-maxwords="300"' in html
        assert "Select a local authority" in html

        response = applicant_client.post(reverse("out-of-round-new"), request_data())

        request_obj = OutOfRoundRequest.objects.get()
        assert response.status_code == 302
        assert response.url == reverse("out-of-round-sent", args=[request_obj.pk])
        assert request_obj.organisation == membership.organisation
        assert request_obj.requested_by == membership.user
        assert request_obj.outcome == Outcome.PENDING
        assert request_obj.school_urn == "123456"
        sent = applicant_client.get(response.url).content.decode()
        assert "Request sent" in sent
        assert "What happens next" in sent
        listing = applicant_client.get(reverse("out-of-round-list")).content.decode()
        assert "Hill Top Primary" in listing
        assert "Waiting for a decision" in listing

    def test_the_urn_is_optional(self, applicant_client):
        applicant_client.post(reverse("out-of-round-new"), request_data(school_urn=""))
        assert OutOfRoundRequest.objects.get().school_urn == ""

    def test_a_urn_written_with_a_space_is_taken_and_a_wrong_one_refused(self, applicant_client):
        wrong = applicant_client.post(reverse("out-of-round-new"), request_data(school_urn="12 34"))
        assert "URN" in wrong.context["form"].errors["school_urn"][0]
        applicant_client.post(reverse("out-of-round-new"), request_data(school_urn="123 456"))
        assert OutOfRoundRequest.objects.get().school_urn == "123456"

    def test_sending_twice_gives_one_request(self, applicant_client):
        first = applicant_client.post(reverse("out-of-round-new"), request_data())
        second = applicant_client.post(reverse("out-of-round-new"), request_data())
        assert OutOfRoundRequest.objects.count() == 1
        assert first.url == second.url

    @pytest.mark.parametrize(
        "overrides, field, message",
        [
            ({"reason": ""}, "reason", "Enter why you need to be considered outside the rounds"),
            (
                {"reason": "   \n  "},
                "reason",
                "Enter why you need to be considered outside the rounds",
            ),
            (
                {"reason": "word " * 301},
                "reason",
                "Your reason must be 300 words or fewer (it has 301)",
            ),
            ({"school_urn": "12345"}, "school_urn", "Enter a URN of 6 digits, like 123456"),
            ({"school_urn": "ABC123"}, "school_urn", "Enter a URN of 6 digits, like 123456"),
            (
                {"school_name": ""},
                "school_name",
                "Enter the name of the school, trust or federation",
            ),
            (
                {"local_authority": ""},
                "local_authority",
                "Select the local authority the school is in",
            ),
            ({"urgency": ""}, "urgency", "Select how soon you need to be considered"),
        ],
    )
    def test_bad_input_is_refused_with_a_clear_message_and_nothing_lost(
        self, applicant_client, overrides, field, message
    ):
        data = request_data(**overrides)
        response = applicant_client.post(reverse("out-of-round-new"), data)

        assert response.status_code == 200
        assert response.context["form"].errors[field] == [message]
        html = response.content.decode()
        assert "<title>Error: Ask for out-of-round consideration" in html
        assert "There is a problem" in html
        # What was typed is still in the form.
        form = response.context["form"]
        for name in ("school_name", "reason"):
            assert form[name].value() == data[name]
        assert not OutOfRoundRequest.objects.exists()

    def test_the_reason_may_be_exactly_at_the_limit(self, applicant_client):
        applicant_client.post(reverse("out-of-round-new"), request_data(reason="word " * 300))
        assert OutOfRoundRequest.objects.count() == 1

    def test_html_is_shown_as_text(self, applicant_client, officer):
        script = "<script>alert('x')</script>"
        applicant_client.post(
            reverse("out-of-round-new"), request_data(school_name=script, reason=script)
        )
        html = applicant_client.get(reverse("out-of-round-list")).content.decode()
        assert script not in html
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html

    def test_someone_with_no_organisation_is_told_to_set_one_up(self, client, db):
        client.force_login(UserFactory(roles=[Role.APPLICANT]))
        for name in ("out-of-round-list", "out-of-round-new"):
            response = client.get(reverse(name))
            assert response.status_code == 200
            assert "Set up your organisation first" in response.content.decode()
        client.post(reverse("out-of-round-new"), request_data())
        assert not OutOfRoundRequest.objects.exists()

    def test_the_request_is_for_the_organisation_chosen_in_the_session(
        self, applicant_client, membership
    ):
        other = MembershipFactory(user=membership.user).organisation
        session = applicant_client.session
        session["current_organisation_id"] = other.pk
        session.save()
        applicant_client.post(reverse("out-of-round-new"), request_data())
        assert OutOfRoundRequest.objects.get().organisation == other


class TestGrant:
    def test_a_grant_opens_one_window_and_the_applicant_can_start_a_proposal(
        self,
        officer_client,
        officer,
        pending,
        membership,
        client,
        mailoutbox,
        django_capture_on_commit_callbacks,
    ):
        non_contact = MembershipFactory(organisation=membership.organisation, is_contact=False)
        deadline = later_in_the_year(7)  # British Summer Time
        with django_capture_on_commit_callbacks(execute=True):
            response = officer_client.post(
                reverse("out-of-round-decide", args=[pending.pk]), grant_data(deadline)
            )

        assert response.status_code == 302
        assert response.url == reverse("out-of-round-staff-list")
        window = Window.objects.get()
        assert window.organisation == membership.organisation
        assert window.deadline == deadline
        assert window.deadline.astimezone(ZoneInfo("UTC")).hour == 16
        assert window.framework == Framework.current()
        assert window.granted_by == officer
        assert window.opens_at <= clock.now() < window.deadline
        pending.refresh_from_db()
        assert pending.outcome == Outcome.GRANTED
        assert pending.window == window
        assert pending.decided_by == officer
        assert pending.decided_at is not None

        assert mailoutbox == [], "the worker sends it"
        assert send_outbox() == {"sent": 1}
        assert len(mailoutbox) == 1
        assert mailoutbox[0].to == [membership.user.email]
        assert non_contact.user.email not in mailoutbox[0].to
        body = mailoutbox[0].body
        assert f"5pm on 15 July {deadline.year}" in body
        assert "http://testserver/out-of-round/" in body

        client.force_login(membership.user)
        html = client.get(reverse("out-of-round-list")).content.decode()
        assert "Granted" in html
        assert f"5pm on 15 July {deadline.year} (UK time)" in html
        assert f'href="{reverse("proposal-start")}?window={window.pk}"' in html

    def test_the_granted_window_is_on_the_applicants_proposals_page_until_its_deadline(
        self, client, membership, officer, pending
    ):
        deadline = later_in_the_year(7, hour=17)
        out_of_round.grant(pending, officer, deadline, base_url="http://x")
        window = Window.objects.get()
        other = MembershipFactory()
        out_of_round.grant(
            make_request(other.organisation),
            officer,
            later_in_the_year(8, hour=9),
            base_url="http://x",
        )
        client.force_login(membership.user)
        html = client.get(reverse("proposal-dashboard")).text
        assert f"you can send a proposal in it until 5pm on 15 July {deadline.year} (UK time)" in (
            html
        )
        start = f"{reverse('proposal-start')}?window={window.pk}"
        assert f'href="{start}"' in html
        assert "9am on 15 August" not in html  # the other organisation's window
        page = client.get(start)
        assert page.status_code == 200
        assert f"open until 5pm on 15 July {deadline.year} (UK time)" in page.text
        # Staff see the window in the same style, never a 24-hour clock.
        assert str(window).endswith(f"until 5pm on 15 July {deadline.year}")
        decided = sign_in_verified(client, officer).get(
            reverse("out-of-round-decide", args=[pending.pk])
        )
        assert f"5pm on 15 July {deadline.year} (UK time)" in decided.text
        assert "17:00" not in decided.text

        # Past its deadline it is gone from the page.
        client.force_login(membership.user)
        with time_machine.travel(deadline + timedelta(seconds=1)):
            html = client.get(reverse("proposal-dashboard")).text
        assert "out-of-round window" not in html
        assert f"?window={window.pk}" not in html

    def test_another_organisations_window_cannot_be_started_from_the_address(
        self, client, membership, officer
    ):
        other = MembershipFactory()
        out_of_round.grant(
            make_request(other.organisation),
            officer,
            clock.now() + timedelta(days=7),
            base_url="http://x",
        )
        window = Window.objects.get()
        client.force_login(membership.user)
        start = f"{reverse('proposal-start')}?window={window.pk}"
        assert client.get(start).status_code == 404

    def test_a_winter_deadline_is_greenwich_mean_time(self, officer_client, pending):
        deadline = later_in_the_year(12, hour=9)
        officer_client.post(reverse("out-of-round-decide", args=[pending.pk]), grant_data(deadline))
        assert Window.objects.get().deadline.astimezone(ZoneInfo("UTC")).hour == 9

    def test_a_passed_deadline_offers_no_start_link(self, client, membership, officer):
        request_obj = make_request(membership.organisation)
        out_of_round.grant(
            request_obj, officer, clock.now() + timedelta(minutes=1), base_url="http://x"
        )
        Window.objects.update(
            opens_at=clock.now() - timedelta(days=2), deadline=clock.now() - timedelta(days=1)
        )
        client.force_login(membership.user)
        html = client.get(reverse("out-of-round-list")).content.decode()
        assert "This deadline has passed." in html
        assert "Start a proposal" not in html

    @pytest.mark.parametrize(
        "change, field, message",
        [
            (
                {"grant-deadline_date_2": "2001"},
                "deadline_date",
                "The deadline must be in the future",
            ),
            (
                {
                    "grant-deadline_date_0": "",
                    "grant-deadline_date_1": "",
                    "grant-deadline_date_2": "",
                },
                "deadline_date",
                "Enter the deadline date",
            ),
            (
                {"grant-deadline_date_1": ""},
                "deadline_date",
                "The deadline date must include a month",
            ),
            (
                {"grant-deadline_date_0": "31", "grant-deadline_date_1": "2"},
                "deadline_date",
                "The deadline date must be a real date",
            ),
            (
                {"grant-deadline_time": "25:00"},
                "deadline_time",
                "Enter the deadline time, like 5pm or 17:30",
            ),
            ({"grant-deadline_time": ""}, "deadline_time", "Enter the deadline time"),
            ({"grant-deadline_time": "12am"}, "deadline_time", MIDNIGHT_DEADLINE),
        ],
    )
    def test_a_bad_deadline_is_refused_with_a_clear_message(
        self, officer_client, pending, change, field, message
    ):
        data = {**grant_data(later_in_the_year(7)), **change}
        response = officer_client.post(reverse("out-of-round-decide", args=[pending.pk]), data)

        assert response.status_code == 200
        assert message in response.context["form"].errors[field]
        html = response.content.decode()
        assert "<title>Error: Out-of-round request from" in html
        assert "There is a problem" in html
        # The date is kept as typed, in the grant form.
        assert response.context["grant_form"] is response.context["form"]
        assert f'value="{data["grant-deadline_time"]}"' in html or not data["grant-deadline_time"]
        assert not Window.objects.exists()
        pending.refresh_from_db()
        assert pending.outcome == Outcome.PENDING

    @pytest.mark.parametrize("year", ["27", "0027", "20271"])
    def test_a_deadline_year_not_of_4_numbers_is_refused_as_such(
        self, officer_client, pending, year
    ):
        data = {**grant_data(later_in_the_year(7)), "grant-deadline_date_2": year}
        response = officer_client.post(reverse("out-of-round-decide", args=[pending.pk]), data)
        assert response.status_code == 200
        assert response.context["form"].errors["deadline_date"] == [
            "The deadline year must include 4 numbers"
        ]
        assert "The deadline year must include 4 numbers" in response.content.decode()
        assert not Window.objects.exists()

    def test_an_error_about_the_whole_date_leads_to_the_day_input(self, officer_client, pending):
        data = {**grant_data(later_in_the_year(7)), "grant-deadline_date_2": "2001"}
        html = officer_client.post(
            reverse("out-of-round-decide", args=[pending.pk]), data
        ).content.decode()
        assert 'href="#id_grant-deadline_date_0"' in html
        assert 'id="id_grant-deadline_date_0"' in html

    def test_the_deadline_is_checked_again_inside_the_transaction(self, officer, pending):
        with pytest.raises(out_of_round.OutOfRoundError, match="must be in the future"):
            out_of_round.grant(pending, officer, clock.now(), base_url="http://x")
        assert not Window.objects.exists()

    @pytest.mark.parametrize(
        "text, hour, minute",
        [
            ("5pm", 17, 0),
            ("5:30pm", 17, 30),
            ("17:30", 17, 30),
            ("9.15am", 9, 15),
            ("12am", 0, 0),
            ("noon", 12, 0),
            ("Midday", 12, 0),
            ("midnight", 0, 0),
        ],
    )
    def test_times_are_read_as_people_write_them(self, text, hour, minute):
        from proposals.forms.out_of_round import parse_time

        at = parse_time(text)
        assert (at.hour, at.minute) == (hour, minute)

    def test_a_deadline_at_midnight_in_words_is_refused_in_the_services_words(self):
        from proposals.forms.out_of_round import MIDNIGHT_DEADLINE, GrantForm

        day = clock.today() + timedelta(days=7)
        form = GrantForm(
            data={
                "deadline_date_0": day.day,
                "deadline_date_1": day.month,
                "deadline_date_2": day.year,
                "deadline_time": "Midnight",
            }
        )
        assert form.errors["deadline_time"] == [MIDNIGHT_DEADLINE]

    def test_a_time_the_clocks_skip_is_refused(self):
        from proposals.forms.out_of_round import GrantForm

        year = clock.today().year + 1
        # The clocks go forward at 1am on the last Sunday in March.
        last_sunday = max(
            datetime(year, 3, day) for day in range(25, 32) if datetime(year, 3, day).weekday() == 6
        )
        form = GrantForm(
            {
                "grant-deadline_date_0": str(last_sunday.day),
                "grant-deadline_date_1": "3",
                "grant-deadline_date_2": str(year),
                "grant-deadline_time": "1:30am",
            },
            prefix="grant",
        )
        assert not form.is_valid()
        assert "the clocks go forward" in form.errors["deadline_time"][0]


class TestRefuse:
    def test_a_refusal_shows_its_reason_to_the_applicant(
        self,
        officer_client,
        officer,
        pending,
        membership,
        client,
        mailoutbox,
        django_capture_on_commit_callbacks,
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = officer_client.post(
                reverse("out-of-round-decide", args=[pending.pk]),
                {"refuse-refusal_reason": "The spring round opens in three weeks.", "refuse": ""},
            )

        assert response.url == reverse("out-of-round-staff-list")
        pending.refresh_from_db()
        assert pending.outcome == Outcome.REFUSED
        assert pending.refusal_reason == "The spring round opens in three weeks."
        assert pending.decided_by == officer
        assert not Window.objects.exists()
        assert send_outbox() == {"sent": 1}
        assert len(mailoutbox) == 1
        assert "The spring round opens in three weeks." in mailoutbox[0].body

        client.force_login(membership.user)
        html = client.get(reverse("out-of-round-list")).content.decode()
        assert "Refused" in html
        assert "The spring round opens in three weeks." in html
        assert "?window=" not in html

    @pytest.mark.parametrize("reason", ["", "   "])
    def test_a_refusal_needs_a_reason(self, officer_client, pending, reason):
        response = officer_client.post(
            reverse("out-of-round-decide", args=[pending.pk]),
            {"refuse-refusal_reason": reason, "refuse": ""},
        )
        assert response.status_code == 200
        assert response.context["form"].errors["refusal_reason"] == [
            "Enter the reason for refusing, which the organisation will see"
        ]
        assert "<title>Error: " in response.content.decode()
        pending.refresh_from_db()
        assert pending.outcome == Outcome.PENDING

    def test_the_service_refuses_an_empty_reason_too(self, officer, pending):
        with pytest.raises(out_of_round.OutOfRoundError, match="Enter the reason"):
            out_of_round.refuse(pending, officer, "  ", base_url="http://x")


class TestDecidingTwice:
    def test_the_second_decision_is_refused_by_the_service(self, officer, pending):
        other_officer = UserFactory(roles=[Role.CASEWORK_OFFICER], full_name="Pat Second")
        out_of_round.grant(pending, officer, clock.now() + timedelta(days=7), base_url="http://x")

        with pytest.raises(out_of_round.AlreadyDecided, match="already been granted by Olive"):
            out_of_round.refuse(pending, other_officer, "Too late", base_url="http://x")
        with pytest.raises(out_of_round.AlreadyDecided):
            out_of_round.grant(
                pending, other_officer, clock.now() + timedelta(days=9), base_url="http://x"
            )
        pending.refresh_from_db()
        assert pending.outcome == Outcome.GRANTED
        assert Window.objects.count() == 1

    def test_a_second_officer_on_a_stale_page_is_told_clearly(
        self, officer_client, pending, client
    ):
        second = sign_in_verified(client.__class__(), UserFactory(roles=[Role.CASEWORK_OFFICER]))
        url = reverse("out-of-round-decide", args=[pending.pk])
        officer_client.post(url, grant_data(later_in_the_year(7)))

        reason = "It has no case for urgency: the school is improving."
        response = second.post(url, {"refuse-refusal_reason": reason, "refuse": ""})
        assert response.status_code == 409

        html = response.content.decode()
        assert "This request has already been granted by Olive Officer" in html
        assert "Your decision has not been recorded." in html
        # What they wrote is shown back, to copy.
        assert reason in html.split("What you wrote is below")[1]
        pending.refresh_from_db()
        assert pending.outcome == Outcome.GRANTED
        assert Window.objects.count() == 1
        # The page shows the decision, and no forms.
        assert "Grant a window" not in html


class TestPermissions:
    STAFF_PAGES = ["out-of-round-staff-list", "out-of-round-decide"]

    def staff_url(self, name, pending):
        return reverse(name, args=[pending.pk]) if name == "out-of-round-decide" else reverse(name)

    @pytest.mark.parametrize("name", STAFF_PAGES)
    def test_applicants_cannot_use_the_staff_pages(self, applicant_client, pending, name):
        assert applicant_client.get(self.staff_url(name, pending)).status_code == 403

    def test_applicants_cannot_decide(self, applicant_client, pending):
        response = applicant_client.post(
            reverse("out-of-round-decide", args=[pending.pk]), grant_data(later_in_the_year(7))
        )
        assert response.status_code == 403
        assert not Window.objects.exists()

    @pytest.mark.parametrize("name", STAFF_PAGES)
    def test_other_staff_roles_cannot_use_the_staff_pages(self, client, pending, name):
        sign_in_verified(client, UserFactory(roles=[Role.ASSESSOR]))
        assert client.get(self.staff_url(name, pending)).status_code == 403

    @pytest.mark.parametrize("name", STAFF_PAGES)
    def test_officers_need_their_second_factor(self, client, officer, pending, name):
        client.force_login(officer)
        response = client.get(self.staff_url(name, pending))
        assert response.status_code == 302
        assert response.url.startswith(reverse("otp-setup"))

    def test_the_service_refuses_someone_who_is_not_an_officer(self, membership, pending):
        from django.core.exceptions import PermissionDenied

        with pytest.raises(PermissionDenied):
            out_of_round.grant(
                pending, membership.user, clock.now() + timedelta(days=7), base_url="http://x"
            )
        with pytest.raises(PermissionDenied):
            out_of_round.request_consideration(
                organisation=OrganisationFactory(),
                requested_by=membership.user,
                local_authority=pending.local_authority,
                school_name="A school",
                school_urn="",
                urgency=Urgency.URGENT,
                reason="Because",
            )

    def test_another_organisations_request_is_not_found(self, applicant_client):
        theirs = make_request(OrganisationFactory())
        response = applicant_client.get(reverse("out-of-round-sent", args=[theirs.pk]))
        assert response.status_code == 404
        listing = applicant_client.get(reverse("out-of-round-list")).content.decode()
        assert theirs.school_name not in listing

    def test_an_unknown_request_is_not_found_by_officers(self, officer_client):
        assert officer_client.get(reverse("out-of-round-decide", args=[999999])).status_code == 404

    def test_only_the_organisations_own_requests_are_listed(self, applicant_client, membership):
        make_request(membership.organisation, school_name="Our School")
        make_request(OrganisationFactory(), school_name="Their School")
        html = applicant_client.get(reverse("out-of-round-list")).content.decode()
        assert "Our School" in html
        assert "Their School" not in html

    def test_staff_cannot_use_the_applicant_pages(self, officer_client):
        assert officer_client.get(reverse("out-of-round-new")).status_code == 403

    def test_signed_out_people_are_sent_to_sign_in(self, client, pending):
        for url in [
            reverse("out-of-round-list"),
            reverse("out-of-round-new"),
            reverse("out-of-round-sent", args=[pending.pk]),
            reverse("out-of-round-staff-list"),
            reverse("out-of-round-decide", args=[pending.pk]),
        ]:
            response = client.get(url)
            assert response.status_code == 302, url
            assert response.url.startswith(reverse("login")), url


class TestQueryCounts:
    @pytest.mark.parametrize("count", [2, 20])
    def test_the_officers_list_is_flat(
        self, officer_client, officer, count, django_assert_num_queries
    ):
        for index in range(count):
            organisation = OrganisationFactory()
            make_request(organisation, school_name=f"Pending {index}")
            decided = make_request(organisation, school_name=f"Decided {index}")
            out_of_round.refuse(decided, officer, "Wait for the round", base_url="http://x")

        with django_assert_num_queries(11):
            response = officer_client.get(reverse("out-of-round-staff-list"))
        assert response.status_code == 200
        assert len(response.context["pending"]) == count

    @pytest.mark.parametrize("count", [2, 20])
    def test_the_applicants_list_is_flat(
        self, applicant_client, membership, officer, count, django_assert_num_queries
    ):
        for index in range(count):
            request_obj = make_request(membership.organisation, school_name=f"School {index}")
            if index % 2:
                out_of_round.grant(
                    request_obj, officer, clock.now() + timedelta(days=7), base_url="http://x"
                )
            else:
                out_of_round.refuse(request_obj, officer, "Wait", base_url="http://x")

        # (membership asked once: the organisation was chosen through it)
        with django_assert_num_queries(9):
            response = applicant_client.get(reverse("out-of-round-list"))
        assert response.status_code == 200
        assert len(response.context["requests"]) == count


@pytest.mark.django_db
def test_a_window_is_granted_for_at_most_the_policys_time(client):
    """A mistyped year (9999 for 2027) is refused, not a window open for
    good; the last day allowed is taken."""
    officer = UserFactory(roles=[Role.CASEWORK_OFFICER])
    pending = make_request(MembershipFactory().organisation)
    latest = clock.today() + timedelta(days=policy.current().out_of_round_window_max_days)
    too_late = clock.at(latest + timedelta(days=1), time(17))
    with pytest.raises(out_of_round.OutOfRoundError) as refused:
        out_of_round.grant(pending, officer, too_late, base_url="http://x")
    assert str(refused.value) == f"The deadline must be no later than {latest.day} {latest:%B %Y}"
    sign_in_verified(client, officer)
    response = client.post(
        reverse("out-of-round-decide", args=[pending.pk]),
        grant_data(clock.at(latest.replace(year=9999), time(17))),
    )
    assert "The deadline must be no later than" in response.text
    assert not Window.objects.exists()
    out_of_round.grant(pending, officer, clock.at(latest, time(17)), base_url="http://x")
    assert Window.objects.get().deadline == clock.at(latest, time(17))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_officers_granting_at_once_give_one_window():
    """Each thread has its own connection; the row lock makes the second
    wait for the first, then see the request already decided."""
    organisation = OrganisationFactory()
    request_obj = make_request(organisation)
    officers = [UserFactory(roles=[Role.CASEWORK_OFFICER]) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes = []

    def decide(officer, days):
        try:
            barrier.wait(timeout=10)
            out_of_round.grant(
                OutOfRoundRequest.objects.get(pk=request_obj.pk),
                officer,
                clock.now() + timedelta(days=days),
                base_url="http://x",
            )
            outcomes.append("granted")
        except out_of_round.AlreadyDecided:
            outcomes.append("already decided")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(officer, days))
        for officer, days in zip(officers, (7, 14), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["already decided", "granted"]
    assert Window.objects.filter(organisation=organisation).count() == 1
    request_obj.refresh_from_db()
    assert request_obj.outcome == Outcome.GRANTED
    assert request_obj.window == Window.objects.get()
