"""What the round pages read: each round with how many drafts and
submissions it holds, in one query."""

import django_filters
from django.db.models import Count, Q

from accreditation import clock
from accreditation.models import Round
from accreditation.workflow import Status


def _counted(queryset):
    return queryset.annotate(
        drafts=Count("proposals", filter=Q(proposals__status=Status.DRAFT)),
        submitted=Count("proposals", filter=Q(proposals__submitted_at__isnull=False)),
    )


def listing():
    """Every round, the latest first, with its counts."""
    return _counted(Round.objects.all()).order_by("-opens_at", "-pk")


def counts(round_):
    """{drafts, submitted} of one round."""
    return _counted(Round.objects.filter(pk=round_.pk)).values("drafts", "submitted").get()


def open_rounds_besides(round_, when=None):
    """The rounds open now that drafts could move to."""
    return Round.objects.open_at(when or clock.now()).exclude(pk=round_.pk).order_by("deadline")


class RoundChoiceField(django_filters.fields.ModelChoiceField):
    """A list filter's rounds, a cancelled one named so: several rounds may
    share a term and year once one is cancelled and set up again."""

    def label_from_instance(self, obj):
        return f"{obj} (cancelled)" if obj.cancelled_at else str(obj)


class RoundFilter(django_filters.ModelChoiceFilter):
    field_class = RoundChoiceField
