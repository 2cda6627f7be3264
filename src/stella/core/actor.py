"""The Actor: who performs a service call, for which agency, in which roles and for what purpose."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stella.accounts.models import User


@dataclass(frozen=True)
class Actor:
    """Identity of the caller as services and the policy see it (never a raw request)."""

    user_id: int | None
    username: str
    agency_id: int | None
    agency_code: str
    agency_kind: str
    roles: frozenset[str] = field(default_factory=frozenset)
    purpose: str = ""

    @classmethod
    def for_user(cls, user: User, purpose: str = "") -> Actor:
        agency = user.agency
        return cls(
            user_id=user.pk,
            username=user.get_username(),
            agency_id=agency.pk if agency else None,
            agency_code=agency.code if agency else "",
            agency_kind=agency.kind if agency else "",
            roles=frozenset(user.role_codes()),
            purpose=purpose,
        )

    @classmethod
    def system(cls, purpose: str) -> Actor:
        """The platform itself (demo data, migrations, scheduled jobs); audited as 'system'."""
        return cls(None, "system", None, "", "", frozenset({"system"}), purpose)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_system(self) -> bool:
        return "system" in self.roles
