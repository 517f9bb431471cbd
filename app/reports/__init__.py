"""The contractor's reports to the city (000 §10): the monthly 業務報告書 and the daily day sheet,
the staff roster (業務従事者名簿・勤務割当表), the counter manual (業務マニュアル)."""
