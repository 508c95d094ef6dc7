"""Template helpers for risk explanations: links from a fired rule to the facts behind it."""

from django import template
from django.template import engines
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import mark_safe

from cases import risk

register = template.Library()

# Facts shown on the case page carry anchors there; the rest open in the admin (admins review risk).
CASE_PAGE = {"charge": "charge", "request": "request", "decision": "decision", "event": "event"}
ADMIN = {
    "charge": "cases_charge", "request": "cases_extraditionrequest", "assurance": "cases_assurance",
    "decision": "cases_decision", "event": "cases_event", "role": "people_politicalrole",
    "relationship": "people_relationship", "protection": "people_protection",
    "assessment": "jurisdictions_riskassessment", "membership": "jurisdictions_membership",
    "channel": "jurisdictions_transferchannel",
}


@register.simple_tag
def fact_url(fact, case_id):
    model = fact.get("model")
    if fact.get("restricted"):
        return ""
    if model in CASE_PAGE and case_id:
        return reverse("cases:detail", args=[case_id]) + f"#{CASE_PAGE[model]}-{fact['pk']}"
    if model in ADMIN:
        try:
            return reverse(f"admin:{ADMIN[model]}_change", args=[fact["pk"]])
        except NoReverseMatch:
            return ""
    return ""


@register.simple_tag
def explanation(evaluation):
    """One evaluation, rule by rule (templates/jinja2/cases/risk/_explanation.html, which the case
    page's risk panel includes), for a Django template: the flag page."""
    body = engines["jinja2"].get_template("cases/risk/_explanation.html").render({"evaluation": evaluation})
    return mark_safe(body)  # noqa: S308 - autoescaped by Jinja2


def rule_names():
    return {code: rule["name"] for code, rule in risk.reference_tables()[1].items()}
