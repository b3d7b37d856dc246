"""Jinja's sandbox, closed further: what a template from the repository may call.

Template overrides and a theme's `custom_dir` come from the repository, which a
pull request may change. Jinja's SandboxedEnvironment refuses Python's
internals (`cycler.__init__.__globals__`), but still lets a template call any
public method of the objects it is given — and MkDocs hands templates objects
whose methods build an unsandboxed environment (`config.theme.get_env()`) or
read any file (`page.file.generated(config, 'x', abs_src_path='/etc/passwd')`).
So here a template may call only what templates need: macros and blocks, Jinja's
own helpers (loop, cycler, joiner, namespace, range, dict, lipsum), methods of
plain values (str, list, dict, numbers, dates) that do not change them, and
whatever the caller declares safe (the portal's own records and link helper).
Anything else is refused. Nothing may be changed in place (Jinja's immutable
sandbox): MkDocs' configuration holds plain lists and dicts
(`config.markdown_extensions`, `config.theme.dirs`), and a template appending
`os:system` to the first would have Markdown call it.
"""

from __future__ import annotations

import datetime as dt
import types
from collections.abc import Callable
from typing import Any

from jinja2.exceptions import SecurityError
from jinja2.runtime import BlockReference, LoopContext, Macro
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Cycler, Joiner, Namespace

# Values whose methods are pure: what a template does with text, lists and dates.
_PLAIN_TYPES = (str, bytes, int, float, bool, list, tuple, dict, set, frozenset,
                dt.date, dt.datetime, dt.time, dt.timedelta)
_JINJA_HELPERS = (Macro, BlockReference, LoopContext, Cycler, Joiner, Namespace)


class ClosedSandbox(ImmutableSandboxedEnvironment):
    """A sandbox whose templates may call only what `may_call` allows.

    `trusted` names the classes (besides plain values and Jinja's helpers) whose
    methods the caller's templates need, e.g. the portal's Linker; `functions`,
    the modules whose plain functions the caller hands its templates.
    """

    trusted: tuple[type, ...] = ()
    functions: tuple[str, ...] = ()

    def __init__(self, *args: Any, trusted: tuple[type, ...] = (),
                 functions: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.trusted, self.functions = trusted, functions

    def may_call(self, obj: object) -> bool:
        if isinstance(obj, _JINJA_HELPERS) or obj in (Namespace, Cycler, Joiner):
            return True
        if any(obj is value for value in self.globals.values()):
            return True  # range, dict, lipsum, cycler, joiner, namespace
        if isinstance(obj, types.FunctionType):
            return obj.__module__.startswith(self.functions) if self.functions else False
        owner = getattr(obj, "__self__", None)
        if isinstance(obj, types.BuiltinMethodType | types.MethodType) and owner is not None \
                and not isinstance(owner, type):  # a bound method, not a class's
            return isinstance(owner, _PLAIN_TYPES + _JINJA_HELPERS + self.trusted)
        if type(obj).__name__ in ("method-wrapper", "method_descriptor"):
            return isinstance(owner, _PLAIN_TYPES)
        return False

    def call(__self, __context: Any, __obj: Any, *args: Any,  # noqa: N805 - Jinja's signature
             **kwargs: Any) -> Any:
        if not __self.may_call(__obj):
            name = getattr(__obj, "__qualname__", None) or type(__obj).__name__
            raise SecurityError(f"{name} may not be called from a template")
        return super().call(__context, __obj, *args, **kwargs)


def sandboxed_copy(source: Any, make: Callable[..., ClosedSandbox]) -> ClosedSandbox:
    """`make(...)` with `source`'s loader, settings, filters, tests and globals."""
    copy = make(loader=source.loader, autoescape=source.autoescape,
                auto_reload=source.auto_reload, undefined=source.undefined,
                extensions=[type(extension) for extension in source.extensions.values()])
    copy.filters.update(source.filters)
    copy.tests.update(source.tests)
    copy.globals.update(source.globals)
    copy.policies.update(source.policies)
    return copy
