"""業務報告 (004 §10): the monthly report with its charts and CSV annex, the analytics page drawn
from the same sections, and the monthly strategy meetings."""
