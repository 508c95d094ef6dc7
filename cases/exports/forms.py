"""The export options form: format, date range (typed as a person writes dates), sections,
contested claims, confidential facts."""

from django import forms

from core.dates import last_day, parse_date

from .. import timeline
from .service import ExportOptions


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label="Format", initial="pdf", widget=forms.RadioSelect,
        choices=[("pdf", "PDF for court (cover, chronology, cited sources)"),
                 ("csv", "CSV for spreadsheets"), ("json", "JSON for other tools")],
    )
    start = forms.CharField(label="From", required=False, max_length=60,
                            help_text="Optional. For example 2009, March 2013 or 25 March 2011.")
    end = forms.CharField(label="To", required=False, max_length=60, help_text="Optional. Same forms as “From”.")
    sections = forms.MultipleChoiceField(
        label="Sections to include", required=False, choices=timeline.SECTIONS, widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked to include every section.",
    )
    contested = forms.ChoiceField(
        label="Contested claims", initial="include", required=False, widget=forms.RadioSelect,
        choices=[("include", "Include them, marked as contested, with the sources on each side"),
                 ("leave_out", "Leave them out")],
    )
    confidential = forms.BooleanField(
        label="Include confidential facts and the person’s whereabouts", required=False,
        help_text="Only the case team can do this. The document will carry them: handle it accordingly.",
    )

    def clean_start(self):
        return self._date("start", first=True)

    def clean_end(self):
        return self._date("end", first=False)

    def _date(self, name, *, first):
        text = self.cleaned_data.get(name, "").strip()
        if not text:
            return None
        try:
            parsed = parse_date(text)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
        if first:
            return parsed.start
        # "To 2013" means to the end of 2013.
        return last_day(parsed.end or parsed.start, parsed.end_precision if parsed.end else parsed.precision)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "“To” must come after “From”.")
        return data

    def options(self):
        data = self.cleaned_data
        return ExportOptions(
            start=data.get("start"), end=data.get("end"),
            start_text=self.data.get("start", "").strip() if data.get("start") else "",
            end_text=self.data.get("end", "").strip() if data.get("end") else "",
            sections=tuple(data.get("sections") or ()),
            include_contested=data.get("contested") != "leave_out",
            include_confidential=bool(data.get("confidential")),
        )
