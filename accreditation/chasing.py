"""What the scheduler's notices share: who an organisation's contacts, the
casework officers and the decision officials are, and one chase recorded
once with its e-mails."""

from collections import defaultdict

from django.db import transaction

from accreditation import clock
from accreditation.models import Membership, User
from accreditation.queries.cases import visible_to
from accreditation.roles import Role
from accreditation.services import outbox, scheduler


def contacts_by_organisation(organisation_ids):
    """{organisation id: [contact addresses]} in one query."""
    contacts = defaultdict(list)
    rows = Membership.objects.filter(
        organisation_id__in=set(organisation_ids), is_contact=True, user__is_active=True
    ).order_by("user__email")
    for organisation_id, address in rows.values_list("organisation_id", "user__email"):
        contacts[organisation_id].append(address)
    return contacts


def people_with(role):
    return list(User.objects.filter(groups__name=role, is_active=True).order_by("email"))


def officers_who_may_see(case_id):
    """The casework officers who may see case ``case_id`` (none in conflict
    with its organisation)."""
    return [
        officer
        for officer in people_with(Role.CASEWORK_OFFICER)
        if visible_to(officer).filter(pk=case_id).exists()
    ]


def chase_once(kind, target, key, summary, messages):
    """Record the chase and queue its e-mails in one transaction; True if it
    was done now, False if it had been done before."""
    with transaction.atomic():
        record = scheduler.once(kind, target, key, summary=summary)
        if record is None:
            return False
        messages = list(messages)
        outbox.queue_many(messages)
        record.count = sum(len(message.recipients) for message in messages)
        record.save(update_fields=["count"])
    return True


def escalation_due(chased_at, working_days):
    """Whether ``working_days`` working days have passed since a chase."""
    return clock.working_days_after(clock.local_date(chased_at), working_days) <= clock.today()
