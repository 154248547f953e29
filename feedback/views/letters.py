"""Letters: the applicant's and staff's downloads of an issued letter, the
preview before issue, the letters register and the public check."""

import django_filters
from django.apps import apps
from django.http import Http404, HttpResponse
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from accreditation.access import StaffAreaMixin
from accreditation.models import OrganisationKind, Round
from accreditation.models.rounds import AccreditationType
from accreditation.paging import NearestPageMixin
from accreditation.queries.rounds import RoundFilter
from feedback.forms.letters import CheckLetterForm
from feedback.models import Letter, LetterPurpose
from feedback.queries.letters import decision_round
from feedback.queries.register import issued_letters
from feedback.services import letters
from proposals.views.access import ProposalMixin


def pdf_response(data, filename, *, attachment=True):
    if not data:
        # An issued letter whose PDF was removed at the end of its retention
        # period (``manage.py apply_retention``); its SHA-256 stays.
        raise Http404("This letter is no longer held")
    response = HttpResponse(bytes(data), content_type="application/pdf")
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def issued_letter(case, letter_id):
    letter = (
        Letter.objects.select_related("case")
        .filter(pk=letter_id, case=case, issued_at__isnull=False)
        .first()
    )
    if letter is None:
        raise Http404("No such letter")
    return letter


def download(letter, user):
    """The letter's PDF, its download on the case's timeline (who, when,
    which letter)."""
    letters.record_download(letter, user)
    return pdf_response(letter.pdf, letter.filename)


class ApplicantLetterView(ProposalMixin, View):
    """A member of the case's organisation downloads its issued letter."""

    def get(self, request, pk, letter):
        return download(issued_letter(self.proposal, letter), request.user)


class StaffCaseMixin(StaffAreaMixin):
    see_permission = "accreditation.view_case"

    @cached_property
    def case(self):
        return (
            apps.get_model("proposals", "Proposal")
            .objects.select_related("organisation", "round", "window")
            .filter(pk=self.kwargs["pk"])
            .first()
        )

    def get_permission_object(self):
        return self.case


class StaffLetterView(StaffCaseMixin, View):
    act_permission = "accreditation.do_casework"

    def get(self, request, pk, letter):
        return download(issued_letter(self.case, letter), request.user)


class PreviewMixin(StaffCaseMixin):
    act_permission = "feedback.preview_letter"

    def purpose(self):
        """Only a letter the case can still get (as the case page offers)."""
        purpose = self.kwargs["purpose"]
        issued = Letter.objects.filter(
            case=self.case, issued_at__isnull=False, decision_round=decision_round(self.case.pk)
        )
        purposes = set(issued.values_list("purpose", flat=True))
        if purpose not in letters.previewable(self.case, purposes):
            raise Http404("No such letter")
        return purpose


class PreviewView(PreviewMixin, TemplateView):
    template_name = "feedback/preview.html"

    def get_context_data(self, **kwargs):
        kwargs.pop("purpose", None)
        purpose = self.purpose()
        context = letters.letter_context(self.case, purpose)
        return super().get_context_data(
            **context,
            pdf_title=f"{letters.TITLES[purpose]}: {self.case.reference}",
            body_template=f"feedback/letters/{purpose}.html",
            preview=True,
            purpose_label=LetterPurpose(purpose).label,
            **kwargs,
        )


class PreviewPdfView(PreviewMixin, View):
    def get(self, request, pk, purpose):
        rendered = letters.render(self.case, self.purpose(), preview=True)
        return pdf_response(
            rendered.pdf, f"{self.case.reference}-{purpose}-preview.pdf", attachment=False
        )


class LetterFilter(django_filters.FilterSet):
    round = RoundFilter(
        label="Round",
        field_name="case__round",
        queryset=Round.objects.order_by("-opens_at", "-pk"),
        empty_label="Any round",
        null_label="Out of round",
        null_value="out-of-round",
        error_messages={"invalid_choice": "Select a round from the list"},
    )
    type = django_filters.ChoiceFilter(
        label="Type",
        field_name="case__accreditation_type",
        choices=AccreditationType.choices,
        empty_label="Any type",
        error_messages={"invalid_choice": "Select a type from the list"},
    )
    kind = django_filters.ChoiceFilter(
        label="Kind of organisation",
        field_name="case__organisation__kind",
        choices=OrganisationKind.choices,
        empty_label="Any kind",
        error_messages={"invalid_choice": "Select a kind of organisation from the list"},
    )
    purpose = django_filters.ChoiceFilter(
        label="Letter",
        choices=LetterPurpose.choices,
        empty_label="Any letter",
        error_messages={"invalid_choice": "Select a letter from the list"},
    )


class LetterRegisterView(StaffAreaMixin, NearestPageMixin, ListView):
    act_permission = "feedback.view_letters_register"
    template_name = "feedback/register.html"
    context_object_name = "letters"
    paginate_by = 50

    def get_queryset(self):
        self.filterset = LetterFilter(
            self.request.GET or None, queryset=issued_letters(self.request.user)
        )
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(filter=self.filterset, query=query.urlencode(), **kwargs)


class CheckLetterView(FormView):
    """Anyone holding a letter checks it is the one the service issued."""

    template_name = "feedback/check.html"
    form_class = CheckLetterForm

    def form_valid(self, form):
        data = form.cleaned_data
        typed = data.get("reference", "").strip()
        other_reference = ""
        if data.get("letter"):
            letter = letters.verify(data["letter"])
            # The file decides; a reference typed beside it that is not the
            # letter's is said, so nobody takes one case's letter for another's.
            if letter is not None and typed and typed.upper() != letter.case.reference.upper():
                other_reference = typed
        else:
            letter = letters.find(data["reference"], data["sha256"])
        return self.render_to_response(
            self.get_context_data(
                form=CheckLetterForm(),
                checked=True,
                letter=letter,
                other_reference=other_reference,
                standing=letters.standing(letter) if letter is not None else None,
            )
        )
