"""The TH401 and TH402 rewrites over a tokenized AQL value: where each deprecated call sits
(collection form, field form, condition), whether it can be fixed, and the edits in value
offsets (mapped to host offsets by `HostValue`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from themis_lint.analyzers import aql_parser as P
from themis_lint.analyzers.aql_host import HostString, HostValue
from themis_lint.analyzers.aql_tokens import BIND, IDENT, STRING, WORD, Tok, string_value
from themis_lint.edits import aql_text as build
from themis_lint.context import Context
from themis_lint.model import Edit, Finding, Fix, Safety
from themis_lint.packs import Change


@dataclass
class _Site:
    """One deprecated call in a query value."""

    value: HostValue
    toks: list[Tok]
    pairs: dict[int, int]
    call: P.Call
    change: Change
    ctx: Context

    @property
    def start(self) -> int:
        return self.toks[self.call.name].start

    @property
    def end(self) -> int:
        return self.toks[self.call.close].end

    def arg_text(self, k: int) -> str:
        first, last = self.call.args[k]
        return self.value.text[self.toks[first].start:self.toks[last].end]

    def arg_raw(self, k: int) -> str:
        first, last = self.call.args[k]
        return self.value.raw_slice(self.toks[first].start, self.toks[last].end)

    def arg_source(self, k: int) -> str:
        """An argument as the host writes it (substitutions included) when its text maps one to
        one, else as the decoded query reads it (for messages)."""
        first, last = self.call.args[k]
        start, end = self.toks[first].start, self.toks[last].end
        return self.value.raw_slice(start, end) if self.value.clean(start, end) else self.arg_text(k)

    def arg_tokens(self, k: int) -> list[Tok]:
        first, last = self.call.args[k]
        return self.toks[first:last + 1]

    @property
    def host(self) -> HostString:
        return self.value.part(self.start)

    @property
    def quote(self) -> str:
        """docs/surfaces.md "AQL, wherever it is": `"` unless it would end or need escaping in the host literal, then
        `'`; "" when neither is free (a JSON body inside a `'...'` shell word)."""
        host = self.host
        double_taken = host.json or (host.quote == '"' and not host.multiline) or '"' in host.taken
        single_taken = (host.quote == "'" and not host.multiline) or "'" in host.taken
        if not double_taken:
            return '"'
        return "" if single_taken else "'"

    def separator(self, after: int) -> str:
        """rules/docs/TH401-aql-fulltext.md (layout): a new clause gets its own line when a line break follows the FOR line."""
        text = self.value.text
        if after + 1 >= len(self.toks) or not self.host.multiline:
            return " "
        nxt = self.toks[after + 1]
        gap_start = self.toks[after].end
        gap = text[gap_start:nxt.start]
        if "\n" not in gap and "\r" not in gap:
            return " "
        if any(self.value.escaped[i] for i in range(gap_start, nxt.start)):
            return " "
        newline = "\r\n" if "\r\n" in gap else ("\n" if "\n" in gap else "\r")
        line_start = max(text.rfind("\n", 0, nxt.start), text.rfind("\r", 0, nxt.start)) + 1
        indent = re.match(r"[ \t]*", text[line_start:nxt.start]).group(0)
        return newline + indent

    def blocker(self) -> str | None:
        """Why no fix can be made whatever the form (host-level reasons)."""
        for k, (first, last) in enumerate(self.call.args):
            span = (self.toks[first].start, self.toks[last].end)
            for o in self.value.opaque:
                if o[0] < span[1] and span[0] < o[1] and o != span:
                    return "an argument is only partly a host-language substitution"
            if self.toks[first].text == "{":
                return "an argument is an AQL object literal"
        return None

    def is_opaque(self, k: int) -> bool:
        first, last = self.call.args[k]
        return (self.toks[first].start, self.toks[last].end) in self.value.opaque


def find_calls_in(value: HostValue, toks: list[Tok], pairs: dict[int, int], ctx: Context) -> list[Finding]:
    functions = ctx.aql_functions()
    found: list[Finding] = []
    for call in P.find_calls(toks, frozenset(functions), pairs):
        change = functions[toks[call.name].upper]
        site = _Site(value, toks, pairs, call, change, ctx)
        rewrite = _TRANSFORMS.get(change["transform"])
        if rewrite is None:
            continue
        message, edits, reason = rewrite(site)
        found.append(_finding(site, message, edits, reason))
    return found


def _finding(site: _Site, message: str, edits: list[tuple[int, int, str]] | None, reason: str | None) -> Finding:
    value = site.value
    if edits is not None and reason is None:
        for start, end, _ in edits:
            if not value.clean(start, end):
                reason = "the query text holds escape sequences there"
                break
    fix = None
    if edits is not None and reason is None:
        host_edits = tuple(Edit(value.host(s), value.host_end(e), new) for s, e, new in edits)
        fix = Fix(host_edits, Safety.UNSAFE, site.change.verb.message("fix"))
    text = message if reason is None else f"{message} (no automatic fix: {reason})"
    for start, end in value.opaque:  # show substitutions as written, not as placeholders
        text = text.replace(value.text[start:end], value.raw_slice(start, end))
    return Finding(site.change.code, text, value.host(site.start), value.host_end(site.end), fix,
                   replacement_since=site.change.replacement_since)


# ------------------------------------------------------------------- TH401 FULLTEXT -> SEARCH

_FULLTEXT_OPERATOR = re.compile(r"(?i)(?:^|[\s,])(?:[+\-|]|prefix:|complete:)|,")


def _fulltext(site: _Site) -> tuple[str, list | None, str | None]:
    toks, call, n = site.toks, site.call, site.call.name
    analyzer = str(site.ctx.options(site.change.code).get("analyzer", "text_en"))
    q = site.quote or "\""  # (a report-only message may still show the replacement)
    head = site.change.verb.message("fulltext-to-search", function=site.change["function"].upper(),
                                    version=site.ctx.version_of(site.change, "deprecated"))
    for_var = _for_var(toks, n)
    if for_var is not None:  # collection form: FOR v IN FULLTEXT(coll, "attr", query[, limit])
        if len(call.args) not in (3, 4):
            return f"{head}; use `FOR v IN coll SEARCH ANALYZER(v.attr IN TOKENS(query, \"{analyzer}\"), \"{analyzer}\")`", None, "unexpected number of arguments"
        attribute = string_value(site.arg_tokens(1)[0]) if len(site.arg_tokens(1)) == 1 else None
        listed = attribute is not None and "," in attribute
        field = (build.attribute_path(for_var, attribute, q) if attribute is not None and not listed
                 else f"{for_var}.<attribute>")
        bound = site.arg_tokens(1)
        if attribute is None and len(bound) == 1 and bound[0].kind == BIND and not bound[0].text.startswith("@@"):
            field = f"{for_var}[{bound[0].text}]"  # the attribute name comes as a bind parameter
        query_text = site.arg_source(2)
        clause = build.search_clause(field, query_text, analyzer, q)
        coll, coll_reason = _collection_text(site)
        message = f"{head}; use `{coll} {clause}`" + (f" then `LIMIT {site.arg_text(3)}`" if len(call.args) == 4 else "")
        reason = site.blocker() or coll_reason or _query_blocker(site, 2) or _quote_blocker(site)
        if attribute is None:
            reason = reason or "the attribute is not a string literal"
        elif listed:
            # issue 12: `'title,content'` is no list; FULLTEXT searched the one attribute its index has
            reason = reason or (f"the attribute `{attribute}` holds a comma, but FULLTEXT searched one attribute; "
                                "name the attribute its fulltext index covered")
        elif not _writable_name(attribute):
            reason = reason or "the attribute name holds quotes, backslashes or control characters"
        if not P.clause_follows(toks, call.close + 1):
            reason = reason or "the call is not the whole collection expression of the FOR"
        if reason:
            return message, None, reason
        sep = site.separator(call.close)
        new = coll + sep + clause
        if len(call.args) == 4:
            new += sep + "LIMIT " + site.arg_raw(3)
        message += _runtime_warning(site, 2) + _bound_collection_note(site)
        return message, [(site.start, site.end, new)], None
    # field form: FULLTEXT(v.attr, query)
    if len(call.args) == 2:
        field, query_text = site.arg_text(0), site.arg_text(1)
        clause = build.search_clause(field, query_text, analyzer, q)
        message = f"{head}; use `{clause}` right after the FOR"
        filter_at = _filter_right_after_for(site)
        reason = site.blocker() or _query_blocker(site, 1) or _quote_blocker(site)
        if filter_at is None:
            reason = reason or "not the whole condition of a FILTER directly after FOR … IN; move it into a SEARCH clause by hand"
        if reason:
            return message, None, reason
        new = build.search_clause(site.arg_raw(0), site.arg_raw(1), analyzer, q)
        return message + _runtime_warning(site, 1), [(toks[filter_at].start, site.end, new)], None
    return f"{head}; use a SEARCH clause with `ANALYZER(... IN TOKENS(query, \"{analyzer}\"), \"{analyzer}\")`", None, \
        "only the `FOR v IN FULLTEXT(...)` and `FILTER FULLTEXT(v.attr, query)` forms can be rewritten"


def _writable_name(name: str) -> bool:
    """Can `name` be written between quotes as it is (no escaping in AQL or in the host)?"""
    return not any(ch in "\"'\\`" or ord(ch) < 32 or ch == "\x7f" for ch in name)


def _quote_blocker(site: _Site, needed: bool = True) -> str | None:
    if needed and not site.quote:
        return "the host string leaves no quote character free for the AQL strings the fix writes"
    return None


def _arg_span(site: _Site, k: int) -> tuple[int, int]:
    first, last = site.call.args[k]
    return site.toks[first].start, site.toks[last].end


def _for_var(toks: list[Tok], n: int) -> str | None:
    """`FOR v IN <call>`: the loop variable's text, else None."""
    if n < 3 or toks[n - 1].upper != "IN" or toks[n - 3].upper != "FOR":
        return None
    var = toks[n - 2]
    if var.kind not in (WORD, IDENT) or P.is_keyword(var):
        return None
    if n >= 4 and toks[n - 4].kind == WORD and toks[n - 4].text == ",":
        return None
    return var.text


def _collection_text(site: _Site) -> tuple[str, str | None]:
    """The collection as `FOR v IN` takes it, and why the fix cannot write it (None: it can).

    Issue 12: 1.3's FULLTEXT took the collection as a string (`FULLTEXT('chunks', ...)`); after
    `FOR v IN` it is an identifier (`chunks`, or `` `my-chunks` `` in backticks), never a string."""
    arg = site.arg_tokens(0)
    if len(arg) == 1 and arg[0].kind == BIND and not arg[0].text.startswith("@@") and not site.is_opaque(0):
        # a value bind parameter held the name as a string: after `FOR v IN` it is a collection
        # parameter, `@@name`, and the caller's bind variables must say `@name` (outside this text)
        return "@" + arg[0].text, _collection_blocker(site)
    if len(arg) != 1 or arg[0].kind != STRING or site.is_opaque(0):
        return site.arg_source(0), _collection_blocker(site)
    name = string_value(arg[0])
    written = build.collection_name(name) if name is not None else None
    if written is None:
        return site.arg_source(0), "the collection name cannot be written as an AQL name"
    host = site.host
    if written.startswith("`") and (host.quote == "`" or "`" in host.taken):
        return written, "the collection name needs backticks, which the host string cannot hold"
    return written, None


def _collection_blocker(site: _Site) -> str | None:
    arg = site.arg_tokens(0)
    if site.is_opaque(0):
        return None
    if len(arg) != 1 or arg[0].kind not in (WORD, IDENT, BIND) or P.is_keyword(arg[0]):
        return "the collection is not a name or a `@@` bind parameter"
    if arg[0].kind == BIND and not arg[0].text.startswith("@@"):
        return (f"the collection is a value bind parameter: after `FOR v IN` it must be `@{arg[0].text}`, and the "
                f"caller's bind variable `{arg[0].text[1:]}` renamed to `@{arg[0].text[1:]}`")
    return None


def _bound_collection_note(site: _Site) -> str:
    """An arangojs `aql` template (and @arangodb's `query`) binds a substitution: a collection
    object as `@@value0`, a string as the value `@value0`. FULLTEXT/WITHIN took either; after
    `FOR v IN` a string is looped over as a string, so the unsafe fix needs a collection object."""
    if site.is_opaque(0) and site.host.binds:
        return ("; note: the substituted collection must be a collection object (`db.collection(name)`): "
                "a name string is bound as a value, and `FOR v IN` would loop over the string")
    return ""


def _query_blocker(site: _Site, k: int) -> str | None:
    arg = site.arg_tokens(k)
    if len(arg) == 1 and arg[0].kind == STRING:
        value = string_value(arg[0]) or ""
        if _FULLTEXT_OPERATOR.search(value.strip()) or value.strip().startswith(("+", "-", "|")):
            return "the query uses fulltext operators (prefix:, complete:, +, -, | or a comma) that TOKENS has no equivalent for"
    return None


def _runtime_warning(site: _Site, k: int) -> str:
    arg = site.arg_tokens(k)
    if len(arg) == 1 and arg[0].kind == STRING:
        return ""
    return "; note: fulltext operators in the runtime value have no TOKENS equivalent"


def _filter_right_after_for(site: _Site) -> int | None:
    """Index of `FILTER` when the call is the whole condition of a FILTER right after
    `FOR v IN coll` and its first argument is an attribute path of `v`."""
    toks, n, call = site.toks, site.call.name, site.call
    if n < 5 or toks[n - 1].upper != "FILTER" or toks[n - 3].upper != "IN" or toks[n - 5].upper != "FOR":
        return None
    coll, var = toks[n - 2], toks[n - 4]
    if coll.kind not in (WORD, IDENT, BIND) or P.is_keyword(coll) or (coll.kind == BIND and not coll.text.startswith("@@")):
        return None
    if var.kind not in (WORD, IDENT) or P.is_keyword(var):
        return None
    if not P.clause_follows(toks, call.close + 1):
        return None
    first, last = call.args[0]
    if toks[first].text != var.text or first == last or not P.is_simple_path(toks, first, last, site.pairs):
        return None
    return n - 1


# ------------------------------------------------------------------- TH402 WITHIN -> GEO_DISTANCE

def _within(site: _Site) -> tuple[str, list | None, str | None]:
    toks, call = site.toks, site.call
    names = {"latitude": "latitude", "longitude": "longitude", **site.ctx.options(site.change.code)}
    head = site.change.verb.message("within-to-geo-distance", function=site.change["function"].upper(),
                                    version=site.ctx.version_of(site.change, "removed"))
    generic = f"{head}; use `GEO_DISTANCE([doc.{names['longitude']}, doc.{names['latitude']}], [lon, lat]) <= radius`"
    if len(call.args) not in (4, 5):
        return generic, None, "unexpected number of arguments"
    lat, lon = _operand(site, 1, inside_array=True), _operand(site, 2, inside_array=True)
    radius = _operand(site, 3)
    for_var = _for_var(toks, call.name)
    if for_var is not None:  # collection form
        coll = site.arg_source(0)
        condition = build.geo_condition(for_var, lat, lon, radius, names, site.quote or "\"")
        message = f"{head}; use `{coll} FILTER {condition}`"
        if len(call.args) == 5:
            return message, None, "the fifth (distance attribute) argument has no GEO_DISTANCE filter equivalent"
        reason = site.blocker() or _collection_blocker(site) or _quote_blocker(site, _quoted_names(names))
        if not P.clause_follows(toks, call.close + 1):
            reason = reason or "the call is not the whole collection expression of the FOR"
        if reason:
            return message, None, reason
        message += _bound_collection_note(site)
        return message, [(site.start, site.end, coll + site.separator(call.close) + "FILTER " + condition)], None
    first, last = call.args[0]
    doc = site.arg_source(0)
    if not P.is_simple_path(toks, first, last, site.pairs) and not site.is_opaque(0):
        doc = build.parenthesized(doc)
    condition = build.geo_condition(doc, lat, lon, radius, names, site.quote or "\"")
    if P.replacement_needs_parens(toks, call.name, call.close):
        condition = build.parenthesized(condition)
    message = f"{head}; use `{condition}`"
    if len(call.args) == 5:
        return message, None, "the fifth (distance attribute) argument has no GEO_DISTANCE equivalent"
    reason = site.blocker() or _quote_blocker(site, _quoted_names(names))
    if not _is_condition(site):
        reason = reason or "WITHIN is not used as a condition here; rewrite by hand"
    if reason:
        return message, None, reason
    return message, [(site.start, site.end, condition)], None


def _quoted_names(names: dict) -> bool:
    """Do the attribute-name options need `["..."]` (and so a quote character)?"""
    return any(build.attribute_path("d", str(names[k]), "'") != f"d.{names[k]}" for k in ("latitude", "longitude"))


def _operand(site: _Site, k: int, inside_array: bool = False) -> str:
    text = site.arg_source(k)
    if inside_array:
        return text
    first, last = site.call.args[k]
    if P.needs_parens_as_operand(site.toks, first, last, site.pairs):
        return build.parenthesized(text)
    return text


def _is_condition(site: _Site) -> bool:
    """The call sits in a FILTER/PRUNE condition or is an operand of a logical operator."""
    toks, call = site.toks, site.call
    for idx, beyond in ((call.name - 1, call.name - 2), (call.close + 1, call.close + 2)):
        if 0 <= idx < len(toks) and P.op_of(toks[idx]) in ("AND", "OR", "NOT", "!", "&&", "||", "?"):
            return True
        # compared with a boolean: `WITHIN(...) == true`
        if (0 <= idx < len(toks) and P.op_of(toks[idx]) in ("==", "!=") and 0 <= beyond < len(toks)
                and toks[beyond].upper in ("TRUE", "FALSE")):
            return True
    closers = {v: k for k, v in site.pairs.items()}
    i = call.name - 1
    while i >= 0:
        tok = toks[i]
        if tok.kind == "op" and tok.text in (")", "]", "}") and i in closers:
            i = closers[i] - 1
            continue
        if tok.kind == "op" and tok.text in ("[", "{"):
            return False  # inside an array or object: a value, not a condition
        if tok.kind == "op" and tok.text == "(" and i > 0 and toks[i - 1].kind in (WORD, IDENT) \
                and not P.is_keyword(toks[i - 1]) and P.op_of(toks[i - 1]) not in P.BINARY and P.op_of(toks[i - 1]) not in P.UNARY:
            return False  # an argument of another function
        if P.is_keyword(tok) and tok.upper != "IN":
            return tok.upper in ("FILTER", "PRUNE", "SEARCH")
        i -= 1
    return False


_TRANSFORMS = {"fulltext-to-search": _fulltext, "within-to-geo-distance": _within}
