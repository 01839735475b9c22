"""Correction chains: which entry replaced which, and which one counts now.

An entry is corrected by a new entry that names it (`supersedes`), itself perhaps corrected
later, and a retraction withdraws the last one: A <- B <- C. The *head* of a chain is its
latest entry; it counts unless it is a retraction. Everything before it is sent to the
central record as entered-in-error. Chains may cross packages (a correction exported a week
after the entry it corrects), so they are built from links gathered over every package.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class Chains:
    superseded_by: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)  # uuid of a superseding entry -> kind
    _heads: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_links(cls, links: Iterable[tuple[str, str, str]]) -> Chains:
        """From (uuid, supersedes, kind) triples, earliest first (the first claim wins)."""
        chains = cls()
        for entry_uuid, supersedes, kind in links:
            chains.add(entry_uuid, supersedes, kind)
        return chains

    def add(self, entry_uuid: str, supersedes: str | None, kind: str) -> None:
        if supersedes and supersedes not in self.superseded_by:
            self.superseded_by[supersedes] = entry_uuid
            self.kinds[entry_uuid] = kind
            self._heads.clear()

    def is_superseded(self, entry_uuid: str) -> bool:
        return entry_uuid in self.superseded_by

    def head(self, entry_uuid: str) -> str:
        cached = self._heads.get(entry_uuid)
        if cached is not None:
            return cached
        current, seen = entry_uuid, {entry_uuid}
        while current in self.superseded_by:
            current = self.superseded_by[current]
            if current in seen:  # a cycle can only come from forged data: stop there
                break
            seen.add(current)
        self._heads[entry_uuid] = current
        return current

    def withdrawn(self, entry_uuid: str) -> bool:
        """Does the chain end in a retraction (the whole chain was entered in error)?"""
        return self.kinds.get(self.head(entry_uuid)) == "retraction"

    def head_map(self) -> dict[str, str]:
        """uuid -> head for every entry that was superseded (the others are their own head)."""
        return {u: self.head(u) for u in self.superseded_by}
