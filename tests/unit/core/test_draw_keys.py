"""Seeded models draw an order's numbers from its number in its session when asked to."""

from __future__ import annotations

import uuid

from paperbroker.core.ids import IdFactory


def test_ordinal_draw_keys_are_the_same_across_namespaces_and_a_checkpoint() -> None:
    one = IdFactory(uuid.uuid4(), ordinal_draws=True)
    other = IdFactory(uuid.uuid4(), ordinal_draws=True)
    first, second = one.order_id(), other.order_id()
    assert first != second
    assert one.draw_key(first) == other.draw_key(second) == "O-00000001"
    restored = IdFactory(uuid.UUID(int=0), ordinal_draws=True)
    made = IdFactory(uuid.UUID(int=0), ordinal_draws=True)
    ids = [made.order_id() for _ in range(3)]
    restored.from_state(made.to_state())
    assert [restored.draw_key(i) for i in ids] == ["O-00000001", "O-00000002", "O-00000003"]
    assert restored.draw_key(restored.order_id()) == "O-00000004"


def test_without_ordinal_draws_an_order_draws_from_its_id() -> None:
    ids = IdFactory(uuid.uuid4())
    order = ids.order_id()
    assert ids.draw_key(order) == order
    plain = IdFactory()
    assert plain.draw_key(plain.order_id()) == "O-00000001"
