"""Plain coercion of the command line's values, without pydantic.

typer 0.29 coerces every parameter through a pydantic TypeAdapter: the first command line of a
process pays for importing pydantic and building one adapter per parameter (about 0.2 s on
the 2-core machines: a seventh of `generate --bars 4`'s start-up beyond torch).  Every parameter of
jazz-lstm is a str, int, float, bool or list[str] without typer's own parser or bounds (the
library checks ranges and names the flag), so `install()` has typer coerce those with the built-in
types; anything else keeps typer's own path.  A typer without this machinery (before 0.29) is left
as it is.
"""
from __future__ import annotations

from typing import Any, get_args, get_origin

PLAIN = {str: "text", int: "integer", float: "number", bool: "flag"}


def plain_kind(descriptor) -> type | None:
    """The built-in type a parameter's values coerce to (a list's item type), or None where typer's
    own coercion must run (a parser, bounds, a file, a choice, any other annotation)."""
    info, ann = descriptor.parameter_info, descriptor.annotation
    kind = get_args(ann)[0] if get_origin(ann) is list and len(get_args(ann)) == 1 else ann
    if kind not in PLAIN or (kind is not ann and kind is bool):
        return None
    if info.parser is not None or info.min is not None or info.max is not None or descriptor.file_annotation is not None:
        return None
    return kind


def to_plain(kind: type, value: Any) -> Any:
    """One command-line value as `kind`; ValueError names the value and the type wanted."""
    if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
        return value
    if kind is str:
        return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    if kind is not bool and isinstance(value, (str, int, float)) and not isinstance(value, bool):
        try:
            return kind(value.strip() if isinstance(value, str) else value)
        except ValueError:
            pass
    raise ValueError(f"{value!r} is not a valid {PLAIN[kind]}.")


def install() -> None:
    """Have typer coerce plain parameters with to_plain (once a process)."""
    try:
        from typer._click.exceptions import BadParameter
        from typer._coercion import RuntimeParam
        from typer.core import _TyperParameter
    except ImportError:  # a typer that coerces through click's types: nothing to do
        return
    if getattr(_TyperParameter, "_jazz_lstm_plain", False):
        return

    class Plain(RuntimeParam):
        def _coerce_value(self, value, param, ctx):
            kind = plain_kind(param.type_descriptor)
            try:
                if isinstance(value, (list, tuple)):
                    return [to_plain(kind, v) for v in value]
                return to_plain(kind, value)
            except ValueError as e:
                raise BadParameter(str(e), ctx=ctx, param=param) from None

    typers_own = _TyperParameter.get_runtime_param

    def get_runtime_param(self):
        if getattr(self, "_runtime_param", None) is None and plain_kind(self.type_descriptor) is not None:
            d = self.type_descriptor
            self._runtime_param = Plain(parameter_info=d.parameter_info, annotation=d.annotation)
        return typers_own(self)

    _TyperParameter.get_runtime_param = get_runtime_param
    _TyperParameter._jazz_lstm_plain = True
