"""Legal-status states and the table of allowed transitions; a pure fold over dated events.

The table below is the single source of which event may follow which state. `fold()` replays the
events in date order and refuses the first impossible step with a German reason, so history that
contradicts itself can never be stored (services fold before they write).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from stella.journey.models import POSITIVE_OUTCOMES, DecisionOutcome, EventKind
from stella.rules.model import Status

E = EventKind


class State(StrEnum):
    NONE = "none"
    ENTERED = "entered"
    ASYLUM_REQUESTED = "asylum_requested"
    IN_PROCEDURE = "in_procedure"
    DECIDED = "decided"  # BAMF decided, not yet final
    PROTECTED = "protected"  # positive decision final, no residence permit yet
    REJECTED_FINAL = "rejected_final"
    RESIDENCE_PERMIT = "residence_permit"
    FIKTION = "fiktion"
    TOLERATED = "tolerated"  # Duldung
    DEPARTED = "departed"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]


STATE_LABELS = {
    State.NONE: "nichts erfasst", State.ENTERED: "eingereist", State.ASYLUM_REQUESTED: "Asylgesuch gestellt",
    State.IN_PROCEDURE: "im Asylverfahren", State.DECIDED: "BAMF-Entscheidung, noch nicht rechtskräftig",
    State.PROTECTED: "Schutzstatus rechtskräftig", State.REJECTED_FINAL: "Ablehnung rechtskräftig",
    State.RESIDENCE_PERMIT: "Aufenthaltserlaubnis", State.FIKTION: "Fiktionsbescheinigung",
    State.TOLERATED: "Duldung", State.DEPARTED: "ausgereist",
}

S = State
_BEFORE_PROCEDURE = {S.NONE, S.ENTERED, S.ASYLUM_REQUESTED}
_TITLES = {S.RESIDENCE_PERMIT, S.FIKTION}

#: event kind → (states it may follow, state it leads to). None as target: depends on the outcome.
TRANSITIONS: dict[str, tuple[frozenset[State], State | None]] = {
    E.EINREISE: (frozenset({S.NONE}), S.ENTERED),
    E.ASYLGESUCH: (frozenset({S.NONE, S.ENTERED}), S.ASYLUM_REQUESTED),
    E.ANKUNFTSNACHWEIS: (frozenset(_BEFORE_PROCEDURE), S.ASYLUM_REQUESTED),
    E.ASYLANTRAG: (frozenset(_BEFORE_PROCEDURE), S.IN_PROCEDURE),
    E.GESTATTUNG: (frozenset(_BEFORE_PROCEDURE | {S.IN_PROCEDURE, S.DECIDED}), None),
    E.BAMF_ENTSCHEIDUNG: (frozenset({S.IN_PROCEDURE}), S.DECIDED),
    E.RECHTSKRAFT: (frozenset({S.DECIDED}), None),
    E.AE_25_1: (frozenset({S.PROTECTED} | _TITLES), S.RESIDENCE_PERMIT),
    E.AE_25_2: (frozenset({S.PROTECTED} | _TITLES), S.RESIDENCE_PERMIT),
    E.AE_25_3: (frozenset({S.PROTECTED, S.REJECTED_FINAL, S.TOLERATED} | _TITLES), S.RESIDENCE_PERMIT),
    E.AE_24: (frozenset(_BEFORE_PROCEDURE | _TITLES), S.RESIDENCE_PERMIT),
    E.FIKTION: (frozenset(_BEFORE_PROCEDURE | {S.PROTECTED, S.TOLERATED} | _TITLES), S.FIKTION),
    E.DULDUNG_60A: (frozenset({S.NONE, S.ENTERED, S.REJECTED_FINAL, S.TOLERATED}), S.TOLERATED),
    E.DULDUNG_60B: (frozenset({S.NONE, S.ENTERED, S.REJECTED_FINAL, S.TOLERATED}), S.TOLERATED),
    E.DULDUNG_60C: (frozenset({S.REJECTED_FINAL, S.TOLERATED}), S.TOLERATED),
    E.DULDUNG_60D: (frozenset({S.REJECTED_FINAL, S.TOLERATED}), S.TOLERATED),
    E.AUSREISE: (frozenset(set(State) - {S.DEPARTED}), S.DEPARTED),
}
#: Which AE may follow which positive outcome (§25 Abs. 1 for Art. 16a GG, Abs. 2 for §3/§4, Abs. 3 for §60).
AE_FOR_OUTCOME = {
    DecisionOutcome.ASYLBERECHTIGUNG: {E.AE_25_1, E.AE_25_2},
    DecisionOutcome.FLUECHTLINGSSCHUTZ: {E.AE_25_2},
    DecisionOutcome.SUBSIDIAER: {E.AE_25_2},
    DecisionOutcome.ABSCHIEBUNGSVERBOT: {E.AE_25_3},
}


@dataclass(frozen=True)
class EventFact:
    """The parts of a StatusEvent the fold needs (so it runs on unsaved candidates too)."""

    kind: str
    effective_date: date
    outcome: str = ""
    key: object = None  # the event's id, for error messages and correction lookups


@dataclass(frozen=True)
class Situation:
    """The legal situation after some events: the state and the dates that rules need."""

    state: State = State.NONE
    since: date | None = None
    outcome: str = ""  # BAMF decision outcome, once decided
    last_event: str = ""
    entry_date: date | None = None
    asylum_request_date: date | None = None
    asylum_application_date: date | None = None
    decision_date: date | None = None
    decision_final_date: date | None = None
    duldung_since: date | None = None
    duldung_kind: str = ""

    @property
    def rules_status(self) -> Status | None:
        """The status code of the rules package (None where no rule applies, e.g. after departure)."""
        if self.state in {S.ASYLUM_REQUESTED, S.IN_PROCEDURE, S.DECIDED}:
            return "gestattung"
        if self.state == S.TOLERATED:
            return "duldung_60b" if self.duldung_kind == E.DULDUNG_60B else "duldung"
        if self.state == S.FIKTION:
            return "fiktion"
        if self.state == S.RESIDENCE_PERMIT:
            return _AE_STATUS.get(self.last_event)
        if self.state == S.PROTECTED:  # the stay counts as lawful before the AE is issued (§25 Abs. 1 S. 3)
            return _PROTECTED_STATUS.get(self.outcome, "ae_25_2") if self.outcome else None
        return None


_AE_STATUS: dict[str, Status] = {E.AE_25_1: "ae_25_1", E.AE_25_2: "ae_25_2", E.AE_25_3: "ae_25_3", E.AE_24: "ae_24"}
_PROTECTED_STATUS: dict[str, Status] = {DecisionOutcome.ASYLBERECHTIGUNG: "ae_25_1",
                                        DecisionOutcome.ABSCHIEBUNGSVERBOT: "ae_25_3"}


class TransitionError(ValueError):
    """An event that the history before it makes impossible; `message` is German."""

    def __init__(self, message: str, key: object = None) -> None:
        super().__init__(message)
        self.message = message
        self.key = key


def step(situation: Situation, event: EventFact) -> Situation:
    """Apply one event or raise TransitionError saying why it cannot follow."""
    kind = EventKind(event.kind)
    allowed_from, target = TRANSITIONS[kind]
    when = event.effective_date.strftime("%d.%m.%Y")
    if situation.state not in allowed_from:
        raise TransitionError(
            f"„{kind.label}“ am {when} ist nicht möglich: Stand zu diesem Zeitpunkt ist „{situation.state.label}“.",
            event.key)
    if kind == E.BAMF_ENTSCHEIDUNG and event.outcome not in DecisionOutcome.values:
        raise TransitionError("Eine BAMF-Entscheidung braucht ein Ergebnis.", event.key)
    if kind != E.BAMF_ENTSCHEIDUNG and event.outcome:
        raise TransitionError("Nur eine BAMF-Entscheidung hat ein Ergebnis.", event.key)
    if (situation.state == S.PROTECTED and kind in {E.AE_25_1, E.AE_25_2, E.AE_25_3}
            and kind not in AE_FOR_OUTCOME.get(DecisionOutcome(situation.outcome), set())):
        raise TransitionError(
            f"„{kind.label}“ passt nicht zur Entscheidung „{DecisionOutcome(situation.outcome).label}“.", event.key)
    new = replace(situation, since=event.effective_date, last_event=kind.value)
    if kind == E.EINREISE:
        new = replace(new, entry_date=event.effective_date)
    if kind in {E.ASYLGESUCH, E.ANKUNFTSNACHWEIS} and situation.asylum_request_date is None:
        new = replace(new, asylum_request_date=event.effective_date)
    if kind == E.ASYLANTRAG or (kind == E.GESTATTUNG and situation.asylum_application_date is None):
        new = replace(new, asylum_application_date=situation.asylum_application_date or event.effective_date)
        new = replace(new, asylum_request_date=new.asylum_request_date or event.effective_date)
    if kind == E.BAMF_ENTSCHEIDUNG:
        new = replace(new, outcome=event.outcome, decision_date=event.effective_date)
    if kind in {E.DULDUNG_60A, E.DULDUNG_60B, E.DULDUNG_60C, E.DULDUNG_60D}:
        new = replace(new, duldung_kind=kind.value,
                      duldung_since=situation.duldung_since if situation.state == S.TOLERATED else event.effective_date)
    state = target
    if kind == E.GESTATTUNG:
        state = situation.state if situation.state in {S.IN_PROCEDURE, S.DECIDED} else S.IN_PROCEDURE
    elif kind == E.RECHTSKRAFT:
        state = S.PROTECTED if situation.outcome in POSITIVE_OUTCOMES else S.REJECTED_FINAL
        new = replace(new, decision_final_date=event.effective_date)
    assert state is not None
    return replace(new, state=state, since=event.effective_date if state != situation.state else situation.since)


def fold(events: Iterable[EventFact], until: date | None = None) -> Situation:
    """The situation after all events up to and including `until` (all when None), in date order."""
    situation = Situation()
    for event in sorted(events, key=lambda e: (e.effective_date, _order(e))):
        if until is not None and event.effective_date > until:
            break
        situation = step(situation, event)
    return situation


#: Same-day events follow the legal sequence (e.g. Asylgesuch before Ankunftsnachweis before Antrag).
_KIND_ORDER = {kind: i for i, kind in enumerate(EventKind.values)}


def _order(e: EventFact) -> tuple[int, int]:
    return (_KIND_ORDER[e.kind], e.key if isinstance(e.key, int) else 0)
