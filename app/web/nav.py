"""The navigation menu, filtered by the signed-in user's role."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app
from flask_login import current_user

from app.auth.access import may_use
from app.config import settings
from app.core import calendar, services
from app.core.dates import now
from app.domains import modules
from app.web.nav_item import NavItem

# Groups in the order they appear; each domain's views.NAV lists its items within a group.
GROUPS = ("業務", "窓口業務", "会計", "ふるさと納税", "集計・報告", "機器", "管理")


def all_items() -> list[NavItem]:
    items = [item for views in modules("views") for item in getattr(views, "NAV", ())]
    return sorted(items, key=lambda item: GROUPS.index(item.group))


_MENUS = "yakuba_menus"


def menu_for(user: object) -> list[NavItem]:
    """The items the user may open: their role and their programme, which alone decide it, so
    each app keeps each menu it made (it was a fifth of a page's time, issue 22)."""
    key = (getattr(user, "role", None), getattr(user, "programmes", frozenset()))
    menus: dict[tuple[object, frozenset[object]], list[NavItem]] = current_app.extensions.setdefault(_MENUS, {})
    if key not in menus:
        menus[key] = [item for item in all_items()
                      if item.endpoint in current_app.view_functions and may_use(item.endpoint, user)]
    return menus[key]


def init_app(app: Flask) -> None:
    @app.context_processor
    def layout_context() -> dict[str, Any]:
        user = current_user._get_current_object()  # type: ignore[attr-defined]
        menu = menu_for(user) if user.is_authenticated else []
        moment = now()
        groups: dict[str, list[NavItem]] = {}
        for item in menu:
            groups.setdefault(item.group, []).append(item)
        return {
            "menu": menu,
            "menu_groups": list(groups.items()),
            "city_name": services.city_name(),
            "office_status": calendar.office_status(moment),
            "today_label": calendar.day_label(moment.date()),
            "demo_mode": settings().DEMO_MODE,
            "may": lambda endpoint: current_user.is_authenticated and may_use(endpoint, current_user),
        }
