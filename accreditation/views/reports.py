"""Round reports for casework officers: the rounds, one round's figures as
charts with tables of the same figures, and every figure as CSV."""

import csv
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect, StreamingHttpResponse
from django.template.defaultfilters import pluralize
from django.template.loader import render_to_string
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import ListView, TemplateView

from accreditation import charts, clock
from accreditation.access import StaffAreaMixin
from accreditation.models import Round
from accreditation.paging import NearestPageMixin, nearest_page
from accreditation.queries.reports import RoundReport, figures, round_report
from register.views.public import Echo, neutralise


class ReportRoundsView(StaffAreaMixin, NearestPageMixin, ListView):
    act_permission = "accreditation.view_reports"
    template_name = "staff/reports/rounds.html"
    context_object_name = "rounds"
    paginate_by = 20

    def get_queryset(self):
        return Round.objects.annotate(
            case_count=Count("proposals", filter=Q(proposals__submitted_at__isnull=False))
        ).order_by("-opens_at", "-pk")


class RoundReportMixin(StaffAreaMixin):
    act_permission = "accreditation.view_reports"

    @cached_property
    def round(self):
        period = Round.objects.select_related("framework").filter(pk=self.kwargs["pk"]).first()
        if period is None:
            raise Http404("No such round")
        return period

    def kept_key(self):
        return f"round-report:{self.round.pk}:{clock.today().isoformat()}"

    @cached_property
    def kept(self):
        """The round's report as worked out at most ``REPORT_FIGURES_SECONDS``
        ago (and on this day, since lateness counts from today), kept with
        its stamp."""
        kept = cache.get(self.kept_key())
        if kept is None:
            kept = KeptReport(clock.now(), round_report(self.round))
            cache.set_many(
                {self.kept_key(): kept, f"{self.kept_key()}:stamp": kept.stamp()},
                settings.REPORT_FIGURES_SECONDS,
            )
        return kept

    @cached_property
    def stamp(self):
        """When the kept figures were worked out and how many assessors they
        cover, read without the figures themselves. Written only with the
        figures: a request that read figures a moment before someone asked
        for them to be worked out again cannot put their stamp back."""
        stamp = cache.get(f"{self.kept_key()}:stamp")
        return stamp if stamp is not None else self.kept.stamp()

    def shown(self, part, render):
        """(stamp, what a page shows of the kept figures): ``render(kept,
        stamp)`` is called once each time the figures are worked out, and
        what it returns kept as long as they are, under the figures' time
        and ``part(stamp)``. A request reads that one value, not the
        figures, which are many objects to unpickle."""
        stamp = self.stamp
        shown = cache.get(self.shown_key(stamp, part))
        if shown is None:
            kept = self.kept
            stamp = kept.stamp()  # they may have been worked out again since
            shown = render(kept, stamp)
            cache.set(self.shown_key(stamp, part), shown, time_left(stamp.at))
        return stamp, shown

    def shown_key(self, stamp, part):
        return f"{self.kept_key()}:{stamp.at.timestamp()}:{part(stamp)}"

    def forget(self):
        """Drop the kept figures and their stamp, so the next request works
        them out again (what was shown of them is keyed by their time, and
        no longer read)."""
        cache.delete_many([self.kept_key(), f"{self.kept_key()}:stamp"])


def time_left(at):
    """The seconds figures worked out ``at`` are still kept (and so what is
    shown of them)."""
    return max(1, int(settings.REPORT_FIGURES_SECONDS - (clock.now() - at).total_seconds()))


@dataclass
class Stamp:
    at: datetime
    assessors: int


@dataclass
class KeptReport:
    at: datetime
    report: RoundReport

    def stamp(self):
        return Stamp(self.at, len(self.report.calibration.each))


class RoundReportView(RoundReportMixin, TemplateView):
    """The report; its figures' part (hundreds of table rows and six charts)
    is rendered once each time they are worked out and kept as long as they
    are. POST: work the figures out again now."""

    template_name = "staff/reports/round.html"

    def get_context_data(self, **kwargs):
        stamp, shown = self.shown(
            lambda stamp: "report",
            lambda kept, stamp: ShownReport(kept.report.by_type.total, figures_html(kept.report)),
        )
        return super().get_context_data(
            period=self.round,
            at=stamp.at,
            shown=shown,
            kept_for=kept_for(settings.REPORT_FIGURES_SECONDS),
            **kwargs,
        )

    def post(self, request, pk):
        self.forget()
        return HttpResponseRedirect(request.path)


@dataclass
class ShownReport:
    cases: int
    html: str


def figures_html(report):
    return render_to_string(
        "staff/reports/_figures.html",
        {
            "report": report,
            "charts": report_charts(report),
            "breakdowns": [
                ("Cases by type", report.by_type),
                ("Cases by kind of organisation", report.by_kind),
            ],
            "calibration_everyone": report.calibration.everyone(),
        },
    )


def kept_for(seconds):
    """``REPORT_FIGURES_SECONDS`` in words: "5 minutes", "30 seconds"."""
    if seconds >= 60 and seconds % 60 == 0:
        minutes = seconds // 60
        return f"{minutes} minute{pluralize(minutes)}"
    return f"{seconds} second{pluralize(seconds)}"


class CalibrationView(RoundReportMixin, TemplateView):
    """Each assessor's scores per criterion beside everyone's, a page of
    assessors at a time: a round has hundreds of assessor-criterion pairs,
    too many for the report's own page. Each page's tables are kept under
    the page a number resolves to, so an address with any number reads a
    kept page."""

    template_name = "staff/reports/calibration.html"
    assessors_per_page = 10

    def get_context_data(self, **kwargs):
        stamp, tables = self.shown(
            lambda stamp: f"each:{self.page_of(stamp).number}", self.render_tables
        )
        page = self.page_of(stamp)
        return super().get_context_data(
            period=self.round,
            at=stamp.at,
            tables=tables,
            page_obj=page,
            paginator=page.paginator,
            is_paginated=page.has_other_pages(),
            **kwargs,
        )

    def page_of(self, stamp):
        """The page of assessors asked for, or the nearest there is."""
        assessors = Paginator(range(stamp.assessors), self.assessors_per_page)
        return nearest_page(assessors, self.request.GET.get("page"))

    def render_tables(self, kept, stamp):
        calibration = kept.report.calibration
        shown = self.page_of(stamp).object_list  # a range of positions in ``each``
        return render_to_string(
            "staff/reports/_each_assessor.html",
            {
                "calibration": calibration,
                "assessors": calibration.by_assessor(calibration.each[shown.start : shown.stop]),
            },
        )


def report_charts(report):
    """The report's charts; each has its table on the page."""
    outcome_labels = dict(report.outcomes)
    calibration = report.calibration
    return {
        "outcomes": charts.bar_chart(
            "outcomes-chart",
            "Cases by outcome",
            "Bar chart of the number of the round’s cases with each outcome. "
            "The tables beside it give the same figures by type and by kind of organisation.",
            [(outcome_labels[key], report.by_type.totals.get(key, 0)) for key in outcome_labels],
        ),
        "stages": charts.bar_chart(
            "stages-chart",
            "Median days in each stage",
            "Bar chart of the median number of days cases spent in each stage before moving "
            "on. The table beside it also gives the 90th percentile.",
            [(stage.label, stage.median_days) for stage in report.stages],
            unit=" days",
        ),
        "lateness": charts.bar_chart(
            "lateness-chart",
            "Cases past the target dates",
            "Bar chart of the number of cases not assessed or decided by the round’s target "
            "dates, now and at the time. The table beside it gives the same figures.",
            report.lateness.rows,
        ),
        "workload": charts.bar_chart(
            "workload-chart",
            "Cases per assessor",
            "Bar chart of each assessor’s current cases in the round, first and second "
            "assessments together. The table beside it breaks them down.",
            [(row.name, row.total) for row in report.workload],
        ),
        "calibration": charts.bar_chart(
            "calibration-chart",
            "Each assessor’s scores against everyone’s",
            "Bar chart of how far each assessor’s mean score is above (positive) or below "
            "(negative) everyone’s mean on the same criteria. The table beside it gives each "
            "criterion’s distribution.",
            [(name, difference) for name, _n, difference in calibration.assessors],
        ),
        "agreement": charts.bar_chart(
            "agreement-chart",
            "First and second assessors giving the same score",
            "Bar chart of the percentage of criteria, by criterion, on which the first and "
            "second assessors gave the same score. The table beside it gives the counts.",
            [(row.code, row.percent(row.exact)) for row in report.agreement],
            unit="%",
        ),
    }


class RoundReportCsvView(RoundReportMixin, View):
    """Every figure of the report, one a row."""

    def get(self, request, pk):
        report = self.kept.report
        writer = csv.writer(Echo())

        def rows():
            yield writer.writerow(["Section", "Group", "Measure", "Value"])
            for section, group, measure, value in figures(report):
                yield writer.writerow(
                    [neutralise(section), neutralise(group), neutralise(measure), value]
                )

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        name = f"round-report-{self.round.get_term_display().lower()}-{self.round.year}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
