"""Imports every domain's models so that the metadata (and Alembic) sees all tables."""

from app.auth import models as auth_models
from app.core import models as core_models
from app.devices import models as devices_models

__all__ = ["auth_models", "core_models", "devices_models"]
