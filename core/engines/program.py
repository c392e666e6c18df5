"""Which problems fire on an entity: one generated function per entity kind and filter.

The shared route (:meth:`Engine.subjects`, then a decision per subject) builds a scope per
subject and calls each leaf's closure, which calls its path's resolver: four Python calls
for a test like ``journal: {eq: VT}``. The native engine instead compiles, per (entity kind,
entity class, filters), one function whose body tests every problem in catalog order:

* a test of a plain path (fields, and look-ups keyed by another plain path) against a
  literal or another plain path, and a named check whose arguments are such, is written
  inline as the expression ``rules/conditions/decide.py`` would evaluate, with fields read inline too
  (``__dict__.get`` for a field the model's class declares);
* quantifiers and sums with literal bounds become helper functions written beside it;
* any other leaf is called as it is, with a scope built only when one is needed;
* a problem that counts repeats records its keys first, as the shared route does (its
  counters are state), then decides like the others.

The outcome is the shared route's, in the same order: a property test compares both on
generated entities, and the differential test compares the native engine with durable.
Generated source holds generated names and the ``repr`` of declared field names only;
literals, patterns, checks and classes are looked up in the function's namespace. A program
``compile()`` refuses (a condition nested too deep) leaves that kind to the shared route.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from ..rules.conditions.batch import BatchState, count_repeats
from ..rules.conditions.calls import PluginCallError, in_list, member_of
from ..rules.conditions.decide import FAILS, HOLDS
from ..rules.conditions.tree import Node
from ..rules.paths import MISSING, Chain, Scope, lookup, read
from ..rules.values import compare, to_number
from .inline import checker, declared, empty, items, list_items, matches, model_class, starts

__all__ = ["Fired", "Program", "compile_program"]

#: (problem, index of its list subject or None, the subject's scope or the error raised)
Fired = tuple[Any, int | None, Scope | BaseException]
Program = Callable[[Any, Mapping[str, Any] | None, BatchState], list[Fired]]


class _Writer:
    """Writes the source of one program; names every object it refers to."""

    def __init__(self, entity_class: type) -> None:
        self.entity_class = entity_class
        self.item_class: type | None = None  # the model class of the items being looped over
        self.names: dict[str, Any] = {
            "MISSING": MISSING, "Scope": Scope, "PluginCallError": PluginCallError, "_read": read,
            "_cmp": compare, "_member": in_list, "_matches": matches, "_starts": starts,
            "_empty": empty, "_items": items, "_count": count_repeats, "_member_of": member_of,
            "_lookup": lookup, "_num": to_number, "_ZERO": Decimal(0),
        }
        self.lines: list[str] = []
        self.helpers: list[str] = []  # functions the program calls (quantifiers, sums), written before it

    def name(self, prefix: str, value: Any) -> str:
        name = f"{prefix}{len(self.names)}"
        self.names[name] = value
        return name

    def emit(self, depth: int, line: str) -> None:
        self.lines.append("    " * depth + line)

    # -- reading a plain field chain; None stands for absent

    def chain(self, chain: Chain, subject: str, context: str, on_entity: bool) -> str:
        """An expression reading the chain. A field its model class declares is read from the
        instance's ``__dict__`` (checking the class where the value could be another type);
        anything else through :func:`read`."""
        root, fields = chain
        cls: type | None = None
        if root == "$context":
            expr = context
        elif root == "$entity" or on_entity:
            expr, cls = "e", self.entity_class
        else:
            expr, cls = subject, self.item_class
        for field in fields:
            if not isinstance(field, str):  # a look-up keyed by another chain's value
                expr, cls = f"_lookup({expr}, {self.chain(field, subject, context, on_entity)})", None
                continue
            found = declared(cls, field)
            if found is None:
                expr, cls = f"_read({expr}, {self.name('f', field)})", None
                continue
            if expr == "e":  # the program is compiled for the entity's class
                expr = f"ed.get({field!r})"
            elif expr == "it":  # itd is the item's __dict__ when it is of the expected class
                expr = f"(itd.get({field!r}) if itd is not None else _read(it, {self.name('f', field)}))"
            else:
                expr = (f"(y.__dict__.get({field!r}) if (y := {expr}).__class__ is {self.name('C', cls)} "
                        f"else _read(y, {self.name('f', field)}))")
            cls = model_class(found.annotation)
        return expr

    def quantifier(self, chain: Chain, where: Node, want_any: bool, on_entity: bool) -> str:
        """A helper function answering ``any_item``/``all_items`` over the list a chain reads:
        True, False or None (unknown), as the leaf's closure does, each item decided by the
        "definitely true" and "definitely false" expressions of ``where``."""
        from_entity = chain[0] == "$entity" or (chain[0] == "$item" and on_entity)
        with self.helper("q", "found", list_items(self.entity_class, chain) if from_entity else None) as name:
            self._quantifier_body(where, want_any)
        return name

    def _quantifier_body(self, where: Node, want_any: bool) -> None:
        self.emit(1, "if not isinstance(found, (list, tuple)):")
        self.emit(2, "return None")
        self.emit(1, "unknown = False")
        self.emit(1, "for it in found:")
        if self.item_class is not None:
            self.emit(2, f"itd = it.__dict__ if it.__class__ is {self.name('C', self.item_class)} else None")
        self.emit(2, "sc = None")
        scope = "(sc or (sc := Scope(it, e, ctx)))"
        # "definitely true", then "definitely false", as compile_truth decides an item
        true, false = self.expr(where, True, "it", "ctx", scope, False), self.expr(where, False, "it", "ctx", scope, False)
        self.emit(2, f"if {true}:")
        self.emit(3, "return True" if want_any else "continue")
        self.emit(2, f"if {false}:")
        self.emit(3, "continue" if want_any else "return False")
        self.emit(2, "unknown = True")
        self.emit(1, f"return None if unknown else {not want_any}")

    def sum(self, parts: list[tuple[bool, Any, Any]], target: Any, tolerance: Any, on_entity: bool) -> str:
        """A helper function answering ``sum_differs`` as the leaf's closure does: the sign of
        ``|sum - target| - tolerance``, or None when a term is not a number."""
        with self.helper("sum", "subj", None) as name:
            self._sum_body(parts, target, tolerance, on_entity)
        return name

    def _sum_body(self, parts: list[tuple[bool, Any, Any]], target: Any, tolerance: Any, on_entity: bool) -> None:
        self.emit(1, "total = _ZERO")
        for negative, chain, star in parts:
            add = "total -= n" if negative else "total += n"
            if chain is not None:
                self.emit(1, f"n = _num({self.chain(chain, 'subj', 'ctx', on_entity)})")
                self.emit(1, "if n is None:")
                self.emit(2, "return None")
                self.emit(1, add)
                continue
            root, head, tail = star
            self.emit(1, f"found = {self.chain((root, head), 'subj', 'ctx', on_entity)}")
            self.emit(1, "if isinstance(found, dict):")
            self.emit(2, "found = list(found.values())")
            self.emit(1, "elif not isinstance(found, (list, tuple)):")
            self.emit(2, "found = ()")
            self.emit(1, "for it in found:")
            if tail:  # an item missing before the last field is left out; a missing last field is not a number
                self.emit(2, "if it is None:")
                self.emit(3, "continue")
                for field in tail[:-1]:
                    self.emit(2, f"it = _read(it, {self.name('f', field)})")
                    self.emit(2, "if it is None:")
                    self.emit(3, "continue")
                self.emit(2, f"n = _num(_read(it, {self.name('f', tail[-1])}))")
            else:
                self.emit(2, "n = _num(it)")
            self.emit(2, "if n is None:")
            self.emit(3, "return None")
            self.emit(2, add)
        self.emit(1, f"gap = _num(abs(total - {self.name('k', target)}))")
        tol = self.name("k", tolerance)
        self.emit(1, f"return None if gap is None else (gap > {tol}) - (gap < {tol})")

    @contextmanager
    def helper(self, prefix: str, first: str, item_class: type | None) -> Iterator[str]:
        """Writes a helper function ``(first, e, ctx)`` beside the program: what is emitted
        inside goes to its body; yields its name."""
        name = self.name(prefix, None)
        outer_lines, outer_item = self.lines, self.item_class
        self.lines, self.item_class = [], item_class
        self.emit(0, f"def {name}({first}, e, ctx):")
        self.emit(1, "ed = e.__dict__")
        try:
            yield name
        finally:
            self.helpers += self.lines
            self.lines, self.item_class = outer_lines, outer_item

    # -- a condition, as the expression _decide writes, with leaves inline where they can be

    def expr(self, node: Node, want: bool, subject: str, context: str, scope: str, on_entity: bool) -> str:
        if node.kind == "leaf":
            return self.leaf(node, want, subject, context, scope, on_entity)
        if node.kind == "not":
            return self.expr(node.children[0], not want, subject, context, scope, on_entity)
        joiner = " and " if (node.kind == "and") == want else " or "
        parts = [self.expr(c, want, subject, context, scope, on_entity) for c in node.children]
        if not parts:
            return str((node.kind == "and") == want)
        return "(" + joiner.join(parts) + ")"

    def leaf(self, node: Node, want: bool, subject: str, context: str, scope: str, on_entity: bool) -> str:
        leaf = node.leaf
        assert leaf is not None
        spec = leaf.inline
        if spec is None:
            call = f"{self.name('leaf', leaf.fn)}({scope})"
            if leaf.kind == "bool":
                return f"({call} is {want})"
            return f"((v := {call}) is not None and v {(HOLDS if want else FAILS)[leaf.op]} 0)"
        test = spec[0]
        value = self.chain(spec[1], subject, context, on_entity) if test not in ("call", "sum") else ""
        if test == "cmp":
            op = (HOLDS if want else FAILS)[leaf.op]
            literal = self.name("k", spec[2])
            # absent compares as unknown: no call; text against text compares as Python does
            slow = f"(v := _cmp(x, {literal})) is not None and v {op} 0"
            if isinstance(spec[2], str):
                return f"(x {op} {literal} if (x := {value}).__class__ is str else (x is not None and {slow}))"
            return f"((x := {value}) is not None and {slow})"
        if test == "cmp_ref":
            right = self.chain(spec[2], subject, context, on_entity)
            if spec[3] is not None:  # the reference's default stands in when it is absent
                right = f"(r if (r := {right}) is not None else {self.name('k', spec[3])})"
            op = (HOLDS if want else FAILS)[leaf.op]
            return f"((x := {value}) is not None and (v := _cmp(x, {right})) is not None and v {op} 0)"
        if test == "in_ref":
            box = self.chain(spec[2], subject, context, on_entity)
            if spec[3] is not None:
                box = f"(r if (r := {box}) is not None else {self.name('k', spec[3])})"
            return f"(_member_of({value}, {box}, {spec[4]}) is {want})"
        if test == "call":
            fn, name, args = spec[1], spec[2], spec[3]
            values = []
            for arg in args:
                if arg[0] == "lit":
                    values.append(self.name("k", arg[1]))
                    continue
                read_arg = self.chain(arg[1], subject, context, on_entity)
                if arg[2] is not None:  # the reference's default stands in when it is absent
                    read_arg = f"(r if (r := {read_arg}) is not None else {self.name('k', arg[2])})"
                values.append(read_arg)
            check = self.name("check", checker(fn, name, len(values)))
            return f"({check}({', '.join(values)}) is {want})"
        if test == "sum":
            helper = self.sum(spec[1], spec[2], spec[3], on_entity)
            op = (HOLDS if want else FAILS)[leaf.op]
            return f"((v := {helper}({subject}, e, {context})) is not None and v {op} 0)"
        if test == "quantifier" and _reads_bare_item(spec[2]):  # a None item is present there
            call = f"{self.name('leaf', leaf.fn)}({scope})"
            return f"({call} is {want})"
        if test == "quantifier":
            helper = self.quantifier(spec[1], spec[2], spec[3], on_entity)
            return f"({helper}({value}, e, {context}) is {want})"
        if test == "exists":
            present = spec[2] == want  # exists: true holds when present; exists: false when absent
            return f"({value} is {'not ' if present else ''}None)"
        if test == "empty":
            return f"(_empty({value}) is {spec[2] == want})"
        if test == "in":
            members, negate = spec[2], spec[3]
            slow = f"_member({{}}, {self.name('m', members)}, {negate}) is {want}"
            if all(isinstance(m, str) for m in members):  # text in texts: a set look-up
                found = self.name("m", frozenset(members))
                return f"((x in {found}) is {want != negate} if (x := {value}).__class__ is str else {slow.format('x')})"
            return f"({slow.format(value)})"
        if test == "matches":
            search = self.name("r", spec[2].search)
            return f"(({search}(x) if (x := {value}).__class__ is str else _matches({search}, x)) is {want})"
        if test == "starts_with":
            prefixes = self.name("p", spec[2])
            return f"((x.startswith({prefixes}) if (x := {value}).__class__ is str else _starts(x, {prefixes})) is {want})"
        raise AssertionError(f"no inline form for {test}")


def _reads_bare_item(node: Node) -> bool:
    """Whether a quantifier's condition reads its item itself (``$item``, no field): a None item
    is then a present value to the shared route, where generated code reads None as absent."""
    if node.kind != "leaf":
        return any(_reads_bare_item(child) for child in node.children)
    spec = node.leaf.inline if node.leaf is not None else None
    if spec is None:
        return False
    bare = ("$item", ())
    if spec[0] == "call":
        return any(arg[0] == "ref" and arg[1] == bare for arg in spec[3])
    if spec[0] == "sum":
        return any(chain == bare or (star is not None and star[:2] == bare) for _, chain, star in spec[1])
    return spec[1] == bare or (spec[0] in ("cmp_ref", "in_ref") and spec[2] == bare)


def _outside_items(chain: Chain) -> bool:
    root, steps = chain
    return root in ("$entity", "$context") and all(isinstance(step, str) or _outside_items(step) for step in steps)


def _item_free(node: Node) -> bool:
    """Whether a condition reads nothing of a list item and cannot raise: inline tests only
    (no named check), of paths rooted at ``$entity`` or ``$context``."""
    if node.kind != "leaf":
        return all(_item_free(child) for child in node.children)
    spec = node.leaf.inline if node.leaf is not None else None
    if spec is None or spec[0] in ("call", "sum", "quantifier"):
        return False
    return _outside_items(spec[1]) and (spec[0] not in ("cmp_ref", "in_ref") or _outside_items(spec[2]))


def _split_item_free(root: Node) -> tuple[Node | None, Node]:
    """(the leading item-free part of an `all`, what is left), or (None, root)."""
    children = root.children if root.kind == "and" else [root]
    count = 0
    while count < len(children) and _item_free(children[count]):
        count += 1
    if count == 0:
        return None, root
    return Node("and", children[:count]), Node("and", children[count:])


def compile_program(
    entity_class: type, problems: Sequence[tuple[Any, str, Any, list[Any]]], label: str
) -> Program:
    """The program for one entity class and one filtered list of problems, given as
    :meth:`Engine._problems_for` lists them: (problem, plugin, key of its list subject,
    repeats)."""
    w = _Writer(entity_class)
    w.emit(0, "def run(e, contexts, state):")
    w.emit(1, "out = []")
    w.emit(1, "ed = e.__dict__")
    plugins: dict[str, int] = {}
    lists: dict[Any, str] = {}
    for _cp, plugin, each_key, _ in problems:
        if plugin not in plugins:
            n = plugins[plugin] = len(plugins)
            w.emit(1, f"c{n} = contexts.get({w.name('g', plugin)}) if contexts else None")
            w.emit(1, f"s{n} = None")  # the plugin's entity scope, built on first need
        # a list subject is read once per entity, whichever plugins' problems look at it
        if each_key is not None and each_key[0] not in lists:
            lists[each_key[0]] = f"l{len(lists)}"
            w.emit(1, f"{lists[each_key[0]]} = None")
    for cp, plugin, each_key, repeats in problems:
        n = plugins[plugin]
        problem = w.name("P", cp)
        if each_key is None:
            if repeats:
                w.emit(1, "try:")
                w.emit(2, f"sc = Scope(e, e, c{n})")
                w.emit(2, f"sc.pre = _count({problem}.id, {problem}.repeats, sc, state)")
                w.emit(2, f"if {w.expr(cp.root, True, 'e', f'c{n}', 'sc', True)}:")
                w.emit(3, f"out.append(({problem}, None, sc))")
            else:
                scope = f"(s{n} or (s{n} := Scope(e, e, c{n})))"
                w.emit(1, "try:")
                w.emit(2, f"if {w.expr(cp.root, True, 'e', f'c{n}', scope, True)}:")
                w.emit(3, f"out.append(({problem}, None, {scope}))")
            w.emit(1, "except PluginCallError as exc:")
            w.emit(2, f"out.append(({problem}, None, exc))")
            continue
        subjects = lists[each_key[0]]
        each = cp.for_each
        found = (w.chain(each.chain, "e", f"c{n}", True) if each.chain
                 else f"{w.name('each', each.resolve)}(Scope(e, e, c{n}))")
        w.emit(1, f"if {subjects} is None:")
        w.emit(2, f"{subjects} = _items({found})")
        # a leading part of an `all` that reads no item and cannot raise is decided once,
        # before the loop: when it is not definitely true, no item can fire
        guard, rest = (None, cp.root) if repeats else _split_item_free(cp.root)
        d = 1
        if guard is not None:  # for a non-empty list only: the shared route decides per item
            w.item_class = None
            w.emit(1, f"if {subjects} and {w.expr(guard, True, 'e', f'c{n}', '', False)}:")
            d = 2
        w.emit(d, f"for i, it in {subjects}:")
        w.item_class = list_items(entity_class, each.chain)
        if w.item_class is not None:
            w.emit(d + 1, f"itd = it.__dict__ if it.__class__ is {w.name('C', w.item_class)} else None")
        if repeats:
            w.emit(d + 1, "try:")
            w.emit(d + 2, f"sc = Scope(it, e, c{n})")
            w.emit(d + 2, f"sc.pre = _count({problem}.id, {problem}.repeats, sc, state)")
            w.emit(d + 2, f"if {w.expr(cp.root, True, 'it', f'c{n}', 'sc', False)}:")
            w.emit(d + 3, f"out.append(({problem}, i, sc))")
        else:
            scope = f"(sc or (sc := Scope(it, e, c{n})))"
            w.emit(d + 1, "sc = None")
            w.emit(d + 1, "try:")
            w.emit(d + 2, f"if {w.expr(rest, True, 'it', f'c{n}', scope, False)}:")
            w.emit(d + 3, f"out.append(({problem}, i, {scope}))")
        w.emit(d + 1, "except PluginCallError as exc:")
        w.emit(d + 2, f"out.append(({problem}, i, exc))")
    w.emit(1, "return out")
    source = "\n".join(w.helpers + w.lines) + "\n"
    namespace = dict(w.names)
    exec(compile(source, f"<program {label}>", "exec"), namespace)  # noqa: S102
    program: Program = namespace["run"]
    return program
