"""Small template helpers for the researcher pages."""

from html import escape

from django import template
from django.forms import CheckboxInput, RadioSelect, Select, SelectMultiple
from django.template.defaultfilters import stringfilter
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

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


@register.filter(is_safe=True)
@stringfilter
def clip(value, length):
    """``truncatechars``, but a text that fits is returned as it is (Django's translates its "…"
    on every call, even when nothing is cut: hundreds of times on a case page)."""
    length = int(length)
    return value if len(value) <= length else Truncator(value).chars(length)


@register.filter
def precision_label(value):
    return {"day": "exact day", "month": "month", "year": "year", "approx": "approximate",
            "unknown": "unknown"}.get(value, value)


@register.simple_tag
def quick_select(field):
    """A single-choice <select> rendered directly, as Django's Select widget would (name, id, the
    chosen option), without a template per option: the case list's filters have hundreds."""
    widget = field.field.widget
    if not isinstance(widget, Select) or isinstance(widget, SelectMultiple) or widget.attrs:
        return str(field)
    value = field.value()
    chosen = {str(v) for v in value} if isinstance(value, (list, tuple)) else {"" if value is None else str(value)}
    options = []
    for key, label in field.field.choices:
        key = str(key)
        selected = " selected" if key in chosen else ""
        options.append(f'<option value="{escape(key)}"{selected}>{escape(str(label))}</option>')
    return format_html('<select name="{}" id="{}">{}</select>', field.html_name, field.auto_id,
                       mark_safe("".join(options)))  # noqa: S308 - every value escaped above
