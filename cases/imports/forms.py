from django import forms

from .importers import FIELDS
from .models import ImportKind, ImportMapping


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="What the rows are", choices=ImportKind.choices)
    file = forms.FileField(label="Spreadsheet (CSV or XLSX)",
                           help_text="The first row holds the column headings; one record per row.")
    mapping = forms.ModelChoiceField(label="Saved column mapping (optional)", queryset=ImportMapping.objects.all(),
                                     required=False, empty_label="Guess from the headings")


class MappingForm(forms.Form):
    save_as = forms.CharField(label="Save this mapping as (optional)", max_length=120, required=False)

    def __init__(self, *args, run, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "— not in this file —")] + [(heading, heading) for heading in run.headers]
        for field in FIELDS[run.kind]:
            self.fields[f"col_{field.name}"] = forms.ChoiceField(
                label=field.label + (" (required)" if field.required else ""), choices=choices,
                required=field.required, initial=run.columns.get(field.name, ""), help_text=field.help,
            )
        self.order_fields([f"col_{field.name}" for field in FIELDS[run.kind]] + ["save_as"])

    def columns(self):
        return {name[4:]: value for name, value in self.cleaned_data.items() if name.startswith("col_") and value}


class ConfirmForm(forms.Form):
    skip_bad_rows = forms.BooleanField(label="Skip the rows with errors and import the rest", required=False)
