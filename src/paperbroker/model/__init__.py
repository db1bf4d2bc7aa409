"""The trading domain: orders, fills, positions, accounts, instruments and events."""
