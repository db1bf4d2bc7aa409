"""The kernel and the runners built on it."""
