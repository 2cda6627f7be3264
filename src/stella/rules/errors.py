"""The one error the rules raise for questions they cannot answer without guessing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from stella.core.errors import InvalidInput


class RuleInputError(InvalidInput):
    """Unknown code, date outside the covered years, contradictory or missing decisive input.

    `field_errors` names the input field(s) at fault, with a German message for the caseworker.
    """

    def __init__(self, field: str | Mapping[str, Sequence[str] | str], message: str | None = None) -> None:
        if isinstance(field, str):
            if message is None:
                raise TypeError("RuleInputError(field, message) needs a message")
            super().__init__({field: message})
        else:
            super().__init__(field, message)
        self.code = "rule_input"
