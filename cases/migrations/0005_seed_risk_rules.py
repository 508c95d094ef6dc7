"""Seed the risk rules and thresholds from the domain brief's table (cases/risk_defaults.py)."""

from django.db import migrations


def seed(apps, schema_editor):
    from cases.risk_defaults import RULES, SETTINGS

    RiskRule = apps.get_model("cases", "RiskRule")
    RiskSettings = apps.get_model("cases", "RiskSettings")
    for code, name, axis, weight, basis, description in RULES:
        RiskRule.objects.get_or_create(code=code, defaults={
            "name": name, "axis": axis, "weight": weight, "basis": basis, "description": description,
        })
    RiskSettings.objects.get_or_create(pk=1, defaults=SETTINGS)


def unseed(apps, schema_editor):
    apps.get_model("cases", "RiskRule").objects.all().delete()
    apps.get_model("cases", "RiskSettings").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_risk")]
    operations = [migrations.RunPython(seed, unseed)]
