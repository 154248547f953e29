"""factory_boy factories for every model."""

import csv
import datetime
import hashlib
from datetime import timedelta

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from accreditation import models as m
from accreditation.defaults import LOCAL_AUTHORITIES_CSV
from accreditation.models.organisations import hash_token
from accreditation.roles import Role
from accreditation.workflow import Status
from advisory_group.models import AgendaItem, ItemPurpose, Meeting
from assessments.models import Assignment, AssignmentKind, Conflict
from feedback.models import Letter, LetterPurpose
from proposals.models import (
    Answer,
    CoPartner,
    Evidence,
    OutOfRoundRequest,
    PartnershipKind,
    Party,
    Proposal,
    ReferenceCounter,
    Route,
    SchoolLed,
    Urgency,
)
from register.models import RegisterEntry

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(
                *[Group.objects.get_or_create(name=Role(r).value)[0] for r in extracted]
            )
        if create:
            self.save()


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Region
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Region {n}")


def _free_codes():
    """Codes from 100 to 989 that no real local authority has: the defaults
    load every real one, and an authority made by the factory with a name
    must not be a real one found by its code (Lambeth for "Rowshire")."""
    with LOCAL_AUTHORITIES_CSV.open(newline="") as handle:
        real = {row["code"] for row in csv.DictReader(handle)}
    return [code for code in (f"{n:03d}" for n in range(100, 990)) if code not in real]


FREE_CODES = _free_codes()


class LocalAuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.LocalAuthority
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: FREE_CODES[n % len(FREE_CODES)])
    name = factory.LazyAttribute(lambda o: f"Authority {o.code}")
    region = factory.SubFactory(RegionFactory)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = m.OrganisationKind.MAINTAINED_PRIMARY
    urn = factory.Sequence(lambda n: f"{100000 + n:06d}")
    local_authority = factory.LazyFunction(lambda: m.LocalAuthority.objects.order_by("?").first())
    phase = m.Phase.PRIMARY

    class Params:
        non_educational = factory.Trait(
            kind=m.OrganisationKind.PRIVATE_OR_THIRD_SECTOR, urn="", phase=m.Phase.NOT_APPLICABLE
        )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Membership

    user = factory.SubFactory(UserFactory, roles=[Role.APPLICANT])
    organisation = factory.SubFactory(OrganisationFactory)
    is_contact = True


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Invitation
        exclude = ("token",)

    token = factory.Sequence(lambda n: f"token-{n}")
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    full_name = "Invited Person"
    roles = factory.LazyFunction(lambda: [Role.ASSESSOR.value])
    token_hash = factory.LazyAttribute(lambda o: hash_token(o.token))
    invited_by = factory.SubFactory(UserFactory, roles=[Role.ADMINISTRATOR])
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


class FrameworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Framework

    version = factory.Sequence(lambda n: n + 100)
    title = factory.Sequence(lambda n: f"Test framework {n}")
    published_at = factory.LazyFunction(timezone.now)


class PartFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Part

    framework = factory.SubFactory(FrameworkFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = "Part"


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Criterion

    part = factory.SubFactory(PartFactory)
    code = factory.Sequence(lambda n: f"{n % 9 + 1}{chr(65 + n % 26)}")
    title = "A criterion"
    question = "Answer the question."
    word_limit = 500
    position = factory.Sequence(lambda n: n)


class CriterionGuidanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.CriterionGuidance

    criterion = factory.SubFactory(CriterionFactory)
    sector = m.Sector.SCHOOLS
    text = "Examples of evidence."


def default_framework():
    return m.Framework.objects.get(version=1)


class RoundFactory(factory.django.DjangoModelFactory):
    """A round open now, closing in two weeks."""

    class Meta:
        model = m.Round

    term = factory.Iterator([m.Term.AUTUMN, m.Term.SPRING, m.Term.SUMMER])
    year = factory.Sequence(lambda n: 2100 + n)
    framework = factory.LazyFunction(default_framework)
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=30))
    deadline = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))
    assessment_due = factory.LazyAttribute(lambda o: (o.deadline + timedelta(days=42)).date())
    advisory_group_meeting = factory.LazyAttribute(lambda o: o.assessment_due + timedelta(days=14))
    decision_target = factory.LazyAttribute(lambda o: o.advisory_group_meeting + timedelta(days=14))


class WindowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Window

    organisation = factory.SubFactory(OrganisationFactory)
    framework = factory.LazyFunction(default_framework)
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    deadline = factory.LazyFunction(lambda: timezone.now() + timedelta(days=28))
    granted_by = factory.SubFactory(UserFactory, roles=[Role.CASEWORK_OFFICER])


class ProposalFactory(factory.django.DjangoModelFactory):
    """A draft; pass ``status`` for another status, and the draft is walked
    there through the workflow (``tests.casework.walk_to``), so it has the
    timeline, reference and people that lead there."""

    class Meta:
        model = Proposal
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    round = factory.SubFactory(RoundFactory)
    framework = factory.LazyAttribute(
        lambda o: o.round.framework if o.round else o.window.framework
    )
    accreditation_type = m.AccreditationType.ASP
    created_by = factory.SubFactory(UserFactory, roles=[Role.APPLICANT])

    @factory.post_generation
    def status(self, create, extracted, **kwargs):
        if extracted is not None:
            from tests.casework import walk_to  # it makes people with these factories

            walk_to(self, extracted, **kwargs)


class CaseEventFactory(factory.django.DjangoModelFactory):
    """Appends through the timeline service so the chain stays valid."""

    class Meta:
        model = m.CaseEvent

    case = factory.SubFactory(ProposalFactory)
    action = "note"
    actor = None

    @classmethod
    def _create(cls, model_class, case, action, actor=None, **kwargs):
        from accreditation import timeline

        return timeline.record(case, action, actor, details=kwargs.get("details"))


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Answer

    proposal = factory.SubFactory(ProposalFactory)
    criterion = factory.LazyAttribute(
        lambda o: (
            m.Criterion.objects.filter(part__framework=o.proposal.framework)
            .order_by("part__number", "position")
            .first()
        )
    )
    party = Party.LEAD
    text = "Our evidence."
    updated_by = factory.LazyAttribute(lambda o: o.proposal.created_by)


class SchoolLedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolLed

    proposal = factory.SubFactory(ProposalFactory)
    name = factory.Sequence(lambda n: f"Led School {n}")
    urn = factory.Sequence(lambda n: f"{300000 + n:06d}")
    local_authority = factory.LazyFunction(
        lambda: m.LocalAuthority.objects.order_by("code").first()
    )
    partnership = PartnershipKind.FEDERATION
    since = datetime.date(2022, 9, 1)


class CoPartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoPartner

    proposal = factory.SubFactory(
        ProposalFactory, organisation__non_educational=True, route=Route.CONSORTIUM_LEAD
    )
    name = "Partner Academy Trust"
    kind = m.OrganisationKind.ACADEMY_TRUST
    local_authority = factory.LazyFunction(
        lambda: m.LocalAuthority.objects.order_by("code").first()
    )
    contact_name = "Pat Partner"
    contact_email = "pat@example.org"
    role_in_partnership = "Leads school improvement."


class EvidenceFactory(factory.django.DjangoModelFactory):
    """A small PDF stored under MEDIA_ROOT."""

    class Meta:
        model = Evidence

    proposal = factory.SubFactory(ProposalFactory)
    file = factory.django.FileField(filename="evidence.pdf", data=b"%PDF-1.4\n%%EOF\n")
    original_name = "evidence.pdf"
    content_type = "application/pdf"
    size = 15
    sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(b"%PDF-1.4\n%%EOF\n").hexdigest())
    uploaded_by = factory.LazyAttribute(lambda o: o.proposal.created_by)


class ReferenceCounterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReferenceCounter
        django_get_or_create = ("accreditation_type", "year")

    accreditation_type = m.AccreditationType.ASP
    year = 2099


class OutOfRoundRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutOfRoundRequest

    organisation = factory.SubFactory(OrganisationFactory)
    local_authority = factory.LazyAttribute(lambda o: o.organisation.local_authority)
    school_name = "Riverside Primary"
    urgency = Urgency.THIS_TERM
    reason = "The local authority wants us to lead a federation now."
    requested_by = factory.SubFactory(UserFactory, roles=[Role.APPLICANT])


class ConflictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conflict

    user = factory.SubFactory(UserFactory, roles=[Role.ASSESSOR])
    organisation = factory.SubFactory(OrganisationFactory)
    local_authority = None
    reason = "I was a governor of one of its schools until last year."


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    case = factory.SubFactory(ProposalFactory, status=Status.IN_ASSESSMENT)
    assessor = factory.SubFactory(UserFactory, roles=[Role.ASSESSOR])
    kind = AssignmentKind.FIRST


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting
        skip_postgeneration_save = True

    held_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))
    chair = factory.SubFactory(UserFactory, roles=[Role.ADVISORY_GROUP_MEMBER])

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if create and extracted:
            self.members.add(*extracted)


class AgendaItemFactory(factory.django.DjangoModelFactory):
    """An item on a meeting's agenda; the one the service put there already
    when the case arrived while the meeting was the next to be held."""

    class Meta:
        model = AgendaItem
        django_get_or_create = ("meeting", "case", "purpose")

    meeting = factory.SubFactory(MeetingFactory)
    case = factory.SubFactory(
        ProposalFactory, status=Status.ADVISORY_REVIEW, accreditation_type=m.AccreditationType.ASG
    )
    purpose = ItemPurpose.ADVICE


class LetterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Letter

    case = factory.SubFactory(ProposalFactory, status=Status.NOT_ACCREDITED)
    purpose = LetterPurpose.FEEDBACK


class RegisterEntryFactory(factory.django.DjangoModelFactory):
    """A current entry on the register, made directly (the service makes one
    when a case is accredited: tests of that walk a case there)."""

    class Meta:
        model = RegisterEntry
        skip_postgeneration_save = True

    case = factory.SubFactory(ProposalFactory)
    organisation = factory.LazyAttribute(lambda o: o.case.organisation)
    accreditation_type = factory.LazyAttribute(lambda o: o.case.accreditation_type)
    name = factory.LazyAttribute(lambda o: o.organisation.name)
    kind = factory.LazyAttribute(lambda o: o.organisation.kind)
    phase = factory.LazyAttribute(lambda o: o.organisation.phase)
    faith_designation = factory.LazyAttribute(lambda o: o.organisation.faith_designation)
    local_authority = factory.LazyAttribute(lambda o: o.organisation.local_authority)
    region = factory.LazyAttribute(lambda o: o.organisation.local_authority.region)
    leads_majority_trust = True
    contact_email = factory.Sequence(lambda n: f"contact{n}@example.org")
    accredited_since = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def works_in(self, create, extracted, **kwargs):
        self.works_in.set(extracted or [self.local_authority])
