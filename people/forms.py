"""Forms for a person and their names, edited from the case page."""

from django import forms

from core.forms import VersionedForm

from .models import NameVariant, Person


class PersonForm(VersionedForm):
    class Meta:
        model = Person
        fields = ["primary_name", "description", "birth_year", "citizenships", "residence", "whereabouts_city",
                  "whereabouts_address", "phone", "claim_status", "confidential", "notes"]
        labels = {"primary_name": "Name shown first", "residence": "Country of residence",
                  "whereabouts_city": "Current city (case team only)",
                  "whereabouts_address": "Address (case team only)", "phone": "Phone (case team only)"}
        widgets = {"citizenships": forms.SelectMultiple(attrs={"size": 6}),
                   "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, show_whereabouts=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_whereabouts:
            for name in ("whereabouts_city", "whereabouts_address", "phone"):
                del self.fields[name]


class NameVariantForm(VersionedForm):
    class Meta:
        model = NameVariant
        fields = ["name", "kind", "system", "source"]
        labels = {"name": "Spelling", "system": "Transliteration system or language", "source": "Seen in source"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = self.fields["source"].queryset.order_by("title")
