"""Imports every domain's models so that the metadata (and Alembic) sees all tables."""

from app.domains import modules

MODELS = tuple(modules("models"))
