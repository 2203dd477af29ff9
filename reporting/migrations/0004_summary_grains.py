"""The day and close summaries also hold their sums per ISO week and per calendar month
(`grain`), so a year per month reads a few hundred rows instead of every day's; the next
refresh rebuilds every summary to fill them."""

from django.db import migrations, models


def rebuild_next(apps, schema_editor):
    apps.get_model("reporting", "SummaryState").objects.update(
        refreshed_until=None, rebuilt_at=None
    )


GRAINS = [("d", "day"), ("w", "week"), ("m", "month")]


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0003_hotspot_cells_per_month"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="signaldaysummary", name="rep_signalday_prog_day"),
        migrations.RemoveIndex(model_name="signalclosedsummary", name="rep_signalclosed_prog_day"),
        migrations.AddField(
            model_name="signaldaysummary",
            name="grain",
            field=models.CharField(choices=GRAINS, default="d", max_length=1),
        ),
        migrations.AddField(
            model_name="signalclosedsummary",
            name="grain",
            field=models.CharField(choices=GRAINS, default="d", max_length=1),
        ),
        migrations.AddIndex(
            model_name="signaldaysummary",
            index=models.Index(
                fields=["programme", "grain", "day"], name="rep_signalday_prog_grain"
            ),
        ),
        migrations.AddIndex(
            model_name="signalclosedsummary",
            index=models.Index(
                fields=["programme", "grain", "day"], name="rep_signalclosed_prog_grain"
            ),
        ),
        migrations.RunPython(rebuild_next, migrations.RunPython.noop),
    ]
