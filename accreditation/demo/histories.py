"""Histories and their steps: which outcomes an organisation's cases come
to over the rounds, and the workflow moves that take a new draft to each."""

from dataclasses import dataclass, field

from accreditation import eligibility
from accreditation.models import AccreditationType, Organisation
from accreditation.models.organisations import NON_EDUCATIONAL_KINDS
from accreditation.workflow import Action

ASP, ASG = AccreditationType.ASP.value, AccreditationType.ASG.value
A = Action

PAST_ROUNDS = 10
"""Past rounds: with the current and next round, 12 rounds in all."""


LIVE_OUTCOMES = {
    "draft",
    "submitted",
    "in_assessment",
    "information_requested",
    "answered",
    "recommended",
    "advisory_review",
    "awaiting_decision",
    "referred_back",
    "concern_upheld",
}
ASG_ONLY = {"advisory_review", "referred_back"}
CURRENT_MIX = (
    ("draft", 52),
    ("submitted", 30),
    ("withdrawn", 5),
    ("in_assessment", 8),
    ("information_requested", 5),
)
LAST_TERM_MIX = (
    ("accredited", 14),
    ("not_accredited", 8),
    ("lapsed", 8),
    ("withdrawn", 4),
    ("closed_ineligible", 3),
    ("in_assessment", 10),
    ("information_requested", 8),
    ("answered", 5),
    ("recommended", 10),
    ("advisory_review", 8),
    ("awaiting_decision", 10),
    ("referred_back", 3),
    ("concern_upheld", 2),
)
HISTORIC_MIX = (
    ("accredited", 30),
    ("not_accredited", 26),
    ("lapsed", 20),
    ("withdrawn", 10),
    ("closed_ineligible", 6),
    ("concern_then_accredited", 3),
)
APPLY_CHANCE = {0: 0.85, 1: 0.75}
APPLY_CHANCE_HISTORIC = 0.7


def _pick(rng, mix, acc_type):
    choices = [(name, weight) for name, weight in mix if acc_type == ASG or name not in ASG_ONLY]
    names, weights = zip(*choices, strict=True)
    return rng.choices(names, weights)[0]


def random_history(rng, kind, led, governance):
    """A plausible history over the rounds: the organisation joins the scheme
    in some round and applies in most rounds after: first as an ASP (or an ASG
    if eligible), as an ASG once accredited as an ASP (if eligible), again
    after a failure, and not again while a proposal is live. About 2.5
    cases per organisation, spread fairly evenly over the rounds."""
    eligible = eligibility.assess(
        Organisation(kind=kind, schools_led_count=led, primary_governance_count=governance),
        AccreditationType.ASG,
    ).eligible
    asp_done = asg_done = False
    history = []
    rounds = range(PAST_ROUNDS, -1, -1)
    start = rng.choice(rounds)
    for back in rounds:
        if back > start:
            continue
        chance = 1 if back == start else APPLY_CHANCE.get(back, APPLY_CHANCE_HISTORIC)
        if rng.random() >= chance:
            continue
        if asg_done or (asp_done and not eligible):
            break
        acc_type = ASG if asp_done or (eligible and rng.random() < 0.3) else ASP
        if back and not eligible and kind not in NON_EDUCATIONAL_KINDS and rng.random() < 0.05:
            history.append((back, ASG, "closed_ineligible"))
            continue
        mix = CURRENT_MIX if back == 0 else LAST_TERM_MIX if back == 1 else HISTORIC_MIX
        outcome = _pick(rng, mix, acc_type)
        if back == 2 and outcome == "concern_then_accredited" and rng.random() < 0.5:
            outcome = "concern_upheld"
        history.append((back, acc_type, outcome))
        if outcome in LIVE_OUTCOMES:
            break
        if outcome in ("accredited", "concern_then_accredited"):
            asp_done = True
            asg_done = asg_done or acc_type == ASG
    return history


@dataclass
class Step:
    action: str
    actor: str | None  # applicant, caseworker, assessor, advisory, decision, concerns, None
    details: dict = field(default_factory=dict)
    internal: bool = False


WITHDRAW_REASONS = (
    "Our headteacher leaves at the end of term; we will apply again when the new head is in post.",
    "The trust board has decided to concentrate on its existing schools this year.",
    "Our partner school's governors have not yet agreed to the partnership; we will reapply.",
)
INELIGIBLE_ASG = (
    "An Accredited Schools Group must already lead improvement in two or more schools through "
    "a formal partnership, or be accountable for the governance of two or more primary "
    "schools. The proposal shows fewer, so it cannot be considered for ASG accreditation. You "
    "may apply as an Accredited School Provider."
)
INELIGIBLE_OTHER = (
    "The proposal does not name a formal partnership or show the primary school improvement "
    "experience the prospectus asks of every applicant."
)
QUESTIONS = (
    "Please send the latest inspection outcomes of the schools you lead, with their dates.",
    "Tell us how your governing body will hold the new trust to account, and who will sit on "
    "its board.",
    "Please explain how you will secure Early Years Foundation Stage expertise in the first year.",
    "Give the key stage 2 results of your partner school for the last three years.",
)
REASONING = {
    "accredit": "Every criterion is met: the evidence of leadership and impact is convincing.",
    "not_accredit": "Not every criterion is met: the evidence of impact is too thin in places.",
}
"""The assessor's reasons for each recommendation: on the recommendation's
timeline event (which the decision page shows) and its record (the case page)."""
ADVICE = (
    "The group agrees with the assessor: the evidence of impact across the partnership is strong.",
    "Agreed. The group notes the trust's capacity plan and would like it reviewed in a year.",
)
REFER_BACK = (
    "The group asks the assessor to look again at 2C: the evidence of impact covers one "
    "school only.",
    "Please reconsider 1D: the five-year commitment is not reflected in the financial plan.",
)
CONCERNS = (
    "The assessment of 2B did not take account of the validated results supplied with the "
    "proposal; the case is to be reassessed by a different assessor.",
    "The feedback relied on an out-of-date inspection report; reassessment by a different "
    "assessor.",
)


def build_steps(outcome, acc_type, rng, claims_nss=False):
    """The workflow moves that take a new draft to ``outcome``."""
    steps = []
    asg = acc_type == ASG

    def submit():
        steps.append(Step(A.SUBMIT, "applicant"))

    def screen():
        details = {"national_support_school": "confirmed"} if claims_nss else {}
        steps.append(Step(A.SCREEN_ELIGIBLE, "caseworker", details))

    def ask(answered=True):
        steps.append(Step(A.REQUEST_INFORMATION, "assessor", {"questions": rng.choice(QUESTIONS)}))
        if answered:
            steps.append(Step(A.RESPOND_TO_REQUEST, "applicant"))

    def recommend(recommendation):
        details = {"recommendation": recommendation, "reasoning": REASONING[recommendation]}
        steps.append(Step(A.RECOMMEND, "assessor", details, internal=True))

    def route():
        if asg:
            steps.append(Step(A.REFER_TO_ADVISORY_GROUP, "caseworker"))
            steps.append(
                Step(
                    A.ADVISE,
                    "advisory",
                    {"advice": "agree", "comment": rng.choice(ADVICE)},
                    internal=True,
                )
            )
        else:
            steps.append(Step(A.REFER_TO_DECISION, "caseworker"))

    def assess(recommendation):
        submit()
        screen()
        if rng.random() < 0.3:
            ask()
        recommend(recommendation)

    def decided(accredit):
        assess("accredit" if accredit else "not_accredit")
        route()
        steps.append(Step(A.ACCREDIT if accredit else A.NOT_ACCREDIT, "decision"))

    def uphold():
        steps.append(Step(A.UPHOLD_CONCERN, "concerns", {"reason": rng.choice(CONCERNS)}))

    some_recommendation = "accredit" if rng.random() < 0.7 else "not_accredit"
    if outcome == "draft":
        pass
    elif outcome == "lapsed":
        steps.append(Step(A.LAPSE, None))
    elif outcome == "submitted":
        submit()
    elif outcome == "withdrawn":
        if rng.random() < 0.6:
            submit()
            if rng.random() < 0.5:
                screen()
        steps.append(Step(A.WITHDRAW, "applicant", {"reason": rng.choice(WITHDRAW_REASONS)}))
    elif outcome == "closed_ineligible":
        submit()
        reason = INELIGIBLE_ASG if asg else INELIGIBLE_OTHER
        steps.append(Step(A.SCREEN_INELIGIBLE, "caseworker", {"reason": reason}))
    elif outcome == "in_assessment":
        submit()
        screen()
    elif outcome == "information_requested":
        submit()
        screen()
        ask(answered=False)
    elif outcome == "answered":
        submit()
        screen()
        ask()
    elif outcome == "recommended":
        # Sent on by the recommendation, in the step that assesses it: an
        # ASG to the Advisory Group, an ASP for a decision.
        assess(some_recommendation)
        steps.append(Step(A.REFER_TO_ADVISORY_GROUP if asg else A.REFER_TO_DECISION, None))
    elif outcome == "advisory_review":
        assess(some_recommendation)
        steps.append(Step(A.REFER_TO_ADVISORY_GROUP, "caseworker"))
    elif outcome == "referred_back":
        assess(some_recommendation)
        steps.append(Step(A.REFER_TO_ADVISORY_GROUP, "caseworker"))
        steps.append(
            Step(A.REFER_BACK, "advisory", {"reason": rng.choice(REFER_BACK)}, internal=True)
        )
    elif outcome == "awaiting_decision":
        assess(some_recommendation)
        route()
    elif outcome == "accredited":
        decided(True)
    elif outcome == "not_accredited":
        decided(False)
    elif outcome == "concern_upheld":
        decided(False)
        uphold()
    elif outcome == "concern_then_accredited":
        decided(False)
        uphold()
        recommend("accredit")
        route()
        steps.append(Step(A.ACCREDIT, "decision"))
    else:
        raise ValueError(f"Unknown outcome {outcome!r}")
    return steps


FINAL_OUTCOMES = {
    "accredited",
    "not_accredited",
    "withdrawn",
    "closed_ineligible",
    "lapsed",
    "concern_then_accredited",
}
