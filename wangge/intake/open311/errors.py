"""Open311's error list (spec: "Errors"): each error a (code, description) pair, the code being
the HTTP status it is answered with. Descriptions are in the request's language."""

from __future__ import annotations

from wangge.core.errors import DomainError


class Open311Error(DomainError):
    """A refused Open311 call: nothing was written. ``errors``: [(status, description), …];
    the response's HTTP status is the first one's."""

    def __init__(self, description, *, status: int = 400, field: str = "", errors=None, retry_after: int | None = None):
        self.errors = list(errors) if errors else [(status, str(description))]
        self.status_code = self.errors[0][0]
        # retry_after: seconds, for a 429 (RFC 6585 §4)
        super().__init__(description, fields={field: "invalid"} if field else None, retry_after=retry_after)


class ErrorList:
    """Collects every problem with a request's parameters, so a client learns them all at once."""

    def __init__(self):
        self.errors: list[tuple[int, str]] = []

    def add(self, description, status: int = 400) -> None:
        self.errors.append((status, str(description)))

    def raise_any(self) -> None:
        if self.errors:
            # The most serious status leads (404 over 400): the spec's lists carry one status each.
            self.errors.sort(key=lambda e: -e[0] if e[0] != 400 else 0)
            raise Open311Error(self.errors[0][1], errors=self.errors)
