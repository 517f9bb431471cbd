"""Shared PDF helpers: the embedded Japanese fonts, the city's header, era dates, the seal."""
