"""公金収納: fees, bills, payments and receipts, voids, the daily close (000 §6(10))."""
