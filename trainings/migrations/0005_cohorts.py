import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def founding_cohorts(apps, schema_editor):
    """Every track planned so far is the founding team's: cohort 1."""
    Cohort = apps.get_model("trainings", "Cohort")
    Training = apps.get_model("trainings", "Training")
    seen = {}
    for training in Training.objects.order_by("pk"):
        cohort = seen.get(training.programme_id)
        if cohort is None:
            cohort = Cohort.objects.create(
                organisation_id=training.organisation_id,
                programme_id=training.programme_id,
                number=1,
                name="Groep 1",
            )
            seen[training.programme_id] = cohort
        training.cohort = cohort
        training.save(update_fields=["cohort"])


class Migration(migrations.Migration):
    dependencies = [
        ("trainings", "0004_certificates_outlive_accounts"),
    ]

    operations = [
        migrations.CreateModel(
            name="Cohort",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveSmallIntegerField(verbose_name="number")),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="programmes.organisation",
                    ),
                ),
                (
                    "programme",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="cohorts",
                        to="programmes.programme",
                    ),
                ),
            ],
            options={
                "verbose_name": "cohort",
                "verbose_name_plural": "cohorts",
                "ordering": ["number"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("programme", "number"), name="one_cohort_per_number"
                    )
                ],
            },
        ),
        migrations.RemoveConstraint(model_name="training", name="one_training_of_each_kind"),
        migrations.AddField(
            model_name="training",
            name="cohort",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="trainings",
                to="trainings.cohort",
            ),
        ),
        migrations.RunPython(founding_cohorts, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="training",
            name="cohort",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="trainings",
                to="trainings.cohort",
            ),
        ),
        migrations.AddConstraint(
            model_name="training",
            constraint=models.UniqueConstraint(
                fields=("programme", "cohort", "kind"), name="one_training_of_each_kind"
            ),
        ),
    ]
