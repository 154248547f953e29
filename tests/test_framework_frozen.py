"""A criteria framework is frozen once a round using it opens (SPEC: "The
criteria framework"): the code and the admin refuse to change it, and a
proposal's PDF keeps showing the version it was written against."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accreditation.models import Criterion, CriterionGuidance, Framework, Part
from accreditation.models.framework import FrameworkFrozen
from accreditation.roles import Role
from proposals.services import applicant as services
from tests.factories import (
    CriterionFactory,
    CriterionGuidanceFactory,
    FrameworkFactory,
    MembershipFactory,
    PartFactory,
    RoundFactory,
    UserFactory,
    WindowFactory,
)
from tests.journey_helpers import complete
from tests.test_admin import verified

pytestmark = pytest.mark.django_db

NEW_QUESTION = "A question rewritten after the round opened."


def draft_framework():
    """A framework with one part, criterion and piece of guidance, unused."""
    framework = FrameworkFactory(title="Draft criteria", published_at=None)
    part = PartFactory(framework=framework, number=1, title="Vision")
    criterion = CriterionFactory(part=part, code="1A", question="What is your vision?")
    CriterionGuidanceFactory(criterion=criterion)
    return framework


def used_by_opened_round(framework):
    RoundFactory(framework=framework, opens_at=timezone.now() - timedelta(minutes=1))
    return framework


# --- In the code ----------------------------------------------------------------------


class TestInTheCode:
    def test_a_draft_framework_can_be_changed(self):
        criterion = Criterion.objects.get(part__framework=draft_framework())
        criterion.question = NEW_QUESTION
        criterion.full_clean()
        criterion.save()
        assert Criterion.objects.get(pk=criterion.pk).question == NEW_QUESTION

    def test_a_round_that_has_not_opened_does_not_freeze_it(self):
        framework = draft_framework()
        RoundFactory(framework=framework, opens_at=timezone.now() + timedelta(days=1))
        assert not framework.is_frozen()
        criterion = Criterion.objects.get(part__framework=framework)
        criterion.question = NEW_QUESTION
        criterion.save()

    def test_editing_a_criterions_text_is_refused_once_a_round_has_opened(self):
        framework = used_by_opened_round(draft_framework())
        assert framework.is_frozen()
        criterion = Criterion.objects.get(part__framework=framework)
        criterion.question = NEW_QUESTION
        with pytest.raises(ValidationError, match="used by a round that has opened"):
            criterion.full_clean()
        with pytest.raises(FrameworkFrozen):
            criterion.save()
        assert Criterion.objects.get(pk=criterion.pk).question == "What is your vision?"

    def test_an_out_of_round_window_freezes_it_too(self):
        framework = draft_framework()
        WindowFactory(framework=framework)
        criterion = Criterion.objects.get(part__framework=framework)
        criterion.question = NEW_QUESTION
        with pytest.raises(FrameworkFrozen):
            criterion.save()

    def test_nothing_in_a_frozen_framework_can_be_added_changed_or_removed(self):
        framework = used_by_opened_round(draft_framework())
        part = framework.parts.get()
        criterion = part.criteria.get()
        guidance = criterion.sector_guidance.get()
        framework.title = "Renamed"
        part.title = "Renamed"
        guidance.text = "Other examples"
        for refused in (
            framework.save,
            framework.delete,
            part.save,
            part.delete,
            criterion.delete,
            guidance.save,
            guidance.delete,
            lambda: PartFactory(framework=framework, number=3),
            lambda: CriterionFactory(part=part, code="1Z"),
            lambda: CriterionGuidanceFactory(criterion=criterion, sector="colleges_universities"),
        ):
            with pytest.raises(FrameworkFrozen):
                refused()
        assert Framework.objects.get(pk=framework.pk).title == "Draft criteria"
        assert Part.objects.filter(framework=framework).count() == 1
        assert Criterion.objects.filter(part__framework=framework).count() == 1
        assert CriterionGuidance.objects.get(pk=guidance.pk).text == "Examples of evidence."

    def test_a_criterion_cannot_be_moved_out_of_a_frozen_framework(self):
        frozen = used_by_opened_round(draft_framework())
        elsewhere = PartFactory(framework=FrameworkFactory(published_at=None), number=1)
        criterion = Criterion.objects.get(part__framework=frozen)
        criterion.part = elsewhere
        with pytest.raises(FrameworkFrozen):
            criterion.save()

    def test_a_new_version_can_be_added_while_the_old_one_is_frozen(self):
        used_by_opened_round(draft_framework())
        draft_framework()
        assert Framework.objects.count() == 3  # with the default version 1


# --- In the admin -------------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    return verified(client, UserFactory(roles=[Role.ADMINISTRATOR]))


def criterion_form(criterion, **changes):
    """The criterion's change form as the admin page would post it."""
    data = {
        key: value
        for key, value in model_to_dict(criterion).items()
        if value not in (None, False) and key != "id"
    }
    data = {key: ("on" if value is True else value) for key, value in data.items()}
    data.update(
        {
            "sector_guidance-TOTAL_FORMS": 0,
            "sector_guidance-INITIAL_FORMS": 0,
            **changes,
        }
    )
    return data


class TestInTheAdmin:
    def test_a_draft_frameworks_criterion_can_be_edited(self, admin_client):
        criterion = Criterion.objects.get(part__framework=draft_framework())
        response = admin_client.post(
            reverse("admin:accreditation_criterion_change", args=[criterion.pk]),
            criterion_form(criterion, question=NEW_QUESTION),
        )
        assert response.status_code == 302
        assert Criterion.objects.get(pk=criterion.pk).question == NEW_QUESTION

    def test_editing_a_criterion_of_an_opened_rounds_framework_is_refused(self, admin_client):
        framework = used_by_opened_round(draft_framework())
        criterion = Criterion.objects.get(part__framework=framework)
        url = reverse("admin:accreditation_criterion_change", args=[criterion.pk])
        response = admin_client.post(url, criterion_form(criterion, question=NEW_QUESTION))
        assert response.status_code == 403
        assert Criterion.objects.get(pk=criterion.pk).question == "What is your vision?"

    def test_a_frozen_criterion_is_shown_read_only_with_the_reason(self, admin_client):
        framework = used_by_opened_round(draft_framework())
        criterion = Criterion.objects.get(part__framework=framework)
        page = admin_client.get(
            reverse("admin:accreditation_criterion_change", args=[criterion.pk])
        )
        assert page.status_code == 200
        assert "used by a round that has opened" in page.text
        assert 'name="question"' not in page.text
        assert "What is your vision?" in page.text

    def test_a_frozen_frameworks_form_and_its_parts_cannot_be_posted(self, admin_client):
        framework = used_by_opened_round(draft_framework())
        response = admin_client.post(
            reverse("admin:accreditation_framework_change", args=[framework.pk]),
            {"version": framework.version, "title": "Renamed", "scale_min": 1, "scale_max": 4},
        )
        assert response.status_code == 403
        part = framework.parts.get()
        response = admin_client.post(
            reverse("admin:accreditation_part_change", args=[part.pk]),
            {"framework": framework.pk, "number": 1, "title": "Renamed"},
        )
        assert response.status_code == 403
        assert Framework.objects.get(pk=framework.pk).title == "Draft criteria"
        assert Part.objects.get(pk=part.pk).title == "Vision"

    def test_new_parts_can_only_go_into_a_framework_not_yet_frozen(self, admin_client):
        frozen = used_by_opened_round(draft_framework())
        draft = draft_framework()
        page = admin_client.get(reverse("admin:accreditation_part_add"))
        choices = page.context["adminform"].form.fields["framework"].queryset
        assert draft in choices and frozen not in choices


# --- Proposals keep their version ----------------------------------------------------------


def test_the_proposal_pdf_shows_the_version_it_was_written_against(client):
    membership = MembershipFactory()
    applicant = membership.user
    draft = services.start_proposal(
        organisation=membership.organisation,
        period=RoundFactory(),
        accreditation_type="asp",
        actor=applicant,
    )
    proposal = services.submit(complete(draft, applicant), applicant)
    later = FrameworkFactory(version=2, title="Later criteria")
    CriterionFactory(part=PartFactory(framework=later, number=1), code="1A", title="Rewritten")
    assert Framework.current() == later
    client.force_login(applicant)
    pdf = client.get(reverse("proposal-pdf", args=[proposal.pk])).content
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "1A: Vision for leading improvement" in text
    assert "Rewritten" not in text
