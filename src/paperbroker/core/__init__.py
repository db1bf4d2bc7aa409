"""Kernel primitives shared by every layer: clock, ids, errors and the state machine."""
