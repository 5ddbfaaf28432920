"""Records: the small part of ``dataclasses`` cnncalc uses, at a fraction of
its start-up cost.

``@dataclass`` compiles six methods for every class with ``exec`` (``__init__``,
``__repr__``, ``__eq__``, ``__hash__``, ``__setattr__``, ``__delattr__``): about
0.7 ms a class here, and cnncalc's 40 classes made that 24 ms of a 100 ms
``cnncalc check``. A record compiles one method, its ``__init__``, when it is
first called (most argument classes are never made in a run), which sets
each slot through the slot's own descriptor (faster than the frozen
dataclass's ``object.__setattr__``; Row, Node and SourceLoc are made once per
layer or per YAML value). Equality, hashing, ``repr`` and frozenness are shared
functions over the field names. ``fields``, ``replace`` and ``asdict`` work as
their ``dataclasses`` namesakes do; type checkers see a dataclass (PEP 681).

Not supported, because nothing here needs them: inheritance between records,
``ClassVar``/``InitVar``/keyword-only fields, ``__post_init__``, ordering, and
(as with ``dataclass(slots=True)``, which also makes a new class) zero-argument
``super()`` in a record's methods.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from operator import attrgetter
from types import CodeType, FunctionType
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from typing_extensions import dataclass_transform
else:

    def dataclass_transform(**_: Any) -> Callable[[Any], Any]:
        return lambda decorator: decorator


T = TypeVar("T")


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class FrozenInstanceError(AttributeError):
    """Assigning to a field of a frozen record."""


class Field:
    """One field: its name, default (or factory) and metadata."""

    __slots__ = ("name", "default", "default_factory", "metadata")

    def __init__(self, default: Any, default_factory: Any, metadata: Mapping[str, Any]) -> None:
        self.name = ""
        self.default = default
        self.default_factory = default_factory
        self.metadata = metadata

    def __repr__(self) -> str:
        return f"Field({self.name!r}, default={self.default!r})"


def field(*, default: Any = MISSING, default_factory: Any = MISSING, metadata: Mapping[str, Any] | None = None) -> Any:
    """A field with a default, a default factory (``list``, ``dict``) or metadata."""
    if default is not MISSING and default_factory is not MISSING:
        raise ValueError("a field takes a default or a default_factory, not both")
    return Field(default, default_factory, metadata or {})


def _repr(self: Any) -> str:
    values = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__record_names__)
    return f"{type(self).__qualname__}({values})"


def _eq_and_hash(names: tuple[str, ...]) -> tuple[Callable[[Any, Any], Any], Callable[[Any], int]]:
    """``__eq__`` and ``__hash__`` over the field values; attrgetter builds the
    tuple in C (records are dict keys in the engine's memo: this is hot)."""
    values: Callable[[Any], Any]
    if len(names) > 1:
        values = attrgetter(*names)
    elif names:
        one = attrgetter(names[0])

        def values(obj: Any) -> Any:  # attrgetter of one name gives the value, not a tuple
            return (one(obj),)

    else:

        def values(obj: Any) -> Any:
            return ()

    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self is other or values(self) == values(other)

    def __hash__(self: Any) -> int:
        return hash(values(self))

    return __eq__, __hash__


def _reduce(self: Any) -> tuple[type, tuple[Any, ...]]:
    """copy, deepcopy and pickle: rebuild from the field values (a frozen record refuses setattr)."""
    return type(self), tuple(getattr(self, name) for name in self.__record_names__)


def _refuse_set(self: Any, name: str, value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _refuse_delete(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def _has_default(f: Field) -> bool:
    return f.default is not MISSING or f.default_factory is not MISSING


def _fields_of(cls: type) -> tuple[Field, ...]:
    if any(hasattr(base, "__record_fields__") for base in cls.__mro__[1:]):
        raise TypeError(f"{cls.__name__}: records do not inherit fields")
    found: list[Field] = []
    for name in vars(cls).get("__annotations__", {}):
        value = vars(cls).get(name, MISSING)
        spec = value if isinstance(value, Field) else Field(value, MISSING, {})
        spec.name = name
        if found and _has_default(found[-1]) and not _has_default(spec):
            raise TypeError(f"{cls.__name__}.{name}: a field without a default follows one with a default")
        found.append(spec)
    return tuple(found)


# A frozen slotted record with this many fields or more sets them as a plain object
# would, its class switched for the while to an open twin of the same layout: one
# slot store each instead of a call to the slot's descriptor (a Row, 22 fields, is
# made in 0.5 µs instead of 1.2); with fewer fields the two switches cost more.
WIDE = 12


def _init(cls: type, fields: tuple[Field, ...], frozen: bool, slots: bool) -> Callable[..., None]:
    """``__init__(self, a, b=default, ...)`` from a compiled template with the
    fields' names put in: records of the same shape share one compilation."""
    mode = "slots" if slots else "frozen" if frozen else "plain"
    if slots and frozen and len(fields) >= WIDE:
        mode = "wide"
    factories = tuple(i for i, f in enumerate(fields) if f.default_factory is not MISSING)
    code = _template(len(fields), factories, mode)
    names = {f"_field_{i}": f.name for i, f in enumerate(fields)}  # the wide template's slot stores
    code = code.replace(
        co_varnames=("self", *(f.name for f in fields)), co_names=tuple(names.get(n, n) for n in code.co_names)
    )
    namespace: dict[str, Any] = {"_MISSING": MISSING, "_object_setattr": object.__setattr__, "setattr": setattr}
    if mode == "wide":
        namespace["_record"] = cls
        namespace["_open"] = type(
            f"{cls.__name__}(open)",
            (cls,),
            {  # both: one slot serves setting and deleting, and a Python one on either slows both
                "__slots__": (),
                "__setattr__": object.__setattr__,
                "__delattr__": object.__delattr__,
                "__qualname__": f"{cls.__qualname__}(open)",
            },
        )
    defaults = []
    for i, f in enumerate(fields):
        if f.default is not MISSING:
            defaults.append(f.default)
        elif f.default_factory is not MISSING:
            defaults.append(MISSING)
            namespace[f"_factory_{i}"] = f.default_factory
        if slots:  # the slot's member descriptor: no __setattr__ in the way
            namespace[f"_set_{i}"] = vars(cls)[f.name].__set__
        else:
            namespace[f"_name_{i}"] = f.name
    init: Callable[..., None] = FunctionType(code, namespace, "__init__", tuple(defaults) or None)
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


_TEMPLATES: dict[tuple[int, tuple[int, ...], str], CodeType] = {}


def _template(count: int, factories: tuple[int, ...], mode: str) -> CodeType:
    """The code of an ``__init__`` of ``count`` fields named ``_0``, ``_1``, ...: the
    one exec per shape of record (about 70 µs each)."""
    key = (count, factories, mode)
    code = _TEMPLATES.get(key)
    if code is None:
        body = []
        for i in range(count):
            if i in factories:
                body.append(f"    if _{i} is _MISSING: _{i} = _factory_{i}()")
            if mode == "slots":
                body.append(f"    _set_{i}(self, _{i})")
            elif mode == "frozen":
                body.append(f"    _object_setattr(self, _name_{i}, _{i})")
            elif mode == "plain":
                body.append(f"    setattr(self, _name_{i}, _{i})")
        if mode == "wide":  # the record's own class only (an instance of a subclass: descriptors)
            body.append("    if self.__class__ is _record:")
            body.append("        _object_setattr(self, '__class__', _open)")
            body += [f"        self._field_{i} = _{i}" for i in range(count)]
            body.append("        _object_setattr(self, '__class__', _record)")
            body.append("    else:")
            body += [f"        _set_{i}(self, _{i})" for i in range(count)]
        params = "".join(f", _{i}" for i in range(count))
        namespace: dict[str, Any] = {}
        exec(f"def __init__(self{params}):\n" + ("\n".join(body) or "    pass") + "\n", namespace)
        code = _TEMPLATES[key] = namespace["__init__"].__code__
    return code


def _make(cls: type, frozen: bool, slots: bool) -> type:
    fields = _fields_of(cls)
    names = tuple(f.name for f in fields)
    namespace = dict(vars(cls))
    for name in ("__dict__", "__weakref__"):
        namespace.pop(name, None)
    for f in fields:
        if slots or isinstance(namespace.get(f.name), Field):
            namespace.pop(f.name, None)  # a slot and a class attribute cannot share a name
    if slots:
        namespace["__slots__"] = names
    eq, hash_ = _eq_and_hash(names)
    namespace.update(__record_fields__=fields, __record_names__=names, __reduce__=_reduce)
    generated = {"__repr__": _repr, "__eq__": eq, "__hash__": hash_ if frozen else None}  # mutable + eq: unhashable
    for name, method in generated.items():
        namespace.setdefault(name, method)  # as dataclasses: a class's own method stays
    if frozen:
        namespace.update(__setattr__=_refuse_set, __delattr__=_refuse_delete)
    made = type(cls)(cls.__name__, cls.__bases__, namespace)
    made.__qualname__ = cls.__qualname__
    made.__init__ = _first_init(made, fields, frozen, slots)  # type: ignore[misc]
    return made


def _first_init(cls: type, fields: tuple[Field, ...], frozen: bool, slots: bool) -> Callable[..., None]:
    """An ``__init__`` that compiles the real one on the first call and puts it in
    its place: most records (an argument class per layer type) are never made in
    a run, and the exec is the dearest part of a record (about 75 µs)."""

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        init = _init(cls, fields, frozen, slots)
        type.__setattr__(cls, "__init__", init)
        init(self, *args, **kwargs)

    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    return __init__


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def record(cls: type[T] | None = None, *, frozen: bool = True, slots: bool = True) -> Any:
    """``@record`` (frozen, slotted) or ``@record(frozen=False)``, like ``@dataclass``."""
    if cls is None:
        return lambda inner: _make(inner, frozen, slots)
    return _make(cls, frozen, slots)


def fields(obj: Any) -> tuple[Field, ...]:
    """The fields of a record class or instance, in order."""
    found: tuple[Field, ...] | None = getattr(obj, "__record_fields__", None)
    if found is None:
        raise TypeError(f"{obj!r} is not a record")
    return found


def is_record(obj: Any) -> bool:
    return hasattr(type(obj), "__record_fields__")


def replace(obj: T, **changes: Any) -> T:
    """A copy of a record with some fields changed."""
    fields(obj)  # a TypeError for anything else
    names: tuple[str, ...] = type(obj).__record_names__  # type: ignore[attr-defined]
    for name in changes:
        if name not in names:
            raise TypeError(f"{type(obj).__name__} has no field {name!r}")
    return type(obj)(*[changes[name] if name in changes else getattr(obj, name) for name in names])


def asdict(obj: Any) -> Any:
    """A record as plain dicts, lists and values, recursively."""
    if is_record(obj):
        return {f.name: asdict(getattr(obj, f.name)) for f in fields(obj)}
    if isinstance(obj, (list, tuple)):
        return type(obj)(asdict(item) for item in obj)
    if isinstance(obj, dict):
        return {asdict(key): asdict(value) for key, value in obj.items()}
    return obj
