"""The Jinja2 environment of the pages on the researchers' hot path (the case list, the search
results, the case page and its risk explanation): Django's template language spends about 8 µs per
node, and a case page with its timeline, citations and risk panel has over a thousand, three times
the time of its SQL. The same
page in Jinja2 (compiled to Python functions) renders several times faster. Those templates live in
templates/jinja2/ and render a page's body, which core/rendering.py places in the shared layout
(templates/base.html, Django's engine), so the layout exists once.

Autoescaping is always on (forced in ``environment``); Django's safe strings and forms pass through
as they do in Django templates."""

import datetime
import functools
import re

from django.template.defaultfilters import capfirst
from django.template.defaultfilters import date as date_format
from django.templatetags.static import static
from django.urls import reverse
from django.utils.timezone import template_localtime
from django.utils.translation import get_language
from jinja2 import Environment

_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
_PATTERNS = {}


def url(name, *args):
    """``reverse(name, args=args)``. Reversing walks the resolver for every call (about 18 µs, and a
    case page links a hundred times); the address of each name is reversed once per process with
    stand-in arguments, then filled in. Arguments other than integers and slugs are reversed as
    usual."""
    if not all(isinstance(arg, int) or (isinstance(arg, str) and _SLUG.fullmatch(arg)) for arg in args):
        return reverse(name, args=args)
    key = (name, tuple(type(arg) for arg in args))
    pattern = _PATTERNS.get(key)
    if pattern is None:
        stand_ins = [987_654_321 + i if isinstance(arg, int) else f"zqslot{i}zq" for i, arg in enumerate(args)]
        pattern = reverse(name, args=stand_ins).replace("{", "{{").replace("}", "}}")
        for i, stand_in in enumerate(stand_ins):
            pattern = pattern.replace(str(stand_in), f"{{{i}}}", 1)
        _PATTERNS[key] = pattern
    return pattern.format(*args)


_TIME_OF_DAY = set("aAfgGhHisuPeOTZcrUI")  # format characters that read more than the day


def date(value, arg=None):
    """Django's ``date`` filter, in the current time zone as in Django templates. A format of the
    day alone ("j M Y", a list's column) is formatted once per day shown, not once per row."""
    value = template_localtime(value)
    if arg and isinstance(value, datetime.datetime) and not _TIME_OF_DAY.intersection(arg):
        value = value.date()
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return _day(value, arg, get_language())
    return date_format(value, arg)


@functools.lru_cache(maxsize=1024)
def _day(value, arg, language):
    return date_format(value, arg)


def environment(**options):
    from cases.templatetags.onward_ui import clip, precision_label, quick_select
    from cases.templatetags.risk import fact_url, rule_names

    options.pop("autoescape", None)  # always on, whatever the settings say
    env = Environment(autoescape=True, **options)
    env.globals.update(url=url, static=static, fact_url=fact_url, rule_names=rule_names, quick_select=quick_select)
    env.filters.update(date=date, clip=lambda value, length: clip(str(value), length),
                       precision_label=precision_label, capfirst=capfirst)
    return env
