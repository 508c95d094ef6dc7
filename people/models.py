"""Persons with every spelling of their names, organisations, relationships, political profile
and protection status."""

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import DatedFact, FactModel, TrackedModel

from .names import clean, script_of, search_key


class Person(FactModel):
    primary_name = models.CharField(max_length=200, help_text=_("The spelling shown first, e.g. Mukhtar Ablyazov."))
    description = models.CharField(max_length=500, blank=True,
                                   help_text=_("Who they are in a line, e.g. former chairman of BTA Bank."))
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    citizenships = models.ManyToManyField("jurisdictions.Jurisdiction", blank=True, related_name="citizens")
    residence = models.ForeignKey(
        "jurisdictions.Jurisdiction", null=True, blank=True, on_delete=models.PROTECT, related_name="residents",
        help_text=_("Country of residence."),
    )
    # Current whereabouts: shown only to the case team, never exported unless asked for.
    whereabouts_city = models.CharField(max_length=120, blank=True)
    whereabouts_address = models.CharField(max_length=300, blank=True)
    phone = models.CharField(max_length=60, blank=True)
    key = models.SlugField(max_length=80, unique=True, null=True, blank=True,
                           help_text=_("Stable key for loaded data."))
    citations = GenericRelation("sources.Citation")

    history = HistoricalRecords()

    class Meta:
        ordering = ["primary_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(birth_year__isnull=True) | Q(birth_year__gte=1880, birth_year__lte=2100),
                name="person_birth_year_plausible",
                violation_error_message="The birth year must be between 1880 and 2100.",
            ),
            models.CheckConstraint(condition=~Q(primary_name=""), name="person_has_name",
                                   violation_error_message="A person needs a name."),
        ]

    def __str__(self):
        return self.primary_name


class Script(models.TextChoices):
    LATIN = "latin", _("Latin")
    CYRILLIC = "cyrillic", _("Cyrillic")
    MIXED = "mixed", _("Mixed")
    OTHER = "other", _("Other")


class VariantKind(models.TextChoices):
    PRIMARY = "primary", _("Primary spelling")
    TRANSLITERATION = "transliteration", _("Transliteration")
    NATIVE = "native", _("Native script")
    ALIAS = "alias", _("Alias")
    FORMER_NAME = "former_name", _("Former name")
    PATRONYMIC = "patronymic", _("Patronymic form")
    PARTIAL = "partial", _("Partial name (surname only)")
    MISSPELLING = "misspelling", _("Misspelling as printed")


class NameVariant(TrackedModel):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(max_length=200)
    script = models.CharField(max_length=10, choices=Script.choices, editable=False)
    kind = models.CharField(max_length=16, choices=VariantKind.choices, default=VariantKind.TRANSLITERATION)
    system = models.CharField(max_length=120, blank=True,
                              help_text=_("Transliteration system or language, e.g. French court spelling."))
    source = models.ForeignKey("sources.Source", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="name_variants", help_text=_("Where this spelling was seen."))
    # The skeleton every spelling folds to (people/names.py); the search matches on it.
    search_key = models.CharField(max_length=200, editable=False, db_index=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["person", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["person", "name"], condition=Q(deleted_at__isnull=True),
                                    name="name_variant_unique_per_person",
                                    violation_error_message="This person already has this spelling."),
            models.CheckConstraint(condition=~Q(name=""), name="name_variant_not_empty",
                                   violation_error_message="A name cannot be empty."),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        # Validate the name as save() will store it: one of only control or invisible characters is
        # empty once cleaned, and must be refused with a message, not hit the database's CHECK.
        self.name = clean(self.name)
        super().clean()

    def save(self, *args, **kwargs):
        self.name = clean(self.name)
        self.script = script_of(self.name)
        self.search_key = search_key(self.name)
        super().save(*args, **kwargs)


class ProfileRole(models.TextChoices):
    OPPOSITION_POLITICIAN = "opposition_politician", _("Opposition politician")
    JOURNALIST = "journalist", _("Journalist or publisher")
    ACTIVIST = "activist", _("Civil or political activist")
    HUMAN_RIGHTS_DEFENDER = "human_rights_defender", _("Human-rights defender")
    TRADE_UNIONIST = "trade_unionist", _("Trade unionist")
    FORMER_OFFICIAL = "former_official", _("Former official")
    OFFICIAL = "official", _("Official")
    BUSINESSPERSON = "businessperson", _("Businessperson or banker")
    ASSOCIATE = "associate", _("Associate of a political figure")
    EMPLOYEE = "employee", _("Employee")
    OTHER = "other", _("Other")


class PoliticalRole(DatedFact):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=24, choices=ProfileRole.choices)
    title = models.CharField(max_length=300, blank=True, help_text=_("e.g. former Prime Minister of Kazakhstan"))
    jurisdiction = models.ForeignKey("jurisdictions.Jurisdiction", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    citations = GenericRelation("sources.Citation")

    history = HistoricalRecords()

    class Meta:
        ordering = ["person", "date"]
        constraints = DatedFact.date_constraints("political_role")

    def __str__(self):
        return f"{self.person}: {self.title or self.get_role_display()}"


class ProtectionKind(models.TextChoices):
    ASYLUM = "asylum", _("Political asylum")
    REFUGEE = "refugee", _("Refugee status")
    SUBSIDIARY = "subsidiary", _("Subsidiary protection")
    HUMANITARIAN = "humanitarian", _("Humanitarian or other residence")
    RULE_39 = "rule_39", _("ECtHR Rule 39 interim measure")


class ProtectionOutcome(models.TextChoices):
    APPLIED = "applied", _("Applied for")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")
    REVOKED = "revoked", _("Revoked")


class Protection(DatedFact):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="protections")
    kind = models.CharField(max_length=14, choices=ProtectionKind.choices)
    outcome = models.CharField(max_length=8, choices=ProtectionOutcome.choices, default=ProtectionOutcome.GRANTED)
    granted_by = models.ForeignKey("jurisdictions.Jurisdiction", on_delete=models.PROTECT, related_name="+",
                                   help_text=_("The state (or body) that decided."))
    against_state = models.ForeignKey("jurisdictions.Jurisdiction", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+",
                                      help_text=_("The state the protection is against, e.g. Kazakhstan."))
    valid_until = models.DateField(null=True, blank=True)
    citations = GenericRelation("sources.Citation")

    history = HistoricalRecords()

    class Meta:
        ordering = ["person", "date"]
        constraints = [
            *DatedFact.date_constraints("protection"),
            models.CheckConstraint(condition=~Q(granted_by=F("against_state")), name="protection_not_against_itself",
                                   violation_error_message="A state does not grant protection against itself."),
        ]

    def __str__(self):
        against = f" against {self.against_state}" if self.against_state_id else ""
        return f"{self.get_kind_display()} {self.get_outcome_display().lower()} by {self.granted_by}{against}"


class OrganisationKind(models.TextChoices):
    NGO = "ngo", _("NGO or human-rights organisation")
    PARTY = "party", _("Political party or movement")
    MEDIA = "media", _("Media outlet")
    COMPANY = "company", _("Company or bank")
    TRADE_UNION = "trade_union", _("Trade union")
    SECURITY_SERVICE = "security_service", _("Security or intelligence service")
    COURT = "court", _("Court")
    PROSECUTOR = "prosecutor", _("Prosecutor's office or investigators")
    GOVERNMENT = "government", _("Government body")
    LEGISLATURE = "legislature", _("Parliament or assembly")
    INTERGOVERNMENTAL = "intergovernmental", _("Intergovernmental organisation")
    OTHER = "other", _("Other")


class Organisation(FactModel):
    name = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices, default=OrganisationKind.OTHER)
    jurisdiction = models.ForeignKey("jurisdictions.Jurisdiction", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="organisations")
    description = models.CharField(max_length=500, blank=True)
    key = models.SlugField(max_length=80, unique=True, null=True, blank=True)
    citations = GenericRelation("sources.Citation")

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=~Q(name=""), name="organisation_has_name",
                                              violation_error_message="An organisation needs a name.")]

    def __str__(self):
        return self.name


class OrganisationName(TrackedModel):
    """Other names of one body: NSC / Committee of National Security; Memorial's three names."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(max_length=300)
    search_key = models.CharField(max_length=300, editable=False, db_index=True)
    source = models.ForeignKey("sources.Source", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation", "name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], condition=Q(deleted_at__isnull=True),
                                               name="organisation_name_unique",
                                               violation_error_message="This organisation already has this name.")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = clean(self.name)
        self.search_key = search_key(self.name)
        super().save(*args, **kwargs)


class RelationshipKind(models.TextChoices):
    ASSOCIATE = "associate", _("Associate")
    POLITICAL_ASSOCIATE = "political_associate", _("Political associate")
    CO_ACCUSED = "co_accused", _("Co-accused")
    BODYGUARD = "bodyguard", _("Bodyguard of")
    EMPLOYEE = "employee", _("Employee of")
    FAMILY = "family", _("Family")
    SPOUSE = "spouse", _("Spouse")
    REPRESENTATIVE = "representative", _("Represents (lawyer or spokesperson)")
    ADVERSARY = "adversary", _("In conflict with")
    FUNDER = "funder", _("Funded by")


class Relationship(DatedFact):
    """Person ↔ person: ``person`` is <kind> ``other`` (Pavlov is bodyguard of Ketebayev)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships")
    other = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships_in")
    kind = models.CharField(max_length=20, choices=RelationshipKind.choices)
    description = models.CharField(max_length=500, blank=True)
    citations = GenericRelation("sources.Citation")

    history = HistoricalRecords()

    class Meta:
        ordering = ["person", "kind"]
        constraints = [
            *DatedFact.date_constraints("relationship"),
            models.CheckConstraint(condition=~Q(person=F("other")), name="relationship_two_people",
                                   violation_error_message="A relationship links two different people."),
            models.UniqueConstraint(fields=["person", "other", "kind"], condition=Q(deleted_at__isnull=True),
                                    name="relationship_unique",
                                    violation_error_message="This relationship is already recorded."),
        ]

    def __str__(self):
        return f"{self.person} — {self.get_kind_display().lower()} — {self.other}"


class AffiliationKind(models.TextChoices):
    FOUNDER = "founder", _("Founder")
    MEMBER = "member", _("Member")
    LEADER = "leader", _("Leader, chair or co-chair")
    EMPLOYEE = "employee", _("Employee or officer")
    PUBLISHER = "publisher", _("Publisher or editor")
    REPRESENTATIVE = "representative", _("Representative")
    SIGNATORY = "signatory", _("Signatory")


class Affiliation(DatedFact):
    """Person ↔ organisation (founder of Democratic Choice of Kazakhstan, chair of the NSC…)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="affiliations")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="affiliations")
    kind = models.CharField(max_length=16, choices=AffiliationKind.choices)
    title = models.CharField(max_length=300, blank=True, help_text=_("e.g. chairman of the Board of Directors"))
    citations = GenericRelation("sources.Citation")

    history = HistoricalRecords()

    class Meta:
        ordering = ["person", "date"]
        constraints = [
            *DatedFact.date_constraints("affiliation"),
            models.UniqueConstraint(fields=["person", "organisation", "kind", "title"],
                                    condition=Q(deleted_at__isnull=True), name="affiliation_unique",
                                    violation_error_message="This affiliation is already recorded."),
        ]

    def __str__(self):
        return f"{self.person}: {self.title or self.get_kind_display()} — {self.organisation}"
