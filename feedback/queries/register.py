"""The letters register's rows: every issued letter of the cases a staff
member may see, in one query per page (the PDF itself is never read)."""

from accreditation.queries.cases import sees_every_submitted_case, visible_to
from accreditation.queries.conflicts import without_conflicts
from feedback.models import Letter

ROW_COLUMNS = (
    "case_id",
    "purpose",
    "issued_at",
    "sha256",
    "case__reference",
    "case__accreditation_type",
    "case__organisation__name",
    "case__organisation__kind",
    "case__round__term",
    "case__round__year",
    "case__window__deadline",
    "case__window__organisation__name",
)
"""What a row of the letters register shows (its case's round or window by
name): read alone, the rows leave the cases' and organisations' other
columns (a submitted case's profile, say) in the database."""


def issued_letters(user):
    """Every letter issued for a case ``user`` may see, newest first, with
    what a row shows. A letter is only ever issued for a submitted case, so
    for someone who sees every submitted case only their conflicts are left
    out: counting the letters through the cases they may see hashed every
    submitted case (10 ms of 11 at 25,000 cases)."""
    letters = (
        Letter.objects.filter(issued_at__isnull=False)
        .select_related("case__organisation", "case__round", "case__window__organisation")
        .only(*ROW_COLUMNS)
        .order_by("-issued_at", "-pk")
    )
    if sees_every_submitted_case(user):
        return without_conflicts(letters, user, prefix="case__organisation")
    return letters.filter(case__in=visible_to(user))
