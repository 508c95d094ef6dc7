"""The rule table of the domain brief (§3), as the data migration seeds it and as a database
emptied by a test flush re-seeds it. Admins change weights afterwards; the rows, not this table,
are what the engine reads."""

# code, name, axis, weight, basis, description
RULES = [
    ("A1", "Torture in custody in the requesting state", "A", 15,
     "UN CAT art. 3(1)–(2) (L1)",
     "A sourced country record (RiskAssessment, torture risk high) of torture in custody in R."),
    ("A2", "Political profile", "A", 20,
     "Chahal v UK; Saadi v Italy; ECE art. 3 (L3, L7)",
     "Opposition figure, journalist, activist or human-rights defender, or a documented political "
     "associate (political associate, associate or bodyguard) of one. Employment is not enough."),
    ("A3", "Political-type charge", "A", 15,
     "European Convention on Extradition art. 3 (L7)",
     "R charges terrorism 'preparation', coup, extremism, insulting officials, false information, "
     "protest or discord (charge category political or terrorism)."),
    ("A4", "Economic charge tied to a political conflict", "A", 10,
     "Conseil d'État, 9 Dec 2016, no. 394399 (L12)",
     "R brings an economic charge against a person with a political profile (A2)."),
    ("A5", "Previously ill-treated by the requesting state", "A", 20,
     "Othman v UK § 189 (x) (L4)",
     "An ill-treatment event in this case whose perpetrator (or place, when none is named) is R."),
    ("A6", "Co-defendants or witnesses coerced", "A", 10,
     "Othman v UK § 189 (L4)",
     "A coercion event in this case by R, by no named state, or by P when R's case shares P's facts."),
    ("A7", "Diplomatic assurances", "A", 10,
     "Othman v UK § 189 (i)–(viii) (L4)",
     "+weight when assurances are absent, undisclosed or vague; −weight when specific, disclosed and "
     "monitored."),
    ("A8", "Outside the ECHR or ignoring its judgments", "A", 10,
     "Othman v UK § 189 (vi) (L4)",
     "R's assessment records that it ignores ECtHR judgments or is outside the Convention, or its "
     "ECHR membership has ended."),
    ("A9", "Interpol notice against a political figure", "A", 5,
     "INTERPOL Constitution art. 3; ECE art. 3 (L7)",
     "The request rests on an Interpol red notice, diffusion or international wanted listing and the "
     "person has a political profile (A2): art. 3 bars Interpol from political matters ([002]: "
     "'using INTERPOL mechanisms for political purposes')."),
    ("B1", "Persecuting state's charges, warrant or conviction", "B", 20,
     "UN CAT art. 3; Refugee Convention art. 33 (L1, L8)",
     "P has live charges, a warrant or a conviction against the person."),
    ("B2", "Requesting state's case shares P's facts", "B", 20,
     "Conseil d'État, 9 Dec 2016, no. 394399 (L12)",
     "A charge by R and a charge by P name the same victim (e.g. BTA Bank)."),
    ("B3", "Persecuting state steers the request", "B", 20,
     "Conseil d'État, 9 Dec 2016, no. 394399 (L12)",
     "R's charges were instigated by P, or the request is filed on P's behalf (proxy request)."),
    ("B4", "Onward channel from the requesting state", "B", 10,
     "European Convention on Extradition art. 15 (L7)",
     "A transfer channel (treaty, Minsk, Chisinau, Shanghai, CIS crime agreement, security services) "
     "leads from R to P or to a state with a documented torture risk."),
    ("B5", "No treaty between P and the requested state", "B", 5,
     "Proxy signal ([002]: France–Kazakhstan)",
     "A documented absence of an extradition treaty between P and the requested state."),
    ("B6", "P's agents active in the requesting state", "B", 10,
     "Mamatkulov and Askarov v Turkey; Savriddin Dzhurayev v Russia (L6)",
     "Surveillance, attacks, abductions or disappearances in R attributed to P's agents."),
    ("B7", "No undertaking against re-extradition", "B", 10,
     "European Convention on Extradition art. 15 (L7)",
     "The request carries no assurance against onward transfer."),
    ("B8", "Convicted in absentia by P", "B", 5,
     "[003] (Kazhegeldin, Aliyev, Musayev)",
     "P convicted the person in absentia."),
    ("X1", "Refugee status or asylum against P", "bar", 0,
     "Refugee Convention art. 33; CJEU C-352/22 and C-897/19; CE 394399 (L8, L10–L12)",
     "Granted, unrevoked asylum or refugee status anywhere against P."),
    ("X2", "Subsidiary protection against P", "bar", 0,
     "Directive 2011/95/EU; reach of C-352/22 unverified (L11)",
     "Granted, unrevoked subsidiary protection against P."),
    ("X3", "EU/EEA citizen sought by a third state", "bar", 0,
     "CJEU Petruhhin C-182/15; I.N. C-897/19 (L9, L10)",
     "The person is a citizen of an EU state, the requested state is in the EU and R is not."),
    ("X4", "ECtHR Rule 39 interim measure", "bar", 0,
     "Mamatkulov and Askarov v Turkey (L6)",
     "A Rule 39 interim measure is in force."),
    ("X5", "Earlier refusal on the same facts", "bar", 0,
     "Persuasive only",
     "A state refused to extradite the person, or a co-accused or associate, on the same facts."),
    ("U1", "Request pending", "urgency", 1, "", "An extradition request is pending."),
    ("U2", "In custody", "urgency", 1, "", "The latest custody event is an arrest, custody or imprisonment."),
    ("U3", "Court granted, decree signed or appeal exhausted", "urgency", 1, "",
     "A pending request was granted by a court, a decree was signed or an appeal upheld it."),
    ("U4", "Hearing or surrender within the window", "urgency", 1, "",
     "A hearing, deadline or surrender falls within the urgency window."),
]

SETTINGS = {"medium_from": 30, "high_from": 55, "critical_from": 80, "a_cap": 20, "urgency_window_days": 30}

A_CAP_BASIS = "Yefimova v Russia; Oshlakov v Russia (L5)"
A_CAP_ONLY = ("A1", "A7", "A8")  # general risk only: L5
