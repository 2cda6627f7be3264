"""Types shared by the rule tables and the evaluators: codes, dated table rows, inputs and the result."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Generic, Literal, TypeVar, get_args

Status = Literal["gestattung", "duldung", "duldung_60b", "ae_25_1", "ae_25_2", "ae_25_3", "ae_24", "fiktion"]
Activity = Literal["employment", "vocational_training", "internship", "self_employment"]
Household = Literal["single", "couple", "child_in_household", "collective_housing"]
Regime = Literal["asylblg_3", "asylblg_2", "sgb2"]
WorkOutcome = Literal["FREE", "ABH", "ABH_BA", "BAN"]
CourseOutcome = Literal["ENTITLED", "ADMISSIBLE", "NOT_ADMISSIBLE"]
#: §60a Abs. 6 AufenthG grounds (Nr. 1–3) plus §60a Abs. 5b (concrete return measures imminent).
DuldungGround = Literal["asylblg_purpose", "own_fault", "safe_country", "return_imminent"]
Rejection = Literal["offensichtlich_unbegruendet", "unzulaessig"]

STATUSES: tuple[str, ...] = get_args(Status)
ACTIVITIES: tuple[str, ...] = get_args(Activity)
HOUSEHOLDS: tuple[str, ...] = get_args(Household)
DULDUNG_GROUNDS: tuple[str, ...] = get_args(DuldungGround)
REJECTIONS: tuple[str, ...] = get_args(Rejection)

ASYLBLG_STATUSES = frozenset({"gestattung", "duldung", "duldung_60b"})
DULDUNG_STATUSES = frozenset({"duldung", "duldung_60b"})
RECOGNISED_STATUSES = frozenset({"ae_25_1", "ae_25_2", "ae_25_3"})

T = TypeVar("T")


@dataclass(frozen=True)
class Provenance:
    """Where a table row comes from: legal basis, source keys of law-facts.md and how sure it is.

    `unverified` marks values law-facts.md flags UNVERIFIED (shown to the caseworker), `interpretation`
    a reading of the statutes that agency instructions must confirm, `contested` a rule courts dispute.
    `note` (German) says what exactly is doubtful; it is required whenever one of the flags is set.
    """

    basis: tuple[str, ...]
    sources: tuple[str, ...]
    unverified: bool = False
    interpretation: bool = False
    contested: bool = False
    note: str = ""


@dataclass(frozen=True)
class Dated(Generic[T]):
    """One row of a dated table: `value` applies from `valid_from` to `valid_to` (both inclusive)."""

    valid_from: date
    valid_to: date | None
    value: T
    prov: Provenance

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class RuleResult:
    """The answer to one question, with everything a caseworker needs to check it.

    `outcome` is the code (FREE/ABH/ABH_BA/BAN, asylblg_3/asylblg_2/sgb2, ENTITLED/ADMISSIBLE/…);
    `details` holds question-specific JSON-ready values (e.g. `stage`, `amount_eur`, `wait_ends`).
    `notes` are the German caveats behind the flags (what is unverified, contested or interpreted).
    """

    question: str
    outcome: str
    basis: tuple[str, ...]
    rule_version: str
    reference_date: date
    explanation: str
    unverified: bool
    sources: tuple[str, ...]
    interpretation: bool = False
    contested: bool = False
    notes: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form used by the batch command (and meant for the API)."""
        return {
            "question": self.question,
            "outcome": self.outcome,
            **self.details,
            "basis": list(self.basis),
            "explanation": self.explanation,
            "unverified": self.unverified,
            "contested": self.contested,
            "interpretation": self.interpretation,
            "notes": list(self.notes),
            "sources": list(self.sources),
            "rule_version": self.rule_version,
            "reference_date": self.reference_date.isoformat(),
        }


@dataclass(frozen=True)
class WorkPermissionInput:
    """A person's situation on `reference_date`, for the question "may they work, and with what permit?".

    Required: reference_date, status, activity, nationality (ISO 3166 alpha-3; XKX = Kosovo).
    Optional inputs are needed only where the answer depends on them; if one is missing then, the
    evaluator raises `RuleInputError` naming it instead of guessing.

    - entry_date: entry into Germany.
    - asylum_request_date: the Asylgesuch (first request), which the safe-country cut-off uses (VG Göttingen
      1 A 340/17). Required for Gestattung. For a Duldung, None means no asylum application was made.
    - asylum_application_date: the formal application at the BAMF (§14 AsylG), from which the EA wait of
      §61 Abs. 1 S. 2 AsylG runs; defaults to asylum_request_date.
    - lives_in_reception_centre: obliged to live in an Aufnahmeeinrichtung (EA) under §47 AsylG.
    - reception_centre_since: start of that obligation; lets the evaluator see when the maximum EA duty
      (3/6/18 months, families 6) has run out.
    - with_minor_children: lives in the EA with own minor children (maximum EA duty 6 months from 21.08.2019).
    - duldung_grounds: §60a Abs. 6 grounds ("asylblg_purpose" Nr. 1, "own_fault" Nr. 2, "safe_country"
      Nr. 3) and "return_imminent" (§60a Abs. 5b, concrete return measures; only changes "soll" to "kann").
    - identity_clarified / identity_clarified_on: identity clarified (and when), for the Ausbildungsduldung.
    - rejected_as: asylum application rejected as "offensichtlich_unbegruendet" or "unzulaessig";
      suspensive_effect_restored: a court restored the suspensive effect of the appeal.
    - duldung_since: first day of the current Duldung (EA wait for Duldung holders).
    - prior_stay_since: first day of the uninterrupted lawful, tolerated or permitted stay (§61 Abs. 2 AsylG,
      §32 BeschV); defaults to asylum_request_date, for a Duldung then to duldung_since.
    - training_begun_as_asylum_seeker: the vocational training began while the person held a Gestattung.
    """

    reference_date: date
    status: Status
    activity: Activity
    nationality: str
    entry_date: date | None = None
    asylum_request_date: date | None = None
    asylum_application_date: date | None = None
    lives_in_reception_centre: bool = False
    reception_centre_since: date | None = None
    with_minor_children: bool = False
    duldung_grounds: tuple[DuldungGround, ...] = ()
    identity_clarified: bool | None = None
    identity_clarified_on: date | None = None
    rejected_as: Rejection | None = None
    suspensive_effect_restored: bool = False
    duldung_since: date | None = None
    prior_stay_since: date | None = None
    training_begun_as_asylum_seeker: bool = False


@dataclass(frozen=True)
class RegimeInputs:
    """What decides the benefit regime (Rechtskreis).

    - status, entry_date: entry starts the §2 AsylbLG waiting time (stay without substantial interruption).
    - analogue_since: first day of actual §2 AsylbLG (analogue) benefits, if any; decides the transitional
      rules (§20 AsylbLG: on §2 by 26.02.2024 → keeps them). None: derived from the waiting time.
    - abuse_of_law: the stay was prolonged by abuse of law (§2 Abs. 1 AsylbLG): no analogue benefits.
    - decision_final_date: for a recognised person (ae_25_*), the day the BAMF decision became final;
      AsylbLG runs to the end of that month (see `regime_switch_date`).
    """

    status: Status
    entry_date: date | None = None
    analogue_since: date | None = None
    abuse_of_law: bool = False
    decision_final_date: date | None = None


@dataclass(frozen=True)
class BenefitInput:
    """One person: regime inputs, age in whole years on reference_date and household situation.

    household: "single" (own household), "couple" (partners), "child_in_household" (lives in the
    parents' household), "collective_housing" (single adult in a Gemeinschaftsunterkunft).
    """

    reference_date: date
    regime_inputs: RegimeInputs
    age: int
    household: Household


@dataclass(frozen=True)
class HouseholdMember:
    regime_inputs: RegimeInputs
    age: int
    household: Household


@dataclass(frozen=True)
class HouseholdBenefits:
    """Per-member results and the monthly total (None if any member's amount is not established)."""

    members: tuple[RuleResult, ...]
    total_eur: int | None
    unverified: bool


@dataclass(frozen=True)
class CourseAccessInput:
    """Integration course admission (§44 Abs. 4 AufenthG) on reference_date.

    - gestattung_since: first day of the Gestattung (3-month rule of the 2019 extension); defaults to
      asylum_request_date.
    - labour_market_close: "Arbeitsmarktnähe" (registered as seeking work or training, employed or in
      training), needed only for the 2019 extension.
    """

    reference_date: date
    status: Status
    nationality: str
    entry_date: date | None = None
    asylum_request_date: date | None = None
    gestattung_since: date | None = None
    labour_market_close: bool | None = None


@dataclass(frozen=True)
class RegimeSwitch:
    """Rechtskreiswechsel after a final recognition: last AsylbLG day and first SGB II day."""

    last_asylblg_day: date
    first_sgb2_day: date
    interpretation: bool
    result: RuleResult
