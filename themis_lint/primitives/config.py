"""Server configuration verbs: renamed, required, removed and known keys (TH101-TH104)."""
from __future__ import annotations

from themis_lint.primitives.base import Parameter, Primitive
from themis_lint.primitives.schema_parts import CONFIG_KEY, TEXT

DEFAULT_SCALAR = {"anyOf": [{"type": "string", "pattern": r"^[^\x00-\x1f\x7f]*$"}, {"type": "number"},
                            {"type": "boolean"}]}

RENAME_CONFIG_KEY = Primitive(
    verb="rename-config-key",
    doc="A server setting renamed: found in config files, embedded configs and `--flags`; the safe "
        "fix renames (or moves, in nested files) the key and keeps its value and comments.",
    category="Configuration", fix="safe",
    params=(Parameter("old", CONFIG_KEY, "The dotted key as 1.x wrote it (`storage.journalSize`).", True),
            Parameter("new", CONFIG_KEY, "The dotted key that replaces it.", True)),
    messages={
        "renamed": "`{old}` is renamed to `{new}` in ThemisDB {version}",
        "renamed-flag": "`--{old}` is renamed to `--{new}` in ThemisDB {version}",
        "same-value": "; `{new}` is already set to the same value, so the old key is deleted",
        "conflict": "; conflict: `{new}` is already set to a different value, resolve by hand",
        "flag-set-twice": " (no fix: `--{new}` is already set on this command line; keep one by hand)",
        "fix": "Rename to `{new}`",
        "fix-flag": "Rename to `--{new}`",
    },
    trigger_fields=("old",), identity=("old",), namespace="config-key",
)

REQUIRE_CONFIG_KEY = Primitive(
    verb="require-config-key",
    doc="A setting the target version requires in every server config file; the safe fix adds it "
        "with `default` in the file's style.",
    category="Configuration", fix="safe",
    params=(Parameter("key", CONFIG_KEY, "The dotted key that must be present.", True),
            Parameter("default", DEFAULT_SCALAR, "The value the fix writes (a string, number or boolean).",
                      True)),
    messages={"required": "`{key}` is required in ThemisDB {version}; add `{key}: {value}`",
              "fix": "Add `{key}: {value}`"},
    identity=("key",), namespace="required-key",
)

REMOVE_CONFIG_KEY = Primitive(
    verb="remove-config-key",
    doc="A setting the target version dropped; the unsafe fix deletes the key (or the flag and its value).",
    category="Configuration", fix="unsafe",
    params=(Parameter("key", CONFIG_KEY, "The dotted key that is gone.", True),
            Parameter("advice", TEXT, "What to check before deleting it (default: `delete it`).")),
    messages={"removed": "`{key}` is removed in ThemisDB {version}; {advice}",
              "removed-flag": "`--{key}` is removed in ThemisDB {version}; {advice}",
              "fix": "Remove `{key}`", "fix-flag": "Remove `--{key}`"},
    trigger_fields=("key",), identity=("key",), namespace="config-key",
)

KNOWN_CONFIG_KEYS = Primitive(
    verb="known-config-keys",
    doc="Keys the target version knows besides the pack's own: a key in neither list is TH104 "
        "config-key-unknown (off unless selected).",
    category="Configuration", fix="none",
    params=(Parameter("keys", {"type": "array", "items": CONFIG_KEY}, "The dotted keys.", True),),
    messages={"unknown": "`{key}` is not a key ThemisDB {version} knows", "hint": "; did you mean `{hint}`?"},
    # one rule over the union of every entry's keys: a key is unknown to the run, not to an entry
    reports_as="TH104",
)

PRIMITIVES = (RENAME_CONFIG_KEY, REQUIRE_CONFIG_KEY, REMOVE_CONFIG_KEY, KNOWN_CONFIG_KEYS)
