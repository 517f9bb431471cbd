"""The names the audit log shows beside a terminal or a device binding (app/auth/objects.py):
「端末の機器設定 #12（9番窓口 端末のレシートプリンタ）」, not 「device_binding」."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select

from app.auth.objects import names_of
from app.devices.models import DeviceBinding, DeviceKind, Terminal
from app.extensions import db


@names_of("terminal")
def terminals(ids: Collection[int]) -> dict[int, str]:
    return dict(db.session.execute(select(Terminal.id, Terminal.name).where(Terminal.id.in_(ids))).all())


@names_of("device_binding")
def bindings(ids: Collection[int]) -> dict[int, str]:
    rows = db.session.execute(select(DeviceBinding.id, Terminal.name, DeviceBinding.kind)
                              .join(Terminal, Terminal.id == DeviceBinding.terminal_id)
                              .where(DeviceBinding.id.in_(ids)))
    return {i: f"{terminal}の{DeviceKind(kind).label}" for i, terminal, kind in rows}
