import django_filters
from django import forms
from django.contrib.auth import get_user_model

from .models import AccessEvent, Action


class AccessEventFilter(django_filters.FilterSet):
    user = django_filters.ModelChoiceFilter(queryset=get_user_model().objects.order_by("username"),
                                            label="User")
    username = django_filters.CharFilter(lookup_expr="icontains", label="Username as typed")
    action = django_filters.ChoiceFilter(choices=Action.choices, label="Action")
    case_id = django_filters.NumberFilter(label="Case number")
    after = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label="From (date)",
                                      widget=forms.DateInput(attrs={"type": "date"}))
    before = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label="To (date)",
                                       widget=forms.DateInput(attrs={"type": "date"}))
    ip_address = django_filters.CharFilter(lookup_expr="startswith", label="Address")

    class Meta:
        model = AccessEvent
        fields = ["user", "username", "action", "case_id", "after", "before", "ip_address"]
