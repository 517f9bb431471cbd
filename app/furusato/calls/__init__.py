"""コールセンター (004 §7(8)): inquiries from donors, suppliers and would-be suppliers, and the
donor's timeline that shows them with the donor's other records."""
