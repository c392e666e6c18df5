"""Compiles rule conditions once, at load, into trees of leaves (``tree``).

Both engines share this compilation, so they share the rule semantics. The native engine
walks the tree with closures (or generated programs, ``engines/program.py``). The durable
engine puts the leaf values in a fact and lets durable_rules evaluate the operators and the
logic (see ``engines/durable.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..paths import MISSING, Path, Scope, compile_path
from ..regex import CompileError, compile_regex
from ..schema import (
    AllItems,
    AllOf,
    AnyItem,
    AnyOf,
    Call,
    Condition,
    FieldTest,
    Not,
    Ref,
    Repeated,
    SumDiffers,
)
from ..values import compare, compile_value, text_of, to_number
from .calls import bind_call, in_list, member_of
from .decide import compile_truth
from .tree import SIGN_OPS, Leaf, Node

__all__ = ["Compiler"]


@dataclass
class Compiler:
    """Compiles the conditions of one problem; collects its leaves and correlation atoms."""

    problem_id: str
    functions: Mapping[str, Callable[..., Any]]
    leaves: list[Leaf] = field(default_factory=list)
    repeats: list[tuple[list[Path], int]] = field(default_factory=list)
    allow_repeat: bool = True

    def leaf(
        self, kind: str, op: str, fn: Callable[[Scope], Any], label: str, inline: tuple[Any, ...] | None = None
    ) -> Node:
        leaf = Leaf(kind, op, fn, label, len(self.leaves), inline)
        self.leaves.append(leaf)
        return Node("leaf", leaf=leaf)

    def function(self, name: str) -> Callable[..., Any]:
        try:
            return self.functions[name]
        except KeyError:
            known = ", ".join(sorted(self.functions)) or "none"
            raise CompileError(f"call {name!r} names no registered check (registered: {known})") from None

    def compile(self, cond: Condition) -> Node:
        if isinstance(cond, AllOf):
            return Node("and", [self.compile(c) for c in cond.all])
        if isinstance(cond, AnyOf):
            return Node("or", [self.compile(c) for c in cond.any])
        if isinstance(cond, Not):
            return Node("not", [self.compile(cond.not_)])
        if isinstance(cond, FieldTest):
            return self._field(cond)
        if isinstance(cond, (AnyItem, AllItems)):
            return self._quantifier(cond)
        if isinstance(cond, SumDiffers):
            return self._sum(cond)
        if isinstance(cond, Call):
            return self._call(cond)
        if isinstance(cond, Repeated):
            return self._repeated(cond)
        raise CompileError(f"unknown condition {cond!r}")

    # -- leaves

    def _field(self, test: FieldTest) -> Node:
        path = compile_path(test.path)
        op = test.operator
        label = f"{test.path} {op.rstrip('_')}"
        if path.multi and op not in ("exists", "empty", "length"):
            raise CompileError(f"path {test.path!r} is a list ([*]); use any_item/all_items to test its items")
        get = path.resolve
        chain = path.chain
        if op in SIGN_OPS:
            operand = getattr(test, op)
            if operand is None:
                raise CompileError(f"{label}: the operand must not be null; use exists: false")
            if isinstance(operand, Ref):
                right = compile_value(operand)
                ref = compile_path(operand.ref).chain

                def sign(s: Scope) -> int | None:
                    return compare(get(s), right(s))

                cmp_ref: tuple[Any, ...] | None = ("cmp_ref", chain, ref, operand.default) if chain and ref else None
                return self.leaf("sign", op, sign, label, cmp_ref)
            else:
                def sign(s: Scope) -> int | None:
                    return compare(get(s), operand)  # a literal: no call to read it

                return self.leaf("sign", op, sign, label, chain and ("cmp", chain, operand))
            return self.leaf("sign", op, sign, label)
        if op in ("in_", "not_in"):
            members = getattr(test, op)
            negate = op == "not_in"
            if isinstance(members, Ref):
                container = compile_value(members)
                ref = compile_path(members.ref).chain

                def member_of_ref(s: Scope) -> bool | None:
                    return member_of(get(s), container(s), negate)

                in_ref: tuple[Any, ...] | None = ("in_ref", chain, ref, members.default, negate) if chain and ref else None
                return self.leaf("bool", "true", member_of_ref, label, in_ref)
            fixed = list(members)

            def member_of_list(s: Scope) -> bool | None:
                return in_list(get(s), fixed, negate)

            return self.leaf("bool", "true", member_of_list, label, chain and ("in", chain, tuple(fixed), negate))
        if op == "matches":
            regex = compile_regex(test.matches or "")

            def matches(s: Scope) -> bool | None:
                text = text_of(get(s))
                if text is None:
                    return None
                return regex.search(text)

            return self.leaf("bool", "true", matches, label, chain and ("matches", chain, regex))
        if op == "starts_with":
            prefixes = test.starts_with
            prefix_tuple = (prefixes,) if isinstance(prefixes, str) else tuple(prefixes or ())

            def starts(s: Scope) -> bool | None:
                text = text_of(get(s))
                return None if text is None else text.startswith(prefix_tuple)

            return self.leaf("bool", "true", starts, label, chain and ("starts_with", chain, prefix_tuple))
        if op == "exists":
            want = bool(test.exists)

            def exists(s: Scope) -> bool:
                value = get(s)
                present = value is not MISSING and not (path.multi and not any(v is not MISSING for v in value))
                return present == want

            return self.leaf("bool", "true", exists, label, chain and ("exists", chain, want))
        if op == "empty":
            want = bool(test.empty)

            def empty(s: Scope) -> bool:
                value = get(s)
                if path.multi:
                    value = [v for v in value if v is not MISSING]
                is_empty = value is MISSING or (hasattr(value, "__len__") and len(value) == 0)
                return is_empty == want

            return self.leaf("bool", "true", empty, label, chain and ("empty", chain, want))
        # length
        bounds = test.length
        assert bounds is not None
        bop = next(n for n in ("eq", "ne", "lt", "le", "gt", "ge") if getattr(bounds, n) is not None)
        limit = getattr(bounds, bop)

        def length(s: Scope) -> int | None:
            value = get(s)
            if path.multi:
                value = [v for v in value if v is not MISSING]
            if value is MISSING or not hasattr(value, "__len__") or isinstance(value, (dict,)):
                if isinstance(value, dict):
                    return compare(len(value), limit)
                return None
            return compare(len(value), limit)

        return self.leaf("sign", bop, length, f"length of {test.path} {bop} {limit}")

    def _quantifier(self, cond: AnyItem | AllItems) -> Node:
        spec = cond.any_item if isinstance(cond, AnyItem) else cond.all_items
        path = compile_path(spec.path)
        inner = Compiler(self.problem_id, self.functions, allow_repeat=False)
        where_node = inner.compile(spec.where)

        where = compile_truth(where_node, f"{self.problem_id} {spec.path}")
        want_any = isinstance(cond, AnyItem)
        label = f"{'any' if want_any else 'all'} item of {spec.path}"

        def quantify(s: Scope) -> bool | None:
            items = path.resolve(s)
            if items is MISSING or not isinstance(items, (list, tuple)):
                return None
            unknown = False
            for item in items:
                r = where(Scope(item, s.entity, s.context))
                if r is want_any:
                    return want_any
                if r is None:
                    unknown = True
            return None if unknown else not want_any

        inline = ("quantifier", path.chain, where_node, want_any) if path.chain else None
        return self.leaf("bool", "true", quantify, label, inline)

    def _sum(self, cond: SumDiffers) -> Node:
        spec = cond.sum_differs
        terms: list[tuple[int, Path]] = []
        for term in spec.terms:
            text = term.strip()
            sign = -1 if text.startswith("-") else 1
            terms.append((sign, compile_path(text.lstrip("+-").strip())))
        equals = compile_value(spec.equals)
        tolerance = compile_value(spec.tolerance)
        # literal bounds are read once, here; references per subject
        fixed = not isinstance(spec.equals, Ref) and not isinstance(spec.tolerance, Ref)
        fixed_bounds = (to_number(spec.equals), to_number(spec.tolerance)) if fixed else (None, None)
        resolvers = [(sign < 0, path.resolve, path.multi) for sign, path in terms]

        def differs(s: Scope) -> int | None:
            total = Decimal(0)
            for negative, resolve, multi in resolvers:
                got = resolve(s)
                for v in got if multi else (got,):
                    number = to_number(v)
                    if number is None:
                        return None
                    if negative:
                        total -= number
                    else:
                        total += number
            target, tol = fixed_bounds if fixed else (to_number(equals(s)), to_number(tolerance(s)))
            if target is None or tol is None:
                return None
            gap = to_number(abs(total - target))
            return None if gap is None else (gap > tol) - (gap < tol)

        # inline when the bounds are literal numbers and every term a plain or one-star path
        parts: list[tuple[bool, Any, Any]] = []
        for sign, path in terms:
            if path.chain is None and path.star is None:
                break
            parts.append((sign < 0, path.chain, path.star))
        else:
            if fixed and None not in fixed_bounds:
                spec_inline = ("sum", parts, *fixed_bounds)
                return self.leaf("sign", "gt", differs, f"sum of {', '.join(spec.terms)} differs", spec_inline)
        return self.leaf("sign", "gt", differs, f"sum of {', '.join(spec.terms)} differs")

    def _call(self, cond: Call) -> Node:
        fn = self.function(cond.call)
        bound = bind_call(fn, [compile_value(a) for a in cond.args], cond.call)

        def call(s: Scope) -> bool | None:
            result = bound(s)
            return None if result is MISSING else bool(result)

        # inline when every argument is a literal or a plain path: ("lit", value) | ("ref", chain, default)
        args: list[tuple[Any, ...]] = []
        for a in cond.args:
            chain = compile_path(a.ref).chain if isinstance(a, Ref) else None
            if (chain is None) if isinstance(a, Ref) else a is None:  # a null literal is passed as is
                return self.leaf("bool", "true", call, f"call {cond.call}")
            args.append(("ref", chain, a.default) if isinstance(a, Ref) else ("lit", a))
        return self.leaf("bool", "true", call, f"call {cond.call}", ("call", fn, cond.call, args))

    def _repeated(self, cond: Repeated) -> Node:
        if not self.allow_repeat:
            raise CompileError("repeated cannot be used inside any_item/all_items")
        paths = [compile_path(k) for k in cond.repeated.key]
        slot = len(self.repeats)
        self.repeats.append((paths, cond.repeated.at_least))
        at_least = cond.repeated.at_least

        def seen(s: Scope) -> bool | None:
            count = s.pre[slot] if s.pre else None
            return None if count is None else count >= at_least

        return self.leaf("bool", "true", seen, f"repeated {', '.join(cond.repeated.key)}")
