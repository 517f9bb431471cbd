"""The bereavement corner (おくやみコーナー, 000 §6(15)⑨): reservations on the slots the city
sets, the procedures that apply after a death derived from facts, the visit that opens the
counter's cases and hands the others over to the departments concerned."""
