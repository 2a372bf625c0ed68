"""Who is acting (行为人): a member of staff, a resident, the system itself, or an integration.

Actions that the public, machines and staff can all start (filing a case, rating it) take an
explicit ``Actor`` instead of reading meaning into ``actor=None``; what each kind may do is
decided by the action (e.g. which channels a resident may file on).
"""

from __future__ import annotations

from dataclasses import dataclass


class ActorKind:
    STAFF = "staff"
    RESIDENT = "resident"
    SYSTEM = "system"
    INTEGRATION = "integration"

    ALL = (STAFF, RESIDENT, SYSTEM, INTEGRATION)


@dataclass(frozen=True)
class Actor:
    kind: str
    user: object = None  # the staff member (kind staff)
    resident: object = None  # the Resident, when known (kind resident)
    integration: str = ""  # which integration: "wechat:<app id>", "12345", "open311:<client>" …

    @classmethod
    def staff(cls, user) -> "Actor":
        return cls(kind=ActorKind.STAFF, user=user)

    @classmethod
    def of_resident(cls, resident=None) -> "Actor":
        return cls(kind=ActorKind.RESIDENT, resident=resident)

    @classmethod
    def system(cls) -> "Actor":
        return cls(kind=ActorKind.SYSTEM)

    @classmethod
    def of_integration(cls, name: str) -> "Actor":
        return cls(kind=ActorKind.INTEGRATION, integration=name)

    @classmethod
    def coerce(cls, actor) -> "Actor":
        """An ``Actor`` as it is, a user as staff. ``None`` is refused: say who acts."""
        if isinstance(actor, Actor):
            return actor
        if actor is None:
            raise TypeError("actor is required: pass Actor.of_resident(), Actor.system() …")
        return cls.staff(actor)

    @property
    def is_staff(self) -> bool:
        return self.kind == ActorKind.STAFF
