"""Check every case's timeline: sequence, chain and hashes, and that each
case's status is the one its timeline last moved it to. Exits non-zero and
names each break if any row has been changed, removed or reordered."""

from itertools import chain

from django.core.management.base import BaseCommand, CommandError

from accreditation import timeline
from accreditation.models import CaseEvent


class Command(BaseCommand):
    help = "Verify the hash chain of every case timeline."

    def add_arguments(self, parser):
        parser.add_argument("--case", type=int, help="Check one case only (its id)")

    def handle(self, *args, case=None, **options):
        events = CaseEvent.objects.order_by("case_id", "sequence")
        if case is not None:
            events = events.filter(case_id=case)
        checked = 0
        breaks = []

        def counted(rows):
            nonlocal checked
            for row in rows:
                checked += 1
                yield row

        # The case model is the timeline's foreign key: the spine imports no app.
        cases = CaseEvent._meta.get_field("case").related_model.objects.order_by("pk")
        if case is not None:
            cases = cases.filter(pk=case)
        problems = chain(
            timeline.verify(counted(events.iterator(chunk_size=2000))),
            timeline.status_mismatches(cases),
        )
        for problem in problems:
            breaks.append(problem)
            self.stderr.write(f"BREAK {problem}")
        if breaks:
            shown = "; ".join(str(problem) for problem in breaks[:20])
            more = f"; and {len(breaks) - 20} more" if len(breaks) > 20 else ""
            raise CommandError(f"{len(breaks)} break(s) in {checked} events: {shown}{more}.")
        self.stdout.write(self.style.SUCCESS(f"Timeline intact: {checked} events checked."))
