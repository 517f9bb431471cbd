"""The counter's monthly back office (issue 21): the monthly check lists drawn from the registry,
the mail-out batches (封入・発送) and the October survey mailing, and the handover queue to city
staff. A domain of its own in app/domains.py ("counter.monthly"), on the counter programme."""
