"""Add rule A9 (Interpol notice against a political figure) to databases seeded before it existed."""

from django.db import migrations


def seed(apps, schema_editor):
    from cases.risk_defaults import RULES

    RiskRule = apps.get_model("cases", "RiskRule")
    for code, name, axis, weight, basis, description in RULES:
        RiskRule.objects.get_or_create(code=code, defaults={
            "name": name, "axis": axis, "weight": weight, "basis": basis, "description": description,
        })


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_seed_risk_rules")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
