"""Supplier settlement, the contractor's invoice and the programme's cost ratio (issue 19 §1-2)."""
