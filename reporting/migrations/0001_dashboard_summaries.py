"""The dashboard's summary tables, and three indexes on the tables it reads.

The indexes sit on patrols' tables but serve only reporting (patrols must not know of its
readers), so they are made here with plain SQL that PostgreSQL and SQLite both accept:
- the refresh finds the signals whose status changed through `SignalEvent.created_at`;
- rewriting a day's close cells reads the signals closed that day (`closed_at`, per tenant);
- the dashboard counts a programme's conversations in a period (`programme`, `reported_at`).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("patrols", "0013_notification_sweep_indexes"),
        ("programmes", "0017_outbox_files"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX reporting_signalevent_created ON patrols_signalevent (created_at)",
            "DROP INDEX reporting_signalevent_created",
        ),
        migrations.RunSQL(
            "CREATE INDEX reporting_signal_closed ON patrols_signal (organisation_id, closed_at)"
            " WHERE closed_at IS NOT NULL",
            "DROP INDEX reporting_signal_closed",
        ),
        migrations.RunSQL(
            "CREATE INDEX reporting_conversation_period "
            "ON patrols_conversation (programme_id, reported_at)",
            "DROP INDEX reporting_conversation_period",
        ),
        migrations.CreateModel(
            name="SummaryState",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(max_length=30, unique=True)),
                ("refreshed_until", models.DateTimeField(blank=True, null=True)),
                ("running_since", models.DateTimeField(blank=True, null=True)),
                ("rebuilt_at", models.DateTimeField(blank=True, null=True)),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("key", ""), _negated=True),
                        name="summarystate_key_not_empty",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="SignalCellSummary",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField()),
                ("cell_lat", models.IntegerField()),
                ("cell_lng", models.IntegerField()),
                ("signals", models.PositiveIntegerField(default=0)),
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
                        related_name="+",
                        to="programmes.programme",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["programme", "day"], name="rep_signalcell_prog_day")
                ],
            },
        ),
        migrations.CreateModel(
            name="SignalClosedSummary",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField()),
                ("days_taken", models.IntegerField()),
                ("signals", models.PositiveIntegerField(default=0)),
                ("on_time", models.PositiveIntegerField(default=0)),
                (
                    "category",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="patrols.signalcategory",
                    ),
                ),
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
                        related_name="+",
                        to="programmes.programme",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["programme", "day"], name="rep_signalclosed_prog_day")
                ],
            },
        ),
        migrations.CreateModel(
            name="SignalDaySummary",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField()),
                ("status", models.CharField(max_length=20)),
                ("signals", models.PositiveIntegerField(default=0)),
                (
                    "category",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="patrols.signalcategory",
                    ),
                ),
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
                        related_name="+",
                        to="programmes.programme",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["programme", "day"], name="rep_signalday_prog_day")
                ],
            },
        ),
    ]
