"""Yakuba (役場): the operations intranet for outsourced municipal services."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from app.config import INSTANCE_DIR, Config

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Config | dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(INSTANCE_DIR),
    )
    settings = config if isinstance(config, Config) else Config.from_env(**(config or {}))
    app.config.from_mapping(settings.as_flask_config())
    app.config["YAKUBA_CONFIG"] = settings

    from app import (
        cli,
        extensions,
        models,  # noqa: F401  (every table on the metadata before anything queries)
        reactions,
    )
    from app.auth import access
    from app.core import events
    from app.db_events import configure_engine
    from app.web import access_log, errors, filters, forms, guard, headers, htmx, nav, proxy, transaction

    proxy.init_app(app)
    extensions.db.init_app(app)
    extensions.migrate.init_app(app, extensions.db, directory=str(ROOT / "migrations"))
    extensions.csrf.init_app(app)
    forms.init_app(app)
    extensions.htmx.init_app(app)
    _init_login(app)
    with app.app_context():
        configure_engine(extensions.db.engine)

    events.init_app(app)
    _init_tasks(app)
    guard.init_app(app)
    access.init_app(app)
    transaction.init_app(app)
    errors.init_app(app)
    access_log.init_app(app)
    nav.init_app(app)
    htmx.init_app(app)
    headers.init_app(app)
    filters.init_app(app)
    cli.init_app(app)
    _register_blueprints(app)
    reactions.init_app(app)
    from app.devices import simulation

    simulation.init_app(app)
    return app


def _init_login(app: Flask) -> None:
    from app.auth.services import session_user
    from app.extensions import login_manager

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "ログインしてください。"
    login_manager.session_protection = "strong"
    login_manager.user_loader(session_user)


def _init_tasks(app: Flask) -> None:
    """The task queue, once every domain's task kinds and periodic work are registered."""
    from app.domains import modules
    from app.tasks import engine, files, services  # noqa: F401  (the engine's own work and schedule)

    tuple(modules("tasks"))  # importing them registers their kinds and periodic work
    engine.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from app.domains import modules

    for views in modules("views"):
        app.register_blueprint(views.bp)
        for extra in getattr(views, "BLUEPRINTS", ()):
            app.register_blueprint(extra)
    for domain_cli in modules("cli"):
        domain_cli.init_app(app)
