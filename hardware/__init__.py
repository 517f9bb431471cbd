"""Device drivers, simulators and the terminal agent. Imports nothing from app/."""
