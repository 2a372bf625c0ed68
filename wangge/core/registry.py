"""Open registries: lists other apps extend at start-up (``AppConfig.ready``).

Channels (受理渠道), timeline event types, notification kinds and periodic tasks used to be closed
``TextChoices`` in ``cases``; an app that wanted a new one had to edit ``cases`` and write a
migration there. A registry keeps the same shape — a value, a translatable label and whatever
else its users need — but is filled by the apps themselves. Fields that hold a registered value
are plain ``CharField``s validated against the registry, so a new entry needs no migration.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Entry:
    """One registered value: its stored key, its label and free attributes (``meta``)."""

    value: str
    label: Any
    meta: dict = field(default_factory=dict)

    def __getattr__(self, name: str):
        # Only for attribute names not on the dataclass; never for dunders (copy, pickle).
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return self.__dict__["meta"][name]
        except KeyError:
            raise AttributeError(name) from None

    def __str__(self) -> str:
        return str(self.label)


class Registry:
    """An ordered, named set of ``Entry`` rows. Registering the same value twice with the same
    attributes is harmless (``ready`` may run twice in tests); with different ones it is an error."""

    def __init__(self, name: str):
        self.name = name
        self._entries: dict[str, Entry] = {}

    def register(self, value: str, label, **meta) -> Entry:
        value = str(value)
        entry = Entry(value=value, label=label, meta=meta)
        existing = self._entries.get(value)
        if existing is not None:
            if existing.meta != meta or str(existing.label) != str(label):
                raise ValueError(f"{self.name}: {value!r} is already registered differently")
            return existing
        self._entries[value] = entry
        return entry

    def unregister(self, value: str) -> None:
        """For tests that register a throw-away entry."""
        self._entries.pop(str(value), None)

    def __contains__(self, value) -> bool:
        return str(value) in self._entries

    def __iter__(self) -> Iterator[Entry]:
        return iter(list(self._entries.values()))

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, value) -> Entry | None:
        return self._entries.get(str(value))

    def label(self, value) -> str:
        entry = self._entries.get(str(value))
        return str(entry.label) if entry else str(value)

    def values(self) -> list[str]:
        return list(self._entries)

    def choices(self) -> list[tuple[str, Any]]:
        """``(value, label)`` pairs for forms, filters and the API schema."""
        return [(e.value, e.label) for e in self._entries.values()]

    def where(self, **meta) -> list[Entry]:
        return [e for e in self._entries.values() if all(e.meta.get(k) == v for k, v in meta.items())]
