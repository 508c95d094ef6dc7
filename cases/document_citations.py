"""Citing a page of a source's file from a fact of a case ("the Aix court's ruling, p. 2")."""

import datetime

from core.editing import save_fact
from sources.models import Citation

from .models import Case, Charge, Claim, Decision, Event, ExtraditionRequest

CITABLE = {"charge": Charge, "request": ExtraditionRequest, "decision": Decision, "event": Event, "claim": Claim}


def facts_of(case):
    """(ref, label) for every fact of ``case`` that can cite a file, oldest first."""
    facts = []
    for kind, model in CITABLE.items():
        for fact in model.objects.filter(case=case):
            facts.append((fact.date, f"{kind}-{fact.pk}",
                          f"{model._meta.verbose_name.capitalize()} · {fact.date_display} · {fact}"[:200]))
    facts.sort(key=lambda item: (item[0] is None, item[0] or datetime.date.min))
    return [(ref, label) for _, ref, label in facts]


def fact_for(ref, user):
    """The fact named by ``ref`` ("decision-12") if it belongs to a case ``user`` may see, else None."""
    kind, _, pk = (ref or "").partition("-")
    model = CITABLE.get(kind)
    if model is None or not pk.isdigit():
        return None
    return model.objects.filter(pk=int(pk), case__in=Case.objects.visible_to(user)).first()


def cite_document(document, fact, user, *, page=None, quote="", position="supports"):
    citation = Citation(source=document.source, fact=fact, document=document, document_page=page,
                        page=f"p. {page}" if page else "", quote=quote.strip(), position=position)
    return save_fact(citation, user)
