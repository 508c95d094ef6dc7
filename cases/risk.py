"""The onward-return risk engine (domain brief §3): how likely is it that the person, once handed
over, is ill-treated by the requesting state (axis A) or passed on to the state they fled
(axis B), and why, rule by rule.

R is the requesting state of a pending request (each is evaluated; the worst counts); with no
request pending, R is the persecuting state P itself (calibration S3–S5). Weights, thresholds and
the A-cap are rows admins edit (RiskRule, RiskSettings); this module holds only the tests of fact.

One code path for one case and for 100k: ``load`` fetches the facts of a chunk of cases in a few
queries, ``evaluate`` is pure Python over plain rows, ``evaluate_many`` stores what changed.
"""

import datetime
import hashlib
import json
import uuid
from collections import defaultdict, deque
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F, Min, Q
from django.utils import timezone

from core.dates import format_date
from jurisdictions.models import (
    Body,
    ChannelStatus,
    Jurisdiction,
    Membership,
    RiskAssessment,
    TransferChannel,
)
from people.models import PoliticalRole, Protection, Relationship
from sources.models import Citation

from .models import Assurance, Case, Charge, Decision, Event, ExtraditionRequest
from .risk_defaults import A_CAP_ONLY, RULES, SETTINGS
from .risk_models import (
    LEVEL_ORDER,
    EvaluationRequest,
    FlagAction,
    FlagDecision,
    FlagStatus,
    Level,
    RequestState,
    RiskEvaluation,
    RiskFlag,
    RiskRule,
    RiskSettings,
)

# --- vocabulary the rules test against ---------------------------------------------------------

TORTURE_RECORD = {"high"}  # A1 and "a state with a documented torture risk" on the onward path
POLITICAL_ROLES = {"opposition_politician", "journalist", "activist", "human_rights_defender", "associate"}
POLITICAL_LINKS = {"political_associate", "associate", "bodyguard"}  # "employee" is not enough (A2, S7)
CO_ACCUSED_LINKS = {"co_accused", "associate", "political_associate"}
DEAD_CHARGE = {"acquitted", "dropped", "pardoned"}
CUSTODY_ON = {"arrest", "arrest_on_notice", "custody", "imprisonment"}
CUSTODY_OFF = {"release", "bail", "surrender"}
AGENT_KINDS = {"attack", "surveillance", "abduction_attempt", "disappearance"}  # B6
UPCOMING = {"hearing", "deadline", "surrender"}
CLOSING_OUTCOMES = {"refused", "annulled"}
ENABLING_OUTCOMES = {"granted", "upheld"}
CLOSED_STATUSES = {"refused", "annulled", "withdrawn", "executed"}
ENABLED_STATUSES = {"granted_by_court", "decree_signed"}
# Conventions whose parties hand people to each other (domain brief §1): shared membership is a channel.
CONVENTIONS = {
    Body.MINSK: "Minsk Convention 1993", Body.CHISINAU: "Chisinau Convention 2002",
    Body.CIS_CRIME_1998: "CIS agreement on fighting crime 1998", Body.SHANGHAI: "Shanghai Convention 2001",
    Body.CIS: "CIS security-service councils",
}
LIVE_CHANNEL = {ChannelStatus.IN_FORCE, ChannelStatus.UNCLEAR}
MAX_HOPS = 3
BAR_CODES = ("X1", "X2", "X3", "X4", "X5")
BINDING_BARS = {"X1", "X2", "X3", "X4"}  # X5 is persuasive: it does not make a surrender "bar ignored"


# --- the facts of a chunk of cases ---------------------------------------------------------------

@dataclass
class CaseFacts:
    case: dict
    charges: list = field(default_factory=list)
    requests: list = field(default_factory=list)
    assurances: dict = field(default_factory=lambda: defaultdict(list))  # request id → rows
    decisions: list = field(default_factory=list)
    events: list = field(default_factory=list)
    roles: list = field(default_factory=list)
    links: list = field(default_factory=list)  # relationships to political figures
    protections: list = field(default_factory=list)
    citizenships: list = field(default_factory=list)
    others_refusals: list = field(default_factory=list)  # co-accused and associates refused elsewhere


class World:
    """Jurisdiction-level facts, shared by every case: records, memberships, channels, and agents'
    operations abroad (B6)."""

    def __init__(self):
        self.names = dict(Jurisdiction.objects.values_list("pk", "name"))
        self.assessments = defaultdict(list)
        for row in RiskAssessment.objects.values(
                "pk", "jurisdiction_id", "torture_risk", "fair_trial_risk", "ignores_echr_judgments", "summary",
                "assessed_on", "claim_status"):
            row["_m"] = "assessment"
            self.assessments[row["jurisdiction_id"]].append(row)
        self.memberships = defaultdict(list)
        for row in Membership.objects.values("pk", "jurisdiction_id", "body", "status", "since", "until",
                                             "claim_status"):
            row["_m"] = "membership"
            self.memberships[row["jurisdiction_id"]].append(row)
        self.channels = []
        for row in TransferChannel.objects.values(
                "pk", "from_jurisdiction_id", "to_jurisdiction_id", "kind", "instrument", "name", "status",
                "bidirectional", "valid_from", "valid_to", "claim_status"):
            row["_m"] = "channel"
            self.channels.append(row)
        self.agent_events = defaultdict(list)  # (perpetrator, place) → events, across all cases
        for row in Event.objects.filter(kind__in=AGENT_KINDS, perpetrator_state__isnull=False).values(
                *EVENT_FIELDS):
            row["_m"] = "event"
            self.agent_events[(row["perpetrator_state_id"], row["jurisdiction_id"])].append(row)
        # Victims of live charges, per charging state: B2 asks whether R's case shares its victim
        # with any of P's cases (BTA Bank), this person's or a co-accused's.
        self.victims = {}
        for state, victim, first in (Charge.objects.exclude(victim="").exclude(status__in=DEAD_CHARGE)
                                     .values_list("charging_state_id", "victim").annotate(first=Min("pk"))
                                     .values_list("charging_state_id", "victim", "first")):
            self.victims.setdefault((state, victim.strip().casefold()), {
                "_m": "charge", "_ref": f"victim:{first}", "pk": first, "charging_state_id": state, "victim": victim})
        self._graphs = {}
        self._paths = {}

    def name(self, pk):
        return self.names.get(pk, "?")

    def torture_record(self, state, as_of):
        return [a for a in self.assessments.get(state, ()) if a["torture_risk"] in TORTURE_RECORD
                and _on_or_before(a["assessed_on"], as_of)]

    def active_memberships(self, state, as_of, bodies):
        return [m for m in self.memberships.get(state, ()) if m["body"] in bodies and _member_on(m, as_of)]

    def graph(self, as_of):
        """state → [(neighbour, via, fact row, unverified)] for channels and shared conventions."""
        if as_of in self._graphs:
            return self._graphs[as_of]
        graph = defaultdict(list)
        for row in self.channels:
            if row["status"] not in LIVE_CHANNEL or not _within(as_of, row["valid_from"], row["valid_to"]):
                continue
            via = str(row["name"] or (dict(Body.choices).get(row["instrument"]) if row["instrument"] else "")
                      or row["kind"].replace("_", " "))
            unverified = row["status"] == ChannelStatus.UNCLEAR
            graph[row["from_jurisdiction_id"]].append((row["to_jurisdiction_id"], via, row, unverified))
            if row["bidirectional"]:
                graph[row["to_jurisdiction_id"]].append((row["from_jurisdiction_id"], via, row, unverified))
        parties = defaultdict(list)
        for rows in self.memberships.values():
            for row in rows:
                if row["body"] in CONVENTIONS and _member_on(row, as_of):
                    parties[row["body"]].append(row)
        for body, rows in parties.items():
            for a in rows:
                for b in rows:
                    if a["jurisdiction_id"] != b["jurisdiction_id"]:
                        graph[a["jurisdiction_id"]].append(
                            (b["jurisdiction_id"], str(CONVENTIONS[body]), b, "unclear" in (a["status"], b["status"])))
        self._graphs[as_of] = graph
        return graph

    def onward_path(self, start, persecuting, as_of):
        """Breadth-first from R: the shortest path to P, else to the nearest state with a documented
        torture risk. Returns [(from, to, via, fact row, unverified)] or []."""
        key = (start, persecuting, as_of)
        if key in self._paths:
            return self._paths[key]
        graph = self.graph(as_of)
        previous = {start: None}
        queue = deque([(start, 0)])
        torture_hit = None
        while queue:
            state, depth = queue.popleft()
            if state == persecuting and state != start:
                break
            if torture_hit is None and state != start and self.torture_record(state, as_of):
                torture_hit = state
            if depth == MAX_HOPS:
                continue
            for neighbour, via, row, unverified in graph.get(state, ()):
                if neighbour not in previous:
                    previous[neighbour] = (state, via, row, unverified)
                    queue.append((neighbour, depth + 1))
        target = persecuting if persecuting in previous and persecuting != start else torture_hit
        path = []
        while target is not None and previous.get(target):
            state, via, row, unverified = previous[target]
            path.append((state, target, via, row, unverified))
            target = state
        path.reverse()
        self._paths[key] = path
        return path


# The rules read these columns; labels, dates' precision and sources are read only when an
# explanation is shown (``expand``), not for each of 100k cases.
EVENT_FIELDS = ("pk", "case_id", "kind", "jurisdiction_id", "perpetrator_state_id", "date")
DECISION_FIELDS = ("pk", "case_id", "request_id", "jurisdiction_id", "outcome", "in_absentia", "ground_political",
                   "date")


def _among(field, ids):
    """``field`` in ``ids``. A chunk of consecutive ids (the periodic task's and the bench's) becomes a
    range: a 2 000-value IN list costs Django more to prepare than PostgreSQL to run. Rows the range
    lets through that are not in ``ids`` are the caller's to drop."""
    ids = list(ids)
    if len(ids) > 50 and max(ids) - min(ids) < 2 * len(ids):
        return Q(**{f"{field}__gte": min(ids), f"{field}__lte": max(ids)})
    return Q(**{f"{field}__in": ids})


def load(case_ids):
    """The facts of these cases, in a dozen queries whatever their number."""
    wanted = set(case_ids)
    if not wanted:
        return {}
    facts = {}
    for row in Case.objects.filter(_among("pk", wanted)).values("pk", "person_id", "persecuting_state_id",
                                                                "host_state_id"):
        if row["pk"] in wanted:
            facts[row["pk"]] = CaseFacts(case=row)
    if not facts:
        return facts
    in_chunk = _among("case_id", facts)
    by_person = defaultdict(list)
    for cf in facts.values():
        by_person[cf.case["person_id"]].append(cf)

    for row in Charge.objects.filter(in_chunk).values(
            "pk", "case_id", "charging_state_id", "category", "status", "instigated_by_id", "victim", "date"):
        if cf := facts.get(row["case_id"]):
            row["_m"] = "charge"
            cf.charges.append(row)
    for row in ExtraditionRequest.objects.filter(in_chunk).values(
            "pk", "case_id", "requesting_state_id", "requested_state_id", "on_behalf_of_id", "status",
            "interpol_notice", "date"):
        if cf := facts.get(row["case_id"]):
            row["_m"] = "request"
            cf.requests.append(row)
    for row in Assurance.objects.filter(_among("request__case_id", facts)).values(
            "pk", "request_id", "request__case_id", "kind", "disclosed", "specific", "monitored"):
        if cf := facts.get(row["request__case_id"]):
            row["_m"] = "assurance"
            cf.assurances[row["request_id"]].append(row)
    for row in Decision.objects.filter(in_chunk).values(*DECISION_FIELDS):
        if cf := facts.get(row["case_id"]):
            row["_m"] = "decision"
            cf.decisions.append(row)
    for row in Event.objects.filter(in_chunk).values(*EVENT_FIELDS):
        if cf := facts.get(row["case_id"]):
            row["_m"] = "event"
            cf.events.append(row)

    people = list(by_person)
    relationships = [row for row in Relationship.objects.filter(_among("person_id", people)
                                                                | _among("other_id", people))
                     .values("pk", "person_id", "other_id", "kind", "date")
                     if row["person_id"] in by_person or row["other_id"] in by_person]
    related = {r["other_id"] for r in relationships} | {r["person_id"] for r in relationships}
    political = defaultdict(list)
    roles_of = set(people) | related
    for row in PoliticalRole.objects.filter(_among("person_id", roles_of)).values("pk", "person_id", "role", "date"):
        if row["person_id"] in roles_of:
            row["_m"] = "role"
            political[row["person_id"]].append(row)
    co_accused = defaultdict(set)  # person → related people whose refusals are evidence
    for row in relationships:
        row["_m"] = "relationship"
        if row["kind"] in CO_ACCUSED_LINKS:
            co_accused[row["person_id"]].add(row["other_id"])
            co_accused[row["other_id"]].add(row["person_id"])
        if row["person_id"] in by_person and row["kind"] in POLITICAL_LINKS:
            figure_roles = [r for r in political.get(row["other_id"], ()) if r["role"] in POLITICAL_ROLES]
            if figure_roles:
                for cf in by_person[row["person_id"]]:
                    cf.links.append((row, figure_roles))
    for person_id, rows in political.items():
        for cf in by_person.get(person_id, ()):
            cf.roles.extend(rows)
    for row in Protection.objects.filter(_among("person_id", people)).values(
            "pk", "person_id", "kind", "outcome", "against_state_id", "valid_until", "date"):
        for cf in by_person.get(row["person_id"], ()):
            row["_m"] = "protection"
            cf.protections.append(row)
    for person_id, state_id in Case.person.field.related_model.citizenships.through.objects.filter(
            _among("person_id", people)).values_list("person_id", "jurisdiction_id"):
        for cf in by_person.get(person_id, ()):
            cf.citizenships.append(state_id)
    others = set().union(*co_accused.values()) if co_accused else set()
    if others:
        for row in Decision.objects.filter(case__person_id__in=others, outcome="refused").values(
                *DECISION_FIELDS, "case__person_id"):
            row["_m"] = "decision"
            for person_id in people:
                if row["case__person_id"] in co_accused.get(person_id, ()):
                    for cf in by_person[person_id]:
                        cf.others_refusals.append(row)
    return facts


FACT_MODELS = {
    "charge": Charge, "request": ExtraditionRequest, "assurance": Assurance, "decision": Decision, "event": Event,
    "role": PoliticalRole, "relationship": Relationship, "protection": Protection, "assessment": RiskAssessment,
    "membership": Membership, "channel": TransferChannel,
}


# --- small helpers --------------------------------------------------------------------------------

def _on_or_before(day, as_of):
    return day is None or day <= as_of


def _within(as_of, start, end):
    return (start is None or start <= as_of) and (end is None or end >= as_of)


def _member_on(row, as_of):
    if row["status"] not in ("member", "unclear"):
        return False
    return (row["since"] is None or row["since"] <= as_of) and (row["until"] is None or row["until"] > as_of)


def _known(rows, as_of):
    return [r for r in rows if _on_or_before(r.get("date"), as_of)]


def _live_protection(row, kinds, as_of):
    return (row["kind"] in kinds and row["outcome"] == "granted" and _on_or_before(row["date"], as_of)
            and (row["valid_until"] is None or row["valid_until"] >= as_of))


def request_pending(request, decisions, as_of):
    """Pending on ``as_of``: made by then and not closed by a refusal or annulment dated by then.
    A request closed today with no dated decision counts as closed."""
    if not _on_or_before(request["date"], as_of):
        return False
    own = [d for d in decisions if d["request_id"] == request["pk"]]
    if any(d["outcome"] in CLOSING_OUTCOMES and _on_or_before(d["date"], as_of) for d in own):
        return False
    if request["status"] in CLOSED_STATUSES:
        return any(d["outcome"] in CLOSING_OUTCOMES and d["date"] and d["date"] > as_of for d in own)
    return True


def surrender_enabled(request, decisions, as_of, today):
    own = sorted((d for d in decisions if d["request_id"] == request["pk"] and _on_or_before(d["date"], as_of)),
                 key=lambda d: (d["date"] or datetime.date.min, d["pk"]))
    enabling = [d for d in own if d["outcome"] in ENABLING_OUTCOMES]
    if own and own[-1]["outcome"] in ENABLING_OUTCOMES:
        return enabling[-1:]
    if as_of >= today and request["status"] in ENABLED_STATUSES:
        return [request]
    return []


# --- the rules ------------------------------------------------------------------------------------
# Each takes the context and returns (facts, note, sign) when it fires, else None.

@dataclass
class Context:
    cf: CaseFacts
    world: World
    as_of: datetime.date
    today: datetime.date
    R: int
    P: int
    request: dict | None
    requested: int | None
    fired: dict = field(default_factory=dict)

    def charges_by(self, state):
        return [c for c in _known(self.cf.charges, self.as_of)
                if c["charging_state_id"] == state and c["status"] not in DEAD_CHARGE]


def a1(ctx):
    record = ctx.world.torture_record(ctx.R, ctx.as_of)
    return (record, f"{ctx.world.name(ctx.R)}: documented torture in custody", 1) if record else None


def a2(ctx):
    roles = [r for r in _known(ctx.cf.roles, ctx.as_of) if r["role"] in POLITICAL_ROLES]
    links = [link for link, _ in ctx.cf.links if _on_or_before(link["date"], ctx.as_of)]
    facts = roles + links
    return (facts, "", 1) if facts else None


def a3(ctx):
    charges = [c for c in ctx.charges_by(ctx.R) if c["category"] in ("political", "terrorism")]
    return (charges, "", 1) if charges else None


def a4(ctx):
    if "A2" not in ctx.fired:
        return None
    charges = [c for c in ctx.charges_by(ctx.R) if c["category"] == "economic"]
    return (charges, "economic charge against a person with a political profile", 1) if charges else None


def a5(ctx):
    events = [e for e in _known(ctx.cf.events, ctx.as_of) if e["kind"] == "ill_treatment"
              and (e["perpetrator_state_id"] or e["jurisdiction_id"]) == ctx.R]
    return (events, "", 1) if events else None


def a6(ctx):
    # Coercion by P counts when R's case rests on P's facts (B2): the confessions travel with the file.
    perpetrators = {None, ctx.R} | ({ctx.P} if shares_facts(ctx) else set())
    events = [e for e in _known(ctx.cf.events, ctx.as_of) if e["kind"] == "coercion"
              and e["perpetrator_state_id"] in perpetrators]
    return (events, "", 1) if events else None


def a7(ctx):
    if ctx.request is None:
        return ([], "no request pending, so no assurances given", 1)
    given = ctx.cf.assurances.get(ctx.request["pk"], [])
    reliable = [a for a in given if a["kind"] in ("no_torture", "general", "fair_trial", "monitoring")
                and a["disclosed"] and a["specific"] and a["monitored"]]
    if reliable:
        return (reliable, "specific, disclosed and monitored assurances", -1)
    if given:
        return (given, "assurances undisclosed, vague or unmonitored", 1)
    return ([ctx.request], "no assurances given", 1)


def a8(ctx):
    flagged = [a for a in ctx.world.assessments.get(ctx.R, ()) if a["ignores_echr_judgments"]
               and _on_or_before(a["assessed_on"], ctx.as_of)]
    left = [m for m in ctx.world.memberships.get(ctx.R, ()) if m["body"] == Body.ECHR
            and (m["status"] == "withdrawn" or (m["until"] and m["until"] <= ctx.as_of))]
    facts = flagged + left
    return (facts, "", 1) if facts else None


INTERPOL_NOTICES = ("red", "diffusion", "wanted_list")


def a9(ctx):
    # Only with a political profile: a notice against an ordinary suspect is routine, not a risk.
    if ctx.request is None or "A2" not in ctx.fired or ctx.request["interpol_notice"] not in INTERPOL_NOTICES:
        return None
    return ([ctx.request], "the request rests on an Interpol notice against a political figure", 1)


def b1(ctx):
    charges = ctx.charges_by(ctx.P)
    warrants = [e for e in _known(ctx.cf.events, ctx.as_of) if e["kind"] == "warrant"
                and e["jurisdiction_id"] == ctx.P]
    convictions = [d for d in _known(ctx.cf.decisions, ctx.as_of) if d["outcome"] == "convicted"
                   and d["jurisdiction_id"] == ctx.P]
    facts = charges + warrants + convictions
    return (facts, "", 1) if facts else None


def shares_facts(ctx):
    shared = []
    for charge in ctx.charges_by(ctx.R):
        theirs = ctx.world.victims.get((ctx.P, charge["victim"].strip().casefold())) if charge["victim"].strip() \
            else None
        if theirs:
            shared += [charge, theirs]
    return shared


def b2(ctx):
    shared = shares_facts(ctx)
    return (shared, f"same victim: {shared[0]['victim']}", 1) if shared else None


def b3(ctx):
    instigated = [c for c in ctx.charges_by(ctx.R) if c["instigated_by_id"] == ctx.P]
    proxy = [ctx.request] if ctx.request and ctx.request["on_behalf_of_id"] == ctx.P else []
    facts = proxy + instigated
    return (facts, "proxy request" if proxy else "charges brought at P's instigation", 1) if facts else None


def b4(ctx):
    path = ctx.world.onward_path(ctx.R, ctx.P, ctx.as_of)
    if not path:
        return None
    end = ctx.world.name(path[-1][1])
    unverified = any(step[4] for step in path)
    note = f"onward path to {end}" + (" (a channel on it is unverified)" if unverified else "")
    return ([step[3] for step in path], note, 1)


def b5(ctx):
    if ctx.requested is None or ctx.requested == ctx.P:
        return None
    pair = {ctx.P, ctx.requested}
    absent = [c for c in ctx.world.channels if c["status"] == ChannelStatus.ABSENT
              and {c["from_jurisdiction_id"], c["to_jurisdiction_id"]} == pair]
    return (absent, f"no treaty between {ctx.world.name(ctx.P)} and {ctx.world.name(ctx.requested)}", 1) \
        if absent else None


def b6(ctx):
    events = _known(ctx.world.agent_events.get((ctx.P, ctx.R), ()), ctx.as_of)
    return (events, "", 1) if events else None


def b7(ctx):
    if ctx.request is None:
        return None
    given = [a for a in ctx.cf.assurances.get(ctx.request["pk"], []) if a["kind"] == "no_onward"]
    return None if given else ([ctx.request], "no undertaking against re-extradition (ECE art. 15)", 1)


def b8(ctx):
    charges = [c for c in _known(ctx.cf.charges, ctx.as_of) if c["charging_state_id"] == ctx.P
               and c["status"] == "convicted_in_absentia"]
    decisions = [d for d in _known(ctx.cf.decisions, ctx.as_of) if d["in_absentia"]
                 and d["jurisdiction_id"] == ctx.P]
    facts = charges + decisions
    return (facts, "", 1) if facts else None


AXIS_A = {"A1": a1, "A2": a2, "A3": a3, "A4": a4, "A5": a5, "A6": a6, "A7": a7, "A8": a8, "A9": a9}
AXIS_B = {"B1": b1, "B2": b2, "B3": b3, "B4": b4, "B5": b5, "B6": b6, "B7": b7, "B8": b8}


def bars(cf, world, P, R, requested, as_of):
    found = {}
    protections = cf.protections
    x1 = [p for p in protections if _live_protection(p, ("asylum", "refugee"), as_of) and p["against_state_id"] == P]
    x2 = [p for p in protections if _live_protection(p, ("subsidiary",), as_of) and p["against_state_id"] == P]
    x4 = [p for p in protections if _live_protection(p, ("rule_39",), as_of)]
    if x1:
        found["X1"] = x1
    if x2:
        found["X2"] = x2
    if requested is not None and cf.citizenships:
        eu = {m["jurisdiction_id"] for rows in world.memberships.values() for m in rows
              if m["body"] == Body.EU and _member_on(m, as_of)}
        if requested in eu and R not in eu and eu.intersection(cf.citizenships):
            found["X3"] = [{"_m": "citizenship", "pk": state, "label": f"Citizen of {world.name(state)}"}
                           for state in eu.intersection(cf.citizenships)]
    if x4:
        found["X4"] = x4
    refusals = [d for d in _known(cf.decisions, as_of) if d["outcome"] == "refused"]
    refusals += _known(cf.others_refusals, as_of)
    if refusals:
        found["X5"] = refusals
    return found


# --- evaluation -----------------------------------------------------------------------------------

@dataclass
class Config:
    rules: dict  # code → {name, axis, weight, basis, enabled}
    medium_from: int
    high_from: int
    critical_from: int
    a_cap: int
    urgency_window_days: int

    @classmethod
    def current(cls):
        ensure_defaults()
        rules = {r["code"]: r for r in RiskRule.objects.values("code", "name", "axis", "weight", "basis", "enabled")}
        row = RiskSettings.objects.get(pk=1)
        return cls(rules, row.medium_from, row.high_from, row.critical_from, row.a_cap, row.urgency_window_days)

    def level(self, score):
        if score >= self.critical_from:
            return Level.CRITICAL
        if score >= self.high_from:
            return Level.HIGH
        if score >= self.medium_from:
            return Level.MEDIUM
        return Level.LOW


def ensure_defaults():
    """The seed migration's rows, again, if a test flush (or an empty database) removed them."""
    if not RiskSettings.objects.filter(pk=1).exists():
        RiskSettings.objects.get_or_create(pk=1, defaults=SETTINGS)
    if RiskRule.objects.count() < len(RULES):
        for code, name, axis, weight, basis, description in RULES:
            RiskRule.objects.get_or_create(code=code, defaults={
                "name": name, "axis": axis, "weight": weight, "basis": basis, "description": description})


def _run_axis(ctx, rules, config):
    results, total = [], 0
    for code, test in rules.items():
        rule = config.rules.get(code)
        if rule is None or not rule["enabled"]:
            continue
        hit = test(ctx)
        # L3 (Chahal, Saadi): nothing about the person's conduct lowers a score; only A7's reliable
        # assurances subtract, so a negative weight typed on any other rule counts as zero.
        weight = rule["weight"] if code == "A7" else max(rule["weight"], 0)
        if hit is None:
            results.append({"code": code, "fired": False, "weight": weight})
            continue
        facts, note, sign = hit
        ctx.fired[code] = facts
        points = sign * weight
        total += points
        results.append({"code": code, "fired": True, "weight": weight, "points": points, "note": note,
                        "_facts": facts})
    return results, max(0, min(total, 100))


def _evaluate_for(cf, world, config, as_of, today, R, P, request, requested):
    ctx = Context(cf, world, as_of, today, R, P, request, requested)
    a_rules, axis_a = _run_axis(ctx, AXIS_A, config)
    fired_a = {r["code"] for r in a_rules if r["fired"]}
    capped = bool(fired_a) and fired_a <= set(A_CAP_ONLY) and axis_a > config.a_cap
    if capped:
        axis_a = config.a_cap
    b_rules, axis_b = ([], 0)
    if R != P:
        b_rules, axis_b = _run_axis(ctx, AXIS_B, config)
    return ctx, a_rules + b_rules, axis_a, axis_b, capped


def evaluate(cf, world, config, as_of=None, today=None):
    """The evaluation of one case as plain data (no writes): score, axes, level, urgency, bars and
    the explanation, with ``_facts`` rows still to be rendered by ``explain``."""
    today = today or timezone.localdate()
    as_of = as_of or today
    P = cf.case["persecuting_state_id"]
    decisions = cf.decisions
    pending = [r for r in cf.requests if request_pending(r, decisions, as_of)]
    candidates = [(r["requesting_state_id"], r, r["requested_state_id"]) for r in pending] or \
        [(P, None, cf.case["host_state_id"])]
    at_home = not pending and cf.case["host_state_id"] == P
    if at_home:
        # S6 (Mamai): the person is in the persecuting state and nobody asks for them: the score is
        # onward-return risk, not "is it political", so no rule applies.
        candidates = []
    best = (0, Context(cf, world, as_of, today, P, P, None, None), [], 0, 0, False)
    for R, request, requested in candidates:
        ctx, rules, axis_a, axis_b, capped = _evaluate_for(cf, world, config, as_of, today, R, P, request, requested)
        score = max(axis_a, axis_b)
        if score > best[0] or not best[2]:
            best = (score, ctx, rules, axis_a, axis_b, capped)
    score, ctx, rules, axis_a, axis_b, capped = best
    R, request, requested = ctx.R, ctx.request, ctx.requested

    found_bars = bars(cf, world, P, R, requested, as_of)
    enabled = [fact for r in pending for fact in surrender_enabled(r, decisions, as_of, today)]
    bar_ignored = bool(enabled) and bool(BINDING_BARS.intersection(found_bars))

    urgency = []
    if pending:
        urgency.append(("U1", pending))
    custody = sorted((e for e in _known(cf.events, as_of) if e["kind"] in CUSTODY_ON | CUSTODY_OFF),
                     key=lambda e: (e["date"] or datetime.date.min, e["pk"]))
    if custody and custody[-1]["kind"] in CUSTODY_ON:
        urgency.append(("U2", custody[-1:]))
    if enabled:
        urgency.append(("U3", enabled))
    horizon = as_of + datetime.timedelta(days=config.urgency_window_days)
    soon = [e for e in cf.events if e["kind"] in UPCOMING and e["date"] and as_of <= e["date"] <= horizon]
    if soon:
        urgency.append(("U4", soon))
    urgency = [(code, facts) for code, facts in urgency if config.rules.get(code, {}).get("enabled", True)]

    level = config.level(score)
    reasons = []
    if bar_ignored:
        level = Level.CRITICAL
        reasons.append("a legal bar ({}) meets a decision enabling surrender".format(
            ", ".join(sorted(BINDING_BARS.intersection(found_bars)))))
    if level == Level.CRITICAL and not bar_ignored:
        reasons.append("critical risk")
    if level == Level.HIGH and urgency:
        reasons.append(f"high risk with urgency {len(urgency)}")
    path = world.onward_path(R, P, as_of) if R != P else []
    return {
        "score": score, "axis_a": axis_a, "axis_b": axis_b, "level": level, "urgency": len(urgency),
        "bars": sorted(found_bars), "bar_ignored": bar_ignored, "flagged": bool(reasons),
        "flag_reason": _sentence("; ".join(reasons)), "as_of": as_of,
        "_rules": rules, "_bars": found_bars, "_urgency": urgency, "_path": path, "_capped": capped,
        "_R": R, "_P": P, "_request": request, "_requested": requested,
        "_others": _others_decided(cf, as_of), "_at_home": at_home,
    }


def _others_decided(cf, as_of):
    """What others decided, evidence for the defence: protection granted anywhere, refusals of the
    person or co-accused, findings of political motivation."""
    granted = [p for p in cf.protections if p["outcome"] == "granted" and _on_or_before(p["date"], as_of)]
    refusals = [d for d in _known(cf.decisions, as_of) if d["outcome"] == "refused"]
    political = [d for d in _known(cf.decisions, as_of) if d["ground_political"] and d["outcome"] != "refused"]
    return granted + refusals + political + _known(cf.others_refusals, as_of)


# --- explanation ----------------------------------------------------------------------------------
# Stored compactly, 100k times over: the rules in the order they ran with the weight each had then
# (an admin may change weights later; an evaluation keeps what was decided), the points and notes of
# those that fired, and references to the facts behind them ("charge:12"). Rule names and legal
# bases come from the rule table, fact labels, dates and sources from the facts, when an
# explanation is shown (``expand``): a page, a PDF and a test read the same full JSON as before.

EXPLANATION_VERSION = 2


def _ref(row):
    return row.get("_ref") or f"{row['_m']}:{row['pk']}"


def _refs(rows):
    return [_ref(row) for row in rows]


def compact(result, config):
    """What ``evaluate`` concluded, as the stored explanation (JSON)."""
    rules = []
    for item in result["_rules"]:
        if item["fired"]:
            rules.append([item["code"], item["weight"], item["points"], item["note"], _refs(item["_facts"])])
        else:
            rules.append([item["code"], item["weight"]])
    request = result["_request"]
    return {
        "v": EXPLANATION_VERSION, "R": result["_R"], "P": result["_P"], "Q": result["_requested"],
        "request": _ref(request) if request else None, "at_home": result["_at_home"],
        "rules": rules, "cap": [result["_capped"], config.a_cap],
        "path": [[a, b, via, unverified] for a, b, via, _, unverified in result["_path"]],
        "bars": [[code, _refs(rows)] for code, rows in sorted(result["_bars"].items())],
        "urgency": [[code, _refs(rows)] for code, rows in result["_urgency"]],
        "others": _refs(result["_others"]),
        "thresholds": [config.medium_from, config.high_from, config.critical_from],
    }


def fired_codes(stored):
    if stored.get("v") == EXPLANATION_VERSION:
        return [rule[0] for rule in stored["rules"] if len(rule) > 2]
    return [rule["code"] for rule in stored.get("rules", []) if rule.get("fired")]  # before v2: full JSON


def encode(stored):
    # No sort_keys: the explanation is built in a fixed order, and sorting costs more than the rest.
    return json.dumps(stored, separators=(",", ":"))


def fingerprint(result, encoded):
    """Hash of what the rules concluded from which facts under which weights (``encoded``: the
    stored explanation as JSON); the evaluation day is left out so an unchanged case keeps its row
    from one day to the next. A fact's wording may change without a new evaluation: the
    explanation shows facts as they now read."""
    head = encode([result[key] for key in ("score", "axis_a", "axis_b", "level", "urgency", "bars", "bar_ignored",
                                           "flagged", "flag_reason")])
    return hashlib.sha256(f"{head}{encoded}".encode()).hexdigest()


# What ``expand`` reads of each fact to label, date and mark it.
DATED = ("date", "date_precision", "date_qualifier", "date_end", "date_end_precision", "claim_status")
# Facts of a case carry the case's id and whether it is restricted: an explanation never shows
# another case's restricted facts (a co-accused's charge, a refusal concerning them) beyond "a fact
# of a restricted case", whoever reads it.
CASE_FIELDS = ("case_id", "case__restricted")
LABEL_FIELDS = {
    "charge": ("charging_state_id", "offence", "article", "victim", *CASE_FIELDS, *DATED),
    "request": ("requesting_state_id", "requested_state_id", "on_behalf_of_id", *CASE_FIELDS, *DATED),
    "assurance": ("kind", "disclosed", "specific", "binding", "monitored", "claim_status", "request__case_id",
                  "request__case__restricted"),
    "decision": (*CASE_FIELDS, "case__person__primary_name", "body_name", "body__name", "outcome", *DATED),
    "event": ("title", *CASE_FIELDS, *DATED),
    "role": ("role", "title", *DATED),
    "relationship": ("kind", "person__primary_name", "other__primary_name", *DATED),
    "protection": ("kind", "outcome", "granted_by_id", "against_state_id", *DATED),
    "assessment": ("jurisdiction_id", "torture_risk", "ignores_echr_judgments", "assessed_on", "claim_status"),
    "membership": ("jurisdiction_id", "body", "status", "since", "claim_status"),
    "channel": ("from_jurisdiction_id", "to_jurisdiction_id", "kind", "instrument", "name", "status", "valid_from",
                "claim_status"),
}


def _label(row, name, case_id):
    kind = row["_m"]
    if kind == "charge":
        if row.get("_victim"):
            return f"{name(row['charging_state_id'])}: Charges concerning {row['victim']}"
        article = f" ({row['article']})" if row["article"] else ""
        return f"{name(row['charging_state_id'])}: {row['offence']}{article}"
    if kind == "request":
        proxy = f" on behalf of {name(row['on_behalf_of_id'])}" if row["on_behalf_of_id"] else ""
        return f"Request {name(row['requesting_state_id'])} → {name(row['requested_state_id'])}{proxy}"
    if kind == "assurance":
        traits = [t for t in ("disclosed", "specific", "binding", "monitored") if row[t]]
        return f"Assurance ({row['kind'].replace('_', ' ')}): {', '.join(traits) or 'undisclosed, vague'}"
    if kind == "decision":
        # A co-accused's refusal (X5) names whom it concerned.
        who = row["case__person__primary_name"] if row["case_id"] != case_id else None
        body = row["body_name"] or row["body__name"] or "A body"
        return f"{body}: {row['outcome']}" + (f" (concerning {who})" if who else "")
    if kind == "event":
        return row["title"]
    if kind == "role":
        return row["title"] or row["role"].replace("_", " ").capitalize()
    if kind == "relationship":
        return f"{row['person__primary_name']} — {row['kind'].replace('_', ' ')} — {row['other__primary_name']}"
    if kind == "protection":
        against = f" against {name(row['against_state_id'])}" if row["against_state_id"] else ""
        return f"{row['kind'].replace('_', ' ').capitalize()} {row['outcome']} by {name(row['granted_by_id'])}{against}"
    if kind == "assessment":
        return f"{name(row['jurisdiction_id'])}: torture risk {row['torture_risk']}" + (
            ", ignores ECtHR judgments" if row["ignores_echr_judgments"] else "")
    if kind == "membership":
        return f"{name(row['jurisdiction_id'])}: {dict(Body.choices).get(row['body'], row['body'])} ({row['status']})"
    if kind == "channel":
        via = row["name"] or dict(Body.choices).get(row["instrument"], "") or row["kind"].replace("_", " ")
        return f"{name(row['from_jurisdiction_id'])} → {name(row['to_jurisdiction_id'])}: {via} ({row['status']})"
    if kind == "citizenship":
        return f"Citizen of {name(row['pk'])}"
    return ""


def _date_display(row):
    if "date_precision" in row:
        return format_date(row["date"], row["date_precision"], row["date_qualifier"], row["date_end"],
                           row["date_end_precision"] or None)
    day = row.get("assessed_on") or row.get("since") or row.get("valid_from")
    return day.isoformat() if day else ""


def _split(ref):
    model, pk = ref.split(":", 1)
    return model, int(pk)


def _row_key(ref):
    model, pk = _split(ref)
    return ("charge" if model == "victim" else model), pk


def _stored_refs(stored):
    refs = [ref for rule in stored["rules"] if len(rule) > 2 for ref in rule[4]]
    refs += [ref for _, rows in stored["bars"] for ref in rows]
    refs += [ref for _, rows in stored["urgency"] for ref in rows]
    refs += stored["others"]
    if stored["request"]:
        refs.append(stored["request"])
    return refs


def load_fact_rows(refs):
    """{(model key, pk): row} for the facts behind explanations, deleted ones included (an old
    evaluation still names what it rested on), one query per model."""
    wanted = defaultdict(set)
    for ref in refs:
        model, pk = _split(ref)
        model = "charge" if model == "victim" else model
        if model in FACT_MODELS:
            wanted[model].add(pk)
    rows = {}
    for model, pks in wanted.items():
        fact_model = FACT_MODELS[model]
        fields = LABEL_FIELDS[model]
        if any(f.name == "deleted_at" for f in fact_model._meta.concrete_fields):
            fields += ("deleted_at",)
        for row in fact_model._base_manager.filter(pk__in=pks).values("pk", *fields):
            row["_m"] = model
            rows[(model, row["pk"])] = row
    return rows


def load_citations(rows):
    """Sources behind these facts: {(model key, pk): [(title, stance, position)]}, in one query."""
    wanted = defaultdict(set)
    for row in rows:
        if row["_m"] in FACT_MODELS:
            wanted[row["_m"]].add(row["pk"])
    cited = defaultdict(list)
    if not wanted:
        return cited
    types = ContentType.objects.get_for_models(*(FACT_MODELS[key] for key in wanted))
    keys = {types[FACT_MODELS[key]].pk: key for key in wanted}
    which = Q()
    for key, pks in wanted.items():
        which |= Q(content_type=types[FACT_MODELS[key]], object_id__in=pks)
    for content_type, object_id, title, stance, position in Citation.objects.filter(which).order_by("pk").values_list(
            "content_type", "object_id", "source__title", "source__stance", "position"):
        cited[(keys[content_type], object_id)].append((title, stance, position))
    return cited


# Shared by every explanation and rarely changed: read through the cache. A renamed state, a rule's
# new wording or a revised assessment of a state shows in explanations within this many seconds.
REFERENCE_SECONDS = 60
WORLD_FACTS = ("assessment", "membership", "channel")  # facts about states, not about one case


def reference_tables(names=(), codes=()):
    """(jurisdiction names by pk, rule texts by code), from the cache when fresh and holding the
    ``names`` and ``codes`` asked for (a state or rule added since is read at once)."""
    tables = cache.get("onward:risk:reference")
    if tables is None or not (set(names) <= tables[0].keys() and set(codes) <= tables[1].keys()):
        tables = (dict(Jurisdiction.objects.values_list("pk", "name")),
                  {r["code"]: r for r in RiskRule.objects.values("code", "name", "axis", "basis")})
        cache.set("onward:risk:reference", tables, REFERENCE_SECONDS)
    return tables


def _path(obj, name):
    for step in name.split("__"):
        obj = getattr(obj, step, None) if obj is not None else None
    return obj


def rows_from_records(facts, wanted):
    """Fact rows and sources as ``load_fact_rows``/``load_citations`` give them, for the ``wanted``
    (model key, pk) pairs among records a page already holds ({kind: [instances with
    citation_list]}, cases/case_facts.py): no query."""
    rows, cited = {}, {}
    for model, records in facts.items():
        if model not in FACT_MODELS:
            continue
        for record in records:
            if (model, record.pk) not in wanted:
                continue
            row = {"pk": record.pk, "_m": model, "deleted_at": getattr(record, "deleted_at", None)}
            row.update((name, _path(record, name)) for name in LABEL_FIELDS[model])
            rows[(model, record.pk)] = row
            if hasattr(record, "citation_list"):
                cited[(model, record.pk)] = [(c.source.title, c.source.stance, c.position)
                                             for c in record.citation_list]
    return rows, cited


def expand(evaluations, known=None):
    """Set ``_explanation`` on each RiskEvaluation: the full explanation the case page, the review
    queue, the PDF and the API read (rule names, legal bases, fact labels, dates, sources), from the
    stored one, in a few queries for all of them together. ``known``: the case's records a page
    has already loaded with their citations ({kind: [records]}), read instead of queried; facts
    about states come through the cache."""
    stored = {ev: ev.stored_explanation or {} for ev in evaluations}
    current = [data for data in stored.values() if data.get("v") == EXPLANATION_VERSION]
    if current:
        names, rules = reference_tables(
            {pk for data in current for pk in (data["R"], data["P"], data["Q"], *(
                state for step in data["path"] for state in step[:2])) if pk is not None},
            {rule[0] for data in current for rule in data["rules"]})
        wanted = {_row_key(ref): ref for data in current for ref in _stored_refs(data)}
        rows, cited = rows_from_records(known or {}, wanted)
        refs = {ref for key, ref in wanted.items() if key not in rows}
        world = {f"onward:risk:fact:{ref}": ref for ref in refs if _row_key(ref)[0] in WORLD_FACTS}
        for key, (row, sources) in (cache.get_many(list(world)) if world else {}).items():
            rows[_row_key(world[key])], cited[_row_key(world[key])] = row, sources
            refs.discard(world[key])
        loaded = load_fact_rows(refs)
        loaded_cited = load_citations(loaded.values())
        rows.update(loaded)
        cited.update(loaded_cited)
        cache.set_many({f"onward:risk:fact:{model}:{pk}": (row, loaded_cited.get((model, pk), []))
                        for (model, pk), row in loaded.items() if model in WORLD_FACTS}, REFERENCE_SECONDS)
    for ev, data in stored.items():
        if data.get("v") != EXPLANATION_VERSION:
            ev._explanation = data  # stored in full before v2
            continue
        ev._explanation = _expand_one(data, ev.case_id, lambda pk: names.get(pk, "?"), rules, rows, cited)


def _expand_one(data, case_id, name, rules, rows, cited):
    def fact(ref):
        model, pk = _split(ref)
        row = {"_m": model, "pk": pk} if model == "citizenship" else rows.get(("charge" if model == "victim" else
                                                                                 model, pk))
        if row is None:
            return {"model": model, "pk": pk, "label": f"{model} {pk} (no longer on file)", "date_display": "",
                    "contested": False, "sources": []}
        owner = row.get("case_id", row.get("request__case_id"))
        if owner not in (None, case_id) and row.get("case__restricted", row.get("request__case__restricted")):
            return {"model": row["_m"], "pk": pk, "label": "A fact of another case, restricted to its team",
                    "date_display": "", "contested": False, "sources": [], "restricted": True}
        if model == "victim":
            row = {**row, "_victim": True}
        sources = cited.get((row["_m"], pk), [])
        label = _label(row, name, case_id) + (" (since deleted)" if row.get("deleted_at") else "")
        return {"model": row["_m"], "pk": pk, "label": label, "date_display": _date_display(row),
                "contested": row.get("claim_status") == "contested" or any(s[2] == "disputes" for s in sources),
                "sources": [{"title": t, "stance": s, "position": p} for t, s, p in sources]}

    def rule_text(code):
        return rules.get(code, {"name": code, "axis": "", "basis": ""})

    expanded_rules = []
    for item in data["rules"]:
        if len(item) == 2:
            expanded_rules.append({"code": item[0], "weight": item[1], "fired": False})
            continue
        code, weight, points, note, refs = item
        facts = [fact(ref) for ref in refs]
        rule = rule_text(code)
        expanded_rules.append({"code": code, "name": rule["name"], "axis": rule["axis"], "basis": rule["basis"],
                               "weight": weight, "fired": True, "points": points, "note": note, "facts": facts,
                               "contested": any(f["contested"] for f in facts)})
    R, P, requested = data["R"], data["P"], data["Q"]
    path = []
    if data["path"]:
        if requested is not None and requested != R:
            path.append({"from": name(requested), "to": name(R), "via": "extradition request", "unverified": False})
        path += [{"from": name(a), "to": name(b), "via": via, "unverified": unverified}
                 for a, b, via, unverified in data["path"]]
    return {
        "requesting": name(R), "persecuting": name(P), "requested": name(requested) if requested else "",
        "request": fact(data["request"]) if data["request"] else None,
        "same_state": R == P, "at_home": data["at_home"],
        "rules": expanded_rules,
        "a_cap": {"applied": data["cap"][0], "cap": data["cap"][1]},
        "onward_path": path,
        "bars": [{"code": code, "name": rule_text(code)["name"], "basis": rule_text(code)["basis"],
                  "facts": [fact(ref) for ref in refs]} for code, refs in data["bars"]],
        "urgency": [{"code": code, "name": rule_text(code)["name"], "facts": [fact(ref) for ref in refs]}
                    for code, refs in data["urgency"]],
        "others_decided": [fact(ref) for ref in data["others"]],
        "thresholds": data["thresholds"],
    }


# --- storing, flags -------------------------------------------------------------------------------

def evaluate_many(case_ids, *, as_of=None, config=None, world=None):
    """Evaluate these cases and store each evaluation that differs from the current one; open,
    raise or reopen flags. Returns {"evaluated": n, "stored": m}. The one path for one case and
    for the periodic re-evaluation of all."""
    config = config or Config.current()
    world = world or World()
    facts = load(case_ids)
    if not facts:
        return {"evaluated": 0, "stored": 0}
    today = timezone.localdate()  # once: the time zone lookup costs more than a rule
    built = {}
    for pk, cf in facts.items():
        result = evaluate(cf, world, config, as_of=as_of, today=today)
        stored = compact(result, config)
        encoded = encode(stored)
        built[pk] = (result, stored, encoded, fingerprint(result, encoded))
    current = dict(RiskEvaluation.objects.filter(_among("case_id", built), current=True)
                   .values_list("case_id", "fingerprint"))
    changed = [pk for pk, (*_, fp) in built.items() if current.get(pk) != fp]
    if not changed:
        return {"evaluated": len(built), "stored": 0}  # unchanged: no lock, no write
    with transaction.atomic():
        # Lock the changed cases, then look again: two workers on one case must not both write.
        list(Case.all_objects.select_for_update().filter(pk__in=changed).order_by("pk").values_list("pk"))
        current = {case_id: (fp, level) for case_id, fp, level in RiskEvaluation.objects.filter(
            case_id__in=changed, current=True).values_list("case_id", "fingerprint", "level")}
        changed = [pk for pk in changed if current.get(pk, (None,))[0] != built[pk][3]]
        if not changed:
            return {"evaluated": len(built), "stored": 0}
        now = timezone.now()
        evaluations = []
        for pk in changed:
            result, stored, _, fp = built[pk]
            ev = RiskEvaluation(
                case_id=pk, evaluated_at=now, as_of=result["as_of"], score=result["score"], axis_a=result["axis_a"],
                axis_b=result["axis_b"], level=result["level"], urgency=result["urgency"], bars=result["bars"],
                bar_ignored=result["bar_ignored"], flagged=result["flagged"], flag_reason=result["flag_reason"],
                stored_explanation=stored, fingerprint=fp, current=True)
            _flag_level_rise(ev, current.get(pk, (None, None))[1])
            evaluations.append(ev)
        replaced = [pk for pk in changed if pk in current]
        if replaced:
            RiskEvaluation.objects.filter(case_id__in=replaced, current=True).update(current=False)
        _insert(evaluations, [built[ev.case_id][2] for ev in evaluations])
        _sync_flags(evaluations)
    return {"evaluated": len(built), "stored": len(changed)}


INSERTED = ("case", "evaluated_at", "as_of", "score", "axis_a", "axis_b", "level", "urgency", "bars", "bar_ignored",
            "flagged", "flag_reason", "stored_explanation", "fingerprint", "current")


def _insert(evaluations, encoded):
    """Insert a chunk's evaluations in one statement. On PostgreSQL each column goes as one array
    (INSERT … SELECT FROM UNNEST, as Django's bulk_create does) built straight from the values at
    hand, the explanations already encoded for their fingerprints: bulk_create would prepare
    each of the ~15 values of each row again, a quarter of a cold run's Python time."""
    if connection.vendor != "postgresql":
        RiskEvaluation.objects.bulk_create(evaluations, batch_size=1000)
        return
    fields = [RiskEvaluation._meta.get_field(name) for name in INSERTED]
    values = {name: [getattr(ev, field.attname) for ev in evaluations] for name, field in zip(INSERTED, fields,
                                                                                               strict=True)}
    values["bars"] = [json.dumps(ev.bars) for ev in evaluations]
    values["stored_explanation"] = encoded
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    arrays = ", ".join(f"%s::{field.db_type(connection).split('(')[0]}[]" for field in fields)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {connection.ops.quote_name(RiskEvaluation._meta.db_table)} ({columns}) "  # noqa: S608 - our own table and columns
                       f"SELECT * FROM UNNEST({arrays}) RETURNING id", [values[name] for name in INSERTED])
        for ev, (pk,) in zip(evaluations, cursor.fetchall(), strict=True):
            ev.pk = pk
            ev._state.adding, ev._state.db = False, connection.alias


def evaluate_case(case_id, *, as_of=None):
    evaluate_many([case_id], as_of=as_of)
    return latest_evaluation(case_id)


def _flag_level_rise(ev, previous_level):
    """The second flag trigger: a case that rises by a level (low → medium, say) is flagged for
    review even below HIGH, so admins see a risk while it is still rising."""
    if ev.flagged or previous_level is None or LEVEL_ORDER[ev.level] <= LEVEL_ORDER[previous_level]:
        return
    ev.flagged = True
    ev.flag_reason = f"The risk rose a level, from {previous_level} to {ev.level} (score {ev.score})."


def _sync_flags(evaluations):
    flagged = [ev for ev in evaluations if ev.flagged]
    if not flagged:
        return
    flags = {f.case_id: f for f in RiskFlag.objects.filter(case_id__in=[ev.case_id for ev in flagged])}
    new_flags, decisions, reopened, raised = [], [], [], []
    for ev in flagged:
        flag = flags.get(ev.case_id)
        if flag is None:
            new_flags.append(RiskFlag(case_id=ev.case_id, evaluation=ev, level=ev.level, score=ev.score,
                                      opened_at=ev.evaluated_at, updated_at=ev.evaluated_at))
            continue
        rises = (flag.decided_score is not None and ev.score > flag.decided_score) or \
            LEVEL_ORDER[ev.level] > LEVEL_ORDER[flag.level]
        if flag.status in (FlagStatus.DISMISSED, FlagStatus.ACKNOWLEDGED) and rises:
            before = flag.decided_score if flag.decided_score is not None else flag.score
            flag.status = FlagStatus.OPEN
            flag.reopened_count += 1
            decisions.append(FlagDecision(flag=flag, action=FlagAction.REOPENED, score=ev.score,
                                          at=ev.evaluated_at, reason=_rise_reason(before, ev)))
            reopened.append(flag)
        elif flag.status in (FlagStatus.DISMISSED, FlagStatus.ACKNOWLEDGED):
            continue  # a decided flag stays decided until the risk rises
        flag.evaluation, flag.level, flag.score, flag.updated_at = ev, ev.level, ev.score, ev.evaluated_at
        raised.append(flag)
    if raised:
        RiskFlag.objects.bulk_update(raised, ["evaluation", "level", "score", "status", "reopened_count", "updated_at"],
                                     batch_size=500)
    if new_flags:
        RiskFlag.objects.bulk_create(new_flags, batch_size=1000)
        decisions += [FlagDecision(flag=f, action=FlagAction.OPENED, score=f.score, at=f.opened_at,
                                   reason=f.evaluation.flag_reason) for f in new_flags]
    FlagDecision.objects.bulk_create(decisions, batch_size=1000)
    for flag in reopened:
        if flag.assigned_to_id:
            transaction.on_commit(lambda pk=flag.pk: notify_assignee(pk, reopened=True))


def _rise_reason(before, ev):
    fired = ", ".join(ev.fired_codes)
    return f"The score rose from {before} to {ev.score} ({ev.get_level_display().lower()}). Rules fired: {fired}."


def notify_assignee(flag_pk, *, reopened=False):
    from django.core.mail import send_mail

    flag = RiskFlag.objects.select_related("case", "assigned_to").get(pk=flag_pk)
    if not flag.assigned_to or not flag.assigned_to.email:
        return
    subject = f"[Onward] {'Reopened' if reopened else 'Assigned'}: {flag.get_level_display()} risk on {flag.case}"
    body = (f"The risk flag on “{flag.case}” ({flag.get_level_display().lower()}, score {flag.score}) "
            f"{'has reopened because the risk rose' if reopened else 'is assigned to you'}.\n\n"
            f"Reason: {flag.evaluation.flag_reason}\n\nOpen it in Onward: /risk/flags/{flag.pk}/\n")
    send_mail(subject, body, None, [flag.assigned_to.email])


# --- reading ----------------------------------------------------------------------------------------

def latest_evaluation(case):
    """The stored current evaluation (with its explanation) of a case or case id, or None.
    The exports print this; they never re-evaluate."""
    case_id = getattr(case, "pk", case)
    return RiskEvaluation.objects.filter(case_id=case_id, current=True).first()


def history(case, limit=20):
    """When the risk rose and why: evaluations over time, newest first."""
    return RiskEvaluation.objects.filter(case_id=getattr(case, "pk", case)).defer("stored_explanation")[:limit]


# --- scheduling: the ledger first, then the doorbell ------------------------------------------------

def mark_pending(case_ids):
    case_ids = list(set(case_ids))
    if not case_ids:
        return
    now = timezone.now()
    EvaluationRequest.objects.bulk_create([EvaluationRequest(case_id=pk, requested_at=now) for pk in case_ids],
                                          ignore_conflicts=True, batch_size=2000)
    EvaluationRequest.objects.filter(case_id__in=case_ids).update(
        state=RequestState.PENDING, generation=F("generation") + 1, requested_at=now)


def schedule_reevaluation(case_ids):
    """Record that these cases need evaluating and ring the worker once the transaction commits."""
    from . import tasks

    case_ids = sorted({pk for pk in case_ids if pk})
    mark_pending(case_ids)
    transaction.on_commit(lambda: [tasks.evaluate_case.delay(pk) for pk in case_ids])


def cases_touching(jurisdiction_id):
    ids = set(Case.objects.filter(Q(persecuting_state_id=jurisdiction_id) | Q(host_state_id=jurisdiction_id))
              .values_list("pk", flat=True))
    ids |= set(ExtraditionRequest.objects.filter(
        Q(requesting_state_id=jurisdiction_id) | Q(requested_state_id=jurisdiction_id)
        | Q(on_behalf_of_id=jurisdiction_id)).values_list("case_id", flat=True))
    ids |= set(Charge.objects.filter(Q(charging_state_id=jurisdiction_id) | Q(instigated_by_id=jurisdiction_id))
               .values_list("case_id", flat=True))
    return ids


def schedule_for_jurisdiction(*jurisdiction_ids):
    """A state's record, memberships or channels changed: every case touching it is marked pending
    and a sweep evaluates them in chunks."""
    from . import tasks

    ids = set()
    for jurisdiction_id in jurisdiction_ids:
        if jurisdiction_id:
            ids |= cases_touching(jurisdiction_id)
    mark_pending(ids)
    if ids:
        transaction.on_commit(lambda: tasks.evaluate_pending.delay())


def fact_changed(obj):
    """Called by core.editing after a fact is saved, deleted or restored (settings.ONWARD_FACT_HOOKS):
    schedule the re-evaluation of what it bears on. Explicit, not a signal."""
    kind = type(obj).__name__
    if kind == "Citation":
        if obj.fact is not None:
            fact_changed(obj.fact)
        return
    if kind in ("Membership", "RiskAssessment"):
        schedule_for_jurisdiction(obj.jurisdiction_id)
        return
    if kind == "TransferChannel":
        schedule_for_jurisdiction(obj.from_jurisdiction_id, obj.to_jurisdiction_id)
        return
    if kind == "Jurisdiction":
        schedule_for_jurisdiction(obj.pk)
        return
    case_ids = set()
    if kind == "Case":
        case_ids.add(obj.pk)
    elif kind in ("Charge", "ExtraditionRequest", "Decision", "Event", "Claim") and getattr(obj, "case_id", None):
        case_ids.add(obj.case_id)
    elif kind == "Assurance":
        case_ids.add(obj.request.case_id)
    people = set()
    if kind in ("Person",):
        people.add(obj.pk)
    elif kind in ("PoliticalRole", "Protection", "Affiliation"):
        people.add(obj.person_id)
    elif kind == "Relationship":
        people |= {obj.person_id, obj.other_id}
    if kind == "Decision" and obj.case_id:
        # A refusal is evidence in the co-accused's cases too.
        person = Case.all_objects.filter(pk=obj.case_id).values_list("person_id", flat=True).first()
        people |= set(Relationship.objects.filter(person_id=person, kind__in=CO_ACCUSED_LINKS)
                      .values_list("other_id", flat=True))
        people |= set(Relationship.objects.filter(other_id=person, kind__in=CO_ACCUSED_LINKS)
                      .values_list("person_id", flat=True))
    if people:
        case_ids |= set(Case.objects.filter(person_id__in=people).values_list("pk", flat=True))
        # Political roles of a figure make their associates political too (A2).
        case_ids |= set(Case.objects.filter(person__relationships__other_id__in=people,
                                             person__relationships__kind__in=POLITICAL_LINKS)
                        .values_list("pk", flat=True))
    if kind == "Event" and obj.kind in AGENT_KINDS and obj.perpetrator_state_id:
        schedule_for_jurisdiction(obj.perpetrator_state_id)  # B6 reads agents' operations across cases
    if case_ids:
        schedule_reevaluation(case_ids)


# --- claiming work (tasks call these) ----------------------------------------------------------------

def _claimable(now):
    lease = datetime.timedelta(seconds=getattr(settings, "RISK_CLAIM_LEASE_SECONDS", 600))
    return Q(state=RequestState.PENDING) | Q(state=RequestState.RUNNING, claimed_at__lt=now - lease)


def claim(case_ids):
    """Claim pending (or abandoned) ledger rows with one conditional UPDATE; returns (token, ids)."""
    token, now = uuid.uuid4().hex, timezone.now()
    EvaluationRequest.objects.filter(_claimable(now), case_id__in=list(case_ids)).update(
        state=RequestState.RUNNING, claimed_at=now, claim_token=token, attempts=F("attempts") + 1)
    claimed = list(EvaluationRequest.objects.filter(claim_token=token, state=RequestState.RUNNING)
                   .values_list("case_id", flat=True))
    return token, claimed


def finish(token):
    """Done, unless a newer change marked the row pending again meanwhile (then it runs again)."""
    EvaluationRequest.objects.filter(claim_token=token, state=RequestState.RUNNING).update(state=RequestState.DONE)


def claimable_case_ids(limit):
    return list(EvaluationRequest.objects.filter(_claimable(timezone.now())).order_by("requested_at")
                .values_list("case_id", flat=True)[:limit])


def _sentence(text):
    return text[:1].upper() + text[1:]
