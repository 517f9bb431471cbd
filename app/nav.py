"""The navigation menu, filtered by the signed-in user's role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from flask_login import current_user

from app.auth.access import declaration
from app.auth.audit import ACTIONS
from app.core import calendar, services
from app.timeutil import today


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    group: str


# Order is the order on screen. Who sees an item is decided by the view's own role declaration.
NAV: tuple[NavItem, ...] = (
    NavItem("ホーム", "core.home", "業務"),
    NavItem("開庁カレンダー", "core.office_calendar", "業務"),
    NavItem("監査ログ", "auth.audit_log", "管理"),
    NavItem("自治体設定", "core.municipality", "管理"),
    NavItem("窓口", "core.counters", "管理"),
    NavItem("端末", "devices.terminals", "管理"),
    NavItem("利用者", "auth.users", "管理"),
)


def menu_for(role: str) -> list[NavItem]:
    items = []
    for item in NAV:
        if item.endpoint not in current_app.view_functions:
            continue
        allowed = declaration(current_app, item.endpoint)
        if allowed is None or role in allowed:
            items.append(item)
    return items


def init_app(app: Flask) -> None:
    @app.context_processor
    def layout_context() -> dict[str, Any]:
        menu = menu_for(current_user.role) if current_user.is_authenticated else []
        return {
            "menu": menu,
            "municipality": services.get_municipality(),
            "today_hours": calendar.office_hours(today()),
            "today_label": calendar.day_label(today()),
            "demo_mode": app.config["DEMO_MODE"],
            "audit_actions": ACTIONS,
        }
