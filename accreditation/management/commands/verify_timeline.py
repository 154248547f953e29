"""Check every case's timeline: sequence, chain and hashes. Exits non-zero
and names each break if any row has been changed, removed or reordered."""

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

        for problem in timeline.verify(counted(events.iterator(chunk_size=2000))):
            breaks.append(problem)
            self.stderr.write(f"BREAK {problem}")
        if breaks:
            shown = "; ".join(str(problem) for problem in breaks[:20])
            more = f"; and {len(breaks) - 20} more" if len(breaks) > 20 else ""
            raise CommandError(f"{len(breaks)} break(s) in {checked} events: {shown}{more}.")
        self.stdout.write(self.style.SUCCESS(f"Timeline intact: {checked} events checked."))
