"""The letters section of the staff case page."""

from django import template

from feedback.services.letters import overtaken, previewable

register = template.Library()


@register.inclusion_tag("feedback/includes/case_letters.html", takes_context=True)
def case_letters(context, case, issued, decision_round, concerns):
    """The case's ``issued`` letters (to download, oldest first; each with
    what overtook it since, of its ``concerns`` and its notices) and, for
    those who may, the letters its status can still lead to (to preview
    before issue); ``decision_round`` is the case's, as its timeline says."""
    previews = ()
    if context["request"].user.has_perm("feedback.preview_letter", case):
        previews = previewable(
            case, {letter.purpose for letter in issued if letter.decision_round == decision_round}
        )
    notes = overtaken(issued, concerns)
    for letter in issued:
        letter.overtaken = notes.get(letter.pk)
    return {"case": case, "letters": issued, "previews": previews}
