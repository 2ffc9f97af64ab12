"""Packs together: the codes they declare beside the built-in ones, the steps of a run (packs
for one step merge, a user's pack never replaces the bundled one) and the run's one Pack."""
from __future__ import annotations

from pathlib import Path

from themis_lint.packs.loading import load_pack
from themis_lint.packs.model import Change, Pack, PackError, Rule, bundled_pack_paths, minor, short


def available_packs(catalogue: dict[str, Rule], extra: list[Path] = ()) -> list[Pack]:
    """The bundled packs and the user's (`--pack`), each validated; codes declared twice are an error."""
    packs = [load_pack(p, catalogue, bundled=True) for p in bundled_pack_paths()]
    packs += [load_pack(p, catalogue) for p in extra]
    extended_catalogue(catalogue, packs)
    return sorted(packs, key=lambda p: (minor(p.from_version), minor(p.to_version)))


def extended_catalogue(catalogue: dict[str, Rule], packs: list[Pack]) -> dict[str, Rule]:
    """The built-in codes and every pack's own, which must not collide (code or slug)."""
    out = dict(catalogue)
    slugs = {rule.slug: rule for rule in catalogue.values()}
    for pack in packs:
        for code, rule in pack.rules.items():
            if code in out:
                raise PackError(f"{rule.origin}: {code} is declared twice: also at {out[code].origin}")
            if rule.slug in slugs:
                other = slugs[rule.slug]
                where = f"at {other.origin}" if other.origin else f"by {other.code}"
                raise PackError(f"{rule.origin}: slug {rule.slug!r} is already used {where}")
            out[code] = slugs[rule.slug] = rule
    return out


def resolve_chain(packs: list[Pack], frm: str | None, to: str | None) -> list[Pack]:
    """The steps leading from `frm` to `to`, oldest first; [] when the two are the same minor version.

    Every pack whose versions lie inside the run's range takes part, and packs for the same step
    merge into one (`--pack` adds to the bundled pack, never replaces it). A pack named with
    `--pack` that the run leaves out is an error: it must not be dropped in silence.
    """
    if not packs:
        raise PackError("no rule packs available")
    start, target = _range(packs, frm, to)
    inside = [p for p in packs if minor(start) <= minor(p.from_version) and minor(p.to_version) <= minor(target)]
    for pack in packs:
        if not pack.bundled and pack not in inside:
            raise PackError(f"{pack.path}:1: pack {pack.name} ({pack.from_version} → {pack.to_version}) is "
                            f"outside this run ({start} → {target}): pass --from/--to to include it, or "
                            "leave it out")
    if minor(start) == minor(target):
        return []
    _check_covered(inside, start, target, packs)
    steps: dict[tuple[str, str], list[Pack]] = {}
    for pack in inside:
        steps.setdefault((pack.from_version, pack.to_version), []).append(pack)
    return [merge_step(group) for group in steps.values()]


def _range(packs: list[Pack], frm: str | None, to: str | None) -> tuple[str, str]:
    """(from, to) of the run: without `frm`, the start of the newest step into the target."""
    newest = max(packs, key=lambda p: minor(p.to_version))
    target = short(to) if to else (newest.to_version if not frm or minor(frm) < minor(newest.to_version)
                                   else short(frm))
    if frm is not None:
        start = short(frm)
        if minor(start) > minor(target):
            raise PackError(f"--from {start} is newer than --to {target}; themis-lint only upgrades")
        return start, target
    ending = [p for p in packs if p.to_version == target]
    if not ending:
        raise PackError(f"no pack upgrades to {target} (available: {_pairs(packs)})")
    return max((p.from_version for p in ending), key=minor), target


def _check_covered(inside: list[Pack], start: str, target: str, packs: list[Pack]) -> None:
    current = start
    while minor(current) < minor(target):
        step = [p for p in inside if p.from_version == current]
        if not step:
            raise PackError(f"no pack for the step from {current} towards {target} "
                            f"(available: {_pairs(packs)})")
        current = max((p.to_version for p in step), key=minor)


def _pairs(packs: list[Pack]) -> str:
    return ", ".join(f"{p.from_version} → {p.to_version}" for p in packs)


def merge_step(group: list[Pack]) -> Pack:
    """The packs of one version step as one: their changes add up, an entry written twice counts
    once, and two entries about the same thing (a key, a path, a helper) that differ are an error
    naming both."""
    from themis_lint import primitives

    first = group[0]
    step = Pack(name=" + ".join(p.name for p in group), from_version=first.from_version,
                to_version=first.to_version, names=[p.name for p in group],
                path=first.path if len(group) == 1 else "", bundled=all(p.bundled for p in group))
    seen: dict[tuple, Change] = {}
    for pack in group:
        for change in pack.changes:
            key = primitives.get(change.primitive).key(change.data)
            other = seen.get(key) if key else None
            if other is not None and other.same_as(change):
                continue
            if other is not None:
                raise PackError(_contradiction(change, other, key))
            if key:
                seen[key] = change
            step.changes.append(change)
        _add_lists(step, pack)
        step.rules.update(pack.rules)
        step.manual_review += [item for item in pack.manual_review if item not in step.manual_review]
    return step


def _contradiction(change: Change, other: Change, key: tuple) -> str:
    differ = sorted(k for k in {*change.data, *other.data} if change.get(k) != other.get(k))
    if change.code != other.code:
        differ.insert(0, "code")
    if change.primitive != other.primitive:
        differ.insert(0, "primitive")
    what = ", ".join(str(v) for v in key[1:])
    return (f"{change.origin}: this {change.primitive} entry for {what} contradicts the {other.primitive} "
            f"entry at {other.origin} (they differ in {', '.join(differ) or 'versions'}): keep one")


def _add_lists(into: Pack, pack: Pack) -> None:
    for attr in ("server_commands", "server_images", "query_functions", "config_files"):
        values = getattr(into, attr)
        values += [v for v in getattr(pack, attr) if v not in values]


def merge(chain: list[Pack], frm: str | None = None, to: str | None = None) -> Pack:
    """One Pack holding every step's changes in order (later steps see earlier fixes in a next pass)."""
    if not chain:
        return Pack(name="(none)", from_version=short(frm) if frm else "", to_version=short(to) if to else "")
    merged = Pack(name=" + ".join(p.name for p in chain), from_version=chain[0].from_version,
                  to_version=chain[-1].to_version)
    for pack in chain:
        merged.changes += pack.changes
        merged.manual_review += pack.manual_review
        merged.names += pack.names
        merged.rules.update(pack.rules)
        _add_lists(merged, pack)
    _check_reported_through(merged)
    return merged


def _check_reported_through(pack: Pack) -> None:
    """An entry whose findings carry another verb's code (index-type-argument: the index type's)
    must use a code that verb's entries in this run have: else its findings would vanish."""
    from themis_lint import primitives

    verbs = primitives.by_verb()
    for change in pack.changes:
        through = verbs[change.primitive].reports_as
        if through not in verbs:
            continue
        codes = sorted({c.code for c in pack.of(through)})
        if change.code not in codes:
            raise PackError(f"{change.origin}: {change.primitive} findings are reported under the code of "
                            f"the run's {through} entries ({', '.join(codes) or 'there are none'}), "
                            f"not {change.code}")
