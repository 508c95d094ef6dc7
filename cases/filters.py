"""The case list's filters. The state lives in the query string, so a filtered list is a link.

Filters over related tables (requests, charges, assignments) are EXISTS subqueries, never joins:
a join multiplies case rows and needs DISTINCT, which defeats the list's index and makes the count
slow on 100k cases."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef

from core.statements import Statement
from jurisdictions.models import Jurisdiction

from .models import Case, CaseStatus, Charge, ChargeCategory, ExtraditionRequest, RequestStatus
from .risk_models import FlagStatus, Level, RiskEvaluation, RiskFlag
from .risk_review import assignable_users

SORTS = {
    "title": "Case",
    "person": "Person",
    "status": "Status",
    "host": "Where",
    "changed": "Last change",
}


class DateInput(forms.DateInput):
    input_type = "date"


def _states(user):
    return Jurisdiction.objects.order_by("name").only("name")


def _researchers(user):
    return assignable_users().only("username", "first_name", "last_name")


# The choices of the filters, on every view of the list: compiled once (core/statements.py).
STATES = Statement(_states)
RESEARCHERS = Statement(_researchers)


class CaseFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=CaseStatus.choices, label="Case status", empty_label="Any")
    requesting_state = django_filters.ChoiceFilter(label="Requesting state", method="filter_requesting",
                                                   empty_label="Any")
    requested_state = django_filters.ChoiceFilter(label="Requested state", method="filter_requested",
                                                  empty_label="Any")
    residence = django_filters.ChoiceFilter(label="Person lives in", field_name="person__residence_id",
                                            empty_label="Any")
    request_status = django_filters.ChoiceFilter(choices=RequestStatus.choices, label="Request status",
                                                 method="filter_request_status", empty_label="Any")
    charge_category = django_filters.ChoiceFilter(choices=ChargeCategory.choices, label="Charge category",
                                                  method="filter_charge_category", empty_label="Any")
    risk_level = django_filters.ChoiceFilter(choices=Level.choices, label="Risk level (current evaluation)",
                                             method="filter_risk_level", empty_label="Any")
    flagged_unreviewed = django_filters.BooleanFilter(
        label="Flagged and unreviewed", method="filter_flagged_unreviewed",
        widget=forms.CheckboxInput,
    )
    request_date = django_filters.DateFromToRangeFilter(
        label="Request date", method="filter_request_date",
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )
    changed = django_filters.DateFromToRangeFilter(
        label="Last change", field_name="updated_at",
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )
    assigned = django_filters.ChoiceFilter(label="Assigned researcher", method="filter_assigned", empty_label="Anyone")
    o = django_filters.OrderingFilter(
        fields=(("title", "title"), ("person__primary_name", "person"), ("status", "status"),
                ("host_state__name", "host"), ("updated_at", "changed")),
        field_labels=SORTS, label="Sort by",
    )

    class Meta:
        model = Case
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One query for the three state lists and one for the researchers, whatever the page.
        states = [(str(state.pk), state.name) for state in STATES.all(None)]
        for name in ("requesting_state", "requested_state", "residence"):
            self.filters[name].extra["choices"] = states
        self.filters["assigned"].extra["choices"] = [
            (str(user.pk), f"{user.first_name} {user.last_name}".strip() or user.username)
            for user in RESEARCHERS.all(None)
        ]

    def _requests(self, **conditions):
        return Exists(ExtraditionRequest.objects.filter(case=OuterRef("pk"), **conditions))

    def filter_requesting(self, queryset, name, value):
        return queryset.filter(self._requests(requesting_state_id=value))

    def filter_requested(self, queryset, name, value):
        return queryset.filter(self._requests(requested_state_id=value))

    def filter_request_status(self, queryset, name, value):
        return queryset.filter(self._requests(status=value))

    def filter_request_date(self, queryset, name, value):
        conditions = {}
        if value.start:
            conditions["date__gte"] = value.start
        if value.stop:
            conditions["date__lte"] = value.stop
        return queryset.filter(self._requests(**conditions)) if conditions else queryset

    def filter_charge_category(self, queryset, name, value):
        return queryset.filter(Exists(Charge.objects.filter(case=OuterRef("pk"), category=value)))

    def filter_assigned(self, queryset, name, value):
        return queryset.filter(Exists(Case.assigned_to.through.objects.filter(case_id=OuterRef("pk"), user_id=value)))

    def filter_risk_level(self, queryset, name, value):
        return queryset.filter(Exists(RiskEvaluation.objects.filter(case=OuterRef("pk"), current=True, level=value)))

    def filter_flagged_unreviewed(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Exists(RiskFlag.objects.filter(case=OuterRef("pk"), status=FlagStatus.OPEN)))
