"""Concerns and their documents; a letter is the one letter of its
occasion (a decision round of its case, a concern, a revocation step) rather
than of its purpose, so a case decided again after an upheld concern gets a
new letter. Letters already issued are of the first decision round."""

import accreditation.clock
import django.db.models.deletion
import feedback.models
from django.conf import settings
from django.db import migrations, models
from django.db.models import F, Value
from django.db.models.functions import Cast, Concat


def fill_occasions(apps, schema_editor):
    Letter = apps.get_model("feedback", "Letter")
    Letter.objects.filter(purpose__in=["decision", "feedback"]).update(occasion="decision:0")
    Letter.objects.filter(purpose="screening").update(occasion="screening:0")
    Letter.objects.filter(occasion="").update(
        occasion=Concat(F("purpose"), Value(":"), Cast("pk", models.CharField()))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0003_schedule_letters"),
        ("proposals", "0006_draft_notices_and_governed_schools"),
        ("register", "0001_register_entries"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Concern",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("text", models.TextField(max_length=5000)),
                ("raised_at", models.DateTimeField(default=accreditation.clock.now)),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("open", "Waiting for a decision"),
                            ("not_upheld", "Not upheld"),
                            ("upheld", "Upheld"),
                        ],
                        default="open",
                        max_length=12,
                    ),
                ),
                ("decided_at", models.DateTimeField(blank=True, null=True)),
                (
                    "response",
                    models.TextField(
                        blank=True,
                        help_text="Not upheld: the response the letter gives; upheld: why, as the applicant reads it",
                        max_length=5000,
                    ),
                ),
            ],
            options={
                "ordering": ["-raised_at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="ConcernDocument",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "file",
                    models.FileField(
                        max_length=255, upload_to=feedback.models.concern_document_path
                    ),
                ),
                ("original_name", models.CharField(max_length=255)),
                ("content_type", models.CharField(max_length=100)),
                ("size", models.PositiveBigIntegerField()),
                ("sha256", models.CharField(max_length=64)),
                ("uploaded_at", models.DateTimeField(default=accreditation.clock.now)),
            ],
            options={
                "ordering": ["uploaded_at", "pk"],
            },
        ),
        migrations.RemoveConstraint(
            model_name="letter",
            name="letter_one_per_purpose",
        ),
        migrations.AddField(
            model_name="letter",
            name="decision_round",
            field=models.PositiveSmallIntegerField(
                default=0,
                help_text="How many concerns about the case had been upheld when it was issued (0: the first decision)",
            ),
        ),
        migrations.AddField(
            model_name="letter",
            name="occasion",
            field=models.CharField(
                default="",
                editable=False,
                help_text="What the letter is the one letter of: a decision round of the case (decision:0), a concern (concern:7) or a revocation step (revocation:3)",
                max_length=60,
            ),
        ),
        migrations.AddField(
            model_name="letter",
            name="register_event",
            field=models.ForeignKey(
                blank=True,
                help_text="The step of revocation a revocation letter tells of",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="letters",
                to="register.registerevent",
            ),
        ),
        migrations.AlterField(
            model_name="letter",
            name="purpose",
            field=models.CharField(
                choices=[
                    ("decision", "Decision letter"),
                    ("feedback", "Feedback letter"),
                    ("screening", "Screening letter"),
                    ("concern_response", "Concern response letter"),
                    ("revocation_notice", "Notice of revocation"),
                    ("revocation", "Revocation letter"),
                ],
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="letter",
            name="signatory",
            field=models.ForeignKey(
                blank=True,
                help_text="Who signs the letter: the official who decided (for a concern, whoever decided it)",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="concern",
            name="case",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="concerns",
                to="proposals.proposal",
            ),
        ),
        migrations.AddField(
            model_name="concern",
            name="decided_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="concern",
            name="letter",
            field=models.ForeignKey(
                help_text="The letter the concern is about",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="concerns",
                to="feedback.letter",
            ),
        ),
        migrations.AddField(
            model_name="concern",
            name="raised_by",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="letter",
            name="concern",
            field=models.ForeignKey(
                blank=True,
                help_text="The concern a concern response letter answers",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="response_letters",
                to="feedback.concern",
            ),
        ),
        migrations.RunPython(fill_occasions, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="letter",
            constraint=models.UniqueConstraint(
                fields=("case", "occasion"), name="letter_one_per_occasion"
            ),
        ),
        migrations.AddField(
            model_name="concerndocument",
            name="concern",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="documents",
                to="feedback.concern",
            ),
        ),
        migrations.AddField(
            model_name="concerndocument",
            name="uploaded_by",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddIndex(
            model_name="concern",
            index=models.Index(fields=["state", "raised_at"], name="concern_state_raised"),
        ),
        migrations.AddConstraint(
            model_name="concern",
            constraint=models.UniqueConstraint(fields=("letter",), name="concern_one_per_letter"),
        ),
        migrations.AddConstraint(
            model_name="concern",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("decided_at__isnull", True), ("state", "open")),
                    models.Q(
                        models.Q(("state", "open"), _negated=True),
                        ("decided_at__isnull", False),
                        ("decided_by__isnull", False),
                        models.Q(("response", ""), _negated=True),
                    ),
                    _connector="OR",
                ),
                name="concern_decision_complete",
            ),
        ),
    ]
