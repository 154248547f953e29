"""The seeder: people, organisations and rounds by their natural keys, the
plans of each organisation's history, and the play of those plans."""

import random
from collections import Counter

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Count

from accreditation import clock, kept, worker
from accreditation.defaults import ensure_defaults
from accreditation.demo import advisory as demo_advisory
from accreditation.demo import answers as demo_answers
from accreditation.demo import assessed as demo_assessed
from accreditation.demo import assignment as demo_assignment
from accreditation.demo import closing as demo_closing
from accreditation.demo import co_partners as demo_co_partners
from accreditation.demo import concerns as demo_concerns
from accreditation.demo import documents as demo_documents
from accreditation.demo import letters as demo_letters
from accreditation.demo import out_of_round as demo_out_of_round
from accreditation.demo import register as demo_register
from accreditation.demo import requests as demo_requests
from accreditation.demo import rounds as demo_rounds
from accreditation.demo import scoring as demo_scoring
from accreditation.demo import screening as demo_screening
from accreditation.demo.histories import build_steps
from accreditation.demo.moves import Plan, Player, References, proposal_model
from accreditation.demo.organisations import FEATURED, generated_specs
from accreditation.demo.people import DEMO_USERS, PASSWORD
from accreditation.demo.scale import scale
from accreditation.demo.timing import schedule, utc
from accreditation.models import (
    CaseEvent,
    Framework,
    LocalAuthority,
    Membership,
    Organisation,
    Round,
    User,
    Window,
)
from accreditation.roles import Role
from accreditation.workflow import Status


class Seeder:
    def __init__(self, now=None):
        self.now = now or clock.now()
        self.Proposal = proposal_model()
        self.password_hash = make_password(PASSWORD)
        self.references = References(self.Proposal)
        self.created = Counter()

    def user(self, spec):
        user = User.objects.filter(email__iexact=spec.email).first()
        if user is None:
            user = User.objects.create_user(
                email=spec.email, password=None, full_name=spec.full_name
            )
            user.password = self.password_hash
            user.save(update_fields=["password"])
            self.created["users"] += 1
        groups = [self.groups[Role(role).value] for role in spec.roles]
        user.groups.add(*groups)
        return user

    def organisation(self, spec):
        organisation = Organisation.objects.filter(name=spec.name).first()
        if organisation is None:
            organisation = Organisation.objects.create(
                name=spec.name,
                kind=spec.kind,
                urn=spec.urn,
                ukprn=spec.ukprn,
                local_authority=self.las[spec.la_code],
                phase=spec.phase,
                claims_national_support_school=spec.nss,
                faith_designation=spec.faith,
                address=spec.address,
                schools_led_count=spec.led,
                primary_governance_count=spec.governance,
            )
            self.created["organisations"] += 1
        for email, is_contact in spec.members:
            Membership.objects.get_or_create(
                user=self.users[email],
                organisation=organisation,
                defaults={"is_contact": is_contact},
            )
        return organisation

    def plans_for(self, organisation, spec, contact, rounds, seed):
        """Plans for an organisation's history, unless it has cases already."""
        if self.Proposal.objects.filter(organisation=organisation).exists():
            return []
        rng = random.Random(seed)
        plans = []
        for back, acc_type, outcome in spec.history:
            if back == "window":
                period = demo_rounds.window(
                    organisation, self.now, self.users["caseworker@example.org"]
                )
            else:
                period = rounds[back]
            steps = build_steps(outcome, acc_type, rng, claims_nss=spec.nss)
            when = schedule(period, steps, outcome, rng, self.now)
            if when is None:
                continue
            when = utc(when[0]), [utc(t) for t in when[1]]
            assessors = tuple(rng.sample(self.assessors, 2))
            plans.append(
                Plan(organisation, period, acc_type, outcome, steps, *when, contact, assessors)
            )
        return plans

    def run(self, scale_units=1):
        ensure_defaults()
        self.groups = {g.name: g for g in Group.objects.filter(name__in=[r.value for r in Role])}
        framework = Framework.objects.get(version=1)
        self.la_list = list(LocalAuthority.objects.order_by("code"))
        self.las = {la.code: la for la in self.la_list}
        with transaction.atomic():
            self.users = {spec.email: self.user(spec) for spec in DEMO_USERS}
            self.assessors = [
                self.users["assessor@example.org"],
                self.users["assessor2@example.org"],
            ]
            rounds = demo_rounds.rounds(framework, self.now, self.created)
            plans, featured = [], []
            for spec in FEATURED:
                organisation = self.organisation(spec)
                featured.append(organisation)
                contact = self.users[next(email for email, contact in spec.members if contact)]
                plans += self.plans_for(organisation, spec, contact, rounds, f"demo-{spec.name}")
            for spec, person in generated_specs(self.la_list):
                self.users[person.email] = self.user(person)
                organisation = self.organisation(spec)
                plans += self.plans_for(
                    organisation, spec, self.users[person.email], rounds, f"demo-{spec.name}"
                )
            Player(self).play(plans)
            demo_rounds.cancelled_round(
                framework, rounds, self.users["caseworker@example.org"], self.now, self.created
            )
            demo_screening.seed(self, rounds)
            demo_answers.fill(self)
            demo_assignment.assign(self.users["caseworker@example.org"])
            self.references.save()
            demo_scoring.play(self)
            demo_assessed.backfill(self)
            demo_letters.record(self)
            demo_register.seed(self)
            demo_co_partners.seed(self)
        if scale_units > 1:
            with transaction.atomic():
                scale(self, scale_units - 1, rounds)
                demo_answers.fill(self)
                demo_assessed.backfill(self)
                demo_letters.record(self, scale=True)
                self.references.save()
        demo_requests.add(self.now)
        demo_advisory.seed(self.now)
        demo_rounds.close_past_meetings(self.now)
        with transaction.atomic():
            demo_concerns.seed(self)
        demo_documents.seed(self, featured)
        self.created["out-of-round windows closing soon"] += len(
            demo_closing.closing_windows(rounds[0].framework, self.users["caseworker@example.org"])
        )
        # After the closing windows, which are granted only where no window is
        # yet but the featured histories' own.
        with transaction.atomic():
            demo_out_of_round.seed(self)
        return rounds


def seed(scale=1, now=None):
    """Build (or top up) the demo data set. Returns what was created."""
    seeder = Seeder(now=now)
    try:
        # Its letters are recorded as history (``letters``) and its e-mails
        # wait for the sweeper: the worker is asked for nothing.
        with worker.not_asked():
            seeder.run(scale_units=scale)
    finally:
        kept.all_changed()  # it writes much in bulk, which sends no signal
    return seeder.created


def summary():
    """Counts for the closing report: organisations, and cases by status."""
    Proposal = proposal_model()
    by_status = dict(
        Proposal.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    return {
        "organisations": Organisation.objects.count(),
        "cases": sum(by_status.values()),
        "by_status": [(status, by_status.get(status.value, 0)) for status in Status],
        "rounds": list(Round.objects.order_by("opens_at")),
        "closing_windows": list(
            Window.objects.filter(deadline__gt=clock.now(), proposals__status=Status.DRAFT)
            .distinct()
            .select_related("organisation")
            .order_by("deadline", "organisation__name")
        ),
        "events": CaseEvent.objects.count(),
    }
