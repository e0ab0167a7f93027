"""Objectives point to a national indicator (name and unit) instead of
carrying their own text: existing objectives keep theirs, as catalogue rows."""

from django.db import migrations, models
import django.db.models.deletion


def to_catalogue(apps, schema_editor):
    from frenchimpact.text import fold

    Indicator = apps.get_model("challenges", "Indicator")
    Objective = apps.get_model("challenges", "Objective")
    for objective in Objective.objects.all():
        folded = fold(objective.indicator)
        indicator = Indicator.objects.filter(folded_name=folded).first()
        if indicator is None:
            indicator = Indicator.objects.create(
                name=objective.indicator, unit=objective.unit, folded_name=folded
            )
        objective.indicator_ref = indicator
        objective.save(update_fields=["indicator_ref"])


def from_catalogue(apps, schema_editor):
    Objective = apps.get_model("challenges", "Objective")
    for objective in Objective.objects.select_related("indicator_ref"):
        objective.indicator = objective.indicator_ref.name
        objective.unit = objective.indicator_ref.unit
        objective.save(update_fields=["indicator", "unit"])


class Migration(migrations.Migration):
    dependencies = [("challenges", "0002_follow_up")]

    operations = [
        migrations.RunPython(to_catalogue, from_catalogue),
        migrations.RemoveField(model_name="objective", name="indicator"),
        migrations.RemoveField(model_name="objective", name="unit"),
        migrations.RenameField(
            model_name="objective", old_name="indicator_ref", new_name="indicator"
        ),
        migrations.AlterField(
            model_name="objective",
            name="indicator",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="objectives",
                to="challenges.indicator",
                verbose_name="indicateur",
            ),
        ),
    ]
