"""Every URL pattern in the URLconf, with concrete arguments pointing at a restricted case's objects."""

from django.contrib.admin.sites import site
from django.urls import URLPattern, URLResolver, get_resolver


def all_patterns(patterns=None, prefix="", namespace=None):
    """Yield (key, route, pattern) for every URL pattern. ``key`` is ``namespace:name`` for named
    patterns, else the full route (e.g. ``admin/login/``)."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from all_patterns(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            key = (f"{namespace}:{entry.name}" if namespace else entry.name) if entry.name else route
            yield key, route, entry


def is_admin_site(route):
    return route.startswith("admin/") and route != "admin/login/" and site is not None


def build(route, arguments):
    """``route`` with each ``<conv:name>`` (or regex group) replaced by ``arguments[name]``."""
    import re

    def swap(match):
        name = match.group("name")
        if name not in arguments:
            raise KeyError(f"URL argument <{name}> in {route!r} has no value: add one to the arguments in "
                           "tests/security/world.py (an id of an object of the restricted case)")
        return str(arguments[name])

    url = re.sub(r"\(\?P<(?P<name>\w+)>[^)]*\)", swap, route)
    url = re.sub(r"<(?:\w+:)?(?P<name>\w+)>", swap, url)
    return "/" + url.lstrip("^").rstrip("$").replace("\\", "")
