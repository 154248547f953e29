"""Building proposals through the services, as an applicant would."""

from datetime import date

from accreditation.models import LocalAuthority
from proposals.models import PartnershipKind
from proposals.queries.journey import Journey, can_lead_federation
from proposals.services import applicant as services
from tests.factories import MembershipFactory


def non_educational_draft(applicant, period, route):
    """A draft of a new non-educational organisation, on ``route`` (in its
    own right, or leading a consortium), leading majority trusts only."""
    proposal = start_for(applicant, period, non_educational=True)
    services.set_type_and_models(
        proposal, route=route, majority_trust=True, federation=False, actor=applicant
    )
    return proposal


def start_for(applicant, period, accreditation_type="asp", **organisation):
    """A draft for a new organisation (built with these fields) that the
    applicant belongs to."""
    membership = MembershipFactory(
        user=applicant, **{f"organisation__{name}": value for name, value in organisation.items()}
    )
    return services.start_proposal(
        organisation=membership.organisation,
        period=period,
        accreditation_type=accreditation_type,
        actor=applicant,
    )


def answer_everything(proposal, actor, text="We have a strong record."):
    journey = Journey.load(proposal)
    for question in journey.questions:
        services.save_answer(
            proposal,
            criterion=question.criterion,
            party=question.party,
            text=text,
            version=0,
            actor=actor,
        )


def add_schools(proposal, count):
    authority = LocalAuthority.objects.order_by("code").first()
    for n in range(count):
        services.add_school(
            proposal,
            actor=proposal.created_by,
            name=f"School {n}",
            urn=f"{200000 + n:06d}",
            local_authority=authority,
            partnership=PartnershipKind.FEDERATION
            if can_lead_federation(proposal.organisation)
            else PartnershipKind.MAJORITY_TRUST,
            since=date(2022, 9, 1),
        )


def complete(proposal, actor, *, schools=0, route="", text="We have a strong record."):
    """Fill in every required part of a draft so it can be submitted."""
    organisation = proposal.organisation
    if not organisation.address:
        organisation.address = "1 High Street, Anytown"
        organisation.save()
    services.set_type_and_models(
        proposal, route=route, majority_trust=True, federation=False, actor=actor
    )
    proposal.refresh_from_db()
    if proposal.has_co_partner_route:
        services.save_co_partner(
            proposal,
            actor=actor,
            name="Partner Academy Trust",
            kind="academy_trust",
            identifier="",
            local_authority=LocalAuthority.objects.order_by("code").first(),
            contact_name="Pat Partner",
            contact_email="pat@example.org",
            role_in_partnership="Leads the school improvement work.",
        )
    add_schools(proposal, schools)
    if Journey.load(proposal).is_diocese:
        services.save_new_provision(proposal, seeks=False, statement="", actor=actor)
    answer_everything(proposal, actor, text)
    services.declare(proposal, actor)
    proposal.refresh_from_db()
    return proposal
