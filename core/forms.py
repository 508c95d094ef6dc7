"""Form pieces every fact form shares: the version for conflict detection, and a date typed the
way the sources write it ("Dec 2016", "c. 2009", "since 2009") kept with its precision."""

from django import forms
from django.core.exceptions import ValidationError

from .dates import Precision, Qualifier, parse_date

BIGINT = 9_223_372_036_854_775_807


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Refuses an id beyond the database's integer range as an invalid choice. Django checks each id
    with an exact lookup (which copes) but then runs ``pk__in``, where such an id is an OverflowError
    on SQLite and a DataError on PostgreSQL: a server error (found by the form fuzz)."""

    def _check_values(self, value):
        for pk in value if isinstance(value, list | tuple) else []:
            text = str(pk).strip()
            if text.lstrip("-").isdigit() and abs(int(text)) > BIGINT:
                raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                      params={"pk": text[:40]})
        return super()._check_values(value)


class VersionedForm(forms.ModelForm):
    """Carries the version the user started from; core/editing.save_fact refuses a stale one."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version
        for field in self.fields.values():
            if type(field) is forms.ModelMultipleChoiceField:
                field.__class__ = BoundedModelMultipleChoiceField


class DatedForm(VersionedForm):
    date_input = forms.CharField(
        label="Date", required=False, max_length=120,
        help_text="As the source gives it: 2009, Dec 2016, 25 March 2011, c. 2009, since 2009, "
                  "between 2008 and 2009. Leave empty if unknown.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound and self.instance.date_precision != Precision.UNKNOWN:
            self.initial["date_input"] = self.instance.date_display
        self.order_fields(["date_input"])

    def clean_date_input(self):
        text = self.cleaned_data["date_input"].strip()
        if not text:
            self.parsed_date = None
            return text
        try:
            self.parsed_date = parse_date(text)
        except ValueError as error:
            raise ValidationError(str(error)) from None
        return text

    def _post_clean(self):
        parsed = getattr(self, "parsed_date", None)
        instance = self.instance
        if "date_input" in self.cleaned_data:
            if parsed is None:
                instance.date, instance.date_precision, instance.date_qualifier = None, Precision.UNKNOWN, Qualifier.ON
                instance.date_end, instance.date_end_precision, instance.date_text = None, "", ""
            else:
                instance.date, instance.date_precision, instance.date_qualifier = parsed.start, parsed.precision, parsed.qualifier
                instance.date_end = parsed.end
                instance.date_end_precision = parsed.end_precision if parsed.end else ""
                instance.date_text = self.cleaned_data["date_input"]
        super()._post_clean()

    @property
    def precision_display(self):
        parsed = getattr(self, "parsed_date", None)
        if parsed is None:
            return ""
        return Precision(parsed.precision).label


def describe(obj, field, value):
    """A stored value in words: the choice label, the related record's name, Yes/No, or "—"."""
    if value in (None, ""):
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation and field.many_to_one:
        related = field.related_model._base_manager.filter(pk=value).first()
        return str(related) if related is not None else f"#{value}"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)
