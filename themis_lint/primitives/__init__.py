"""Pack verbs as objects: each holds its parameters (the pack's JSON Schema is generated from
them), its trigger literals, its message templates and its default fix safety.

A pack entry `{primitive: rename-config-key, code: TH101, old: ..., new: ...}` is validated
against its verb's parameters; the surfaces that find it declare the verb in their `PRIMITIVES`
tuple. Adding a verb is one object in the module of its category, one finder per surface and
rule cases (docs/ARCHITECTURE.md "Adding a primitive").
"""
from __future__ import annotations

from themis_lint.primitives import aql, config, endpoints, indexes
from themis_lint.primitives.base import CATEGORIES, FIX_ORDER, Parameter, Primitive, best_fix  # noqa: F401

BY_VERB: dict[str, Primitive] = {p.verb: p for module in (config, endpoints, indexes, aql) for p in module.PRIMITIVES}


def by_verb() -> dict[str, Primitive]:
    """Every verb, in the order the categories' modules declare them."""
    return BY_VERB


def get(verb: str) -> Primitive:
    return BY_VERB[verb]
