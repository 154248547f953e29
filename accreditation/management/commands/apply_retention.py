"""List, and with ``--delete`` remove, the records of closed cases that are
past their retention period (the policy's ``retention_years``, seven years
after the decision by default, or ``retention_by_record_type``).

What is removed, and why the timeline is not: the answers, the supporting
documents (rows and stored files), the answers and documents sent to
information requests, the PDFs of the letters issued, the organisation's
profile as submitted and the co-partner's contact details; beside the
cases, on the register, the text of providers' responses to notices of
revocation (the entry revoked, or removed, longer ago than the period) and
the co-partner's contact details and answers in a change of co-partner
(decided longer ago), each entry's history getting a ``records_removed``
event; and the e-mails the outbox sent (or gave up on) before the period. The case's
timeline events stay as they are: the database refuses to change or delete
them (the append-only triggers), they are the audit of who did what, and
they hold references to the records, never the records themselves. Each
case whose records are removed gets one more timeline event, the
``records_removed`` tombstone, chained after its last event like any
other, so ``verify_timeline`` passes afterwards and still finds any change
to what came before. See ``accreditation.services.retention``.

Run it again and it finds nothing more to remove: it is safe to schedule.
"""

from django.core.management.base import BaseCommand

from accreditation.services import retention


class Command(BaseCommand):
    help = "List the records past their retention period; remove them with --delete."

    def add_arguments(self, parser):
        parser.add_argument(
            "--delete",
            action="store_true",
            help="Remove the records listed and leave a tombstone on each case's timeline",
        )

    def handle(self, *args, delete=False, **options):
        due = retention.past_retention()
        entries = retention.register_past_retention()
        emails = retention.emails_past_retention().count()
        if not due and not entries and not emails:
            self.stdout.write("Nothing is past its retention period.")
            return
        if due:
            self.remove(
                due,
                delete,
                retention.CASE_RECORD_TYPES,
                lambda item: (
                    f"{item.case.reference or item.case.draft_name} "
                    f"({item.case.organisation.name}), closed {item.closed_on}"
                ),
                retention.remove,
                "case(s)",
            )
        if entries:
            self.remove(
                entries,
                delete,
                retention.REGISTER_RECORD_TYPES,
                lambda item: f"Register entry of {item.entry.name}",
                retention.remove_from_entry,
                "register entry(s)",
            )
        if emails:
            if delete:
                removed = retention.remove_emails()
                self.stdout.write(
                    self.style.SUCCESS(f"Removed {removed} email(s) from the outbox.")
                )
            else:
                self.stdout.write(
                    f"{emails} email(s) in the outbox are past retention. "
                    "Run again with --delete to remove them."
                )

    def remove(self, due, delete, record_types, describe, remove, holders):
        """List ``due`` (cases or register entries, ``holders``), each as
        ``describe`` says with its record types; with ``delete``, ``remove``
        each one's records and total them by type."""
        totals = dict.fromkeys(record_types, 0)
        for item in due:
            kinds = ", ".join(retention.RECORD_TYPES[kind].lower() for kind in item.record_types)
            line = f"{describe(item)}: {kinds}"
            if delete:
                removed = remove(item)
                for kind, count in removed.items():
                    totals[kind] += count
                line += f": removed {sum(removed.values())} record(s)"
            self.stdout.write(line)
        if delete:
            summary = ", ".join(
                f"{count} {retention.RECORD_TYPES[kind].lower()}" for kind, count in totals.items()
            )
            self.stdout.write(self.style.SUCCESS(f"Removed from {len(due)} {holders}: {summary}."))
        else:
            self.stdout.write(
                f"{len(due)} {holders} hold records past retention. "
                "Run again with --delete to remove them."
            )
