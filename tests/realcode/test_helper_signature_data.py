"""Issue 12 item 2: helper renames are pack data with both signatures; a pack that leaves an old
argument unaccounted for is refused, and JS calls whose arguments fall outside the parameters the
two helpers share are reported without a fix."""
from __future__ import annotations

import pytest

from themis_lint import packs
from themis_lint.context import Context
from themis_lint.pipeline import Options, check_source
from themis_lint.model import Safety

HEADER = 'pack: t\nfrom: "1.4"\nto: "1.5"\nchanges:\n'


def _pack(tmp_path, entry: str):
    path = tmp_path / "t.yaml"
    path.write_text(HEADER + entry)
    return packs.load_pack(path, packs.load_catalogue())


def test_an_old_argument_the_new_helper_lacks_must_be_declared(tmp_path) -> None:
    entry = ("  - {primitive: rename-index-helper, code: TH301, old: a, new: b, language: javascript,\n"
             "     signature: {old: 'fields, dedupe=None', new: 'fields'}}\n")
    with pytest.raises(packs.PackError, match=r"t.yaml:5: `dedupe` is not a parameter of `b`: say in "
                                              r"`arguments` whether it blocks the fix, is dropped or renamed"):
        _pack(tmp_path, entry)
    with pytest.raises(packs.PackError, match="rename-index-helper needs `signature`"):
        _pack(tmp_path, "  - {primitive: rename-index-helper, code: TH301, old: a, new: b, language: python}\n")


def test_js_arguments_past_the_shared_parameters_block_the_rename(tmp_path) -> None:
    pack = _pack(tmp_path, "  - {primitive: rename-index-helper, code: TH301, old: makeSkip, new: makePersistent,\n"
                           "     language: javascript, signature: {old: 'fields, unique?, opts?', new: 'fields, opts?'},\n"
                           "     arguments: {unique: {rename: opts}}}\n")
    ctx = Context(pack=packs.merge([pack]), catalogue=packs.load_catalogue(), selected=frozenset({"TH301"}))
    source = "coll.makeSkip(['a']);\ncoll.makeSkip(['a'], true);\ncoll.makeSkip(...args);\n"
    result = check_source(source, "a.js", ctx, Options(fix=Safety.UNSAFE))
    assert result.fixed == "coll.makePersistent(['a']);\ncoll.makeSkip(['a'], true);\ncoll.makeSkip(...args);\n"
    assert [(f.row, f.message) for f in result.findings] == [
        (2, "`makeSkip()` creates a skiplist index, deprecated in ThemisDB 1.5; use `makePersistent()` (no fix: "
            "`makePersistent` does not take the arguments past the first 1 the same way)"),
        (3, "`makeSkip()` creates a skiplist index, deprecated in ThemisDB 1.5; use `makePersistent()` (no fix: "
            "a spread argument cannot be matched to the parameters)")]
