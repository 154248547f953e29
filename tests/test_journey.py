"""The applicant's proposal journey, through the views and services."""

import datetime as dt
import io
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils.html import escape
from django.utils.text import slugify
from pypdf import PdfReader

from accreditation import clock
from accreditation.models import (
    AccreditationType,
    CaseEvent,
    CriterionGuidance,
    OrganisationKind,
    OutboxMessage,
)
from accreditation.models.framework import Sector
from accreditation.models.organisations import PROFILE_FIELDS
from accreditation.services.organisations import profile_version
from accreditation.tasks import send_outbox
from accreditation.versions import version_of
from accreditation.workflow import Status, WorkflowError
from feedback.models import Letter, LetterPurpose
from proposals.forms.journey import DECLARATION
from proposals.models import Answer, Proposal, Route
from proposals.queries.journey import Journey, count_words
from proposals.services import applicant as services
from tests.casework import person_with, sign_in_verified
from tests.factories import (
    CoPartnerFactory,
    EvidenceFactory,
    MembershipFactory,
    ProposalFactory,
    RoundFactory,
    UserFactory,
    WindowFactory,
)
from tests.journey_helpers import add_schools, complete, non_educational_draft, start_for

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
ASP, ASG = AccreditationType.ASP, AccreditationType.ASG


@pytest.fixture
def membership():
    return MembershipFactory(
        organisation__name="Oak Primary",
        organisation__address="1 Oak Lane",
        organisation__schools_led_count=2,
    )


@pytest.fixture
def applicant(membership):
    return membership.user


@pytest.fixture
def open_round():
    return RoundFactory()


@pytest.fixture
def draft(membership, open_round):
    return services.start_proposal(
        organisation=membership.organisation,
        period=open_round,
        accreditation_type=ASP,
        actor=membership.user,
    )


@pytest.fixture
def signed_in(client, applicant):
    client.force_login(applicant)
    return client


class TestWordCount:
    @pytest.mark.parametrize(
        ("text", "words"),
        [
            ("", 0),
            ("one", 1),
            ("  two   words  ", 2),
            ("tab\tand\nnewline", 3),
            ("no\u00a0break\u2003em\u3000ideographic", 4),
            ("hyphen-ated co-op", 2),
            ("<b>bold</b> text", 2),
        ],
    )
    def test_words_are_runs_of_non_space_characters(self, text, words):
        assert count_words(text) == words


def trust_asg(applicant, open_round):
    """An ASG draft of an academy trust accountable for two primary schools."""
    return start_for(
        applicant,
        open_round,
        ASG,
        kind=OrganisationKind.ACADEMY_TRUST,
        urn="",
        primary_governance_count=2,
    )


def elm_primary(proposal):
    """The schools page's form for one primary school, led since September 2021."""
    return {
        "name": "Elm Primary",
        "urn": "310001",
        "local_authority": proposal.organisation.local_authority_id,
        "since_0": "1",
        "since_1": "9",
        "since_2": "2021",
    }


class TestStarting:
    def test_the_start_page_says_what_the_organisation_can_apply_for(self, signed_in, open_round):
        response = signed_in.get(reverse("proposal-start"))
        assert response.status_code == 200
        assert response.text.count("You can apply") == 2

    def test_a_type_the_organisation_cannot_seek_is_explained_and_not_offered(
        self, client, open_round
    ):
        membership = MembershipFactory(organisation__schools_led_count=1)
        client.force_login(membership.user)
        response = client.get(reverse("proposal-start"))
        assert "You told us it leads improvement in 1 school" in response.text
        assert 'value="asg"' not in response.text
        forged = client.post(
            reverse("proposal-start"), {"accreditation_type": "asg", "round": open_round.pk}
        )
        assert forged.status_code == 200
        assert not Proposal.objects.exists()

    def test_a_type_started_from_another_tab_leads_to_that_proposal(
        self, signed_in, applicant, open_round
    ):
        data = {"accreditation_type": "asp", "round": open_round.pk}
        first = signed_in.post(reverse("proposal-start"), data)
        [proposal] = Proposal.objects.all()
        assert first.url == reverse("proposal-task-list", args=[proposal.pk])
        again = signed_in.post(reverse("proposal-start"), data, follow=True)
        assert again.redirect_chain[-1][0] == first.url
        assert "Your organisation already has an ASP proposal in this round: this is it." in (
            again.text
        )
        assert Proposal.objects.count() == 1

    def test_a_start_sent_for_a_round_closed_since_shows_the_round_open_now(
        self, signed_in, applicant, open_round
    ):
        closed = RoundFactory(
            opens_at=clock.now() - dt.timedelta(days=90),
            deadline=clock.now() - dt.timedelta(days=30),
        )
        response = signed_in.post(
            reverse("proposal-start"), {"accreditation_type": "asp", "round": closed.pk}
        )
        assert response.status_code == 200
        assert (
            f"The round you chose is no longer open. {open_round} is open now: choose the type "
            "again to start a proposal in it." in response.text
        )
        assert "There is no round open" not in response.text
        assert f'name="round" value="{open_round.pk}"' in response.text
        assert not Proposal.objects.exists()
        # Opened from a link to it, the page shows the round open now too,
        # and its form starts a proposal in that round.
        page = signed_in.get(reverse("proposal-start"), {"round": closed.pk}).text
        assert "The round you chose is not open for proposals now." in page
        assert f"The {open_round} round is open until" in page
        assert "No round is open" not in page
        assert f'<form method="post" action="{reverse("proposal-start")}"' in page
        started = signed_in.post(
            reverse("proposal-start"), {"accreditation_type": "asp", "round": open_round.pk}
        )
        assert Proposal.objects.get().round == open_round
        assert started.url == reverse("proposal-task-list", args=[Proposal.objects.get().pk])

    def test_a_start_page_opened_for_one_organisation_starts_nothing_for_another(
        self, client, open_round
    ):
        """Switched to another organisation in a second tab, the start page
        opened for the first starts nothing, for either: it says so, shows
        the choice and offers the switch back; opened afresh, it starts one
        for the organisation now chosen."""
        first = MembershipFactory(organisation__name="Alpha Primary")
        second = MembershipFactory(user=first.user, organisation__name="Beta Academy")
        client.force_login(first.user)
        page = client.get(reverse("proposal-start")).text
        assert f'name="acting_for" value="{first.organisation.pk}"' in page
        client.post(reverse("switch-organisation"), {"organisation": second.organisation.pk})
        data = {"accreditation_type": "asp", "round": open_round.pk}
        response = client.post(
            reverse("proposal-start"), {**data, "acting_for": first.organisation.pk}
        )
        assert response.status_code == 409
        assert "Nothing was saved: you are now acting for Beta Academy" in response.text
        assert "You opened this page for Alpha Primary" in response.text
        assert "Switch back to Alpha Primary" in response.text
        assert not Proposal.objects.exists()
        page = client.get(reverse("proposal-start")).text
        assert f'name="acting_for" value="{second.organisation.pk}"' in page
        response = client.post(
            reverse("proposal-start"), {**data, "acting_for": second.organisation.pk}
        )
        assert response.status_code == 302
        assert Proposal.objects.get().organisation == second.organisation

    def test_a_round_that_does_not_take_a_type_offers_none(self, signed_in):
        RoundFactory(accepts_asg=False)
        response = signed_in.get(reverse("proposal-start"))
        assert "does not take this type" in response.text
        assert 'value="asg"' not in response.text

    def test_the_eligibility_reason_comes_before_the_rounds(self, client):
        """A non-educational organisation can never be an ASG: that is the
        reason, not that this round does not take ASGs."""
        RoundFactory(accepts_asg=False)
        membership = MembershipFactory(organisation__non_educational=True)
        client.force_login(membership.user)
        response = client.get(reverse("proposal-start"))
        assert "A non-educational organisation cannot become an Accredited Schools Group" in (
            response.text
        )
        assert "does not take this type" not in response.text

    def test_starting_creates_a_draft_with_a_timeline(self, signed_in, open_round):
        response = signed_in.post(
            reverse("proposal-start"), {"accreditation_type": "asp", "round": open_round.pk}
        )
        proposal = Proposal.objects.get()
        assert response.url == reverse("proposal-task-list", args=[proposal.pk])
        assert proposal.status == Status.DRAFT
        assert CaseEvent.objects.filter(case=proposal, action="created").exists()

    def test_one_live_proposal_per_type_per_round(self, signed_in, draft, open_round):
        response = signed_in.post(
            reverse("proposal-start"), {"accreditation_type": "asp", "round": open_round.pk}
        )
        assert response.url == reverse("proposal-task-list", args=[draft.pk])
        assert Proposal.objects.count() == 1
        page = signed_in.get(reverse("proposal-start")).text
        assert 'value="asp"' not in page
        assert "already has an ASP proposal here" in page


class TestApplicability:
    def test_a_national_support_school_skips_2a_and_2b(self, draft):
        organisation = draft.organisation
        organisation.claims_national_support_school = True
        organisation.save()
        codes = [q.criterion.code for q in Journey.load(draft).questions]
        assert codes == ["1A", "1B", "1C", "1D", "2C"]

    def test_a_non_educational_organisation_in_its_own_right_answers_1e(
        self, applicant, open_round
    ):
        proposal = non_educational_draft(applicant, open_round, Route.OWN_RIGHT)
        codes = [q.slug for q in Journey.load(proposal).questions]
        assert "1E-lead" in codes
        assert not any(slug.endswith("co_partner") for slug in codes)

    def test_a_consortium_answers_part_two_for_the_co_partner_too(self, applicant, open_round):
        proposal = non_educational_draft(applicant, open_round, Route.CONSORTIUM_LEAD)
        slugs = [q.slug for q in Journey.load(proposal).questions]
        assert "1E-lead" not in slugs
        assert {"2A-co_partner", "2B-co_partner", "2C-co_partner"} <= set(slugs)

    def test_only_a_maintained_school_can_lead_a_federation(self, applicant, open_round):
        proposal = start_for(applicant, open_round, kind=OrganisationKind.ACADEMY_TRUST, urn="")
        with pytest.raises(services.ProposalError, match="Only a maintained school"):
            services.set_type_and_models(
                proposal,
                route="",
                majority_trust=False,
                federation=True,
                actor=proposal.created_by,
            )


class TestAnswers:
    def url(self, proposal, code="1A", party="lead"):
        return reverse("proposal-answer", args=[proposal.pk, code, party])

    def test_the_page_shows_the_question_and_a_word_count(self, signed_in, draft):
        response = signed_in.get(self.url(draft))
        assert response.status_code == 200
        assert 'data-module="govuk-character-count"' in response.text
        assert 'data-maxwords="500"' in response.text

    def test_part_two_shows_the_guidance_for_the_organisations_sector(self, signed_in, draft):
        response = signed_in.get(self.url(draft, "2A"))
        assert "Examples of evidence for maintained and independent schools" in response.text

    def test_saving_moves_to_the_next_question(self, signed_in, draft):
        response = signed_in.post(
            self.url(draft), {"text": "Our vision.\r\nIn two lines.", "version": 0}
        )
        assert response.url == self.url(draft, "1B")
        # Kept with one character a line break, as the page's count counts it.
        assert Answer.objects.get(proposal=draft).text == "Our vision.\nIn two lines."

    def test_control_characters_pasted_into_an_answer_are_dropped(self, signed_in, draft):
        sent = "Our vision\x07 \x1b[1mfor\u202e\tschools.\r\nIn two lines."
        response = signed_in.post(self.url(draft), {"text": sent, "version": 0})
        assert response.url == self.url(draft, "1B")
        kept = Answer.objects.get(proposal=draft).text
        assert kept == "Our vision for\tschools.\nIn two lines."

    def test_save_and_continue_on_an_empty_answer_says_it_is_empty(self, signed_in, draft):
        response = signed_in.post(self.url(draft), {"text": "  ", "version": 0})
        assert response.status_code == 200
        assert "Enter your answer to 1A, or save and come back later" in response.text
        assert not Answer.objects.filter(proposal=draft).exists()

    def test_save_and_come_back_later_keeps_an_empty_answer(self, signed_in, draft):
        response = signed_in.post(self.url(draft), {"text": "", "version": 0, "later": "1"})
        assert response.url == reverse("proposal-task-list", args=[draft.pk])
        assert Answer.objects.get(proposal=draft).text == ""

    def test_save_and_come_back_later_returns_to_the_task_list(self, signed_in, draft):
        response = signed_in.post(
            self.url(draft), {"text": "Our vision.", "version": 0, "later": "1"}
        )
        assert response.url == reverse("proposal-task-list", args=[draft.pk])

    def test_an_answer_over_the_limit_is_refused_and_kept_in_the_form(self, signed_in, draft):
        text = "word " * 501
        response = signed_in.post(self.url(draft), {"text": text, "version": 0})
        assert response.status_code == 200
        assert "must be 500 words or fewer. It has 501 words" in response.text
        assert text.strip() in response.text
        assert response.text.count("<title>Error: ") == 1
        assert not Answer.objects.exists()

    def test_an_answer_with_a_null_character_is_refused_in_the_services_words(
        self, signed_in, draft
    ):
        response = signed_in.post(self.url(draft), {"text": "Our vision\x00", "version": 0})
        assert response.status_code == 200
        assert "Remove the null character from what you entered" in response.text
        assert "Null characters are not allowed" not in response.text
        assert not Answer.objects.exists()

    def test_the_second_of_two_saves_from_the_same_version_is_refused(
        self, signed_in, draft, applicant, membership
    ):
        signed_in.post(self.url(draft), {"text": "First version", "version": 0})
        answer = Answer.objects.get()
        colleague = MembershipFactory(
            organisation=membership.organisation, user__full_name="Cara Colleague"
        ).user
        services.save_answer(
            draft,
            criterion=answer.criterion,
            party="lead",
            text="Colleague's text",
            version=answer.version,
            actor=colleague,
        )
        response = signed_in.post(
            self.url(draft), {"text": "My stale edit", "version": answer.version}
        )
        assert "Someone else saved this answer while you were editing it here" in response.text
        assert "The answer saved by Cara Colleague at" in response.text
        assert "Colleague&#x27;s text" in response.text
        assert "My stale edit" in response.text
        assert Answer.objects.get().text == "Colleague's text"

    def test_a_save_from_another_tab_of_ones_own_is_named_as_such(
        self, signed_in, draft, applicant
    ):
        signed_in.post(self.url(draft), {"text": "First version", "version": 0})
        signed_in.post(self.url(draft), {"text": "From the other tab", "version": 1})
        response = signed_in.post(self.url(draft), {"text": "This tab", "version": 1})
        assert "You saved this answer in another tab or window while you were" in response.text
        assert "The answer saved by you at" in response.text
        assert "Someone else" not in response.text
        assert Answer.objects.get().text == "From the other tab"

    def test_an_answer_changed_from_check_answers_returns_there_saying_to_declare_again(
        self, signed_in, draft, applicant
    ):
        complete(draft, applicant)
        check = signed_in.get(reverse("proposal-check", args=[draft.pk])).text
        change = f"{self.url(draft)}?from=check"
        assert f'href="{change}"' in check
        version = Answer.objects.get(proposal=draft, criterion__code="1A", party="lead").version
        response = signed_in.post(change, {"text": "Our vision, put better.", "version": version})
        assert response.url == reverse("proposal-check", args=[draft.pk])
        page = signed_in.get(response.url).text
        assert "You changed the proposal after making the declaration, so it has been" in page
        draft.refresh_from_db()
        assert draft.declared_at is None
        # Saved again, undeclared already: nothing more to say.
        response = signed_in.post(change, {"text": "Our vision.", "version": version + 1})
        assert "after making the declaration" not in signed_in.get(response.url).text
        # Declared again, then an answer saved unchanged: the declaration stands.
        services.declare(draft, applicant)
        response = signed_in.post(change, {"text": "Our vision.", "version": version + 2})
        assert response.url == reverse("proposal-check", args=[draft.pk])
        assert "after making the declaration" not in signed_in.get(response.url).text
        draft.refresh_from_db()
        assert draft.declared_at is not None

    def test_a_declared_drafts_type_changed_says_the_declaration_was_undone(
        self, signed_in, draft, applicant
    ):
        complete(draft, applicant)
        url = reverse("proposal-type", args=[draft.pk])
        version = signed_in.get(url).context["form"].initial["version"]
        response = signed_in.post(
            f"{url}?from=check",
            {"partnerships": ["majority_trust", "federation"], "version": version},
            follow=True,
        )
        assert "You changed the proposal after making the declaration" in response.text
        # Opened from check answers, it returns there.
        assert response.redirect_chain[0][0] == reverse("proposal-check", args=[draft.pk])
        check = signed_in.get(reverse("proposal-check", args=[draft.pk])).text
        assert f'href="{url}?from=check"' in check

    def test_html_in_an_answer_is_shown_as_text(self, signed_in, draft):
        script = "<script>alert('x')</script>"
        signed_in.post(self.url(draft), {"text": script, "version": 0})
        page = signed_in.get(reverse("proposal-check", args=[draft.pk])).text
        assert script not in page
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page

    def test_each_party_sees_the_examples_for_its_own_sector(self, client, applicant, open_round):
        proposal = non_educational_draft(applicant, open_round, Route.CONSORTIUM_LEAD)
        CoPartnerFactory(proposal=proposal, kind=OrganisationKind.ACADEMY_TRUST)
        third_sector, trusts = (
            escape(
                CriterionGuidance.objects.get(
                    criterion__part__framework=proposal.framework,
                    criterion__code="2A",
                    sector=sector,
                ).text
            )
            for sector in (Sector.PRIVATE_THIRD_SECTOR, Sector.TRUSTS_FEDERATIONS)
        )
        client.force_login(applicant)
        lead = client.get(self.url(proposal, "2A", "lead")).text
        partner = client.get(self.url(proposal, "2A", "co_partner")).text
        assert third_sector in lead
        assert trusts not in lead
        assert trusts in partner
        assert third_sector not in partner

    def test_the_co_partners_questions_wait_for_its_details(self, client, applicant, open_round):
        proposal = non_educational_draft(applicant, open_round, Route.CONSORTIUM_LEAD)
        client.force_login(applicant)
        task_list = client.get(reverse("proposal-task-list", args=[proposal.pk])).text
        assert "Part Two: Track record: the co-partner’s answers" in task_list
        assert task_list.count("Cannot start yet") == 2  # those answers, and submitting
        assert "Give your co-partner’s details before answering for them." in task_list
        assert self.url(proposal, "2A", "co_partner") not in task_list
        check = client.get(reverse("proposal-check", args=[proposal.pk])).text
        assert "the co-partner’s answers" not in check

        for response in (
            client.get(self.url(proposal, "2A", "co_partner"), follow=True),
            client.post(
                self.url(proposal, "2A", "co_partner"),
                {"text": "Our partner", "version": 0},
                follow=True,
            ),
        ):
            assert response.redirect_chain == [
                (reverse("proposal-co-partner", args=[proposal.pk]), 302)
            ]
            assert "Give your co-partner’s details before answering for them." in response.text
        assert not Answer.objects.filter(proposal=proposal).exists()
        with pytest.raises(services.ProposalError, match="co-partner’s details"):
            services.save_answer(
                proposal,
                criterion=Journey.load(proposal).questions[-1].criterion,
                party="co_partner",
                text="Our partner",
                version=0,
                actor=applicant,
            )

        CoPartnerFactory(proposal=proposal, kind=OrganisationKind.ACADEMY_TRUST)
        task_list = client.get(reverse("proposal-task-list", args=[proposal.pk])).text
        assert task_list.count("Cannot start yet") == 1
        assert self.url(proposal, "2A", "co_partner") in task_list
        assert client.get(self.url(proposal, "2A", "co_partner")).status_code == 200

    def test_a_criterion_the_proposal_does_not_answer_is_404(self, signed_in, draft):
        assert signed_in.get(self.url(draft, "1E")).status_code == 404
        assert signed_in.get(self.url(draft, "2A", "co_partner")).status_code == 404


class TestSchools:
    def test_an_asg_with_fewer_than_two_schools_cannot_submit(self, draft, applicant):
        draft.accreditation_type = ASG
        draft.save()
        complete(draft, applicant, schools=1)
        with pytest.raises(services.Incomplete) as refused:
            services.submit(draft, applicant)
        assert any("at least 2 schools" in p.message for p in refused.value.problems)
        assert Proposal.objects.get(pk=draft.pk).status == Status.DRAFT

    @pytest.mark.parametrize("urn", ["12ab", "١٢٣٤٥٦"])
    def test_a_bad_urn_is_refused_with_a_message(self, signed_in, draft, urn):
        response = signed_in.post(
            reverse("proposal-schools", args=[draft.pk]),
            {"name": "X", "urn": urn, "local_authority": "", "since_0": "31"},
        )
        assert "Enter a URN of 6 digits" in response.text
        assert "Led since must include a month" in response.text
        assert not draft.schools_led.exists()

    @pytest.mark.parametrize(
        ("day", "month", "year", "message"),
        [
            ("31", "02", "2023", "Led since must be a real date"),
            ("31/02/2023", "", "", "Led since must be a real date"),
            ("1st", "Sept", "2023", "Led since must be a real date"),
            ("1", "1", "2999", "Led since must be today or in the past"),
            ("1", "9", "23", "Led since must include a year with 4 numbers, like 2023"),
            ("1", "9", "0023", "Led since must include a year with 4 numbers, like 2023"),
            ("1", "9", "20233", "Led since must include a year with 4 numbers, like 2023"),
            ("14", "10", "1066", "Led since must be in 1900 or later"),
        ],
    )
    def test_led_since_is_a_gov_uk_date_input_that_survives_bad_dates(
        self, signed_in, draft, day, month, year, message
    ):
        response = signed_in.post(
            reverse("proposal-schools", args=[draft.pk]),
            {
                "name": "Elm Primary",
                "urn": "310001",
                "local_authority": draft.organisation.local_authority_id,
                "partnership": "federation",
                "since_0": day,
                "since_1": month,
                "since_2": year,
            },
        )
        assert response.status_code == 200
        assert message in response.text
        assert 'href="#id_since_0"' in response.text
        assert 'value="Elm Primary"' in response.text
        assert not draft.schools_led.exists()

    def test_a_trust_adds_the_primary_schools_it_is_accountable_for(
        self, signed_in, applicant, open_round
    ):
        proposal = trust_asg(applicant, open_round)
        url = reverse("proposal-schools", args=[proposal.pk])
        page = signed_in.get(url).text
        assert '<h1 class="govuk-heading-l">Primary schools whose governance you are' in page
        assert "Kind of partnership" not in page
        assert "Accountable since" in page
        response = signed_in.post(url, elm_primary(proposal))
        assert response.url == url
        school = proposal.schools_led.get()
        assert (school.partnership, school.since) == ("", dt.date(2021, 9, 1))
        assert "Accountable for its governance since 1 September 2021" in signed_in.get(url).text

    def test_schools_changed_from_check_answers_keep_the_way_back_there(
        self, signed_in, applicant, open_round
    ):
        """Adding and removing schools stays on the page; the page opened
        from check answers leads back there, through each add and remove."""
        proposal = trust_asg(applicant, open_round)
        check = reverse("proposal-check", args=[proposal.pk])
        url = reverse("proposal-schools", args=[proposal.pk]) + "?from=check"
        assert f'href="{url}"' in signed_in.get(check).text
        response = signed_in.post(url, elm_primary(proposal))
        assert response.url == url
        page = signed_in.get(url).text
        assert f'href="{check}" class="govuk-back-link">Back to check your answers' in page
        assert ">Back to check your answers</a>" in page
        remove = reverse(
            "proposal-school-remove", args=[proposal.pk, proposal.schools_led.get().pk]
        )
        assert f'action="{remove}?from=check"' in page
        assert signed_in.post(f"{remove}?from=check").url == url
        assert "The school has been removed." in signed_in.get(url).text
        # Removed again (a double click, another tab): said so, not removed.
        again = signed_in.post(f"{remove}?from=check", follow=True)
        assert "That school is no longer on this proposal" in again.text
        assert "The school has been removed." not in again.text
        # Opened from the task list, the page leads back there.
        plain = signed_in.get(reverse("proposal-schools", args=[proposal.pk])).text
        assert "check your answers" not in plain
        assert ">Back to your proposal</a>" in plain

    def test_an_asg_is_asked_for_schools_on_the_basis_it_is_eligible_from_the_start(
        self, signed_in, applicant, open_round
    ):
        trust = trust_asg(applicant, open_round)
        needed = "Add at least 2 primary schools whose governance you are accountable for"
        page = signed_in.get(reverse("proposal-task-list", args=[trust.pk])).text
        assert "Primary schools whose governance you are accountable for</a>" in page
        assert f'class="govuk-task-list__hint">{needed}</div>' in page
        assert "schools you lead" not in page.lower()
        complete(trust, applicant, schools=2)
        assert services.submit(trust, applicant).status == Status.SUBMITTED

    def test_a_primary_school_asg_is_asked_for_the_schools_it_leads(self, applicant, open_round):
        primary = start_for(applicant, open_round, ASG, schools_led_count=2)
        section = Journey.load(primary).section("schools")
        assert section.title == "Schools you lead now"
        assert section.hint == (
            "Add at least 2 schools you lead improvement in through a formal partnership now"
        )

    def test_a_primary_school_is_asked_for_partnerships_in_its_own_words(
        self, signed_in, applicant, open_round
    ):
        primary = start_for(applicant, open_round, ASG, schools_led_count=2)
        page = signed_in.get(reverse("proposal-schools", args=[primary.pk])).text
        assert "governance" not in page
        assert (
            "The formal partnership through which your organisation leads improvement in this "
            "school"
        ) in page

    def test_the_organisations_own_urn_is_not_one_of_its_schools(
        self, signed_in, applicant, open_round
    ):
        primary = start_for(applicant, open_round, ASG, schools_led_count=2, urn="100123")
        url = reverse("proposal-schools", args=[primary.pk])
        response = signed_in.post(
            url,
            {
                "name": "Our own school",
                "urn": "100123",
                "local_authority": primary.organisation.local_authority_id,
                "partnership": "federation",
                "since_0": "1",
                "since_1": "9",
                "since_2": "2021",
            },
        )
        assert response.status_code == 200
        assert "Enter another school’s URN: 100123 is your organisation’s own URN" in response.text
        assert 'href="#id_urn"' in response.text
        assert 'value="Our own school"' in response.text
        assert not primary.schools_led.exists()

    def test_only_a_maintained_school_is_offered_schools_led_through_a_federation(
        self, signed_in, applicant, open_round
    ):
        charity = start_for(
            applicant, open_round, kind="educational_charity", urn="", phase="not_applicable"
        )
        url = reverse("proposal-schools", args=[charity.pk])
        assert 'value="federation"' not in signed_in.get(url).text
        school = {
            "name": "Elm Primary",
            "urn": "310001",
            "local_authority": charity.organisation.local_authority_id,
            "partnership": "federation",
            "since_0": "1",
            "since_1": "9",
            "since_2": "2021",
        }
        refused = signed_in.post(url, school)
        assert refused.status_code == 200
        assert 'href="#id_partnership_1">Select the kind of partnership' in refused.text
        with pytest.raises(services.ProposalError, match="Only a maintained school can lead"):
            services.add_school(
                charity,
                actor=applicant,
                name="Elm Primary",
                urn="310001",
                local_authority=charity.organisation.local_authority,
                partnership="federation",
                since=dt.date(2021, 9, 1),
            )
        assert not charity.schools_led.exists()
        assert signed_in.post(url, {**school, "partnership": "majority_trust"}).url == url
        primary = start_for(applicant, open_round, ASG, schools_led_count=2)
        assert (
            'value="federation"'
            in signed_in.get(reverse("proposal-schools", args=[primary.pk])).text
        )

    def test_a_school_led_through_a_federation_by_a_kind_that_cannot_is_a_problem(
        self, signed_in, applicant, open_round
    ):
        """Added while the organisation was a maintained school, then its
        kind changed (or copied from an earlier proposal): the section says
        so, and submission is refused until the school is added again."""
        draft = start_for(applicant, open_round)
        complete(draft, applicant, schools=1)
        assert draft.schools_led.get().partnership == "federation"
        assert not Journey.load(draft).section("schools").problems
        organisation = draft.organisation
        organisation.kind = OrganisationKind.EDUCATIONAL_CHARITY
        organisation.urn = ""
        organisation.phase = "not_applicable"
        organisation.save()
        draft.refresh_from_db()
        section = Journey.load(draft).section("schools")
        assert [p.message for p in section.problems] == [
            "Add School 0 again with a partnership other than a federation"
        ]
        assert "only a maintained school can lead a federation" in section.notice.message
        task_list = signed_in.get(reverse("proposal-task-list", args=[draft.pk])).text
        assert "School 0 was added as led through a federation." in task_list
        with pytest.raises(services.Incomplete):
            services.submit(draft, applicant)


class TestTaskList:
    def test_counts_only_completed_sections_and_its_title_is_its_heading(
        self, signed_in, draft, applicant
    ):
        page = signed_in.get(reverse("proposal-task-list", args=[draft.pk])).text
        heading = str(draft)
        assert heading.startswith("Draft ASP proposal, ")
        assert f"<title>{heading} – " in page
        assert f'<h1 class="govuk-heading-l">{heading}</h1>' in page
        sections = Journey.load(draft).sections()
        # Only the organisation's details are done; the optional sections
        # (schools, documents), untouched, are not among those to complete.
        optional = [s for s in sections if s.status == "Optional"]
        assert optional
        to_complete = len(sections) - len(optional)
        assert f"You have completed 1 of {to_complete} sections" in page
        # An optional section filled in is still not one of those to complete.
        EvidenceFactory(proposal=draft)
        page = signed_in.get(reverse("proposal-task-list", args=[draft.pk])).text
        assert f"You have completed 1 of {to_complete} sections" in page

    def test_check_answers_cannot_start_until_the_proposal_can_be_submitted(
        self, signed_in, draft, applicant
    ):
        check = reverse("proposal-check", args=[draft.pk])
        page = signed_in.get(reverse("proposal-task-list", args=[draft.pk])).text
        assert f'href="{check}"' not in page
        assert "govuk-task-list__status--cannot-start-yet" in page
        complete(draft, applicant)
        page = signed_in.get(reverse("proposal-task-list", args=[draft.pk])).text
        assert f'href="{check}"' in page
        assert "Ready to submit" in page

    def test_organisation_details_lead_back_to_the_proposal(self, signed_in, draft, applicant):
        from tests.test_organisation_profile import details

        organisation = draft.organisation
        profile = f"{reverse('organisation-profile')}?proposal={draft.pk}"
        page = signed_in.get(reverse("proposal-task-list", args=[draft.pk])).text
        assert f'href="{profile}"' in page
        profile_page = signed_in.get(profile).text
        assert reverse("proposal-task-list", args=[draft.pk]) in profile_page
        edit = f"{reverse('organisation-edit', args=[organisation.kind])}?proposal={draft.pk}"
        assert f'href="{edit}#id_name"' in profile_page
        response = signed_in.post(
            edit,
            details(
                organisation.kind,
                urn=organisation.urn,
                version=profile_version(organisation),
            ),
        )
        assert response.url == reverse("proposal-task-list", args=[draft.pk])
        # Opened from check answers, saving returns there.
        organisation.refresh_from_db()
        response = signed_in.post(
            f"{edit}&from=check",
            details(
                organisation.kind,
                urn=organisation.urn,
                version=profile_version(organisation),
            ),
        )
        assert response.url == reverse("proposal-check", args=[draft.pk])

    def test_changing_the_kind_keeps_the_way_back(self, signed_in, draft):
        change_kind = f"{reverse('organisation-change-kind')}?proposal={draft.pk}"
        page = signed_in.get(f"{reverse('organisation-profile')}?proposal={draft.pk}").text
        assert f'href="{change_kind}"' in page
        response = signed_in.post(change_kind, {"kind": OrganisationKind.ACADEMY_TRUST})
        assert response.url == (
            f"{reverse('organisation-edit', args=[OrganisationKind.ACADEMY_TRUST])}"
            f"?proposal={draft.pk}"
        )

    def test_another_organisations_proposal_is_no_way_back(self, signed_in, membership):
        other = MembershipFactory()
        theirs = services.start_proposal(
            organisation=other.organisation,
            period=RoundFactory(),
            accreditation_type=ASP,
            actor=other.user,
        )
        page = signed_in.get(f"{reverse('organisation-profile')}?proposal={theirs.pk}").text
        assert reverse("proposal-task-list", args=[theirs.pk]) not in page


class TestProfileChanges:
    """A change to the organisation's profile that affects a draft says so on
    the task list and on the section concerned, with what to do."""

    def change(self, organisation, actor, **fields):
        from accreditation.services.organisations import update_organisation

        values = {name: getattr(organisation, name) for name in PROFILE_FIELDS}
        update_organisation(organisation, {**values, **fields}, actor=actor)

    def test_a_profile_or_type_saved_unchanged_leaves_the_declaration(
        self, signed_in, draft, applicant
    ):
        complete(draft, applicant)
        self.change(draft.organisation, applicant)
        services.set_type_and_models(
            draft,
            route=draft.route,
            majority_trust=draft.leads_majority_trust,
            federation=draft.leads_federation,
            actor=applicant,
        )
        draft.refresh_from_db()
        assert draft.declared_at is not None and draft.declaration_undone_at is None
        services.set_type_and_models(
            draft, route="", majority_trust=True, federation=True, actor=applicant
        )
        draft.refresh_from_db()
        assert draft.declared_at is None

    def test_an_undone_declaration_says_why_and_what_to_do(self, signed_in, draft, applicant):
        complete(draft, applicant)
        self.change(draft.organisation, applicant, name="Oak Primary Academy")
        task_list = signed_in.get(reverse("proposal-task-list", args=[draft.pk])).text
        declaration = signed_in.get(reverse("proposal-declaration", args=[draft.pk])).text
        for page in (task_list, declaration):
            assert "Your organisation’s profile was changed on" in page
            assert "make the declaration again" in page
        assert 'govuk-tag--red">There is a problem</strong>' in task_list
        services.declare(draft, applicant)
        task_list = signed_in.get(reverse("proposal-task-list", args=[draft.pk])).text
        assert "profile was changed" not in task_list

    def test_an_asg_made_ineligible_says_so_on_the_task_list_and_its_section(
        self, signed_in, applicant, open_round
    ):
        proposal = trust_asg(applicant, open_round)
        complete(proposal, applicant, schools=2)
        self.change(proposal.organisation, applicant, primary_governance_count=0)
        told = "You told us it is accountable for governance in 0 primary schools."
        task_list = signed_in.get(reverse("proposal-task-list", args=[proposal.pk])).text
        type_page = signed_in.get(reverse("proposal-type", args=[proposal.pk])).text
        for page in (task_list, type_page):
            assert told in page
            assert "Change your organisation’s profile</a>" in page
            assert "start an Accredited School Provider (ASP) proposal instead" in page
        section = Journey.load(proposal).section("type")
        assert section.status == "There is a problem"

    def test_the_advice_to_start_the_other_type_instead_holds_only_if_it_can_be(
        self, signed_in, applicant, open_round
    ):
        """An ASP of the organisation's still being decided: the task list
        says why no ASP can be started, not to start one (a tester followed
        that advice and was refused)."""
        proposal = trust_asg(applicant, open_round)
        asp = ProposalFactory(
            organisation=proposal.organisation,
            round=open_round,
            accreditation_type="asp",
            status="in_assessment",
        )
        self.change(proposal.organisation, applicant, primary_governance_count=0)
        task_list = signed_in.get(reverse("proposal-task-list", args=[proposal.pk])).text
        assert "start an Accredited School Provider (ASP) proposal instead" not in task_list
        cannot = "withdraw it. An Accredited School Provider (ASP) proposal cannot be started"
        assert cannot in task_list
        assert f"proposal {asp.reference} has not been decided yet" in task_list

    def test_governed_schools_need_a_partnership_once_the_kind_makes_it_a_leader(
        self, signed_in, applicant, open_round
    ):
        proposal = start_for(
            applicant,
            open_round,
            ASG,
            kind=OrganisationKind.ACADEMY_TRUST,
            urn="",
            primary_governance_count=2,
            schools_led_count=2,
        )
        for n, urn in enumerate(("310001", "310002")):
            services.add_school(
                proposal,
                actor=applicant,
                name=f"School {n}",
                urn=urn,
                local_authority=proposal.organisation.local_authority,
                since=dt.date(2021, 9, 1),
            )
        section = Journey.load(proposal).section("schools")
        assert section.status == "Completed"
        self.change(
            proposal.organisation, applicant, kind=OrganisationKind.MAINTAINED_PRIMARY, urn="777777"
        )
        section = Journey.load(proposal).section("schools")
        assert section.status == "There is a problem"
        assert [p.message for p in section.problems] == [
            "Add School 0, School 1 again with the kind of partnership"
        ]
        page = signed_in.get(reverse("proposal-schools", args=[proposal.pk])).text
        assert "School 0, School 1 were added without the kind of partnership." in page
        assert "Remove them, and add again each one" in page
        assert "Kind of partnership" in page
        # A kind that cannot be an ASG at all: only that is said, in words.
        self.change(proposal.organisation, applicant, kind=OrganisationKind.PRIVATE_OR_THIRD_SECTOR)
        journey = Journey.load(proposal)
        schools = journey.section("schools")
        assert (schools.status, schools.problems, schools.notice) == ("Cannot start yet", [], None)
        task_list = signed_in.get(reverse("proposal-task-list", args=[proposal.pk])).text
        assert "added without the kind of partnership" not in task_list
        assert "Add at least 2" not in task_list


class TestSubmission:
    def test_check_answers_lists_what_is_missing_with_links(self, signed_in, draft):
        response = signed_in.post(reverse("proposal-check", args=[draft.pk]))
        assert response.status_code == 200
        assert "<title>Error: " in response.text
        # Read with each problem, an instruction or a statement of fact.
        assert "Your proposal cannot be submitted yet:" in response.text
        assert "Answer 1A: Vision for leading improvement" in response.text
        assert reverse("proposal-answer", args=[draft.pk, "1A", "lead"]) in response.text
        assert "Make the declaration" in response.text

    def test_check_answers_offers_submission_only_when_nothing_is_missing(
        self, signed_in, draft, applicant
    ):
        url = reverse("proposal-check", args=[draft.pk])
        page = signed_in.get(url).text
        assert "Submit proposal</button>" not in page
        assert "<title>Error: " not in page
        assert "Before you can submit your proposal" in page
        declaration = reverse("proposal-declaration", args=[draft.pk])
        assert (
            f'<li><a class="govuk-link" href="{declaration}">Make the declaration</a></li>' in page
        )
        complete(draft, applicant)
        page = signed_in.get(url).text
        assert "Submit proposal</button>" in page
        assert "Before you can submit" not in page

    def test_check_answers_has_a_change_link_on_every_answer(self, signed_in, draft, applicant):
        complete(draft, applicant)
        response = signed_in.get(reverse("proposal-check", args=[draft.pk]))
        for code in ("1A", "1B", "1C", "1D", "2A", "2B", "2C"):
            assert reverse("proposal-answer", args=[draft.pk, code, "lead"]) in response.text

    def test_check_answers_shows_the_organisations_details_it_submits(
        self, signed_in, draft, applicant
    ):
        """What the proposal gives of the organisation (its PDF opens with
        them) is checked before the declaration, with a way to change it."""
        complete(draft, applicant)
        organisation = draft.organisation
        page = signed_in.get(reverse("proposal-check", args=[draft.pk])).text
        summary = page.split("The organisation</h2>")[1].split("</dl>")[0]
        assert organisation.name in summary
        assert organisation.local_authority.name in summary
        assert (
            f'<dd class="govuk-summary-list__value">{organisation.schools_led_count}</dd>'
            in summary
        )
        assert organisation.get_phase_display() in summary
        profile = reverse("organisation-profile") + f"?proposal={draft.pk}&amp;from=check"
        assert (
            f'<a class="govuk-link" href="{profile}">Change the organisation’s details</a>' in page
        )
        # The profile leads back to check answers.
        check = reverse("proposal-check", args=[draft.pk])
        shown = signed_in.get(profile.replace("&amp;", "&")).text
        assert f'href="{check}" class="govuk-back-link">Back to check your answers' in shown
        edit = reverse("organisation-edit", args=[organisation.kind])
        assert f"{edit}?proposal={draft.pk}&amp;from=check" in shown

    def test_submitting_gives_a_reference_an_email_and_a_read_only_proposal(
        self, signed_in, draft, applicant, django_capture_on_commit_callbacks, settings
    ):
        settings.SERVICE_URL = "https://apply.example"
        complete(draft, applicant)
        with django_capture_on_commit_callbacks(execute=True):
            response = signed_in.post(reverse("proposal-check", args=[draft.pk]))
        assert response.url == reverse("proposal-confirmation", args=[draft.pk])
        draft.refresh_from_db()
        assert draft.reference == f"ASP-{draft.round.year}-0001"
        assert draft.status == Status.SUBMITTED
        confirmation = signed_in.get(response.url).text
        assert "govuk-panel--confirmation" in confirmation
        assert draft.reference in confirmation
        assert send_outbox() == {"sent": 1}
        assert len(mail.outbox) == 1
        assert draft.reference in mail.outbox[0].subject
        assert mail.outbox[0].to == [applicant.email]
        link = f"https://apply.example/proposals/{draft.pk}/status/"
        assert link in mail.outbox[0].body
        assert f'<a href="{link}"' in mail.outbox[0].alternatives[0][0]
        edit = signed_in.get(reverse("proposal-answer", args=[draft.pk, "1A", "lead"]))
        assert edit.url == reverse("proposal-status", args=[draft.pk])
        refused = signed_in.post(
            reverse("proposal-answer", args=[draft.pk, "1A", "lead"]),
            {"text": "changed", "version": 1},
        )
        assert refused.status_code == 409
        assert "This proposal has been submitted, so it can no longer be changed." in refused.text
        assert "changed" in refused.text  # what was typed, shown back to copy
        assert not Answer.objects.filter(text="changed").exists()
        # Once it has moved on (or been withdrawn), what happens next after
        # submitting is not said again: its own page says where it is.
        services.withdraw(draft, applicant, "Sent by mistake.")
        again = signed_in.post(reverse("proposal-check", args=[draft.pk]), follow=True)
        assert again.redirect_chain[-1][0] == reverse("proposal-status", args=[draft.pk])
        assert "govuk-panel--confirmation" not in again.text
        assert f"{draft.reference} was submitted at " in again.text

    def test_submitting_twice_gives_one_submission(self, draft, applicant):
        complete(draft, applicant)
        first = services.submit(draft, applicant)
        second = services.submit(draft, applicant)
        assert first.reference == second.reference
        assert CaseEvent.objects.filter(case=draft, action="submit").count() == 1

    def test_a_draft_of_a_type_whose_case_is_undecided_is_not_submitted(self, draft, applicant):
        """Started in another round or window before the other was submitted:
        its submission is refused as the start page would refuse it now."""
        complete(draft, applicant)
        other = ProposalFactory(
            organisation=draft.organisation,
            accreditation_type=draft.accreditation_type,
            status=Status.IN_ASSESSMENT,
        )
        with pytest.raises(services.Incomplete) as refused:
            services.submit(draft, applicant)
        [problem] = refused.value.problems
        assert problem.message == (
            f"{draft.organisation.name}'s ASP proposal {other.reference} has not been decided "
            "yet: you can apply again once it has, if it is not accredited."
        )
        assert Proposal.objects.get(pk=draft.pk).status == Status.DRAFT

    def test_references_have_no_gaps_when_a_late_submission_is_refused(self, applicant, membership):
        late_round = RoundFactory()
        late = complete(
            services.start_proposal(
                organisation=membership.organisation,
                period=late_round,
                accreditation_type=ASP,
                actor=applicant,
            ),
            applicant,
        )
        with time_machine.travel(late_round.deadline + timedelta(seconds=1)):
            with pytest.raises(WorkflowError, match="your draft has been kept"):
                services.submit(late, applicant)
        assert Proposal.objects.get(pk=late.pk).status == Status.DRAFT
        assert Answer.objects.filter(proposal=late).count() == 7
        other = MembershipFactory()
        on_time = complete(
            services.start_proposal(
                organisation=other.organisation,
                period=RoundFactory(),
                accreditation_type=ASP,
                actor=other.user,
            ),
            other.user,
        )
        assert services.submit(on_time, other.user).reference.endswith("-0001")

    @pytest.mark.parametrize(
        "deadline",
        [
            dt.datetime(2030, 7, 15, 12, 0, tzinfo=LONDON),
            dt.datetime(2030, 1, 15, 12, 0, tzinfo=LONDON),
        ],
        ids=["summer-time", "winter"],
    )
    def test_the_deadline_second(self, membership, applicant, deadline, client):
        with time_machine.travel(deadline - timedelta(days=10)):
            round_ = RoundFactory(deadline=deadline, opens_at=deadline - timedelta(days=30))
            proposal = complete(
                services.start_proposal(
                    organisation=membership.organisation,
                    period=round_,
                    accreditation_type=ASP,
                    actor=applicant,
                ),
                applicant,
            )
        with time_machine.travel(deadline + timedelta(seconds=1), tick=False):
            client.force_login(applicant)
            response = client.post(reverse("proposal-check", args=[proposal.pk]), follow=True)
        assert response.redirect_chain == [(reverse("proposal-status", args=[proposal.pk]), 302)]
        assert "It can no longer be submitted; your draft has been kept" in response.text
        assert "midday on 15 " in response.text
        assert "(UK time)" in response.text
        assert "Submit proposal" not in response.text
        assert Proposal.objects.get(pk=proposal.pk).status == Status.DRAFT
        with time_machine.travel(deadline - timedelta(seconds=1), tick=False):
            services.submit(proposal, applicant)
        assert Proposal.objects.get(pk=proposal.pk).status == Status.SUBMITTED

    def test_an_answer_sent_to_a_withdrawn_draft_is_told_it_was_withdrawn(
        self, signed_in, draft, applicant
    ):
        Proposal.objects.filter(pk=draft.pk).update(status=Status.WITHDRAWN)
        signed_in.force_login(applicant)
        refused = signed_in.post(
            reverse("proposal-answer", args=[draft.pk, "1A", "lead"]),
            {"text": "Words kept", "version": 0},
        )
        assert refused.status_code == 409
        assert "This proposal has been withdrawn, so it can no longer be changed." in refused.text
        assert "Words kept" in refused.text

    def test_an_incomplete_draft_sent_after_its_deadline_is_told_the_deadline(
        self, membership, applicant, client
    ):
        """Not what it still lacks: nothing it could add would help now."""
        deadline = clock.now() + timedelta(days=10)
        round_ = RoundFactory(deadline=deadline, opens_at=deadline - timedelta(days=30))
        proposal = services.start_proposal(
            organisation=membership.organisation,
            period=round_,
            accreditation_type=ASP,
            actor=applicant,
        )
        with time_machine.travel(deadline + timedelta(seconds=1), tick=False):
            client.force_login(applicant)
            response = client.post(reverse("proposal-check", args=[proposal.pk]), follow=True)
        assert response.redirect_chain == [(reverse("proposal-status", args=[proposal.pk]), 302)]
        assert "It can no longer be submitted; your draft has been kept" in response.text
        assert Proposal.objects.get(pk=proposal.pk).status == Status.DRAFT

    def test_the_pdf_of_the_proposal_shows_html_as_text(self, signed_in, draft, applicant):
        complete(draft, applicant, text="<img src=http://evil.example/x.png> our record")
        draft = services.submit(draft, applicant)
        response = signed_in.get(reverse("proposal-pdf", args=[draft.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        text = "".join(
            page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages
        )
        assert "<img src=http://evil.example/x.png> our record" in text
        assert draft.reference in text

    def test_a_name_stored_with_a_direction_override_leaves_the_pdf_readable(
        self, signed_in, draft
    ):
        """Stored before names were kept without them: the name is isolated,
        so the sentence after it reads the right way round."""
        type(draft.organisation).objects.filter(pk=draft.organisation_id).update(
            name="Oak Trust\u202e"
        )
        response = signed_in.get(reverse("proposal-pdf", args=[draft.pk]))
        text = "".join(
            page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages
        )
        assert "Draft, not submitted." in text


class TestAfterSubmission:
    def test_the_status_page_shows_an_applicants_timeline(self, signed_in, draft, applicant):
        complete(draft, applicant)
        services.submit(draft, applicant)
        response = signed_in.get(reverse("proposal-status", args=[draft.pk]))
        assert "Proposal started" in response.text
        assert "Proposal submitted" in response.text
        assert "Requests for information" in response.text
        assert '<strong class="govuk-tag govuk-tag--light-blue">Submitted</strong>' in response.text
        assert "Letters" not in response.text
        assert "Concerns" not in response.text

    def test_the_status_page_tells_the_concern_period_of_the_policy(self, client, settings):
        case = ProposalFactory(status=Status.NOT_ACCREDITED)
        client.force_login(MembershipFactory(organisation=case.organisation).user)
        settings.POLICY = {"concern_period_days": 21}
        Letter.objects.create(case=case, purpose=LetterPurpose.FEEDBACK, issued_at=clock.now())
        response = client.get(reverse("proposal-status", args=[case.pk]))
        assert "(21 days from our letter)" in response.text

    def test_a_not_accredited_case_shows_its_letters_and_concerns_as_they_are(self, client):
        case = ProposalFactory(status=Status.NOT_ACCREDITED)
        client.force_login(MembershipFactory(organisation=case.organisation).user)
        url = reverse("proposal-status", args=[case.pk])
        text = client.get(url).text
        assert "Requests for information" not in text
        assert "will appear here" not in text
        # Its letter tells the decision: until it is issued the page does not.
        assert "A decision has been made on your proposal." in text
        assert "Not accredited" not in text and "feedback letter" not in text
        assert "raise a concern" not in text
        letter = Letter.objects.create(
            case=case, purpose=LetterPurpose.FEEDBACK, issued_at=case.updated_at
        )
        text = client.get(url).text
        assert "Not accredited" in text
        assert (
            'Download your feedback letter (PDF)<span class="govuk-visually-hidden"> issued' in text
        )
        assert reverse("letter-download", args=[case.pk, letter.pk]) in text
        assert "has not been issued yet" not in text

    def test_a_decided_case_with_an_earlier_letter_only_says_its_letter_is_to_come(self, client):
        """Screened out, its concern upheld, then assessed and decided: the
        screening letter stays listed, and the decision's is still owed."""
        case = ProposalFactory(status=Status.NOT_ACCREDITED)
        Letter.objects.create(case=case, purpose=LetterPurpose.SCREENING, issued_at=case.updated_at)
        client.force_login(MembershipFactory(organisation=case.organisation).user)
        text = client.get(reverse("proposal-status", args=[case.pk])).text
        assert "Download your screening letter (PDF)" in text
        assert "A decision has been made on your proposal." in text

    @pytest.mark.parametrize("status", [Status.LAPSED, Status.WITHDRAWN])
    def test_an_unsubmitted_case_shows_no_requests_letters_or_concerns(self, client, status):
        case = ProposalFactory(status=status)
        client.force_login(MembershipFactory(organisation=case.organisation).user)
        text = client.get(reverse("proposal-status", args=[case.pk])).text
        for section in ("Requests for information", "Letters", "Concerns", "will appear here"):
            assert section not in text
        draft = "Withdrawn draft" if status == Status.WITHDRAWN else "Draft"
        assert f'<h1 class="govuk-heading-l">{draft} ASP proposal, {case.round}</h1>' in text

    def test_withdrawing_needs_a_reason(self, signed_in, draft):
        url = reverse("proposal-withdraw", args=[draft.pk])
        page = signed_in.get(url).text
        assert "You can start a new one, in this round while it is open or in a later" in page
        # The hint reads as for a question that needs an answer, and says how long.
        assert "A sentence or two is enough, up to 2,000 characters." in page
        # Who reads the reason: members, and the contacts it is emailed to.
        assert "and is emailed to your organisation" in page
        response = signed_in.post(url, {"reason": ""})
        assert "Enter why you are withdrawing the proposal" in response.text
        signed_in.post(url, {"reason": "Changed our plans"})
        assert Proposal.objects.get(pk=draft.pk).status == Status.WITHDRAWN
        # Sent again (a second tab, a double click): said, not dropped silently.
        again = signed_in.post(url, {"reason": "Changed our plans"}, follow=True)
        assert (
            "This proposal can no longer be withdrawn: it has already been withdrawn." in again.text
        )
        # As the page said: a new one can be started in the same round, from
        # the withdrawn one's page.
        assert f'You can <a class="govuk-link" href="{reverse("proposal-start")}">start a new' in (
            again.text
        )
        started = signed_in.post(
            reverse("proposal-start"),
            {"accreditation_type": draft.accreditation_type, "round": draft.round_id},
        )
        assert started.status_code == 302
        assert Proposal.objects.filter(round=draft.round, status=Status.DRAFT).count() == 1

    def test_a_draft_held_back_by_an_undecided_case_says_so_before_submission(
        self, signed_in, draft, applicant, membership
    ):
        complete(draft, applicant)
        url = reverse("proposal-task-list", args=[draft.pk])
        assert "Ready to submit" in signed_in.get(url).text
        undecided = ProposalFactory(
            organisation=membership.organisation, status=Status.IN_ASSESSMENT
        )
        page = signed_in.get(url).text
        assert "Ready to submit" not in page
        assert "Cannot submit</div>" in page
        assert (
            f"proposal {undecided.reference} has not been decided yet: you can apply again once "
            "it has, if it is not accredited."
        ) in page
        # Check answers says the same, in place of the Submit button.
        check = signed_in.get(reverse("proposal-check", args=[draft.pk])).text
        assert "Submit proposal</button>" not in check
        assert f"proposal {undecided.reference} has not been decided yet" in check
        # Sent anyway: refused, said once (in the error summary), no button.
        refused = signed_in.post(reverse("proposal-check", args=[draft.pk])).text
        assert refused.count(f"proposal {undecided.reference} has not been decided yet") == 1
        assert "Submit proposal</button>" not in refused
        assert Proposal.objects.get(pk=draft.pk).status == Status.DRAFT

    def test_two_withdrawn_drafts_of_a_round_are_told_apart_on_the_dashboard(
        self, signed_in, draft, applicant, membership
    ):
        services.withdraw(draft, applicant, "Started by mistake")
        with time_machine.travel(clock.now() + timedelta(minutes=5)):
            second = services.start_proposal(
                organisation=membership.organisation,
                period=draft.round,
                accreditation_type=ASP,
                actor=applicant,
            )
            services.withdraw(second, applicant, "Started by mistake again")
        page = signed_in.get(reverse("proposal-dashboard")).text
        links = re.findall(r'<a class="govuk-link" href="/proposals/\d+/status/">(.*?)</a>', page)
        assert len(links) == 2 and links[0] != links[1]
        for case in (draft, second):
            case.refresh_from_db()
            assert f"Started at {clock.describe(case.created_at)}" in page

    def test_a_draft_of_a_type_already_held_says_it_need_not_be_sent(
        self, signed_in, draft, applicant, membership
    ):
        from register.models import RegisterEntry

        complete(draft, applicant)
        # Accredited as an ASP: the register takes it.
        ProposalFactory(organisation=membership.organisation, status=Status.ACCREDITED)
        assert RegisterEntry.objects.filter(organisation=membership.organisation).exists()
        page = signed_in.get(reverse("proposal-task-list", args=[draft.pk])).text
        assert "Ready to submit" not in page
        assert "Cannot submit</div>" in page
        assert "is already accredited as an Accredited School Provider" in page
        assert "it does not need to apply for it again." in page

    def test_the_contacts_are_told_who_withdrew_it_when_and_why(self, signed_in, draft, applicant):
        colleague = MembershipFactory(organisation=draft.organisation).user
        MembershipFactory(organisation=draft.organisation, is_contact=False)
        MembershipFactory(organisation=draft.organisation, user__is_active=False)
        signed_in.post(
            reverse("proposal-withdraw", args=[draft.pk]),
            {"reason": "We are joining <another> trust's proposal"},
        )
        withdrawn_at = draft.events.get(action="withdraw").created_at
        send_outbox()
        # The contacts who can sign in, the one who withdrew it among them.
        assert sorted(m.to[0] for m in mail.outbox) == sorted([applicant.email, colleague.email])
        message = mail.outbox[0]
        assert message.subject == (
            f"Your draft ASP proposal for the {draft.round} round has been withdrawn"
        )
        assert (
            f"{applicant.full_name} withdrew your organisation’s draft ASP proposal for the "
            f"{draft.round} round at {clock.describe(withdrawn_at)}." in message.body
        )
        assert "Reason given: We are joining <another> trust's proposal" in message.body
        html = message.alternatives[0][0]
        assert "Reason given: We are joining &lt;another&gt; trust&#x27;s proposal" in html
        assert reverse("proposal-status", args=[draft.pk]) in message.body

    def test_a_submitted_case_withdrawn_is_named_by_its_reference(self, client, draft, applicant):
        complete(draft, applicant)
        services.submit(draft, applicant)
        submitted = Proposal.objects.get(pk=draft.pk)
        services.withdraw(submitted, applicant, "  Changed our plans\nSecond line  ")
        subjects = set(
            OutboxMessage.objects.filter(key=f"withdrawn:{draft.pk}").values_list("subject", "body")
        )
        [(subject, body)] = subjects
        assert subject == f"{submitted.reference} has been withdrawn"
        assert f"withdrew proposal {submitted.reference} at " in body
        assert "Reason given: Changed our plans\nSecond line\n" in body
        # The staff timeline keeps the reason's lines apart too.
        sign_in_verified(client, person_with("casework_officer"))
        page = client.get(reverse("staff-case", args=[draft.pk])).text
        assert "Changed our plans<br>Second line" in page

    def test_a_lapsed_proposal_is_copied_into_a_later_round(self, draft, applicant, membership):
        complete(draft, applicant)
        with time_machine.travel(draft.round.deadline + timedelta(seconds=1)):
            from proposals.tasks import lapse_overdue_drafts

            lapse_overdue_drafts()
            later = RoundFactory(
                opens_at=draft.round.deadline, deadline=draft.round.deadline + timedelta(days=40)
            )
            lapsed = Proposal.objects.get(pk=draft.pk)
            copy = services.copy_to_new_draft(lapsed, period=later, actor=applicant)
        assert copy.status == Status.DRAFT
        assert copy.copied_from_id == draft.pk
        assert sorted(copy.answers.values_list("criterion__code", flat=True)) == sorted(
            draft.answers.values_list("criterion__code", flat=True)
        )


class TestCopyOffer:
    """The dashboard offers to copy a proposal only into a round the copy can
    really go to: open, not its own, taking its type from this organisation."""

    def copy_offers(self, client):
        text = client.get(reverse("proposal-dashboard")).text
        return re.findall(r'name="round" value="(\d+)"', text)

    def test_not_into_its_own_round(self, signed_in, membership):
        case = ProposalFactory(organisation=membership.organisation, status="not_accredited")
        assert case.round.is_open()
        assert self.copy_offers(signed_in) == []

    def test_into_the_next_open_round_that_takes_it(self, signed_in, membership, applicant):
        case = ProposalFactory(organisation=membership.organisation, status="not_accredited")
        Letter.objects.create(case=case, purpose=LetterPurpose.FEEDBACK, issued_at=clock.now())
        RoundFactory(deadline=case.round.deadline + timedelta(days=1), accepts_asp=False)
        taken = RoundFactory(deadline=case.round.deadline + timedelta(days=2))
        services.start_proposal(
            organisation=membership.organisation,
            period=taken,
            accreditation_type=ASP,
            actor=applicant,
        )
        assert self.copy_offers(signed_in) == []
        later = RoundFactory(deadline=case.round.deadline + timedelta(days=3))
        assert self.copy_offers(signed_in) == [str(later.pk)]
        response = signed_in.post(reverse("proposal-copy", args=[case.pk]), {"round": later.pk})
        assert Proposal.objects.get(copied_from=case).round == later
        assert response.status_code == 302

    def test_not_before_the_letter_tells_the_decision(self, signed_in, membership, applicant):
        """Until its letter is issued the decision can be corrected and the
        applicant is not told it: the list says "Decision made", offers no
        copy, and a copy sent all the same is refused."""
        case = ProposalFactory(organisation=membership.organisation, status="not_accredited")
        later = RoundFactory(deadline=case.round.deadline + timedelta(days=3))
        text = signed_in.get(reverse("proposal-dashboard")).text
        assert '<strong class="govuk-tag govuk-tag--turquoise">Decision made</strong>' in text
        assert "Not accredited" not in text
        assert self.copy_offers(signed_in) == []
        with pytest.raises(services.ProposalError, match="letter has not been issued yet"):
            services.copy_to_new_draft(case, period=later, actor=applicant)
        Letter.objects.create(case=case, purpose=LetterPurpose.FEEDBACK, issued_at=clock.now())
        assert "Not accredited" in signed_in.get(reverse("proposal-dashboard")).text
        assert self.copy_offers(signed_in) == [str(later.pk)]


class TestAfterTheDeadline:
    """A draft whose deadline has passed tells the truth whether or not the
    scheduler has lapsed it yet."""

    def test_the_deadline_shown_is_the_deadline_checked(self, signed_in, draft, applicant):
        """A deadline at 7:05:52 is not shown as 7:05am: a proposal is still
        accepted at 7:05:30, and the page must not say that time has passed."""
        deadline = clock.at(clock.local_date(clock.now()) + timedelta(days=3), dt.time(7, 5, 52))
        type(draft.round).objects.filter(pk=draft.round_id).update(deadline=deadline)
        complete(draft, applicant)
        page = signed_in.get(reverse("proposal-task-list", args=[draft.pk])).text
        assert "submit by 7:05:52am on " in page
        with time_machine.travel(deadline - timedelta(seconds=22)):
            signed_in.force_login(applicant)
            response = signed_in.post(reverse("proposal-check", args=[draft.pk]))
        assert response.url == reverse("proposal-confirmation", args=[draft.pk])

    def test_a_draft_past_its_deadline_cannot_be_changed_and_says_what_next(
        self, signed_in, draft, applicant
    ):
        complete(draft, applicant)
        deadline = draft.round.deadline
        later = RoundFactory(
            opens_at=deadline + timedelta(days=30), deadline=deadline + timedelta(days=60)
        )
        with time_machine.travel(deadline + timedelta(seconds=1)):
            signed_in.force_login(applicant)
            for name in ("proposal-task-list", "proposal-check", "proposal-type"):
                response = signed_in.get(reverse(name, args=[draft.pk]))
                assert response.url == reverse("proposal-status", args=[draft.pk]), name
            text = signed_in.get(reverse("proposal-status", args=[draft.pk])).text
            documents = signed_in.get(reverse("proposal-documents", args=[draft.pk])).text
            answer = signed_in.post(
                reverse("proposal-answer", args=[draft.pk, "1A", "lead"]),
                {"text": "Late words", "version": 1},
                follow=True,
            )
            with pytest.raises(services.ProposalError, match=r"\(UK time\)"):
                services.save_answer(
                    draft,
                    criterion=Answer.objects.filter(proposal=draft).first().criterion,
                    party="lead",
                    text="Late",
                    version=1,
                    actor=applicant,
                )
        assert Proposal.objects.get(pk=draft.pk).status == Status.DRAFT
        assert "The deadline for this proposal has passed" in answer.text
        # What was typed is shown back to copy, not lost.
        assert answer.status_code == 409
        assert "Your changes were not saved" in answer.text
        assert "Late words" in answer.text
        assert "Late words" not in Answer.objects.filter(proposal=draft).values_list(
            "text", flat=True
        )
        assert "Submit" not in text
        assert "Ready to submit" not in text
        assert ">Change<" not in text
        assert (
            f"not submitted by its deadline, {clock.describe_deadline(deadline)} (UK time)" in text
        )
        assert (
            f"The next round, {later}, opens at {clock.describe(later.opens_at)} (UK time)" in text
        )
        assert "Copy into a new draft" in text
        assert "Withdraw this proposal" not in text
        assert "The deadline for this proposal has passed, so documents can no longer" in documents

    def test_an_open_round_takes_a_copy_of_the_draft_before_it_lapses(
        self, signed_in, draft, applicant
    ):
        complete(draft, applicant)
        deadline = draft.round.deadline
        with time_machine.travel(deadline + timedelta(seconds=1)):
            later = RoundFactory(opens_at=deadline, deadline=deadline + timedelta(days=40))
            signed_in.force_login(applicant)
            text = signed_in.get(reverse("proposal-status", args=[draft.pk])).text
            assert f"Copy into a new draft for {later}" in text
            response = signed_in.post(
                reverse("proposal-copy", args=[draft.pk]), {"round": later.pk}
            )
        copy = Proposal.objects.get(copied_from=draft)
        assert response.url == reverse("proposal-task-list", args=[copy.pk])
        assert copy.round == later and copy.status == Status.DRAFT
        assert copy.answers.count() == draft.answers.count()
        with time_machine.travel(deadline + timedelta(seconds=2)):
            told = signed_in.get(response.url).text
        assert "A new draft has been started with your earlier answers." in told

    def test_a_case_not_accredited_offers_its_copy_into_the_open_round(
        self, signed_in, draft, applicant
    ):
        """Unsuccessful, it can be copied into a new draft (SPEC: next
        round), from its own page as from the proposals list."""
        complete(draft, applicant)
        deadline = draft.round.deadline
        Proposal.objects.filter(pk=draft.pk).update(
            status=Status.NOT_ACCREDITED,
            submitted_at=deadline - timedelta(days=1),
            reference="ASP-2099-0001",
        )
        draft.refresh_from_db()
        Letter.objects.create(case=draft, purpose=LetterPurpose.FEEDBACK, issued_at=deadline)
        with time_machine.travel(deadline + timedelta(days=1)):
            later = RoundFactory(opens_at=deadline, deadline=deadline + timedelta(days=40))
            signed_in.force_login(applicant)
            text = signed_in.get(reverse("proposal-status", args=[draft.pk])).text
        assert "Applying again" in text
        assert "You can copy this proposal into it" in text
        assert f"Copy into a new draft for {later}" in text

    def test_a_copy_of_a_draft_with_no_answers_says_there_were_none(
        self, signed_in, draft, applicant
    ):
        deadline = draft.round.deadline
        with time_machine.travel(deadline + timedelta(seconds=1)):
            later = RoundFactory(opens_at=deadline, deadline=deadline + timedelta(days=40))
            signed_in.force_login(applicant)
            response = signed_in.post(
                reverse("proposal-copy", args=[draft.pk]), {"round": later.pk}, follow=True
            )
        assert "The earlier proposal had no answers to copy." in response.text
        assert "with your earlier answers" not in response.text

    def test_no_copy_is_offered_into_a_round_where_the_type_is_taken(
        self, signed_in, draft, applicant
    ):
        """The organisation started another ASP proposal in the open round:
        the lapsed draft's page says so and links to it, offering no copy
        that could only be refused."""
        complete(draft, applicant)
        deadline = draft.round.deadline
        with time_machine.travel(deadline + timedelta(seconds=1)):
            later = RoundFactory(opens_at=deadline, deadline=deadline + timedelta(days=40))
            other = services.start_proposal(
                organisation=draft.organisation,
                period=later,
                accreditation_type=draft.accreditation_type,
                actor=applicant,
            )
            signed_in.force_login(applicant)
            text = signed_in.get(reverse("proposal-status", args=[draft.pk])).text
        assert "Copy into a new draft for" not in text
        assert "your organisation already has an ASP proposal in it" in text
        assert reverse("proposal-task-list", args=[other.pk]) in text

    def test_the_contacts_are_emailed_once_when_a_draft_lapses(self, draft, membership):
        from proposals.tasks import lapse_overdue_drafts

        later = RoundFactory(
            opens_at=draft.round.deadline + timedelta(days=30),
            deadline=draft.round.deadline + timedelta(days=60),
        )
        with time_machine.travel(draft.round.deadline + timedelta(seconds=1)):
            lapse_overdue_drafts()
            lapse_overdue_drafts()
        message = OutboxMessage.objects.get(key=f"lapsed:{draft.pk}")
        assert message.to == membership.user.email
        assert message.subject == (
            f"Your draft ASP proposal for the {draft.round} round was not submitted by the deadline"
        )
        assert (
            f"Your organisation’s draft ASP proposal for the {draft.round} round was not "
            "submitted by its deadline"
        ) in message.body
        assert f"{clock.describe_deadline(draft.round.deadline)} (UK time)" in message.body
        assert f"The next round, {later}, opens at" in message.body
        assert "Copy into a new draft" in message.body
        assert message.body.rstrip().endswith(
            f"Your proposals:\n{settings.SERVICE_URL}{reverse('proposal-dashboard')}"
        )


class TestContent:
    def test_a_draft_is_named_by_type_and_round_never_by_its_number(
        self, signed_in, draft, applicant
    ):
        name = f"Draft ASP proposal, {draft.round}"
        task_list = signed_in.get(reverse("proposal-task-list", args=[draft.pk])).text
        assert f"<title>{name} –" in task_list
        assert f'<h1 class="govuk-heading-l">{name}</h1>' in task_list
        dashboard = signed_in.get(reverse("proposal-dashboard")).text
        assert f'{name}<span class="govuk-visually-hidden">, started at ' in dashboard
        pdf = signed_in.get(reverse("proposal-pdf", args=[draft.pk]))
        filename = f"draft-asp-proposal-{slugify(str(draft.round))}.pdf"
        assert pdf["Content-Disposition"] == f'attachment; filename="{filename}"'

    def test_every_deadline_is_in_uk_time(self, signed_in, draft):
        deadline = f"{clock.describe_deadline(draft.round.deadline)} (UK time)"
        for name in ("proposal-dashboard", "proposal-start"):
            assert deadline in signed_in.get(reverse(name)).text, name
        assert deadline in signed_in.get(reverse("proposal-task-list", args=[draft.pk])).text

    def test_check_answers_shows_the_declaration(self, signed_in, draft, applicant):
        url = reverse("proposal-check", args=[draft.pk])
        assert "Not made yet." in signed_in.get(url).text
        complete(draft, applicant)
        text = signed_in.get(url).text
        assert f"‘{DECLARATION}.’" in text
        assert escape(f"Made by {applicant.full_name} at") in text

    def test_the_proposals_list_says_when_the_next_round_opens(self, signed_in):
        text = signed_in.get(reverse("proposal-dashboard")).text
        assert "No round is open for proposals now." in text
        assert "The dates of the next round have not been set yet." in text
        now = clock.now()
        later = RoundFactory(opens_at=now + timedelta(days=30), deadline=now + timedelta(days=60))
        text = signed_in.get(reverse("proposal-dashboard")).text
        assert (
            f"The next round, {later}, opens at {clock.describe(later.opens_at)} (UK time)." in text
        )
        assert "have not been set yet" not in text

    def test_the_start_page_says_the_organisation_already_has_the_other_type(
        self, signed_in, draft
    ):
        text = signed_in.get(reverse("proposal-start")).text
        assert (
            f'Your organisation already has an ASP proposal (<a class="govuk-link" '
            f'href="{reverse("proposal-task-list", args=[draft.pk])}">Draft ASP proposal, '
            f"{draft.round}</a>) in this round."
        ) in text
        assert "You can also start a proposal of the other type." in text


class TestPermissions:
    def urls(self, proposal):
        pk = proposal.pk
        return [
            reverse("proposal-move", args=[pk]),
            reverse("proposal-concern", args=[pk]),
            reverse("proposal-request-answer", args=[pk]),
            reverse("proposal-request-document", args=[pk, 1]),
            reverse("letter-download", args=[pk, 1]),
            reverse("proposal-document-download", args=[pk, 1]),
            reverse("proposal-document-delete", args=[pk, 1]),
            reverse("proposal-task-list", args=[pk]),
            reverse("proposal-type", args=[pk]),
            reverse("proposal-schools", args=[pk]),
            reverse("proposal-answer", args=[pk, "1A", "lead"]),
            reverse("proposal-declaration", args=[pk]),
            reverse("proposal-check", args=[pk]),
            reverse("proposal-confirmation", args=[pk]),
            reverse("proposal-status", args=[pk]),
            reverse("proposal-withdraw", args=[pk]),
            reverse("proposal-pdf", args=[pk]),
            reverse("proposal-co-partner", args=[pk]),
            reverse("proposal-new-provision", args=[pk]),
            reverse("proposal-copy", args=[pk]),
            reverse("proposal-school-remove", args=[pk, 1]),
            reverse("proposal-documents", args=[pk]),
        ]

    @pytest.mark.parametrize(
        "status", ["draft", "submitted", "withdrawn", "not_accredited", "accredited"]
    )
    def test_a_member_of_another_organisation_gets_404_everywhere(self, client, status):
        """Whatever state the proposal is in: a page that only some
        proposals have (withdrawal, moving, a concern) must not answer
        differently for another organisation's, which would leak it."""
        proposal = ProposalFactory(status=status)
        outsider = MembershipFactory()
        client.force_login(outsider.user)
        for url in self.urls(proposal):
            assert client.get(url).status_code == 404, url
            assert client.post(url, {"text": "x", "version": 0}).status_code in (404, 405), url

    def test_a_proposal_that_does_not_exist_is_404_everywhere(self, signed_in):
        missing = Proposal(pk=999_999_999)
        for url in self.urls(missing):
            assert signed_in.get(url).status_code == 404, url
            assert signed_in.post(url, {"text": "x"}).status_code in (404, 405), url

    def test_signed_out_people_are_sent_to_sign_in(self, client, draft):
        for url in self.urls(draft):
            response = client.get(url)
            assert response.status_code == 302, url
            assert response.url.startswith(reverse("login")), url


class TestQueryCounts:
    @pytest.mark.parametrize("schools", [2, 20])
    def test_task_list_and_check_answers_do_not_grow(
        self, signed_in, draft, applicant, schools, django_assert_num_queries
    ):
        complete(draft, applicant, schools=schools)
        # The first request also saves the session (three queries), the next
        # not; the criteria are kept (read when the draft was completed); the
        # organisation's standing in two (its register entry, its cases).
        with django_assert_num_queries(13):
            assert signed_in.get(reverse("proposal-task-list", args=[draft.pk])).status_code == 200
        # With who made the declaration, and the standing submission would refuse.
        with django_assert_num_queries(11):
            assert signed_in.get(reverse("proposal-check", args=[draft.pk])).status_code == 200

    @pytest.mark.parametrize("schools", [2, 20])
    def test_the_answer_page_and_its_save_do_not_grow(
        self, signed_in, draft, applicant, schools, django_assert_num_queries
    ):
        complete(draft, applicant, schools=schools)
        url = reverse("proposal-answer", args=[draft.pk, "1A", "lead"])
        signed_in.get(url)  # the session saved once
        # The session, the person, the proposal, their roles and membership,
        # this answer and the guidance (the criteria are kept): not the
        # others' answers, the evidence or the schools.
        with django_assert_num_queries(7):
            page = signed_in.get(url)
        assert (
            page.context["form"].initial["text"]
            == draft.answers.get(criterion__code="1A", party="lead").text
        )
        version = page.context["form"].initial["version"]
        # The save: the same but the guidance, membership asked twice (only a
        # page that changes nothing remembers it), then in its transaction
        # (a savepoint here, and its release) membership again, the locked
        # proposal, its declaration undone (a change to a declared draft
        # undoes it), the locked answer, the update and the answer read back;
        # then whether the declaration still stands, to say it was undone.
        with django_assert_num_queries(16):
            saved = signed_in.post(url, {"text": "Our evidence.", "version": version})
        assert saved.status_code == 302
        assert draft.answers.get(criterion__code="1A", party="lead").text == "Our evidence."

    @pytest.mark.parametrize("count", [2, 20])
    def test_dashboard_does_not_grow(
        self, signed_in, membership, applicant, count, django_assert_num_queries
    ):
        for _ in range(count):
            for period in (RoundFactory(), WindowFactory(organisation=membership.organisation)):
                services.start_proposal(
                    organisation=membership.organisation,
                    period=period,
                    accreditation_type=ASP,
                    actor=applicant,
                )
        # (one of them the organisation's open out-of-round windows; membership
        # asked once: the organisation was chosen through it; the open and
        # next rounds in one; drafts only, so no asking where a copy could go;
        # the proposals counted apart only when more than a page of them)
        with django_assert_num_queries(10 if count * 2 <= 25 else 11):
            assert signed_in.get(reverse("proposal-dashboard")).status_code == 200


def test_schools_helper_is_idempotent_per_urn(draft):
    add_schools(draft, 1)
    with pytest.raises(services.ProposalError):
        add_schools(draft, 1)


class TestOutOfRoundWindow:
    def test_a_granted_window_lets_the_organisation_start_a_proposal_in_it(
        self, signed_in, membership
    ):
        window = WindowFactory(organisation=membership.organisation)
        url = reverse("proposal-start") + f"?window={window.pk}"
        page = signed_in.get(url)
        assert "Your out-of-round window is open until" in page.text
        response = signed_in.post(url, {"accreditation_type": "asp", "window": window.pk})
        proposal = Proposal.objects.get()
        assert response.url == reverse("proposal-task-list", args=[proposal.pk])
        assert proposal.window == window
        assert proposal.round is None

    def test_a_window_that_has_closed_says_so_and_offers_no_start(self, signed_in, membership):
        window = WindowFactory(
            organisation=membership.organisation,
            opens_at=clock.now() - timedelta(days=30),
            deadline=clock.now() - timedelta(minutes=1),
        )
        url = reverse("proposal-start") + f"?window={window.pk}"
        page = signed_in.get(url).text
        assert "Your out-of-round window closed at" in page
        assert "is open until" not in page and 'name="accreditation_type"' not in page
        response = signed_in.post(url, {"accreditation_type": "asp", "window": window.pk})
        assert "This out-of-round window is not open for proposals now" in response.text
        assert 'href="#id_accreditation_type' not in response.text
        assert not Proposal.objects.exists()

    def test_another_organisations_window_is_404(self, signed_in):
        window = WindowFactory()
        assert signed_in.get(reverse("proposal-start") + f"?window={window.pk}").status_code == 404


class TestSubmittedRecord:
    def test_an_out_of_round_case_takes_its_year_from_its_submission(self, membership, applicant):
        window = WindowFactory(organisation=membership.organisation)
        proposal = complete(
            services.start_proposal(
                organisation=membership.organisation,
                period=window,
                accreditation_type=ASP,
                actor=applicant,
            ),
            applicant,
        )
        proposal = services.submit(proposal, applicant)
        year = proposal.submitted_at.astimezone(LONDON).year
        assert proposal.reference == f"ASP-{year}-0001"

    def test_later_profile_changes_do_not_rewrite_what_was_submitted(
        self, signed_in, draft, applicant
    ):
        organisation = draft.organisation
        organisation.claims_national_support_school = True
        organisation.save()
        submitted = services.submit(complete(draft, applicant), applicant)
        organisation.claims_national_support_school = False
        organisation.name = "Renamed Academy"
        organisation.save()
        proposal = Proposal.objects.get(pk=submitted.pk)
        codes = [q.criterion.code for q in Journey.load(proposal).questions]
        assert "2A" not in codes and "2B" not in codes
        pdf = signed_in.get(reverse("proposal-pdf", args=[proposal.pk])).content
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
        assert "Oak Primary" in text
        assert "Renamed Academy" not in text
        assert "2A: Leadership" not in text
        assert CaseEvent.objects.filter(case=proposal, action="proposal_pdf_downloaded").exists()

    def test_eligibility_is_checked_again_at_submission(self, draft, applicant):
        draft.accreditation_type = ASG
        draft.save()
        complete(draft, applicant, schools=2)
        organisation = draft.organisation
        organisation.schools_led_count = 1
        organisation.save()
        with pytest.raises(services.Incomplete) as refused:
            services.submit(draft, applicant)
        assert any(
            "You told us it leads improvement in 1 school" in p.message
            for p in refused.value.problems
        )

    def test_a_change_after_the_declaration_needs_it_made_again(self, draft, applicant):
        complete(draft, applicant)
        assert Proposal.objects.get(pk=draft.pk).declared_at is not None
        add_schools(draft, 1)
        assert Proposal.objects.get(pk=draft.pk).declared_at is None
        with pytest.raises(services.Incomplete) as refused:
            services.submit(draft, applicant)
        assert [p.message for p in refused.value.problems] == ["Make the declaration"]


class TestMarkupInEveryTextField:
    SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'

    def test_is_shown_as_text_on_the_page_and_in_the_pdf(self, signed_in, applicant, open_round):
        proposal = start_for(
            applicant,
            open_round,
            kind=OrganisationKind.COFE_DIOCESE,
            urn="",
            primary_governance_count=3,
            name=f"Diocese {self.SCRIPT}",
            address=self.SCRIPT,
        )
        complete(proposal, applicant, text=self.SCRIPT)
        services.save_new_provision(
            proposal, seeks=True, statement=self.SCRIPT, actor=proposal.created_by
        )
        services.add_school(
            proposal,
            actor=proposal.created_by,
            name=self.SCRIPT,
            urn="654321",
            local_authority=proposal.organisation.local_authority,
            partnership="majority_trust",
            since=dt.date(2020, 1, 1),
        )
        for url in (
            reverse("proposal-check", args=[proposal.pk]),
            reverse("proposal-task-list", args=[proposal.pk]),
            reverse("proposal-schools", args=[proposal.pk]),
            reverse("proposal-answer", args=[proposal.pk, "1A", "lead"]),
        ):
            page = signed_in.get(url).text
            assert "<script>alert" not in page, url
            assert "<img src=x" not in page, url
        check = signed_in.get(reverse("proposal-check", args=[proposal.pk])).text
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in check
        pdf = signed_in.get(reverse("proposal-pdf", args=[proposal.pk])).content
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
        assert '<script>alert("x")</script>' in text


class TestCoPartner:
    @pytest.fixture
    def consortium(self, applicant, open_round):
        proposal = non_educational_draft(applicant, open_round, Route.CONSORTIUM_LEAD)
        return proposal

    def post(self, client, proposal, identifier):
        return client.post(
            reverse("proposal-co-partner", args=[proposal.pk]),
            {
                "name": "Partner Trust",
                "kind": "academy_trust",
                "identifier": identifier,
                "local_authority": proposal.organisation.local_authority.pk,
                "contact_name": "Pat",
                "contact_email": "pat@example.org",
                "role_in_partnership": "School improvement",
                "version": services.co_partner_version(proposal),
            },
        )

    @pytest.mark.parametrize("identifier", ["12345", "2000000X", "20000000"])
    def test_a_malformed_identifier_is_refused(self, signed_in, consortium, identifier):
        response = self.post(signed_in, consortium, identifier)
        assert "Enter a URN of 6 digits" in response.text
        assert not hasattr(Proposal.objects.get(pk=consortium.pk), "co_partner")

    def test_six_zeros_are_no_co_partners_urn(self, signed_in, consortium):
        response = self.post(signed_in, consortium, "000000")
        assert "000000 is not one" in response.text
        assert not hasattr(Proposal.objects.get(pk=consortium.pk), "co_partner")

    @pytest.mark.parametrize("identifier", ["", "123456", "10012345"])
    def test_a_urn_a_ukprn_or_nothing_is_accepted(self, signed_in, consortium, identifier):
        assert self.post(signed_in, consortium, identifier).status_code == 302
        assert Proposal.objects.get(pk=consortium.pk).co_partner.identifier == identifier
        # Shown back where the applicant checks their answers.
        check = signed_in.get(reverse("proposal-check", args=[consortium.pk])).text
        assert (f"URN or UKPRN: {identifier}" in check) == bool(identifier)

    def test_applying_in_its_own_right_and_back_again_loses_nothing(self, signed_in, consortium):
        """The co-partner's details and answers are kept while the route has no
        co-partner, out of the proposal, and are in it again on the way back."""
        pk = consortium.pk
        assert self.post(signed_in, consortium, "123456").status_code == 302
        answer_url = reverse("proposal-answer", args=[pk, "2A", "co_partner"])
        signed_in.post(answer_url, {"text": "The partner's track record.", "version": 0})

        def change_route(route):
            return signed_in.post(
                reverse("proposal-type", args=[pk]),
                {
                    "route": route,
                    "version": version_of(Proposal.objects.get(pk=pk), services.TYPE_FIELDS),
                },
            )

        assert change_route(Route.OWN_RIGHT).status_code == 302
        task_list = signed_in.get(reverse("proposal-task-list", args=[pk])).text
        assert "Co-partner details" not in task_list
        assert "the co-partner’s answers" not in task_list
        assert (
            "Your organisation is not applying as the lead of a consortium or with an educational "
            "co-partner, so your co-partner’s details and the answer written for it are not part "
            "of this proposal. They have been kept: choose one of those ways of applying to "
            "include them again."
        ) in task_list
        assert "Partner Trust" not in signed_in.get(reverse("proposal-check", args=[pk])).text
        pdf = signed_in.get(reverse("proposal-pdf", args=[pk])).content
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
        assert "Partner Trust" not in text
        assert "track record." not in text
        assert signed_in.get(answer_url).status_code == 404

        assert change_route(Route.CONSORTIUM_LEAD).status_code == 302
        journey = Journey.load(Proposal.objects.get(pk=pk))
        assert journey.section("co-partner").status == "Completed"
        assert journey.section("type").notice is None
        assert "The partner&#x27;s track record." in signed_in.get(answer_url).text
        assert "Partner Trust" in signed_in.get(reverse("proposal-check", args=[pk])).text

    def test_a_proposal_submitted_in_its_own_right_leaves_its_kept_co_partner_out(
        self, applicant, consortium
    ):
        complete(consortium, applicant, route=Route.CONSORTIUM_LEAD)
        services.set_type_and_models(
            consortium,
            route=Route.OWN_RIGHT,
            majority_trust=True,
            federation=False,
            actor=applicant,
        )
        services.save_answer(
            consortium,
            criterion=next(
                q.criterion for q in Journey.load(consortium).questions if q.criterion.code == "1E"
            ),
            party="lead",
            text="Our education strategy.",
            version=0,
            actor=applicant,
        )
        services.declare(consortium, applicant)

        submitted = services.submit(consortium, applicant)
        assert submitted.reference
        assert not any(q.party == "co_partner" for q in Journey.load(submitted).questions)
        assert Answer.objects.filter(proposal=submitted, party="co_partner").count() == 3
        assert Proposal.objects.get(pk=submitted.pk).co_partner.name == "Partner Academy Trust"

    def test_an_educational_organisation_has_no_co_partner_page(self, signed_in, draft):
        assert signed_in.get(reverse("proposal-co-partner", args=[draft.pk])).status_code == 404


class TestOddRequests:
    def test_an_applicant_without_an_organisation_is_sent_to_set_one_up(self, client):
        client.force_login(UserFactory(roles=["applicant"]))
        for name in ("proposal-dashboard", "proposal-start"):
            response = client.get(reverse(name))
            assert response.status_code == 200, name
            assert "Set up your organisation first" in response.text, name
            assert reverse("organisation-create") in response.text, name

    @pytest.mark.parametrize("query", ["?round=abc", "?window=abc", "?window=1e3", "?round=-1"])
    def test_a_malformed_id_is_404_not_an_error(self, signed_in, query):
        assert signed_in.get(reverse("proposal-start") + query).status_code == 404

    def test_switching_to_a_malformed_organisation_is_404(self, signed_in):
        response = signed_in.post(reverse("switch-organisation"), {"organisation": "abc"})
        assert response.status_code == 404

    def test_copying_into_a_malformed_round_is_404(self, signed_in, draft):
        response = signed_in.post(reverse("proposal-copy", args=[draft.pk]), {"round": "x"})
        assert response.status_code == 404


def test_a_profile_change_undoes_the_declaration_of_drafts(draft, applicant):
    from accreditation.services.organisations import update_organisation

    complete(draft, applicant)
    organisation = draft.organisation
    values = {
        "kind": organisation.kind,
        "name": "Oak Primary Academy",
        "urn": organisation.urn,
        "ukprn": "",
        "local_authority": organisation.local_authority,
        "phase": organisation.phase,
        "claims_national_support_school": False,
        "faith_designation": organisation.faith_designation,
        "address": organisation.address,
        "schools_led_count": organisation.schools_led_count,
        "primary_governance_count": organisation.primary_governance_count,
    }
    update_organisation(organisation, values, actor=applicant)
    assert Proposal.objects.get(pk=draft.pk).declared_at is None
