"""Background work (DESIGN "Background work"): Huey runs it, a `Task` row tells its state."""
