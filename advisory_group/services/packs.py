"""Meeting packs: a member's agenda as a PDF, without the items they are
conflicted on; each download is on the timeline of every case in it."""

from accreditation import timeline
from accreditation.events import EventType, register
from accreditation.pdf import render_pdf
from advisory_group.models import ItemPurpose
from advisory_group.queries.agenda import agenda, assessed_again, is_in_meeting
from assessments.queries.scoring import assessment_state, draft_feedback, latest_recommendation

register(EventType("meeting_pack_downloaded", "Advisory Group meeting pack downloaded"))


def pack_items(meeting, member):
    """What ``member``'s pack holds, item by item."""
    rows = []
    # A member's pack is of what they advise on: none they assessed.
    for item in agenda(meeting, member, advising=is_in_meeting(member, meeting)):
        state = assessment_state(item.case, as_recommended=True)
        rows.append(
            {
                "item": item,
                "case": item.case,
                "recommendation": latest_recommendation(item.case),
                "scores": [
                    (
                        scored,
                        state.first_scores.get(scored.key),
                        state.second_scores.get(scored.key),
                        state.agreed.get(scored.key),
                    )
                    for scored in state.items
                ],
                "feedback": draft_feedback(item.case),
                "assessed_again": assessed_again(item.case),
                "outcome_word": "Advised" if item.purpose == ItemPurpose.ADVICE else "Reviewed",
            }
        )
    return rows


def download(meeting, member, *, actor):
    """The PDF of ``member``'s pack, downloaded by ``actor`` (the member or a
    casework officer): on the timeline of each case in it."""
    rows = pack_items(meeting, member)
    for row in rows:
        timeline.record(
            row["case"],
            "meeting_pack_downloaded",
            actor,
            details={"meeting": meeting.pk, "member": member.pk, "member_name": str(member)},
            internal=True,
        )
    return render_pdf(
        "advisory_group/pack.html",
        {"meeting": meeting, "member": member, "rows": rows},
        title=f"{meeting}: pack for {member}",
    )
