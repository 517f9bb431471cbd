"""The counter's small ledgers (issue 21 "Ledgers"): temporary plates and their permits
(plates.py) and postal requests paid by 定額小為替 (postal.py); their tables are in models.py."""
