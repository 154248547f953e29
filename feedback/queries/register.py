"""The letters register's rows: every issued letter of the cases a staff
member may see, in one query per page (the PDF itself is never read)."""

from accreditation.queries.cases import visible_to
from feedback.models import Letter


def issued_letters(user):
    return (
        Letter.objects.filter(issued_at__isnull=False, case__in=visible_to(user))
        .select_related("case__organisation", "case__round", "case__window", "signatory")
        .defer("pdf")
        .order_by("-issued_at", "-pk")
    )
