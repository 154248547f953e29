"""Check every case's timeline: sequence, chain and hashes; that each case's
chain head is its last event and its status the one its timeline last moved
it to; that every daily anchor's MAC verifies; and that each event the newest
anchor recorded still has the anchored hash. Exits non-zero and names each
break if any row has been changed, removed or reordered, even when the chain
was recomputed to link up again."""

from itertools import chain

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accreditation import timeline
from accreditation.models import CaseEvent, TimelineAnchor


class Command(BaseCommand):
    help = "Verify the hash chain of every case timeline against its head and the anchors."

    def add_arguments(self, parser):
        parser.add_argument("--case", type=int, help="Check one case only (its id)")

    def handle(self, *args, case=None, **options):
        events = CaseEvent.objects.order_by("case_id", "sequence")
        cases = timeline.case_model().objects.order_by("pk")
        if case is not None:
            events = events.filter(case_id=case)
            cases = cases.filter(pk=case)
        checked = 0
        breaks = []

        def counted(rows):
            nonlocal checked
            for row in rows:
                checked += 1
                yield row

        anchor_breaks, anchor = self.anchors()
        anchored = anchor.case_heads() if anchor else {}
        if case is not None:
            anchored = {pk: head for pk, head in anchored.items() if pk == case}
        problems = chain(
            anchor_breaks,
            timeline.verify(
                counted(events.iterator(chunk_size=2000)),
                anchored=anchored,
                anchored_on=anchor and anchor.date,
            ),
            timeline.case_mismatches(cases),
        )
        for problem in problems:
            breaks.append(problem)
            self.stderr.write(f"BREAK {problem}")
        if anchor:
            self.stdout.write(
                f"Checked against the anchor of {anchor.date}: {len(anchored)} case(s)."
            )
        if breaks:
            shown = "; ".join(str(problem) for problem in breaks[:20])
            more = f"; and {len(breaks) - 20} more" if len(breaks) > 20 else ""
            raise CommandError(f"{len(breaks)} break(s) in {checked} events: {shown}{more}.")
        self.stdout.write(self.style.SUCCESS(f"Timeline intact: {checked} events checked."))

    def anchors(self):
        """The anchors' breaks and the newest anchor whose MAC verifies."""
        if not settings.TIMELINE_ANCHOR_KEY:
            self.stderr.write(
                "WARNING TIMELINE_ANCHOR_KEY is not set: the anchors were not checked, "
                "so a rewritten chain that was recomputed would not be found."
            )
            return [], None
        anchors = TimelineAnchor.objects.order_by("date")
        breaks, newest = timeline.check_anchors(anchors.iterator(chunk_size=10))
        if newest is None and not breaks:
            self.stdout.write("No anchor to check against yet (one is taken each day).")
        return breaks, newest
