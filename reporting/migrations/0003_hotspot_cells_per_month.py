"""The map's hot-spot cells are counted per calendar month, not per day: a city's signals
spread over a few hundred cells, so per day they were nearly as many rows as signals. The
rows counted per day are dropped and the next refresh rebuilds every summary."""

from django.db import migrations, models


def forget_cells(apps, schema_editor):
    apps.get_model("reporting", "SignalCellSummary").objects.all().delete()
    apps.get_model("reporting", "SummaryState").objects.update(
        refreshed_until=None, rebuilt_at=None
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0002_periodic_reports"),
    ]

    operations = [
        migrations.RunPython(forget_cells, migrations.RunPython.noop),
        migrations.RemoveIndex(model_name="signalcellsummary", name="rep_signalcell_prog_day"),
        migrations.RenameField(model_name="signalcellsummary", old_name="day", new_name="month"),
        migrations.AddIndex(
            model_name="signalcellsummary",
            index=models.Index(fields=["programme", "month"], name="rep_signalcell_prog_month"),
        ),
    ]
