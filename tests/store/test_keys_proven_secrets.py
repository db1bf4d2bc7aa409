"""Verified secrets are remembered, revocations are not: the row is read on every call."""

from __future__ import annotations

from paperbroker.store.keys import ApiKeys


def test_keys_revocation_applies_to_a_secret_already_proven(keys: ApiKeys) -> None:
    key_id, secret = keys.create("client")
    assert keys.verify(key_id, secret) is not None
    assert keys.verify(key_id, secret) is not None  # proven once, remembered
    keys.revoke(key_id)
    assert keys.verify(key_id, secret) is None


def test_keys_wrong_secret_is_refused_even_after_the_right_one(keys: ApiKeys) -> None:
    key_id, secret = keys.create("client")
    assert keys.verify(key_id, secret) is not None
    assert keys.verify(key_id, secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None


def test_keys_proof_does_not_carry_over_to_another_key(keys: ApiKeys) -> None:
    first, secret = keys.create("one")
    second, _ = keys.create("two")
    assert keys.verify(first, secret) is not None
    assert keys.verify(second, secret) is None
