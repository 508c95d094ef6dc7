"""Pages whose body is a Jinja2 template (core/jinja.py), inside the one layout, templates/base.html."""

from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template import engines
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from .roles import roles_of


def csrf_field(request):
    """The hidden CSRF input, built once for a page that has a form per row."""
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request))


def render_body(request, template_name, context):
    """A Jinja2 template rendered with what Django's context processors would have given it: the
    request, the user and their roles, and the CSRF field."""
    user = request.user
    context = {"request": request, "user": user, "user_roles": roles_of(user),
               "csrf": csrf_field(request), **context}
    return mark_safe(engines["jinja2"].get_template(template_name).render(context))  # noqa: S308 - autoescaped


def render_page(request, template_name, context, *, title, layout=None):
    """The body from ``template_name`` (Jinja2), in the layout with ``title``; ``layout`` passes
    values the layout reads (the search box's ``search_query``). The layout is given the body's
    values too, so that ``response.context`` in tests holds them as for any Django template."""
    body = render_body(request, template_name, context)
    return render(request, "shell.html", {**context, **(layout or {}), "title": title, "body": body})
