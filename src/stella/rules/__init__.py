"""Law as dated data: work permission, benefit regime and amounts, integration-course access.

Pure functions (no database) over the versioned tables in `stella.rules.tables`; every answer is a
`RuleResult` with outcome, legal basis, rule version, reference date, German explanation, sources and the
`unverified` flag. Bad input raises `RuleInputError` (an `InvalidInput` with field errors). See docs/rules.md.
"""

from stella.rules.benefits import benefit, household_benefits, regime_switch_date
from stella.rules.courses import course_access
from stella.rules.errors import RuleInputError
from stella.rules.model import (
    BenefitInput,
    CourseAccessInput,
    HouseholdBenefits,
    HouseholdMember,
    RegimeInputs,
    RegimeSwitch,
    RuleResult,
    WorkPermissionInput,
)
from stella.rules.tables import COVERAGE, RULE_VERSION, covered_years
from stella.rules.work import work_permission

__all__ = [
    "COVERAGE",
    "RULE_VERSION",
    "BenefitInput",
    "CourseAccessInput",
    "HouseholdBenefits",
    "HouseholdMember",
    "RegimeInputs",
    "RegimeSwitch",
    "RuleInputError",
    "RuleResult",
    "WorkPermissionInput",
    "benefit",
    "course_access",
    "covered_years",
    "household_benefits",
    "regime_switch_date",
    "work_permission",
]
