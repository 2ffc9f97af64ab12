"""Rule packs: the catalogue of codes and the version-pair data files, validated on load
(model: what they are; files: reading them; loading: one pack; chain: packs together)."""
from __future__ import annotations

from themis_lint.packs.chain import available_packs, extended_catalogue, merge, merge_step, resolve_chain  # noqa: F401
from themis_lint.packs.loading import load_catalogue, load_pack, pack_of_entries  # noqa: F401
from themis_lint.packs.model import (  # noqa: F401
                                     VERSION_RE,
                                     Change,
                                     Pack,
                                     PackError,
                                     Rule,
                                     bundled_pack_paths,
                                     minor,
                                     rules_dir,
                                     short,
)

# for the finders that map a helper's arguments (analyzers/python_helpers.py)
from themis_lint.primitives.indexes import Param, parse_signature  # noqa: F401
