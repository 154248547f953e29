"""The criteria and guidance, published from the criteria framework itself,
as a page and as a PDF of the questions for drafting offline. Anyone may read
them: no sign-in."""

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from accreditation import clock
from accreditation.models import Criterion, Framework, Round, Sector
from accreditation.models.framework import Circumstance
from accreditation.pdf import html_to_pdf, render_html

PDF_CACHE_SECONDS = 24 * 60 * 60
SECTOR_ORDER = {value: position for position, value in enumerate(Sector.values)}


@dataclass(frozen=True)
class PublishedCriterion:
    criterion: Criterion
    notes: list
    sector_guidance: list


@dataclass(frozen=True)
class PublishedPart:
    number: int
    heading: str
    title: str
    introduction: str
    items: list


def published_framework(version=None):
    """The published framework asked for by version (404 if there is none),
    else the one applicants are answering now: that of the open round
    closing first, or, with no round open, the newest published one."""
    if version is not None:
        framework = Framework.objects.filter(version=version, published_at__isnull=False).first()
        if framework is None:
            raise Http404("No criteria framework has that version")
        return framework
    open_round = (
        Round.objects.open_at(clock.now()).select_related("framework").order_by("deadline").first()
    )
    if open_round is not None:
        return open_round.framework
    framework = Framework.current()
    if framework is None:
        raise Http404("No criteria framework has been published")
    return framework


def who_answers(criterion):
    """The criterion's applicability rules, in plain words."""
    notes = []
    if not criterion.applies_to_asg:
        notes.append("Only for proposals to become an Accredited School Provider (ASP)")
    elif not criterion.applies_to_asp:
        notes.append("Only for proposals to become an Accredited Schools Group (ASG)")
    if criterion.circumstance != Circumstance.ALWAYS:
        label = Circumstance(criterion.circumstance).label
        notes.append(f"Only for {label[0].lower()}{label[1:]}")
    if not notes:
        notes.append("For every proposal, ASP or ASG")
    if criterion.skipped_for_national_support_school:
        notes.append(
            "Not needed from a National Support School: the accreditation team confirms "
            "the status when it checks eligibility, and asks for this answer if it cannot"
        )
    if criterion.answered_per_party:
        notes.append(
            "In a consortium led by a non-educational organisation, the lead and the "
            "educational co-partner each answer"
        )
    return notes


def published_parts(framework):
    """The framework's parts and criteria, each criterion with who answers it
    and its guidance per sector (in the order the sectors are listed)."""
    parts = framework.parts.prefetch_related(
        Prefetch(
            "criteria",
            queryset=Criterion.objects.order_by("position").prefetch_related("sector_guidance"),
        )
    )
    return [
        PublishedPart(
            number=part.number,
            heading=str(part),
            title=part.title,
            introduction=part.introduction,
            items=[
                PublishedCriterion(
                    criterion=criterion,
                    notes=who_answers(criterion),
                    sector_guidance=[
                        (guidance.get_sector_display(), guidance.text)
                        for guidance in sorted(
                            criterion.sector_guidance.all(),
                            key=lambda g: SECTOR_ORDER.get(g.sector, len(SECTOR_ORDER)),
                        )
                    ],
                )
                for criterion in part.criteria.all()
            ],
        )
        for part in parts
    ]


class CriteriaView(TemplateView):
    template_name = "guidance/criteria.html"

    def get_context_data(self, **kwargs):
        framework = published_framework(self.kwargs.get("version"))
        if "version" in self.kwargs:
            pdf_url = reverse("guidance-questions-pdf-version", args=[framework.version])
        else:
            pdf_url = reverse("guidance-questions-pdf")
        return super().get_context_data(
            framework=framework,
            parts=published_parts(framework),
            other_versions=Framework.objects.filter(published_at__isnull=False)
            .exclude(pk=framework.pk)
            .order_by("-version"),
            pdf_url=pdf_url,
            **kwargs,
        )


def pdf_of(html):
    """The PDF of this HTML, rendered once and then kept for a day: the
    questions are public and change rarely, and rendering takes most of a
    second of CPU. Keyed by the HTML itself, so any change to the framework
    (or the date printed on it) renders afresh."""
    key = "guidance-pdf:" + hashlib.sha256(html.encode()).hexdigest()
    pdf = cache.get(key)
    if pdf is None:
        pdf = html_to_pdf(html)
        cache.set(key, pdf, PDF_CACHE_SECONDS)
    return pdf


class QuestionsPdfView(View):
    """The questions as a tagged PDF, to draft answers offline."""

    def get(self, request, version=None):
        framework = published_framework(version)
        html = render_html(
            "pdf/questions.html",
            {
                "framework": framework,
                "parts": published_parts(framework),
                "printed_at": clock.today(),
            },
            title=f"Accreditation questions: {framework.title} (version {framework.version})",
        )
        response = HttpResponse(pdf_of(html), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="accreditation-questions-v{framework.version}.pdf"'
        )
        return response
