"""Small template helpers for the researcher pages."""

from django import template
from django.forms import CheckboxInput, RadioSelect
from django.template.loader import render_to_string

register = template.Library()


@register.simple_tag
def field_block(field):
    """A labelled field with its help and errors, wired with aria-describedby / aria-invalid."""
    widget = field.field.widget
    return render_to_string("cases/_field.html", {
        "field": field,
        "checkbox": isinstance(widget, CheckboxInput),
        "multi": isinstance(widget, RadioSelect),  # radio buttons and checkbox lists
        "wide": field.name in {"summary", "description", "notes", "quote", "cite_quote", "offence", "title",
                               "charges", "new_source_title"},
    })


@register.filter
def precision_label(value):
    return {"day": "exact day", "month": "month", "year": "year", "approx": "approximate",
            "unknown": "unknown"}.get(value, value)
