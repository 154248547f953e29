"""The applicants' answers in the demo.

Every case that was submitted answered every question its proposal asks
(each criterion that applies to it, for each party), as the task list
requires before submission. Each answer is two paragraphs from a small bank
written for its criterion, chosen and ordered by the case, with the
organisation's name, so answers read as an applicant's and differ from case
to case. Inserted in bulk after the histories are played (no rendering, no
query per case), dated just before the case's submission; a case that has
answers keeps them, so a rerun adds nothing.
"""

from datetime import timedelta

from django.apps import apps
from django.db.models import Exists, OuterRef

from accreditation.demo.moves import BATCH, explicit_timestamps
from accreditation.models import Criterion

BANK = {
    "1A": (
        "{name} wants every child in the schools it works with to leave primary school "
        "reading fluently, confident in number and ready for secondary school. We will lead "
        "improvement by putting strong teaching first: a shared curriculum, regular joint "
        "lesson visits and coaching for every new teacher.",
        "Our vision was written with our governors, staff and parents and is reviewed each "
        "summer. In the schools we support it has meant fewer exclusions, better attendance "
        "and a rise in the proportion of pupils meeting the expected standard in reading.",
        "We measure our progress against three goals: pupils' outcomes at the end of key "
        "stage 2, the attendance of disadvantaged pupils, and how long we keep good teachers. "
        "The board reviews each goal every term and publishes a summary for parents.",
    ),
    "1B": (
        "The board of {name} meets six times a year and has a standards committee that "
        "visits each school it oversees. Trustees bring experience of primary headship, "
        "finance, safeguarding and law; we review their skills every year and recruit to fill "
        "gaps.",
        "Headteachers report to the chief executive through termly performance reviews "
        "based on published data and our own visits. Where a school falls behind, a support "
        "plan is agreed within four weeks and its progress is reported to the board.",
        "Our scheme of delegation sets out which decisions rest with the board, the local "
        "committees and headteachers. The accounting officer and the chair meet monthly, and "
        "our internal audit programme covers safeguarding, finance and admissions.",
    ),
    "1C": (
        "Our school improvement team is led by a former headteacher and two specialist "
        "leaders of education in English and mathematics. Between them they have led four "
        "schools out of a requires improvement judgement in the last six years.",
        "{name} runs a phonics and early reading programme used in eleven schools, with "
        "training for teaching assistants and half-termly checks of pupils' progress. Our "
        "leaders also train new headteachers through the national professional "
        "qualification.",
        "We support schools with special educational needs leadership through a trained "
        "SENCO network and an educational psychologist we employ, so that help reaches pupils "
        "within a few weeks rather than a term.",
    ),
    "1D": (
        "{name} has a reserve equal to six weeks of spending and a three-year budget that "
        "funds a central school improvement team without drawing on schools' own budgets. We "
        "are committed to any school we take on for at least five years.",
        "We plan growth carefully: no more than two new schools a year, each with a named "
        "lead for its first twelve months. Our capacity plan is tested by the board against "
        "our staffing, finance and the distance between schools.",
        "When a school joined us in 2023 its reading results were well below the national "
        "average; two years later they are above it, and the school was judged good at its "
        "last inspection.",
    ),
    "1E": (
        "{name} is not itself a school, so our education strategy is led by an education "
        "director who was a primary headteacher for nine years and is supported by an "
        "advisory board of serving headteachers.",
        "We will access primary expertise through a partnership agreement with a teaching "
        "school hub and by employing two experienced primary leaders in our first year.",
        "Our strategy sets out how we will check the quality of education in each school and "
        "how decisions about the curriculum will stay with education professionals.",
    ),
    "2A": (
        "Leaders at {name} have improved the quality of education across our schools: both "
        "schools judged requires improvement in 2021 were judged good at their next "
        "inspection.",
        "Our leaders at every level are developed through a programme of coaching and "
        "middle-leadership training. Staff turnover has fallen from 18% to 9% in three years, "
        "and staff surveys show that teachers feel supported with workload.",
        "Governors and leaders use a shared dashboard of attendance, behaviour and outcomes, "
        "so problems are spotted early. Inspectors noted that leaders know their schools' "
        "strengths and weaknesses well.",
    ),
    "2B": (
        "At {name}, 74% of pupils met the expected standard in reading, writing and "
        "mathematics at the end of key stage 2 last year, against 61% nationally; "
        "disadvantaged pupils' results have risen for three years in a row.",
        "Phonics screening results have been above the national average for four years, "
        "and our pupils with special educational needs make progress in line with their "
        "peers in reading.",
        "We check our results against similar schools each year. Where a group of pupils falls "
        "behind, as boys' writing did in 2023, we set a plan and report its effect to "
        "governors.",
    ),
    "2C": (
        "{name} has worked in formal partnership with two local primary schools since 2022, "
        "sharing staff training, moderation of pupils' work and a joint curriculum for "
        "science and history.",
        "Our partnership with a school in special measures led to its improvement within two "
        "years; leaders there now run training for other schools in the local authority.",
        "We work closely with the local authority and the diocese, taking part in its "
        "school improvement board and sharing our attendance work with its schools.",
    ),
    "2D": (
        "{name} has improved schools it did not lead before, including a primary school "
        "that joined it after a poor inspection and is now judged good.",
        "We work with schools on a clear plan agreed with their governors, and we measure our "
        "impact by pupils' results and the schools' own inspection outcomes.",
        "Our headteachers spend two days a month supporting other schools, and we evaluate "
        "each piece of support with the school's leaders when it ends.",
    ),
}
"""Paragraphs by criterion code; a criterion not here borrows 2D's."""
CO_PARTNER = (
    "Our co-partner school has its own strong record: its leaders have supported three "
    "schools in the local authority over the last four years.",
    "The co-partner's headteacher is a national leader of education, and its pupils' results "
    "have been above the national average for five years.",
    "The co-partner brings experience of early years and of pupils with special educational "
    "needs, which complements our own strengths.",
)
FALLBACK = "2D"
WRITTEN_BEFORE_SUBMISSION = timedelta(days=2)


def text_for(criterion_code, party, name, seed):
    """Two of the criterion's paragraphs, which and in what order set by
    ``seed``; for a co-partner, one of its own and one of the criterion's."""
    bank = BANK.get(criterion_code, BANK[FALLBACK])
    first = seed % len(bank)
    second = (first + 1 + (seed // len(bank)) % (len(bank) - 1)) % len(bank)
    opening = CO_PARTNER[first % len(CO_PARTNER)] if party == "co_partner" else bank[first]
    return "\n\n".join((opening, bank[second])).format(name=name)


def questions_by_shape():
    """``questions(case)`` for each submitted case, worked out once for each
    shape of case it depends on (framework, type, route, the submitted kind
    and National Support School status), not once per case: at scale there are
    tens of thousands of cases and a handful of shapes."""
    from proposals.queries.journey import questions

    criteria, known = {}, {}

    def asked(case, national_support_school=None):
        """``national_support_school``: as screened (the claim if not given)."""
        profile = case.submitted_profile or {}
        if national_support_school is None:
            national_support_school = bool(profile.get("claims_national_support_school"))
        key = (
            case.framework_id,
            case.accreditation_type,
            case.route,
            profile.get("kind"),
            national_support_school,
        )
        if key not in known:
            if case.framework_id not in criteria:
                criteria[case.framework_id] = list(
                    Criterion.objects.filter(part__framework_id=case.framework_id)
                    .select_related("part")
                    .order_by("part__number", "position")
                )
            known[key] = questions(
                case, criteria[case.framework_id], national_support_school=key[4]
            )
        return known[key]

    return asked


def fill(seeder):
    """Answer every question of every submitted case that has no answers.
    Returns how many cases were answered."""
    Proposal = apps.get_model("proposals", "Proposal")
    Answer = apps.get_model("proposals", "Answer")
    cases = (
        Proposal.objects.exclude(submitted_at=None)
        .exclude(Exists(Answer.objects.filter(proposal=OuterRef("pk"))))
        .select_related("organisation")
        .order_by("pk")
    )
    asked_of = questions_by_shape()
    answers, answered = [], 0
    with explicit_timestamps(Answer, "updated_at"):
        for case in list(cases):
            asked = asked_of(case)
            written = case.submitted_at - WRITTEN_BEFORE_SUBMISSION
            answers += [
                Answer(
                    proposal=case,
                    criterion=question.criterion,
                    party=question.party,
                    text=text_for(
                        question.criterion.code,
                        question.party,
                        case.organisation.name,
                        case.pk + index,
                    ),
                    updated_by_id=case.created_by_id,
                    updated_at=max(written, case.created_at),
                )
                for index, question in enumerate(asked)
            ]
            answered += 1
            if len(answers) >= BATCH * 5:
                Answer.objects.bulk_create(answers, batch_size=BATCH, ignore_conflicts=True)
                answers = []
        Answer.objects.bulk_create(answers, batch_size=BATCH, ignore_conflicts=True)
    seeder.created["cases answered"] += answered
    return answered
