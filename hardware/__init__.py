"""Drivers and simulators for the devices attached to counter terminals.

Nothing here imports from ``app``: the agent runs on terminals without the server code's
configuration or database.
"""
