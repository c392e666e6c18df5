"""Remediation plans: compiled per problem and language, rendered for a diagnosis's params."""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping
from decimal import Decimal
from functools import partial
from typing import Any

from ..model.plans import DiagnosisPlan, RemediationPlan, Step
from ..model.text import FIELD as _FIELD
from ..model.text import SEGMENT as _SEGMENT
from ..model.text import given, keep, render
from ..model.trusted import share, trusted
from .schema import PatchOp, Problem, StepSpec

__all__ = ["CompiledPlan", "compile_text", "render_plan"]

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


Filler = Callable[[Mapping[str, Any]], Any]


def _templated(text: str) -> bool:
    """Whether a text depends on params: placeholders, or optional ``[[ ]]`` segments."""
    return "{" in text or "[[" in text


def _compile_fill(value: Any) -> Filler:
    """A function filling the placeholders of a patch value; a whole-string placeholder keeps
    the param's type. It raises KeyError when a param it needs is unknown, and returns fresh
    lists and dicts on every call."""
    if isinstance(value, str):
        whole = _PLACEHOLDER.fullmatch(value)
        if whole:
            name = whole.group(1)
            return lambda params: params[name]
        names = _PLACEHOLDER.findall(value)
        if not names:
            return lambda params: value

        def fill(params: Mapping[str, Any]) -> str:
            for name in names:
                if name not in params:
                    raise KeyError(name)
            return render(value, params)

        return fill
    if isinstance(value, list):
        items = [_compile_fill(v) for v in value]
        return lambda params: [f(params) for f in items]
    if isinstance(value, dict):
        fields = [(k, _compile_fill(v)) for k, v in value.items()]
        return lambda params: {k: f(params) for k, f in fields}
    return lambda params: value


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items()}
    return value


class _PatchTemplate:
    """A step's patch with its placeholders parsed once: :meth:`render` fills it per params."""

    __slots__ = ("ops",)

    def __init__(self, ops: list[PatchOp]) -> None:
        self.ops = [(op.op, _compile_fill(op.path), _compile_fill(op.value) if op.op in ("add", "replace", "test") else None,
                     _compile_fill(op.from_) if op.from_ is not None else None) for op in ops]

    def render(self, params: Mapping[str, Any]) -> list[dict[str, Any]] | None:
        """The operations for these params, or None when a value they need is unknown (a
        person must do the step)."""
        out = []
        try:
            for kind, path, value, from_ in self.ops:
                item: dict[str, Any] = {"op": kind, "path": path(params)}
                if value is not None:
                    item["value"] = _json_value(value(params))
                if from_ is not None:
                    item["from"] = from_(params)
                out.append(item)
        except KeyError:
            return None
        return out


def render_plan(problem: Problem, params: Mapping[str, Any], lang: str) -> RemediationPlan:
    """A problem's plan for one language and its params, as a model (see :class:`CompiledPlan`)."""
    plan = CompiledPlan(problem, lang)
    steps = plan.remediation(params)
    return trusted(RemediationPlan, _NAMED_PLAN, {"steps": steps.steps, "alternatives": steps.alternatives,
                                                  "problem": problem.id, "title": plan.render_title(params)})


# a step: its Step fields (in the model's order), its instructions when they hold
# placeholders, its patch template, and the fields a validated Step would count as given
_Step = tuple[dict[str, Any], str | None, "_PatchTemplate | None", frozenset[str]]
_PLAN = frozenset(("steps", "alternatives"))
_NAMED_PLAN = frozenset(("steps", "alternatives", "problem", "title"))
_FORMAT_ERRORS = (ValueError, IndexError, AttributeError, KeyError, TypeError)


class CompiledPlan:
    """A problem's texts and plan for one language, prepared once so that rendering a
    diagnosis costs a few ``str.format_map`` calls (classification's hot path).

    Which texts hold placeholders, and which steps are plain copies or only need their
    instructions filled, is known before the first message; :meth:`fill` then renders a
    whole diagnosis (``diagnosis_values``) with one parameter map and no call per step.
    """

    __slots__ = ("problem", "lang", "vendor", "title", "causes", "steps", "alternatives", "_title_fixed",
                 "_causes_fixed", "diagnosis_values", "_texts")

    def __init__(self, problem: Problem, lang: str, vendor: str | None = None) -> None:
        self.problem = problem
        self.lang = lang
        self.vendor = vendor
        self.title = problem.title.get(lang)
        self.causes = [c.get(lang) for c in problem.causes]
        self.steps = [self._step(s) for s in problem.remediation.steps]
        self.alternatives = [(alt.title.get(lang), [self._step(s) for s in alt.steps])
                             for alt in problem.remediation.alternatives]
        self._title_fixed = not _templated(self.title)
        self._causes_fixed = not any(_templated(c) for c in self.causes)
        # every field of this problem's Diagnosis for (params, index, record), rendered: the
        # classification hot path builds the model from it without validating again. A
        # function generated on first use (render_plan's one-off plans never need it); a
        # malformed template makes it render text by text, each text falling back alone.
        self.diagnosis_values: _ValuesFn = self._build_values
        self._texts: dict[str, Callable[[Mapping[str, Any]], str]] = {}  # a patch step's instructions, compiled

    def _step(self, spec: StepSpec) -> _Step:
        base: dict[str, Any] = {"action": spec.action, "system": spec.system, "automatic": spec.automatic,
                                "instructions": spec.instructions.get(self.lang), "patch": None,
                                "confirm": spec.confirm, "role": spec.role or None}
        given = frozenset(k for k, v in base.items() if k not in ("patch", "role") or v is not None)
        template = base["instructions"] if _templated(base["instructions"]) else None
        return base, template, _PatchTemplate(spec.patch) if spec.patch else None, given

    def _render_step(self, step: _Step, params: Mapping[str, Any]) -> Step:
        base, template, patch, given = step
        out = dict(base)
        if template is not None:
            text = self._texts.get(template)
            if text is None:
                text = self._texts[template] = compile_text(template, self.lang)
            out["instructions"] = text(params)
        if patch is not None:
            ops = patch.render(params)
            if ops is None:
                out["automatic"] = False
            else:
                out["patch"] = ops
                given = given | {"patch"}
        return trusted(Step, given, out)

    def render_title(self, params: Mapping[str, Any]) -> str:
        return self.title if self._title_fixed else render(self.title, params, self.lang)

    def render_causes(self, params: Mapping[str, Any]) -> list[str]:
        return list(self.causes) if self._causes_fixed else [render(c, params, self.lang) for c in self.causes]

    def remediation(self, params: Mapping[str, Any]) -> DiagnosisPlan:
        """The plan for these params; every call returns fresh models (callers may edit them)."""
        render_step = self._render_step
        return trusted(DiagnosisPlan, _PLAN, {
            "steps": [render_step(s, params) for s in self.steps],
            "alternatives": [
                trusted(RemediationPlan, _NAMED_PLAN, {
                    "steps": [render_step(s, params) for s in alt_steps], "alternatives": [],
                    "problem": self.problem.id, "title": render(title, params, self.lang)})
                for title, alt_steps in self.alternatives
            ],
        })

    def _build_values(self, params: dict[str, Any], index: int | None, record: str | None) -> dict[str, Any]:
        # the first call writes the function and puts it in its own place
        self.diagnosis_values = _FillBuilder(self).build()
        return self.diagnosis_values(params, index, record)

    def _values_text_by_text(self, params: dict[str, Any], index: int | None, record: str | None) -> dict[str, Any]:
        problem = self.problem
        return {"problem": problem.id, "vendor": self.vendor, "category": problem.category,
                "title": self.render_title(params), "severity": problem.severity, "params": params,
                "causes": self.render_causes(params), "remediation": self.remediation(params),
                "input": index, "record": record}


_ValuesFn = Callable[[dict[str, Any], "int | None", "str | None"], dict[str, Any]]


class _TextWriter:
    """Writes texts as Python expressions over ``p`` (the params) and ``k`` (``Keep(p)``):
    what :func:`~syncdoctor.model.text.render` does, parsed once. The source holds only
    generated names and structure; every text and value is looked up in the function's
    namespace, never pasted into the source (decision 14)."""

    def __init__(self, lang: str) -> None:
        # the language writes its numbers (a decimal comma in French)
        self.names: dict[str, Any] = {"Keep": partial(keep, lang=lang), "render": partial(render, lang=lang),
                                      "FORMAT_ERRORS": _FORMAT_ERRORS, "G": given}
        self.uses_params = False

    def const(self, value: Any) -> str:
        name = f"c{len(self.names)}"
        self.names[name] = value
        return name

    def text(self, template: str) -> str:
        """An expression for a text: a constant, or an f-string of its literal pieces and
        plain ``{name}`` fields (what ``format_map`` would do, parsed once); anything fancier
        (format specs, attributes, a malformed template) stays a ``format_map`` call."""
        if "{" not in template and "}" not in template and "[[" not in template:
            return self.const(template)
        if "[[" in template:  # optional segments: each kept when its params are given
            self.uses_params = True
            return self._segmented(template) or f"render({self.const(template)}, p)"
        return self._fields(template)

    def _segmented(self, template: str) -> str | None:
        """What ``render`` does with ``[[ ]]`` segments, as one expression: the text's pieces
        joined, each segment's f-string kept when every name inside is given (``G``, the same
        test ``render`` makes on the raw params). None (render per call) when the template
        escapes braces: ``render`` leaves a text with no field unformatted, an f-string would not."""
        if "{{" in template or "}}" in template:
            return None
        parts = _SEGMENT.split(template)  # outer, inner, outer, inner, ..., outer
        exprs = []
        for i, piece in enumerate(parts):
            if not piece:
                continue
            expr = self._fields(piece)
            if ".format_map(k)" in expr:  # a format spec, an attribute, a stray brace
                return None
            if i % 2:
                names = _FIELD.findall(piece)
                if names:
                    test = " and ".join(f"G(p.get({self.const(n)}))" for n in names)
                    expr = f"({expr} if {test} else '')"
            exprs.append(expr)
        return "(" + " + ".join(exprs) + ")" if exprs else self.const("")

    def _fields(self, template: str) -> str:
        """An f-string of the text's literal pieces and ``{name}`` fields, else a ``format_map`` call."""
        if "{" not in template and "}" not in template:
            return self.const(template)
        try:
            pieces = list(string.Formatter().parse(template))
        except ValueError:
            pieces = []
        parts = []
        for literal, name, spec, conversion in pieces:
            if literal:
                parts.append("{" + self.const(literal) + "}")
            if name is None:
                continue
            if not name.isidentifier() or spec or conversion:
                self.uses_params = True
                return f"{self.const(template)}.format_map(k)"
            parts.append("{k[" + self.const(name) + "]}")
            self.uses_params = True
        if not pieces:
            self.uses_params = True
            return f"{self.const(template)}.format_map(k)"
        return 'f"' + "".join(parts) + '"'



def compile_text(template: str, lang: str) -> Callable[[Mapping[str, Any]], str]:
    """``render(template, params, lang)`` as a generated function (a finding's message is
    rendered per finding: the ``[[ ]]`` segments' regex pass was ~1 us of each); a text that
    the expression cannot render (a format spec that fails) is rendered by ``render``."""
    if "{" not in template and "[[" not in template:
        return lambda params: template
    writer = _TextWriter(lang)
    expr = writer.text(template)
    writer.names["TEMPLATE"] = template
    source = ("def text(p):\n    k = Keep(p)\n    try:\n"
              f"        return {expr}\n"
              "    except FORMAT_ERRORS:\n        return render(TEMPLATE, p)\n")
    namespace = dict(writer.names)
    exec(compile(source, "<text>", "exec"), namespace)  # noqa: S102 - generated names only (above)
    text: Callable[[Mapping[str, Any]], str] = namespace["text"]
    return text


class _FillBuilder(_TextWriter):
    """Writes the ``diagnosis_values(params, index, record)`` function of one plan: every
    field of the problem's Diagnosis, with title, causes and steps rendered.

    Its body is a single expression of dict and list displays, so rendering a diagnosis makes
    no Python call per step or per text: that was most of classification's cost.
    """

    def __init__(self, plan: CompiledPlan) -> None:
        super().__init__(plan.lang)
        self.plan = plan
        self.names.update({"render_step": plan._render_step, "text_by_text": plan._values_text_by_text,
                           "T": trusted, "Step": Step, "Plan": DiagnosisPlan, "Alternative": RemediationPlan,
                           "PLAN": _PLAN, "NAMED": _NAMED_PLAN})

    @staticmethod
    def fixed_step(step: _Step) -> Step | None:
        """The step, built once and shared read-only by every diagnosis (model/trusted.py), when
        it depends on no param; else None."""
        base, template, patch, given = step
        return share(trusted(Step, given, dict(base))) if template is None and patch is None else None

    @classmethod
    def fixed_plan(cls, model: type[DiagnosisPlan], steps: list[_Step], **values: Any) -> Any:
        """A plan depending on no param, built once and shared; else None."""
        fixed = [cls.fixed_step(s) for s in steps]
        if any(s is None for s in fixed) or any(v is None for v in values.values()):
            return None
        given = _NAMED_PLAN if model is RemediationPlan else _PLAN
        return share(trusted(model, given, {"steps": fixed, **values}))

    def step(self, step: _Step) -> str:
        """An expression for the step's Step (trusted: the pack was validated)."""
        base, template, patch, given = step
        if patch:
            self.uses_params = True
            return f"render_step({self.const(step)}, p)"
        fixed = self.fixed_step(step)
        if fixed is not None:
            return self.const(fixed)
        items = [f"{self.const(key)}: {self.text(template) if key == 'instructions' and template else self.const(value)}"
                 for key, value in base.items()]
        return f"T(Step, {self.const(given)}, {{" + ", ".join(items) + "})"

    def build(self) -> _ValuesFn:
        plan = self.plan
        problem = plan.problem
        causes = "[" + ", ".join(self.text(c) for c in plan.causes) + "]"
        steps = "[" + ", ".join(self.step(s) for s in plan.steps) + "]"
        fixed_alts = [self.fixed_plan(RemediationPlan, alt_steps, alternatives=[], problem=problem.id,
                                      title=None if _templated(title) or "}" in title else title)
                      for title, alt_steps in plan.alternatives]
        alternatives = ", ".join(
            self.const(fixed) if fixed is not None else
            f"T(Alternative, NAMED, {{'steps': [{', '.join(self.step(s) for s in alt_steps)}], 'alternatives': [], "
            f"'problem': {self.const(problem.id)}, 'title': {self.text(title)}}})"
            for fixed, (title, alt_steps) in zip(fixed_alts, plan.alternatives, strict=True)
        )
        remediation = f"T(Plan, PLAN, {{'steps': {steps}, 'alternatives': [{alternatives}]}})"
        if all(a is not None for a in fixed_alts):
            fixed = self.fixed_plan(DiagnosisPlan, plan.steps, alternatives=fixed_alts)
            if fixed is not None:  # the whole plan: one shared object
                remediation = self.const(fixed)
        # the keys in the order of Diagnosis's fields, as a validated model would hold them
        body = (
            f"{{'problem': {self.const(problem.id)}, 'vendor': {self.const(plan.vendor)}, "
            f"'category': {self.const(problem.category)}, 'title': {self.text(plan.title)}, "
            f"'severity': {self.const(problem.severity)}, 'params': p, 'causes': {causes}, "
            f"'remediation': {remediation}, "
            "'input': index, 'record': record}"
        )
        if not self.uses_params:
            source = f"def values(p, index, record):\n    return {body}\n"
        else:
            source = (
                "def values(p, index, record):\n"
                "    k = Keep(p)\n"
                "    try:\n"
                f"        return {body}\n"
                "    except FORMAT_ERRORS:\n"
                "        return text_by_text(p, index, record)\n"
            )
        namespace = dict(self.names)
        exec(compile(source, f"<plan {problem.id} {plan.lang}>", "exec"), namespace)  # noqa: S102
        values: _ValuesFn = namespace["values"]
        return values
