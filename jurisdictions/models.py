"""States, what they belong to and are party to, their torture and fair-trial record, and the
channels through which a person handed to one can be passed to another: the graph the
onward-return risk walks."""

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import FactModel, TrackedModel


class Jurisdiction(TrackedModel):
    code = models.CharField(max_length=2, unique=True, help_text=_("ISO 3166-1 alpha-2 code, e.g. KZ."))
    name = models.CharField(max_length=120, unique=True)
    name_native = models.CharField(max_length=120, blank=True, help_text=_("e.g. Казахстан"))
    notes = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z]{2}$"),
                name="jurisdiction_code_iso_alpha2",
                violation_error_message="The code must be two capital letters (ISO 3166-1 alpha-2), e.g. KZ.",
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)


class Body(models.TextChoices):
    """Organisations a state belongs to and conventions it is party to."""

    EU = "eu", _("European Union")
    COE = "coe", _("Council of Europe")
    ECHR = "echr", _("European Convention on Human Rights")
    CIS = "cis", _("Commonwealth of Independent States")
    SCO = "sco", _("Shanghai Cooperation Organisation")
    EAEU = "eaeu", _("Eurasian Economic Union / Community")
    ECE = "ece", _("European Convention on Extradition (ETS 24)")
    UNCAT = "uncat", _("UN Convention against Torture")
    REFUGEE = "refugee", _("Refugee Convention 1951")
    MINSK = "minsk", _("Minsk Convention 1993 (CIS legal assistance)")
    CHISINAU = "chisinau", _("Chisinau Convention 2002 (CIS)")
    CIS_CRIME_1998 = "cis_crime_1998", _("CIS Agreement on Cooperation in the Fight against Crime 1998")
    SHANGHAI = "shanghai", _("Shanghai Convention 2001")


class MembershipStatus(models.TextChoices):
    MEMBER = "member", _("Member or party")
    SIGNATORY = "signatory", _("Signed, not ratified")
    WITHDRAWN = "withdrawn", _("Withdrawn or expelled")
    UNCLEAR = "unclear", _("Unclear (unverified)")


class Membership(FactModel):
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE, related_name="memberships")
    body = models.CharField(max_length=16, choices=Body.choices)
    status = models.CharField(max_length=10, choices=MembershipStatus.choices, default=MembershipStatus.MEMBER)
    since = models.DateField(null=True, blank=True)
    until = models.DateField(null=True, blank=True, help_text=_("Left or withdrew on."))
    citations = GenericRelation("sources.Citation")

    history = HistoricalRecords()

    class Meta:
        ordering = ["jurisdiction__name", "body"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "body"], condition=Q(deleted_at__isnull=True),
                name="membership_once_per_body",
                violation_error_message="This state already has a membership entry for this body.",
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(since__isnull=True) | Q(until__gte=F("since")),
                name="membership_until_after_since",
                violation_error_message="A membership cannot end before it began.",
            ),
        ]

    def __str__(self):
        return f"{self.jurisdiction}: {self.get_body_display()} ({self.get_status_display().lower()})"

    def active_on(self, day):
        if self.status not in (MembershipStatus.MEMBER,):
            return False
        if self.since and day < self.since:
            return False
        return not (self.until and day >= self.until)


class RiskLevel(models.TextChoices):
    NONE = "none", _("No documented risk")
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class RiskAssessment(FactModel):
    """A sourced finding on a state's record: torture in custody, fair trial."""

    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE, related_name="risk_assessments")
    torture_risk = models.CharField(max_length=8, choices=RiskLevel.choices, default=RiskLevel.NONE)
    fair_trial_risk = models.CharField(max_length=8, choices=RiskLevel.choices, default=RiskLevel.NONE)
    ignores_echr_judgments = models.BooleanField(
        default=False, help_text=_("Outside the ECHR, or ignoring its judgments (rule A8)."),
    )
    summary = models.TextField()
    assessed_on = models.DateField(null=True, blank=True)
    citations = GenericRelation("sources.Citation")

    history = HistoricalRecords()

    class Meta:
        ordering = ["jurisdiction__name", "-assessed_on"]

    def __str__(self):
        return f"{self.jurisdiction}: torture risk {self.torture_risk}, fair-trial risk {self.fair_trial_risk}"


class ChannelKind(models.TextChoices):
    BILATERAL_TREATY = "bilateral_treaty", _("Bilateral extradition treaty")
    MULTILATERAL_CONVENTION = "multilateral", _("Multilateral convention")
    SECURITY_SERVICES = "security_services", _("Security-service cooperation")
    INFORMAL = "informal", _("Informal practice (handover, deportation, access)")


class ChannelStatus(models.TextChoices):
    IN_FORCE = "in_force", _("In force / operating")
    ABSENT = "absent", _("Documented absence (no treaty)")
    SUSPENDED = "suspended", _("Suspended")
    UNCLEAR = "unclear", _("Unclear (unverified)")


class TransferChannel(FactModel):
    """A way a person can pass from one state to another: a treaty, a convention both are party to,
    or security services that cooperate. ``ABSENT`` records a documented gap (Kazakhstan has no
    extradition treaty with France), which is itself evidence of a proxy request."""

    from_jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE, related_name="channels_out")
    to_jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE, related_name="channels_in")
    kind = models.CharField(max_length=20, choices=ChannelKind.choices)
    instrument = models.CharField(max_length=16, choices=Body.choices, blank=True,
                                  help_text=_("The convention, for multilateral channels."))
    name = models.CharField(max_length=300, blank=True, help_text=_("e.g. CIS Council of Heads of Security Services"))
    status = models.CharField(max_length=10, choices=ChannelStatus.choices, default=ChannelStatus.IN_FORCE)
    bidirectional = models.BooleanField(default=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    citations = GenericRelation("sources.Citation")

    history = HistoricalRecords()

    class Meta:
        ordering = ["from_jurisdiction__name", "to_jurisdiction__name", "kind"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_jurisdiction=F("to_jurisdiction")),
                name="channel_between_two_states",
                violation_error_message="A transfer channel links two different states.",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_from__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="channel_valid_to_after_from",
                violation_error_message="A channel cannot end before it began.",
            ),
            models.UniqueConstraint(
                fields=["from_jurisdiction", "to_jurisdiction", "kind", "instrument", "name"],
                condition=Q(deleted_at__isnull=True),
                name="channel_unique",
                violation_error_message="This channel is already recorded.",
            ),
        ]

    def __str__(self):
        arrow = "↔" if self.bidirectional else "→"
        label = self.name or self.get_instrument_display() or self.get_kind_display()
        return f"{self.from_jurisdiction} {arrow} {self.to_jurisdiction}: {label} ({self.get_status_display().lower()})"
