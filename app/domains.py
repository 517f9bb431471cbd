"""The domain packages, in order. Each may have:

- `models.py`: its tables (imported so the metadata and Alembic see them);
- `views.py` with `bp` (a Blueprint) and optionally `NAV` (menu items, see app/web/nav.py);
- `demo.py` with `load()` (demo data, called in this order by `flask demo load`);
- `cli.py` with `init_app(app)` (command-line tools);
- `tasks.py`: its kinds of background work and periodic work (app/tasks/services.py `kind`,
  app/tasks/engine.py `periodic`), registered when the app is built.

Adding a domain is adding its name here.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from types import ModuleType

DOMAINS: tuple[str, ...] = (
    "auth",
    "core",
    "tasks",
    "devices",
    "queue",
    "registry",
    "register",
    "counter",
    "counter.monthly",
    "counter.backoffice",
    "furusato",
    "seal",
    "staff",
    "bereavement",
    "reports",
)


def modules(kind: str) -> Iterator[ModuleType]:
    """The `kind` module (models, views, demo, cli) of every domain that has one."""
    for domain in DOMAINS:
        name = f"app.{domain}.{kind}"
        try:
            yield importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
