"""Bulk work freezes the long-lived objects for the collector and gives them back afterwards,
also when the work fails (app/core/heap.py)."""

from __future__ import annotations

import gc

import pytest

from app.core.heap import long_lived_frozen


def test_the_objects_alive_at_the_start_are_frozen_only_while_the_work_runs() -> None:
    assert gc.get_freeze_count() == 0
    with long_lived_frozen():
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0


def test_a_failing_block_unfreezes_too() -> None:
    with pytest.raises(RuntimeError), long_lived_frozen():
        raise RuntimeError("the import failed")
    assert gc.get_freeze_count() == 0
