"""Demo data for a fictional city, loaded by `flask demo load` (and `make run` when empty).

The demo accounts share a published password: they exist for trying Yakuba out and must be
purged (`flask demo purge`) before real use.
"""

from __future__ import annotations

import io

from sqlalchemy import select

from app.auth import audit
from app.auth import services as auth_services
from app.auth.models import User
from app.core import services as core_services
from app.devices import services as device_services
from app.domains import modules
from app.extensions import db

DEMO_PASSWORD = "yakuba-demo"  # noqa: S105 - published on purpose, see module docstring
#: (login, name, role, scope, number_handler): the counter's staff and the city's 市民課, the
#: donation office and the city's donation section, and an administrator of both.
DEMO_USERS = (
    ("operator", "窓口 花子", "operator", "counter", False),
    ("supervisor", "統括 一郎", "supervisor", "counter", False),
    ("city", "市民課 次郎", "city_staff", "counter", False),
    ("admin", "管理 三郎", "admin", "all", False),
    ("furusato", "寄附 さくら", "operator", "furusato", False),
    ("furusato-lead", "寄附 統括 健", "supervisor", "furusato", True),
    ("city-furusato", "ふるさと納税係 恵", "city_staff", "furusato", False),
)
DEMO_CITY = core_services.MunicipalityInput(
    name="山彦市",
    code="039993",
    postal_code="029-0000",
    address="岩手県山彦市本町一丁目1番1号",
    mayor_name="山彦 太郎",
    contractor_name="株式会社やまびこ窓口サービス",
)
DEMO_COUNTERS = (
    (1, "証明書交付", "citizens"),
    (2, "証明書交付", "citizens"),
    (3, "住民異動", "citizens"),
    (4, "印鑑登録・マイナンバーカード", "citizens"),
    (5, "国民健康保険", "nhi_pension"),
    (6, "後期高齢者医療・国民年金", "nhi_pension"),
    (7, "医療費給付", "nhi_pension"),
    (8, "旅券・その他", "citizens"),
)
DEMO_TERMINALS = (
    ("kiosk-1", "玄関 発券機", "kiosk", None),
    ("queue-display", "待合 窓口案内表示", "queue_display", None),
    ("cashier-display", "会計 呼出表示", "cashier_display", None),
    ("register-1", "会計 レジ", "register", None),
    *((f"counter-{n}", f"{n}番窓口 端末", "counter_pc", n) for n, _, _ in DEMO_COUNTERS),
)


def demo_seal_png(text: str = "山彦市長之印", px: int = 400) -> bytes:
    """A made-up square 公印 (red, on a transparent ground) for the demo city's certificates:
    the characters in two columns read from the right, as a city's seal is cut."""
    from PIL import Image, ImageDraw, ImageFont

    from app.core.pdf import FONT_DIR

    red = (200, 30, 30, 255)
    image = Image.new("RGBA", (px, px), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rectangle((8, 8, px - 9, px - 9), outline=red, width=18)
    font = ImageFont.truetype(str(FONT_DIR / "BIZUDMincho-Regular.ttf"), int(px * 0.27))
    rows = -(-len(text) // 2)
    cell = (px - 60) / rows
    for i, ch in enumerate(text):
        col, row = 1 - i // rows, i % rows
        x, y = 30 + col * (px - 60) / 2 + (px - 60) / 4, 30 + row * cell + cell / 2
        draw.text((x, y), ch, font=font, fill=red, anchor="mm")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def is_empty() -> bool:
    return db.session.scalar(select(User.id).limit(1)) is None


def load(leave_out: tuple[str, ...] = ()) -> dict[str, str]:
    """Create the demo city; returns the terminal tokens (shown once). `leave_out` names domains
    (app.domains.DOMAINS) whose demo data is not wanted, as a benchmark leaves out the reports'
    month of closed cases."""
    core_services.save_municipality(DEMO_CITY)
    core_services.save_seal(demo_seal_png(), 21.0, by=None)
    for username, name, role, scope, number_handler in DEMO_USERS:
        auth_services.create_user(username, name, role, DEMO_PASSWORD, scope=scope, number_handler=number_handler)
    counters = {n: core_services.save_counter(None, n, name, dept) for n, name, dept in DEMO_COUNTERS}
    tokens = {}
    for code, name, kind, counter_no in DEMO_TERMINALS:
        counter_id = counters[counter_no].id if counter_no else None
        _, tokens[code] = device_services.create_terminal(device_services.NewTerminal(code, name, kind, counter_id))
    for domain_demo in modules("demo"):
        if domain_demo.__name__.removeprefix("app.").removesuffix(".demo") not in leave_out:
            domain_demo.load()
    return tokens


def purge() -> list[str]:
    """Disable the demo accounts and make their published password useless."""
    purged = []
    for username, *_ in DEMO_USERS:
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None or not user.active:
            continue
        user.active = False
        user.password_hash = auth_services.hash_password(auth_services.new_unusable_password())
        audit.record("update", "user", user.id, "デモ用アカウントを無効化", by=None)
        purged.append(username)
    return purged
