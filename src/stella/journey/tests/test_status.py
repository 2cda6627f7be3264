"""The legal-status transition table and the fold over dated events."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stella.journey.models import DecisionOutcome, EventKind
from stella.journey.status import TRANSITIONS, EventFact, State, TransitionError, fold, step

E = EventKind
D0 = date(2015, 9, 1)


def ev(kind, days=0, outcome=""):
    return EventFact(kind=kind, effective_date=D0 + timedelta(days=days), outcome=outcome)


RECOGNITION = [ev(E.EINREISE), ev(E.ASYLGESUCH, 2), ev(E.ANKUNFTSNACHWEIS, 3), ev(E.ASYLANTRAG, 40),
               ev(E.GESTATTUNG, 40), ev(E.BAMF_ENTSCHEIDUNG, 300, DecisionOutcome.FLUECHTLINGSSCHUTZ),
               ev(E.RECHTSKRAFT, 320), ev(E.AE_25_2, 350)]


def test_typical_recognition_path_and_dates():
    s = fold(RECOGNITION)
    assert s.state == State.RESIDENCE_PERMIT and s.rules_status == "ae_25_2"
    assert (s.entry_date, s.asylum_request_date, s.asylum_application_date) == (D0, D0 + timedelta(2),
                                                                               D0 + timedelta(40))
    assert s.decision_final_date == D0 + timedelta(320)


@pytest.mark.parametrize("days,state,rules_status", [
    (0, State.ENTERED, None), (2, State.ASYLUM_REQUESTED, "gestattung"), (100, State.IN_PROCEDURE, "gestattung"),
    (310, State.DECIDED, "gestattung"), (330, State.PROTECTED, "ae_25_2"), (400, State.RESIDENCE_PERMIT, "ae_25_2"),
])
def test_status_on_any_past_date(days, state, rules_status):
    s = fold(RECOGNITION, until=D0 + timedelta(days))
    assert (s.state, s.rules_status) == (state, rules_status)


def test_rejection_then_duldung_keeps_its_start():
    s = fold([ev(E.ASYLANTRAG), ev(E.BAMF_ENTSCHEIDUNG, 100, DecisionOutcome.OFFENSICHTLICH_UNBEGRUENDET),
              ev(E.RECHTSKRAFT, 130), ev(E.DULDUNG_60A, 140), ev(E.DULDUNG_60A, 320)])
    assert (s.state, s.duldung_since, s.rules_status) == (State.TOLERATED, D0 + timedelta(140), "duldung")
    assert fold([ev(E.DULDUNG_60B)]).rules_status == "duldung_60b"


@pytest.mark.parametrize("events,message", [
    ([ev(E.RECHTSKRAFT)], "nicht möglich"),
    ([ev(E.ASYLANTRAG), ev(E.BAMF_ENTSCHEIDUNG, 5)], "Ergebnis"),
    ([ev(E.ASYLANTRAG), ev(E.BAMF_ENTSCHEIDUNG, 5, DecisionOutcome.SUBSIDIAER), ev(E.RECHTSKRAFT, 9),
      ev(E.AE_25_1, 10)], "passt nicht"),
    ([ev(E.AUSREISE), ev(E.GESTATTUNG, 1)], "ausgereist"),
    ([ev(E.ASYLANTRAG), ev(E.BAMF_ENTSCHEIDUNG, 5, DecisionOutcome.ABGELEHNT), ev(E.RECHTSKRAFT, 9),
      ev(E.AE_25_2, 10)], "Ablehnung rechtskräftig"),
    ([ev(E.EINREISE, outcome=DecisionOutcome.SUBSIDIAER)], "Nur eine BAMF-Entscheidung"),
])
def test_impossible_histories_are_refused_with_the_reason(events, message):
    with pytest.raises(TransitionError, match=message):
        fold(events)


def test_same_day_events_follow_the_legal_order():
    s = fold([ev(E.ASYLANTRAG), ev(E.ASYLGESUCH), ev(E.EINREISE)])
    assert s.state == State.IN_PROCEDURE


def test_ukraine_temporary_protection():
    s = fold([ev(E.EINREISE), ev(E.FIKTION, 10), ev(E.AE_24, 60)])
    assert (s.state, s.rules_status) == (State.RESIDENCE_PERMIT, "ae_24")


events_strategy = st.lists(
    st.tuples(st.sampled_from(list(EventKind)), st.integers(0, 2000), st.sampled_from(["", *DecisionOutcome.values])),
    max_size=12,
)


@given(events_strategy)
def test_no_sequence_of_events_yields_an_impossible_state(raw):
    events = [EventFact(k, D0 + timedelta(d), o, key=i) for i, (k, d, o) in enumerate(raw)]
    try:
        s = fold(events)
    except TransitionError as exc:
        assert exc.message
        return
    ordered = sorted(events, key=lambda e: (e.effective_date, list(EventKind.values).index(e.kind)))
    if ordered:
        last = ordered[-1]
        target = TRANSITIONS[last.kind][1]
        if target is not None:
            assert s.state == target  # the last event decides the state, as the table says
    if s.state == State.RESIDENCE_PERMIT:
        assert s.rules_status in {"ae_25_1", "ae_25_2", "ae_25_3", "ae_24"}
    if s.state == State.PROTECTED:
        assert s.outcome in DecisionOutcome.values and s.decision_final_date is not None
    if s.state == State.TOLERATED:
        assert s.duldung_since is not None and s.since is not None and s.duldung_since <= s.since


@given(events_strategy, st.integers(0, 2000))
def test_status_on_a_date_only_depends_on_earlier_events(raw, cut):
    events = [EventFact(k, D0 + timedelta(d), o, key=i) for i, (k, d, o) in enumerate(raw)]
    until = D0 + timedelta(cut)
    try:
        full = fold(events, until=until)
    except TransitionError:
        return
    assert fold([e for e in events if e.effective_date <= until]) == full


def test_step_refuses_from_every_state_not_in_the_table():
    for kind, (allowed, _) in TRANSITIONS.items():
        for state in set(State) - set(allowed):
            from stella.journey.status import Situation

            with pytest.raises(TransitionError):
                step(Situation(state=state, outcome=DecisionOutcome.FLUECHTLINGSSCHUTZ),
                     EventFact(kind, D0, DecisionOutcome.FLUECHTLINGSSCHUTZ if kind == E.BAMF_ENTSCHEIDUNG else ""))
