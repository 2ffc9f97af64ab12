"""Recorded server state in JSON/YAML data (issue 12 item 5): what the server wrote, not a client.

An agency dump (`Plan` / `Current` trees of a cluster) or the description of a system collection
(`_jobs`, `_statistics*`, anything with `"isSystem": true`) holds index entries the server made
for itself. A client does not create them and a fix would only falsify a recording: indexes of
system collections are not reported, other index entries of recorded state are reported only.
"""
from __future__ import annotations

from dataclasses import dataclass

# a mapping holding both is the root of an agency tree (a dump, an operator's test fixture)
AGENCY_TREES = ("Plan", "Current")
RECORDED_NOTE = (" (no fix: this is recorded server state, an agency dump's `Plan`/`Current`, "
                 "which the server migrates itself, not a definition a client makes)")


@dataclass(frozen=True)
class Scope:
    """Where a mapping sits: inside a system collection's description, inside recorded state."""

    system: bool = False
    recorded: bool = False

    def enter(self, members: dict, scalar, mapping) -> Scope:
        """The scope of a mapping's contents. `members`: key -> value node; `scalar(node)` is a
        scalar node's value as text (else None); `mapping(node)` a mapping node's members (else None)."""
        system = self.system or _system_collection(members, scalar, mapping)
        recorded = self.recorded or all(k in members for k in AGENCY_TREES)
        return self if (system, recorded) == (self.system, self.recorded) else Scope(system, recorded)


def _system_collection(members: dict, scalar, mapping) -> bool:
    """A collection description (its `indexes` beside it, or dump `parameters`) of a system
    collection: `"isSystem": true`, or a name starting with `_` (only the server may use those)."""
    described = [members]
    parameters = mapping(members["parameters"]) if "parameters" in members else None
    if parameters is not None:
        described.append(parameters)
    elif "indexes" not in members:
        return False
    for entry in described:
        flag = scalar(entry["isSystem"]) if "isSystem" in entry else None
        name = scalar(entry["name"]) if "name" in entry else None
        if (flag or "").lower() == "true" or (name or "").startswith("_"):
            return True
    return False
