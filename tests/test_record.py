"""cnncalc.record: the part of dataclasses the project uses, checked against
what dataclasses itself does for the same class."""

import dataclasses

import pytest

from cnncalc.record import FrozenInstanceError, asdict, field, fields, record, replace


@record
class Point:
    x: int
    y: int = 2
    tags: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        return self.x + self.y


@dataclasses.dataclass(frozen=True, slots=True)
class DataPoint:
    x: int
    y: int = 2
    tags: tuple[str, ...] = ()


@record(frozen=False, slots=False)
class Bag:
    items: list[int] = field(default_factory=list)
    size: int = field(default=0, metadata={"minimum": 0})


def test_behaves_like_a_frozen_slotted_dataclass():
    p, d = Point(1), DataPoint(1)
    assert (p.x, p.y, p.tags, p.total) == (d.x, d.y, d.tags, 3)
    assert repr(p) == repr(d).replace("DataPoint", "Point")
    assert p == Point(1, 2) and p != Point(1, 3) and p != (1, 2, ())
    assert hash(p) == hash(Point(x=1, y=2, tags=()))
    assert not hasattr(p, "__dict__") and Point.__slots__ == ("x", "y", "tags")
    with pytest.raises(FrozenInstanceError):
        p.x = 5  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del p.y  # type: ignore[misc]
    with pytest.raises(TypeError):
        Point()  # type: ignore[call-arg]


def test_fields_replace_asdict():
    assert [f.name for f in fields(Point)] == [f.name for f in dataclasses.fields(DataPoint)]
    assert [f.default for f in fields(Point(1))][1:] == [2, ()]
    q = replace(Point(1), y=7)
    assert q == Point(1, 7) and type(q) is Point
    with pytest.raises(TypeError, match="no field 'z'"):
        replace(Point(1), z=1)
    assert asdict(Point(1, tags=("a",))) == dataclasses.asdict(DataPoint(1, tags=("a",)))
    with pytest.raises(TypeError):
        fields(3)


def test_mutable_record_with_factories():
    a, b = Bag(), Bag()
    a.items.append(1)
    a.size = 1
    assert b.items == [] and (a.items, a.size) == ([1], 1)
    assert fields(Bag)[1].metadata == {"minimum": 0}
    assert Bag.__hash__ is None  # mutable with __eq__: unhashable, as a dataclass


def test_copy_pickle_and_own_methods():
    import copy
    import pickle

    p = Point(1, 5, ("a",))
    assert copy.copy(p) == p and copy.deepcopy(p) == p and pickle.loads(pickle.dumps(p)) == p

    @record
    class Named:
        x: int

        def __repr__(self) -> str:
            return "mine"

    assert repr(Named(1)) == "mine" and Named(1) == Named(1)


def test_refuses_what_it_does_not_support():
    with pytest.raises(TypeError, match="without a default follows"):

        @record
        class Bad:
            a: int = 1
            b: int

    with pytest.raises(TypeError, match="without a default follows"):

        @record(frozen=False, slots=False)
        class AfterFactory:
            a: list[int] = field(default_factory=list)
            b: int

    with pytest.raises(TypeError, match="do not inherit"):

        @record
        class Child(Point):
            z: int = 0


def test_a_wide_record_is_a_frozen_slotted_dataclass_too():
    """Records of WIDE fields or more set them through an open twin class (record.py):
    the same values, frozen after, and a subclass's instance keeps its class."""
    from cnncalc.record import WIDE

    names = [f"f{i}" for i in range(WIDE + 2)]
    namespace = {"__annotations__": {name: "int" for name in names}, "f13": 13}
    Wide = record(type("Wide", (), dict(namespace)))  # noqa: N806
    Data = dataclasses.dataclass(frozen=True, slots=True)(type("Data", (), dict(namespace)))  # noqa: N806
    values = list(range(100, 100 + WIDE + 1))
    w, d = Wide(*values), Data(*values)
    assert type(w) is Wide and repr(w) == repr(d).replace("Data", "Wide")
    assert [getattr(w, n) for n in names] == [*values, 13]
    assert w == Wide(*values) and hash(w) == hash(Wide(*values)) and w != Wide(*values[:-1], 0)
    assert replace(w, f0=1).f0 == 1 and w.f0 == 100
    with pytest.raises(FrozenInstanceError):
        w.f0 = 1
    with pytest.raises(TypeError):
        Wide(1)

    class Sub(Wide):  # type: ignore[misc,valid-type]
        __slots__ = ("extra",)

    s = Sub(*values)
    assert type(s) is Sub and s.f5 == 105
