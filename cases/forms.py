"""Forms for editing a case file from its page. Dates are typed as text and kept with their
precision (core/forms.DatedForm); any fact form can cite a source, existing or new, saved in the
same transaction as the fact."""

from django import forms
from django.core.exceptions import ValidationError

from core.forms import DatedForm, VersionedForm
from people.models import Affiliation, Organisation, PoliticalRole, Protection, Relationship
from sources.models import Citation, Position, Source, SourceKind, Stance

from .models import Case, Charge, Decision, Event, ExtraditionRequest

FACT_FIELDS = ["claim_status", "confidential", "notes"]


class CitingForm(DatedForm):
    """Adds "cite a source": pick an existing source or describe a new one."""

    cite_source = forms.ModelChoiceField(
        queryset=Source.objects.order_by("title"), required=False, label="Cite an existing source",
        empty_label="— none —",
    )
    new_source_title = forms.CharField(label="…or a new source: title", required=False, max_length=500)
    new_source_publisher = forms.CharField(label="Publisher or author", required=False, max_length=300)
    new_source_url = forms.URLField(label="Web address", required=False, max_length=1000, assume_scheme="https")
    new_source_kind = forms.ChoiceField(label="Kind of source", choices=SourceKind.choices, initial=SourceKind.NEWS,
                                        required=False)
    new_source_stance = forms.ChoiceField(label="Stance towards the government", choices=Stance.choices,
                                          initial=Stance.NEUTRAL, required=False)
    cite_quote = forms.CharField(label="Quote", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                 help_text="The source's own words that support (or dispute) this fact.")
    cite_page = forms.CharField(label="Page or paragraph", required=False, max_length=40)
    cite_position = forms.ChoiceField(label="The source", choices=Position.choices, initial=Position.SUPPORTS,
                                      required=False)

    CITATION_FIELDS = ("cite_source", "new_source_title", "new_source_publisher", "new_source_url",
                       "new_source_kind", "new_source_stance", "cite_quote", "cite_page", "cite_position")

    def clean(self):
        data = super().clean()
        if data.get("cite_source") and data.get("new_source_title"):
            raise ValidationError("Pick an existing source or describe a new one, not both.")
        if (data.get("cite_quote") or data.get("cite_page")) and not (
                data.get("cite_source") or data.get("new_source_title")):
            self.add_error("cite_source", "Say which source the quote comes from.")
        return data

    def citation_fields(self):
        return [self[name] for name in self.CITATION_FIELDS]

    def main_fields(self):
        return [field for field in self.visible_fields() if field.name not in self.CITATION_FIELDS]

    def save_citation(self, fact, user):
        """Called inside the fact's transaction; returns the citation or None."""
        from core.editing import save_fact

        data = self.cleaned_data
        source = data.get("cite_source")
        if source is None and data.get("new_source_title"):
            source = save_fact(Source(
                title=data["new_source_title"], publisher=data.get("new_source_publisher", ""),
                url=data.get("new_source_url", ""), kind=data.get("new_source_kind") or SourceKind.OTHER,
                stance=data.get("new_source_stance") or Stance.NEUTRAL, date_precision="unknown",
            ), user)
        if source is None:
            return None
        return save_fact(Citation(source=source, fact=fact, quote=data.get("cite_quote", ""),
                                  page=data.get("cite_page", ""),
                                  position=data.get("cite_position") or Position.SUPPORTS), user)


class CaseForm(VersionedForm):
    class Meta:
        model = Case
        fields = ["title", "status", "persecuting_state", "host_state", "summary", "restricted", "confidential",
                  "notes"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 4}), "notes": forms.Textarea(attrs={"rows": 3})}


class ChargeForm(CitingForm):
    class Meta:
        model = Charge
        fields = ["charging_state", "offence", "article", "category", "status", "sentence", "instigated_by",
                  "victim", *FACT_FIELDS]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}


class RequestForm(CitingForm):
    class Meta:
        model = ExtraditionRequest
        fields = ["requesting_state", "requested_state", "on_behalf_of", "status", "interpol_notice", "charges",
                  "description", *FACT_FIELDS]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "notes": forms.Textarea(attrs={"rows": 2}),
                   "charges": forms.CheckboxSelectMultiple}

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["charges"].queryset = Charge.objects.filter(case=case).select_related("charging_state")


class DecisionForm(CitingForm):
    class Meta:
        model = Decision
        fields = ["body_name", "jurisdiction", "level", "outcome", "request", "reviews", "reference",
                  "in_absentia", "ground_political", "ground_torture", "ground_fair_trial", "ground_procedural",
                  "ground_humanitarian", "summary", *FACT_FIELDS]
        labels = {"body_name": "Court or body", "reviews": "Reviews the earlier decision",
                  "request": "Extradition request"}
        widgets = {"summary": forms.Textarea(attrs={"rows": 3}), "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["request"].queryset = ExtraditionRequest.objects.filter(case=case).select_related(
            "requesting_state", "requested_state")
        earlier = Decision.objects.filter(case=case).select_related("body")
        if self.instance.pk:
            earlier = earlier.exclude(pk=self.instance.pk)
        self.fields["reviews"].queryset = earlier
        self.fields["body_name"].required = True


class EventForm(CitingForm):
    class Meta:
        model = Event
        fields = ["kind", "title", "place", "jurisdiction", "perpetrator_state", "description", *FACT_FIELDS]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "notes": forms.Textarea(attrs={"rows": 2})}


# --- the person's facts, edited from the case page ------------------------------------------

class ProtectionForm(CitingForm):
    class Meta:
        model = Protection
        fields = ["kind", "outcome", "granted_by", "against_state", "valid_until", *FACT_FIELDS]
        labels = {"kind": "Kind of protection", "granted_by": "Decided by (state or body)",
                  "against_state": "Protection against", "valid_until": "Valid until"}
        widgets = {"notes": forms.Textarea(attrs={"rows": 2}), "valid_until": forms.DateInput(attrs={"type": "date"})}


class RoleForm(CitingForm):
    class Meta:
        model = PoliticalRole
        fields = ["role", "title", "jurisdiction", *FACT_FIELDS]
        labels = {"role": "Profile", "jurisdiction": "Country"}
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}


class AffiliationForm(CitingForm):
    class Meta:
        model = Affiliation
        fields = ["organisation", "kind", "title", *FACT_FIELDS]
        labels = {"kind": "Role in the organisation"}
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.order_by("name")


class RelationshipForm(CitingForm):
    """The other person is typed by name (any spelling) and found among the people the user may
    see; when several match, the form comes back asking which one."""

    other_name = forms.CharField(label="Other person (any spelling)", max_length=200)
    other = forms.IntegerField(required=False, widget=forms.HiddenInput, label="Which person?")

    class Meta:
        model = Relationship
        fields = ["kind", "description", *FACT_FIELDS]
        labels = {"kind": "This person is"}
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, case, find_people, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.find_people = find_people
        self.order_fields(["kind", "other_name", "other"])
        if self.instance.pk and not self.is_bound:
            self.initial["other_name"] = self.instance.other.primary_name

    def clean(self):
        data = super().clean()
        name = data.get("other_name", "").strip()
        if not name:
            return data
        candidates = [p for p in self.find_people(name) if p.pk != self.case.person_id][:8]
        chosen = self._chosen(candidates, data.get("other"))
        if chosen is not None:
            self.instance.other = chosen
        elif not candidates:
            self.add_error("other_name", "No recorded person has a name like this. Check the spelling, or "
                                         "record the person first (a new case or a name on their file).")
        else:
            # Shown only now: the people matching the name, to choose from.
            self.fields["other"].widget = forms.RadioSelect(choices=[(p.pk, self._describe(p)) for p in candidates])
            self.add_error("other", f"{len(candidates)} people have a name like “{name}”: choose one.")
        return data

    @staticmethod
    def _describe(person):
        born = f" (born {person.birth_year})" if person.birth_year else ""
        return f"{person.primary_name}{born}{f' — {person.description}' if person.description else ''}"

    def _chosen(self, candidates, picked):
        """The person picked among ``candidates`` (never anyone else: an id typed into the form
        for a person the user may not see is ignored), or the only one, or the unchanged one."""
        by_pk = {p.pk: p for p in candidates}
        if picked in by_pk:
            return by_pk[picked]
        if self.instance.pk and self.instance.other_id in by_pk and \
                self.cleaned_data.get("other_name", "").strip() == self.instance.other.primary_name:
            return by_pk[self.instance.other_id]
        if len(candidates) == 1:
            return candidates[0]
        return None

    def _post_clean(self):
        if self.instance.other_id is None:  # no other person yet: the field errors say why
            forms.models.construct_instance(self, self.instance, fields=self._meta.fields)
            return None
        return super()._post_clean()


class CitationForm(VersionedForm):
    """Edit one citation (its fact is fixed); a new source may be described inline."""

    new_source_title = forms.CharField(label="…or a new source: title", required=False, max_length=500)
    new_source_publisher = forms.CharField(label="Publisher or author", required=False, max_length=300)
    new_source_stance = forms.ChoiceField(label="Stance towards the government", choices=Stance.choices,
                                          initial=Stance.NEUTRAL, required=False)

    class Meta:
        model = Citation
        fields = ["source", "quote", "page", "position"]
        labels = {"source": "Source"}
        widgets = {"quote": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].required = False
        self.fields["source"].queryset = Source.objects.order_by("title")

    def clean(self):
        data = super().clean()
        if not data.get("source") and not data.get("new_source_title"):
            self.add_error("source", "Pick a source, or give the title of a new one.")
        return data

    def _post_clean(self):
        # A new source is created at save time; validate the rest without it.
        if self.cleaned_data.get("new_source_title") and not self.cleaned_data.get("source"):
            forms.models.construct_instance(self, self.instance, fields=["quote", "page", "position"])
            return None
        return super()._post_clean()

    def prepare(self, user):
        from core.editing import save_fact

        data = self.cleaned_data
        if data.get("new_source_title") and not data.get("source"):
            self.instance.source = save_fact(Source(
                title=data["new_source_title"], publisher=data.get("new_source_publisher", ""),
                stance=data.get("new_source_stance") or Stance.NEUTRAL, date_precision="unknown",
            ), user)


class NewCaseForm(forms.Form):
    """A new case for a new or existing person. A new person whose name is close to someone already
    recorded is refused until the researcher picks the existing person or ticks "create anyway"."""

    title = forms.CharField(max_length=300, label="Case title", help_text="e.g. Ketebayev: Kazakhstan → Poland")
    existing_person = forms.ModelChoiceField(queryset=None, required=False, widget=forms.HiddenInput)
    person_name = forms.CharField(max_length=200, required=False, label="Person's name",
                                  help_text="Any spelling; all others can be added on the case page.")
    person_description = forms.CharField(max_length=500, required=False, label="Who they are, in a line")
    persecuting_state = forms.ModelChoiceField(queryset=None, label="State they fled (persecuting state)")
    host_state = forms.ModelChoiceField(queryset=None, required=False, label="Where they are now")
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    restricted = forms.BooleanField(required=False, label="Restricted: only the case team can see it")
    create_anyway = forms.BooleanField(
        required=False, label="None of the people above is this person: create a new record anyway")

    def __init__(self, *args, find_similar, **kwargs):
        from jurisdictions.models import Jurisdiction
        from people.models import Person

        super().__init__(*args, **kwargs)
        self.find_similar = find_similar
        self.similar = []
        self.fields["existing_person"].queryset = Person.objects.all()
        self.fields["persecuting_state"].queryset = Jurisdiction.objects.order_by("name")
        self.fields["host_state"].queryset = Jurisdiction.objects.order_by("name")

    def clean(self):
        data = super().clean()
        if data.get("existing_person"):
            allowed = {p.pk for p in self.find_similar(data["existing_person"].primary_name)}
            if data["existing_person"].pk not in allowed:
                raise ValidationError("Choose a person from the list offered.")
            return data
        name = data.get("person_name", "").strip()
        if not name:
            self.add_error("person_name", "Give the person's name, or pick an existing person.")
            return data
        self.similar = self.find_similar(name)
        if self.similar and not data.get("create_anyway"):
            raise ValidationError(
                "People with a similar name are already recorded. Open one of them, use one for this case, "
                "or tick “create anyway” if this is someone else.", code="possible_duplicate")
        return data
