"""One person's extradition matter and every dated fact in it: charges, requests, decisions,
events and the contested claims around them."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import DatedFact, FactModel, LiveManager, LiveQuerySet
from core.roles import can_read, is_admin


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open: proceedings under way")
    WATCH = "watch", _("Watch: no request pending")
    CLOSED = "closed", _("Closed")


class CaseQuerySet(LiveQuerySet):
    def visible_to(self, user):
        """The one answer to "which cases may this user see". Restricted cases are visible only
        to their team (and admins); everyone else gets a 404 everywhere, as if it did not exist."""
        if not can_read(user):
            return self.none()
        if is_admin(user):
            return self
        # EXISTS rather than joins + DISTINCT: the case list counts and pages over 100k cases,
        # and DISTINCT over joined rows would defeat the (status, -updated_at) index.
        team = Case.team.through.objects.filter(case_id=OuterRef("pk"), user_id=user.pk)
        assigned = Case.assigned_to.through.objects.filter(case_id=OuterRef("pk"), user_id=user.pk)
        return self.filter(Q(restricted=False) | Exists(team) | Exists(assigned))

    def assigned_to_user(self, user):
        return self.filter(assigned_to=user)


class CaseManager(LiveManager.from_queryset(CaseQuerySet)):
    pass


class Case(FactModel):
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="cases")
    title = models.CharField(max_length=300)
    status = models.CharField(max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    persecuting_state = models.ForeignKey(
        "jurisdictions.Jurisdiction", on_delete=models.PROTECT, related_name="+",
        help_text=_("The state the person fled (P in the risk model)."),
    )
    host_state = models.ForeignKey(
        "jurisdictions.Jurisdiction", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("Where the person is now (the requested state, when a request is pending)."),
    )
    summary = models.TextField(blank=True)
    restricted = models.BooleanField(default=False, help_text=_("Only the case team can see a restricted case."))
    team = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="case_teams")
    assigned_to = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="assigned_cases",
                                         help_text=_("Assigned researchers."))
    key = models.SlugField(max_length=80, unique=True, null=True, blank=True)

    objects = CaseManager()
    all_objects = CaseQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[team, assigned_to])

    class Meta:
        ordering = ["-updated_at"]
        indexes = [
            models.Index(fields=["status", "-updated_at"]),
            # the case list's default order: newest change first, walked with LIMIT, no sort of 100k rows
            models.Index(fields=["-updated_at", "-id"], name="case_list_recent"),
        ]

    def __str__(self):
        return self.title


class ChargeCategory(models.TextChoices):
    ECONOMIC = "economic", _("Economic (fraud, embezzlement, abuse of office)")
    POLITICAL = "political", _("Expression or political (insult, false information, protest, coup)")
    TERRORISM = "terrorism", _("Terrorism or extremism")
    VIOLENT = "violent", _("Violent")
    OTHER = "other", _("Other")


class ChargeStatus(models.TextChoices):
    INVESTIGATION = "investigation", _("Under investigation")
    CHARGED = "charged", _("Charged")
    CONVICTED = "convicted", _("Convicted")
    CONVICTED_IN_ABSENTIA = "convicted_in_absentia", _("Convicted in absentia")
    ACQUITTED = "acquitted", _("Acquitted")
    DROPPED = "dropped", _("Dropped")
    PARDONED = "pardoned", _("Pardoned")


class Charge(DatedFact):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="charges")
    charging_state = models.ForeignKey("jurisdictions.Jurisdiction", on_delete=models.PROTECT, related_name="+")
    offence = models.CharField(max_length=500)
    article = models.CharField(max_length=120, blank=True, help_text=_("Criminal-code article, e.g. Art. 378"))
    category = models.CharField(max_length=10, choices=ChargeCategory.choices)
    status = models.CharField(max_length=24, choices=ChargeStatus.choices, default=ChargeStatus.CHARGED)
    sentence = models.CharField(max_length=300, blank=True)
    brought_by = models.ForeignKey("people.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", help_text=_("Prosecutor or investigating body."))
    instigated_by = models.ForeignKey(
        "jurisdictions.Jurisdiction", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("A third state at whose request the charges were brought, or whose officials steer them."),
    )
    victim = models.CharField(
        max_length=200, blank=True,
        help_text=_("Alleged victim or subject matter, e.g. BTA Bank: charges in two states with the same "
                    "victim share their facts (risk rule B2)."),
    )
    citations = GenericRelation("sources.Citation")

    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "pk"]
        indexes = [models.Index(fields=["case", "date"]), models.Index(fields=["category"])]
        constraints = [
            *DatedFact.date_constraints("charge"),
            models.CheckConstraint(condition=~Q(offence=""), name="charge_has_offence",
                                   violation_error_message="Describe the offence charged."),
        ]

    def __str__(self):
        article = f" ({self.article})" if self.article else ""
        return f"{self.charging_state}: {self.offence}{article}"


class RequestStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    IN_COURT = "in_court", _("Before the courts")
    GRANTED_BY_COURT = "granted_by_court", _("Granted by a court")
    DECREE_SIGNED = "decree_signed", _("Surrender decree signed")
    REFUSED = "refused", _("Refused")
    ANNULLED = "annulled", _("Annulled")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXECUTED = "executed", _("Executed (surrendered)")


PENDING_REQUEST_STATUSES = (RequestStatus.RECEIVED, RequestStatus.IN_COURT, RequestStatus.GRANTED_BY_COURT,
                            RequestStatus.DECREE_SIGNED)


class InterpolNotice(models.TextChoices):
    NONE = "none", _("None known")
    RED = "red", _("Red notice")
    DIFFUSION = "diffusion", _("Diffusion")
    WANTED_LIST = "wanted_list", _("International wanted list (national)")
    DELETED = "deleted", _("Notice deleted by Interpol")


class ExtraditionRequest(DatedFact):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="requests")
    requesting_state = models.ForeignKey("jurisdictions.Jurisdiction", on_delete=models.PROTECT, related_name="+")
    requested_state = models.ForeignKey("jurisdictions.Jurisdiction", on_delete=models.PROTECT, related_name="+")
    on_behalf_of = models.ForeignKey(
        "jurisdictions.Jurisdiction", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("The third state driving the request (proxy request)."),
    )
    charges = models.ManyToManyField(Charge, blank=True, related_name="requests")
    status = models.CharField(max_length=18, choices=RequestStatus.choices, default=RequestStatus.RECEIVED)
    interpol_notice = models.CharField(max_length=12, choices=InterpolNotice.choices, default=InterpolNotice.NONE)
    description = models.TextField(blank=True)
    citations = GenericRelation("sources.Citation")

    history = HistoricalRecords(m2m_fields=[charges])

    class Meta:
        ordering = ["date", "pk"]
        indexes = [
            models.Index(fields=["case", "date"]),
            models.Index(fields=["requested_state", "status"]),  # case list filter by requested state
            models.Index(fields=["requesting_state", "status"]),
        ]
        constraints = [
            *DatedFact.date_constraints("request"),
            models.CheckConstraint(condition=~Q(requesting_state=F("requested_state")),
                                   name="request_between_two_states",
                                   violation_error_message="A state does not request extradition from itself."),
            models.CheckConstraint(
                condition=Q(on_behalf_of__isnull=True) | ~Q(on_behalf_of=F("requesting_state")),
                name="request_on_behalf_of_third_state",
                violation_error_message="“On behalf of” names a third state, not the requesting state.",
            ),
        ]

    def __str__(self):
        proxy = f" on behalf of {self.on_behalf_of}" if self.on_behalf_of_id else ""
        return f"{self.requesting_state} → {self.requested_state}{proxy}"

    @property
    def is_pending(self):
        return self.status in PENDING_REQUEST_STATUSES


class AssuranceKind(models.TextChoices):
    NO_TORTURE = "no_torture", _("No torture or ill-treatment")
    FAIR_TRIAL = "fair_trial", _("Fair trial")
    NO_ONWARD_TRANSFER = "no_onward", _("No onward transfer (re-extradition)")
    SPECIALITY = "speciality", _("Speciality (trial only for the surrendered offences)")
    MONITORING = "monitoring", _("Monitoring and consular access")
    NO_DEATH_PENALTY = "no_death", _("No death penalty")
    GENERAL = "general", _("General guarantees")


class Assurance(FactModel):
    """Diplomatic assurances given by the requesting state, with the Othman (§ 189) factors."""

    request = models.ForeignKey(ExtraditionRequest, on_delete=models.CASCADE, related_name="assurances")
    kind = models.CharField(max_length=12, choices=AssuranceKind.choices)
    given_by = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True)
    disclosed = models.BooleanField(default=False, help_text=_("Othman (i): the text is disclosed."))
    specific = models.BooleanField(default=False, help_text=_("Othman (ii): specific, not general."))
    binding = models.BooleanField(default=False, help_text=_("Othman (iii): the giver binds the state."))
    monitored = models.BooleanField(default=False, help_text=_("Othman (viii): verifiable, with lawyer access."))
    citations = GenericRelation("sources.Citation")

    history = HistoricalRecords()

    class Meta:
        ordering = ["request", "kind"]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.request}"


class DecisionLevel(models.TextChoices):
    FIRST_INSTANCE = "first_instance", _("First-instance court")
    APPEAL = "appeal", _("Appeal court")
    CASSATION = "cassation", _("Cassation / supreme court")
    ADMINISTRATIVE_SUPREME = "admin_supreme", _("Supreme administrative court (e.g. Council of State)")
    CONSTITUTIONAL = "constitutional", _("Constitutional court")
    EXECUTIVE = "executive", _("Executive (decree, minister)")
    PROSECUTOR = "prosecutor", _("Prosecutor")
    INTERNATIONAL = "international", _("International body (ECtHR, UN CAT, Interpol)")
    PARLIAMENTARY = "parliamentary", _("Parliament or assembly")


class DecisionOutcome(models.TextChoices):
    GRANTED = "granted", _("Extradition granted")
    REFUSED = "refused", _("Extradition refused")
    ANNULLED = "annulled", _("Annulled")
    UPHELD = "upheld", _("Upheld")
    STAYED = "stayed", _("Stayed")
    INTERIM_MEASURE = "interim_measure", _("Interim measure")
    CONVICTED = "convicted", _("Convicted")
    ACQUITTED = "acquitted", _("Acquitted")
    PARDONED = "pardoned", _("Pardoned")
    FINDING = "finding", _("Finding or resolution")


SURRENDER_ENABLING = (DecisionOutcome.GRANTED, DecisionOutcome.UPHELD)


class Decision(DatedFact):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="decisions")
    request = models.ForeignKey(ExtraditionRequest, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="decisions")
    body = models.ForeignKey("people.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="decisions", help_text=_("Court or executive body."))
    body_name = models.CharField(max_length=300, blank=True,
                                 help_text=_("As the source names it, e.g. “French Prime Minister”."))
    jurisdiction = models.ForeignKey("jurisdictions.Jurisdiction", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    level = models.CharField(max_length=16, choices=DecisionLevel.choices)
    outcome = models.CharField(max_length=16, choices=DecisionOutcome.choices)
    reviews = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reviewed_by",
                                help_text=_("The earlier decision this one reviews (appeal → cassation → decree)."))
    in_absentia = models.BooleanField(default=False)
    ground_political = models.BooleanField(_("political motivation"), default=False)
    ground_torture = models.BooleanField(_("torture risk"), default=False)
    ground_fair_trial = models.BooleanField(_("fair trial"), default=False)
    ground_procedural = models.BooleanField(_("procedural"), default=False)
    ground_humanitarian = models.BooleanField(_("humanitarian"), default=False)
    summary = models.TextField(blank=True)
    reference = models.CharField(max_length=120, blank=True, help_text=_("Case number, e.g. no. 394399"))
    citations = GenericRelation("sources.Citation")

    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "pk"]
        indexes = [models.Index(fields=["case", "date"])]
        constraints = [
            *DatedFact.date_constraints("decision"),
            models.CheckConstraint(condition=~Q(body__isnull=True, body_name=""), name="decision_has_body",
                                   violation_error_message="Name the court or body that decided."),
            models.CheckConstraint(condition=Q(reviews__isnull=True) | ~Q(reviews=F("pk")),
                                   name="decision_does_not_review_itself",
                                   violation_error_message="A decision cannot review itself."),
        ]

    def __str__(self):
        return f"{self.body or self.body_name}: {self.get_outcome_display().lower()}"

    @property
    def grounds(self):
        return [str(field.verbose_name) for field in self._meta.fields
                if field.name.startswith("ground_") and getattr(self, field.name)]


class EventKind(models.TextChoices):
    ARREST = "arrest", _("Arrest")
    ARREST_ON_NOTICE = "arrest_on_notice", _("Arrest on an Interpol notice")
    CUSTODY = "custody", _("In custody")
    RELEASE = "release", _("Release")
    BAIL = "bail", _("Bail or house arrest")
    WARRANT = "warrant", _("Warrant or wanted listing")
    EMIGRATION = "emigration", _("Left the country")
    ASYLUM = "asylum", _("Asylum or protection")
    ATTACK = "attack", _("Attack or assault")
    ILL_TREATMENT = "ill_treatment", _("Torture or ill-treatment")
    COERCION = "coercion", _("Witnesses or co-defendants coerced")
    IMPRISONMENT = "imprisonment", _("Imprisonment")
    ABDUCTION_ATTEMPT = "abduction_attempt", _("Abduction attempt")
    SURVEILLANCE = "surveillance", _("Surveillance")
    DISAPPEARANCE = "disappearance", _("Disappearance")
    DEATH = "death", _("Death")
    HEARING = "hearing", _("Hearing")
    DEADLINE = "deadline", _("Deadline")
    SURRENDER = "surrender", _("Surrender (handed over)")
    STATEMENT = "statement", _("Public statement or appeal")
    LEAK = "leak", _("Leak or publication")
    OTHER = "other", _("Other")


UPCOMING_KINDS = (EventKind.HEARING, EventKind.DEADLINE, EventKind.SURRENDER)


class Event(DatedFact):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=18, choices=EventKind.choices)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    place = models.CharField(max_length=200, blank=True, help_text=_("City or venue, e.g. Vienna"))
    jurisdiction = models.ForeignKey("jurisdictions.Jurisdiction", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    perpetrator_state = models.ForeignKey(
        "jurisdictions.Jurisdiction", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("State whose agents are said to be behind an attack, surveillance or abduction."),
    )
    people = models.ManyToManyField("people.Person", blank=True, related_name="events",
                                    help_text=_("Others involved (co-victims, witnesses)."))
    citations = GenericRelation("sources.Citation")

    history = HistoricalRecords(m2m_fields=[people])

    class Meta:
        ordering = ["date", "pk"]
        indexes = [
            models.Index(fields=["case", "date"]),  # the case timeline
            models.Index(fields=["kind", "date"]),  # upcoming hearings and deadlines
        ]
        constraints = [
            *DatedFact.date_constraints("event"),
            models.CheckConstraint(condition=~Q(title=""), name="event_has_title",
                                   violation_error_message="Give the event a short title."),
        ]

    def __str__(self):
        return f"{self.date_display}: {self.title}"


class Claim(DatedFact):
    """A statement sources argue about ("Ablyazov's prosecution is political"), with citations on
    each side (``Citation.position``). Onward records both; it takes no side."""

    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="claims")
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="claims")
    statement = models.TextField()
    holder = models.CharField(max_length=300, blank=True, help_text=_("Who holds this view, e.g. PACE signatories."))
    citations = GenericRelation("sources.Citation")

    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "pk"]
        constraints = [
            *DatedFact.date_constraints("claim"),
            models.CheckConstraint(condition=Q(case__isnull=False) | Q(person__isnull=False),
                                   name="claim_has_subject",
                                   violation_error_message="A claim is about a case or a person."),
        ]

    def __str__(self):
        return self.statement[:120]


# Risk: rules, settings, evaluations, flags and the evaluation ledger (owned by cases/risk.py).
# Exports (cases/exports): background tables and secret calendar-feed tokens live in the cases app.
from .exports.models import CalendarFeedToken, ExportJob  # noqa: E402, F401
from .risk_models import (  # noqa: E402, F401
    EvaluationRequest,
    FlagDecision,
    RiskEvaluation,
    RiskFlag,
    RiskRule,
    RiskSettings,
)
