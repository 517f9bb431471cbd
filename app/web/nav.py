"""The navigation menu, filtered by the signed-in user's role."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, request, url_for
from flask_login import current_user
from markupsafe import Markup

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


_MENU_HTML = "yakuba_menu_html"


def menu_html(user: object) -> Markup:
    """The side menu as the page shows it (templates/_side_nav.html), rendered once per app for
    each menu, page that is one of its items (aria-current) and script root: it is the same on
    every page a role opens, and its links were most of a page's url_for calls (issue 22)."""
    menu = menu_for(user)
    endpoint = request.endpoint if any(item.endpoint == request.endpoint for item in menu) else None
    key = (getattr(user, "role", None), getattr(user, "programmes", frozenset()), endpoint, request.script_root)
    made: dict[tuple[object, ...], Markup] = current_app.extensions.setdefault(_MENU_HTML, {})
    if key not in made:
        groups: dict[str, list[NavItem]] = {}
        for item in menu:
            groups.setdefault(item.group, []).append(item)
        template = current_app.jinja_env.get_template("_side_nav.html")
        html = template.render(menu_groups=list(groups.items()), current=endpoint)
        made[key] = Markup(html)  # noqa: S704  (an autoescaped .html template rendered it)
    return made[key]


_FIXED_URLS = "yakuba_fixed_urls"


def fixed_url(endpoint: str, **values: str) -> str:
    """url_for of a link that is the same on every page (a stylesheet, a script, the header's
    links), built once per app and script root."""
    key = (request.script_root, endpoint, tuple(sorted(values.items())))
    built: dict[tuple[object, ...], str] = current_app.extensions.setdefault(_FIXED_URLS, {})
    if key not in built:
        built[key] = url_for(endpoint, **values)
    return built[key]


def init_app(app: Flask) -> None:
    app.add_template_global(fixed_url)

    @app.context_processor
    def layout_context() -> dict[str, Any]:
        user = current_user._get_current_object()  # type: ignore[attr-defined]
        menu = menu_for(user) if user.is_authenticated else []
        moment = now()
        return {
            "menu": menu,
            "menu_html": menu_html(user) if menu else Markup(""),
            "city_name": services.city_name(),
            "office_status": calendar.office_status(moment),
            "today_label": calendar.day_label(moment.date()),
            "demo_mode": settings().DEMO_MODE,
            "may": lambda endpoint: current_user.is_authenticated and may_use(endpoint, current_user),
        }
