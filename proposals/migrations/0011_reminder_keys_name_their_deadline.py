"""Reminders recorded before their key named the deadline (``"7"``) are
given the deadline their draft has now (``"7:<deadline>"``), so that the
next run does not remind those drafts again."""

from datetime import UTC

from django.db import migrations


def name_the_deadline(apps, schema_editor):
    ScheduledAction = apps.get_model("accreditation", "ScheduledAction")
    Proposal = apps.get_model("proposals", "Proposal")
    legacy = ScheduledAction.objects.filter(kind="reminder", target__startswith="proposal:")
    for action in legacy.exclude(key__contains=":").iterator():
        pk = int(action.target.partition(":")[2])
        draft = Proposal.objects.select_related("round", "window").filter(pk=pk).first()
        period = draft and (draft.round or draft.window)
        if period is None:
            continue
        action.key = f"{action.key}:{period.deadline.astimezone(UTC).isoformat()}"
        action.save(update_fields=["key"])


class Migration(migrations.Migration):
    dependencies = [
        ("accreditation", "0022_user_email_message"),
        ("proposals", "0010_proposal_submitted_status_index"),
    ]

    operations = [migrations.RunPython(name_the_deadline, migrations.RunPython.noop)]
