"""Brokers a live session trades through: the adapter interface and its implementations.

:mod:`.adapter` is the interface (:class:`~.adapter.BrokerAdapter`) and the
broker's view of orders, fills, positions and the account; a second broker
is one new module implementing it.
"""
