"""Bounds on what a template may cost: time, output, value sizes, memory.

A project's ``templates/`` folder arrives with every pull request, so a
template is hostile input. Jinja's sandbox stops it from reaching Python
internals but not from running forever or filling memory: a self-include, a
macro that calls itself, nested loops, ``'x' * 10**10``. ``LimitedSandbox``
charges every render against a ``Budget`` (a deadline and an output size),
refuses operations that would build one huge value, and the render runs under
a temporary address-space limit as the last line of defence. A template that
hits a limit stops with ``RenderLimitError``; ``env.render_with`` turns it into
one ``TemplateError`` line.

The checks sit where a template can spend: every call, loop iteration (the
parsed template is rewritten so each ``for`` iterates through a guard),
printed value, operator, include and extends. Attribute lookups are not
ticked: they cannot repeat without a loop or a call, and they are the most
frequent operation of a real report.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import string
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from reqctl.messages import lazy

RENDER_SECONDS = 10.0  # CPU seconds per render (a 10k-requirement SRS takes about 2); REQCTL_RENDER_SECONDS overrides
MAX_OUTPUT = 200_000_000  # characters one render may produce (a 10k-requirement SRS is about 11 million)
MAX_VALUE = 1_000_000  # characters (or items) one operator, method or filter may build
MAX_RANGE = 10_000  # items in one range()
MAX_INT_BITS = 4096  # size of an integer built with **
MAX_TEMPLATE_CHARS = 1_000_000  # a project template file
MEMORY_HEADROOM = 1 << 30  # bytes a render may allocate beyond what the process already uses

LOOP_FILTER = "reqctl_loop"
SIZE_FILTER = "reqctl_sized"


class RenderLimitError(Exception):
    """A template went over one of the limits above; the message says which."""


@dataclass
class Budget:
    """What one render may still spend."""

    deadline: float
    output_left: int

    seconds: float = RENDER_SECONDS
    ticks: int = 0

    @classmethod
    def start(cls) -> Budget:
        """A fresh budget; time is this process's CPU time, so a busy CI machine does not shorten it."""
        seconds = RENDER_SECONDS
        with contextlib.suppress(ValueError):
            seconds = float(os.environ.get("REQCTL_RENDER_SECONDS", "") or seconds)
        return cls(time.process_time() + seconds, MAX_OUTPUT, seconds)

    def tick(self) -> None:
        self.ticks += 1
        if self.ticks & 0xFF == 1 and time.process_time() > self.deadline:  # the clock is a system call
            raise RenderLimitError(lazy("rendering took longer than {seconds} s of CPU time (a loop or recursion "
                                        "without end? REQCTL_RENDER_SECONDS raises the limit)",
                                        seconds=f"{self.seconds:g}"))

    def charge(self, chars: int) -> None:
        self.output_left -= chars
        if self.output_left < 0:
            raise RenderLimitError(lazy("the output would be larger than {limit} characters", limit=f"{MAX_OUTPUT:,}"))


def weight(value: Any, limit: int = MAX_OUTPUT) -> int:
    """Characters (strings) plus items (containers) reachable from ``value``, stopping past ``limit``.

    A list of a million references to one long string costs little memory
    but becomes a huge string once joined or printed; this counts it as such.
    """
    total = 0
    stack = [value]
    while stack and total <= limit:
        item = stack.pop()
        if isinstance(item, (str, bytes)):
            total += len(item)
        elif isinstance(item, dict):
            total += len(item)
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            total += len(item)
            stack.extend(item)
        else:
            total += 1
    return total


def _refuse_bigger(size: int, what: str, limit: int = MAX_VALUE) -> None:
    if size > limit:
        raise RenderLimitError(lazy("{what} would build a value larger than {limit} characters", what=what,
                                    limit=f"{limit:,}"))


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def _check_format_string(fmt: Any) -> None:
    """Refuse ``%``- and ``{}``-format strings with huge or indirect widths (``'%999999999d'``)."""
    if not isinstance(fmt, str):
        return
    for width, precision in _PERCENT_SPEC.findall(fmt):
        for part in (width, precision):
            if part == "*" or (part and int(part) > MAX_VALUE):
                raise RenderLimitError(lazy("format width '{part}' is not allowed in templates (at most {limit})",
                                                part=part, limit=f"{MAX_VALUE:,}"))
    with contextlib.suppress(ValueError):
        for _text, _field, spec, _conv in string.Formatter().parse(fmt):
            if spec and ("{" in spec or any(int(d) > MAX_VALUE for d in re.findall(r"\d+", spec))):
                raise RenderLimitError(lazy("format spec '{spec}' is not allowed in templates (at most {limit})",
                                                spec=spec, limit=f"{MAX_VALUE:,}"))


def _check_str_method(name: str, owner: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Predict the size of ``str`` methods that can build large strings from small input."""
    if name in ("center", "ljust", "rjust", "zfill"):
        _refuse_bigger(_int(args[0] if args else kwargs.get("width")), f"str.{name}")
    elif name == "expandtabs":
        size = _int(args[0] if args else kwargs.get("tabsize", 8))
        _refuse_bigger(size * owner.count("\t") + len(owner), "str.expandtabs")
    elif name == "replace" and len(args) >= 2:
        old, new = str(args[0]), str(args[1])
        hits = len(owner) + 1 if not old else owner.count(old)
        _refuse_bigger(len(owner) + hits * len(new), "str.replace")
    elif name == "join" and args:
        _check_join(args[0], owner, "str.join")
    elif name in ("format", "format_map"):
        _check_format_string(owner)


def _sized(items: Any) -> Any:
    """``items`` as something with a length (a generator such as ``map(...)`` becomes a list)."""
    return items if isinstance(items, (str, list, tuple, dict, set, frozenset)) else list(items)


def _check_join(items: Any, separator: Any, what: str) -> None:
    _refuse_bigger(weight(items) + len(str(separator)) * len(items), what, MAX_OUTPUT)


def check_call(obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """Check a call before it runs; returns the arguments to use (a joined generator is listed first)."""
    method = getattr(obj, "__wrapped__", obj)  # the sandbox wraps str.format and str.format_map
    owner = getattr(method, "__self__", None)
    if isinstance(owner, str):
        name = getattr(method, "__name__", "")
        if name == "join" and args:
            args = (_sized(args[0]), *args[1:])
        _check_str_method(name, owner, args, kwargs)
    return args


def check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse operators that would build a huge value before Python builds it."""
    if operator == "*":
        count, seq = (_int(right), left) if isinstance(left, (str, list, tuple)) else (_int(left), right)
        if isinstance(seq, (str, list, tuple)):
            _refuse_bigger(len(seq) * count, "'*'")  # items, not their text: join and print count that
    elif operator == "**" and isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 0:
        if right * math.log2(abs(left)) > MAX_INT_BITS:
            raise RenderLimitError(lazy("'**' would build a number larger than {bits} bits", bits=MAX_INT_BITS))
    elif operator == "%":
        _check_format_string(left)


def check_result(value: Any, what: str) -> Any:
    """A value built by '+' or '~': its own length (a list of big rows from the project is fine)."""
    if isinstance(value, (str, list, tuple)):
        _refuse_bigger(len(value), what)
    return value


def limited_range(*args: int) -> range:
    rng = range(*args)
    if len(rng) > MAX_RANGE:
        raise RenderLimitError(lazy("range() of {n} items; templates may use at most {limit}", n=f"{len(rng):,}",
                                    limit=f"{MAX_RANGE:,}"))
    return rng


def _guarded(iterable: Iterable[Any], budget: Budget, cost: int) -> Iterator[Any]:
    for item in iterable:
        budget.tick()
        budget.charge(cost)
        yield item


def _literal_size(node: nodes.Node) -> int:
    return sum(len(data.data) for data in node.find_all(nodes.TemplateData))


class LimitedSandbox(ImmutableSandboxedEnvironment):
    """Jinja's sandbox plus the budget checks described in the module docstring.

    Immutable: a template cannot change the lists and dicts it is given
    (``append``, ``update``, ``pop``), so one page of a published site cannot
    alter the data the next page or ``publish`` itself works with.
    ``namespace()`` attributes still accumulate values.
    """

    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.budget: Budget | None = None
        self.literal_sizes: dict[str, int] = {}
        self.finalize = self._charge_output
        self.globals["range"] = limited_range
        self.globals.pop("lipsum", None)  # lipsum(n=10**9) builds n paragraphs
        self.filters[LOOP_FILTER] = self._loop_filter()
        self.filters[SIZE_FILTER] = self._size_filter()
        for name in ("center", "indent", "format", "join", "replace", "tojson", "pprint", "string", "wordwrap",
                     "batch", "slice"):
            if name in self.filters:
                self.filters[name] = self._checked_filter(name, self.filters[name])

    # --- where a template spends -------------------------------------------------
    def _tick(self) -> None:
        if self.budget is not None:
            self.budget.tick()

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        __self._tick()
        args = check_call(__obj, args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        self._tick()
        check_binop(operator, left, right)
        result = super().call_binop(context, operator, left, right)
        return check_result(result, f"'{operator}'") if operator == "+" else result

    def get_template(self, name: Any, parent: str | None = None, globals: Any = None) -> jinja2.Template:
        template = super().get_template(name, parent, globals)
        if self.budget is not None:  # an include or extends: its text is output again
            self.budget.tick()
            self.budget.charge(self.literal_sizes.get(str(template.name), 0))
        return template

    def _charge_output(self, value: Any) -> Any:
        budget = self.budget
        if budget is not None:  # time is ticked by the loop or call that prints repeatedly
            budget.charge(len(value) if isinstance(value, str) else weight(value, budget.output_left + 1))
        return value

    # --- filters that stand in for syntax (added to every parsed template) ---------
    def _loop_filter(self) -> Callable[..., Any]:
        @jinja2.pass_context  # never folded at compile time: the guard must run at render time
        def loop(context: jinja2.runtime.Context, iterable: Iterable[Any], cost: int) -> Iterable[Any]:
            if self.budget is None:
                return iterable
            return _guarded(iterable, self.budget, cost + 1)

        return loop

    def _size_filter(self) -> Callable[..., Any]:
        @jinja2.pass_context
        def sized(context: jinja2.runtime.Context, value: Any) -> Any:
            self._tick()
            return check_result(value, "'~'")

        return sized

    def _checked_filter(self, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        passes_first = hasattr(func, "jinja_pass_arg")  # pass_context/eval_context/environment

        def checked(*args: Any, **kwargs: Any) -> Any:
            values = args[1:] if passes_first else args
            value, rest = (values[0], values[1:]) if values else (None, ())
            if name == "center":
                _refuse_bigger(_int(rest[0] if rest else kwargs.get("width", 80)), "center")
            elif name == "indent":
                width = rest[0] if rest else kwargs.get("width", 4)
                per_line = len(width) if isinstance(width, str) else _int(width)
                _refuse_bigger(per_line * (str(value).count("\n") + 2) + len(str(value)), "indent")
            elif name == "format":
                _check_format_string(value)
            elif name == "replace" and len(rest) >= 2:
                _check_str_method("replace", str(value), (rest[0], rest[1]), {})
            elif name == "batch":  # batch(n, fill) pads the last row to n items
                _refuse_bigger(_int(rest[0] if rest else kwargs.get("linecount")), "batch")
            elif name == "slice":  # slice(n) builds n columns in one Python loop
                _refuse_bigger(_int(rest[0] if rest else kwargs.get("slices")), "slice", MAX_RANGE)
            elif name == "join":
                value = _sized(value)
                args = (*args[: len(args) - len(values)], value, *rest)
                _check_join(value, rest[0] if rest else kwargs.get("d", ""), name)
            elif name == "tojson":  # non-ASCII text is escaped as \uXXXX: up to 6 characters each
                _refuse_bigger(weight(value) * 6, name, MAX_OUTPUT)
            elif name in ("pprint", "string", "wordwrap"):
                _refuse_bigger(weight(value) * 2, name, MAX_OUTPUT)
            return func(*args, **kwargs)

        if passes_first:
            checked.jinja_pass_arg = func.jinja_pass_arg  # type: ignore[attr-defined]
        return checked

    # --- rewriting the parsed template ----------------------------------------------
    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):
            cost = _literal_size(nodes.Output(loop.body))
            loop.iter = nodes.Filter(loop.iter, LOOP_FILTER, [nodes.Const(cost)], [], None, None,
                                     lineno=loop.lineno)
        for concat in list(tree.find_all(nodes.Concat)):
            _replace_node(tree, concat, nodes.Filter(concat, SIZE_FILTER, [], [], None, None, lineno=concat.lineno))
        if name is not None:
            self.literal_sizes[name] = _literal_size(tree)
        return tree


def _replace_node(tree: nodes.Node, old: nodes.Node, new: nodes.Node) -> None:
    """Put ``new`` where ``old`` is in its parent (Jinja nodes keep children in fields and lists)."""
    for parent in tree.find_all(nodes.Node):
        if parent is new:
            continue
        for field, value in parent.iter_fields():
            if value is old:
                setattr(parent, field, new)
                return
            if isinstance(value, list):
                for index, child in enumerate(value):
                    if child is old:
                        value[index] = new
                        return


@contextlib.contextmanager
def memory_cap() -> Iterator[None]:
    """Lower the address-space limit to what the process uses plus ``MEMORY_HEADROOM`` while rendering.

    The checks above bound what a template builds on purpose; this turns
    anything they miss into a MemoryError instead of the machine swapping or
    the CI runner killing the job. Where ``resource`` or /proc are missing
    (Windows, macOS) it does nothing.
    """
    try:
        import resource

        pages = Path("/proc/self/statm").read_text(encoding="ascii").split()[0]
        used = int(pages) * resource.getpagesize()
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    except (ImportError, OSError, ValueError):
        yield
        return
    wanted = used + MEMORY_HEADROOM
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft <= wanted:
        yield
        return
    try:
        resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    except (ValueError, OSError):
        yield
        return
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
