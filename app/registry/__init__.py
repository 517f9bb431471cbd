"""The resident registry stand-in (住民基本台帳), behind an adapter a city can replace."""
