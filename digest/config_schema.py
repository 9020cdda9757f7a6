"""How a config section declares its keys and checks what it is given (digest.config uses it).

A section is a frozen dataclass deriving from Section; each field is declared with `key()`:
its default, its description, its TOML name where that differs from the attribute ("from"
for `from_`), bounds for numbers and checks. When a section is made, every value other than
its field's default is validated by pydantic-core, pydantic's validation engine, against a
schema made from the fields: the same coercions and messages as a pydantic model field of that
type (lax mode: `"8"` for an int reads as 8), then the field's checks in order; the result is
what the section keeps. pydantic's own model machinery is not used: importing it and building
the models' schemas cost every command about 150 ms of start-up, more than the whole of this.
"""

from __future__ import annotations

import dataclasses
import functools
import typing
from collections.abc import Callable
from typing import Any, ClassVar, Literal

from pydantic_core import SchemaValidator, ValidationError

from digest.errors import ConfigError

Check = Callable[[Any], Any]  # a value in, the value (maybe normalised) out; ValueError if bad


def key(default: Any, description: str, *, toml: str | None = None,
        checks: tuple[Check, ...] = (), **bounds: float) -> Any:
    """A config key: its default, what it is for, its TOML name if not the field's, checks
    run in order on a given value, and bounds (ge, gt, le) for numbers."""
    meta = {"description": description, "toml": toml, "checks": checks, "bounds": bounds}
    if isinstance(default, list):
        return dataclasses.field(default_factory=functools.partial(list, default),
                                 metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


class Section:
    """What every section shares: it checks the values it is given when it is made, so a
    section object is valid however it was made (load_config, a test, a caller in Python)."""

    SECTION: ClassVar[str]  # its name in digest.toml

    def __post_init__(self) -> None:
        given = {}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            default = default_of(f)
            if not (type(value) is type(default) and value == default):
                given[f.metadata["toml"] or f.name] = value
        if not given:  # the defaults are good: checking them would only cost time
            return
        try:
            checked = _validator(type(self)).validate_python(given)
        except ValidationError as exc:
            raise ConfigError(_describe(exc, self.SECTION)) from None
        names = toml_names(type(self))
        for name, value in checked.items():
            object.__setattr__(self, names[name], value)  # frozen: set once, here


def default_of(f: dataclasses.Field[Any]) -> Any:
    return f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default


_NAMES: dict[type[Any], dict[str, str]] = {}
_VALIDATORS: dict[type[Any], SchemaValidator] = {}


def toml_names(cls: type[Any]) -> dict[str, str]:
    """A section's keys as digest.toml names them -> their attributes."""
    if cls not in _NAMES:
        _NAMES[cls] = {f.metadata["toml"] or f.name: f.name for f in dataclasses.fields(cls)}
    return _NAMES[cls]


_SCALARS = {str: "str", int: "int", float: "float", bool: "bool"}


def _type_schema(hint: Any, bounds: dict[str, float]) -> dict[str, Any]:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if type(None) in args:  # X | None
        inner = next(a for a in args if a is not type(None))
        return {"type": "nullable", "schema": _type_schema(inner, bounds)}
    if origin is list:
        return {"type": "list", "items_schema": _type_schema(args[0], {})}
    if origin is Literal:
        return {"type": "literal", "expected": list(args)}
    return {"type": _SCALARS[hint], **bounds}


def _validator(cls: type[Any]) -> SchemaValidator:
    """The section's keys, each optional, no other allowed; a key's checks after its type."""
    if cls not in _VALIDATORS:
        hints = typing.get_type_hints(cls)
        fields = {}
        for f in dataclasses.fields(cls):
            schema = _type_schema(hints[f.name], dict(f.metadata["bounds"]))
            for check in f.metadata["checks"]:
                schema = {"type": "function-after", "schema": schema,
                          "function": {"type": "no-info", "function": check}}
            fields[f.metadata["toml"] or f.name] = {
                "type": "typed-dict-field", "schema": schema, "required": False}
        typed: Any = {"type": "typed-dict", "fields": fields, "extra_behavior": "forbid"}
        _VALIDATORS[cls] = SchemaValidator(typed)
    return _VALIDATORS[cls]


def _describe(err: ValidationError, section: str) -> str:
    first = err.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    msg = "unknown key" if first["type"] == "extra_forbidden" else first["msg"]
    return f"[{section}] {where}: {msg}"
