"""Demo service categories: the services of 000 §6 on the demo counters (app/demo.py). The
kiosk's printer and the counters' call boards are simulated by app/devices/simulation.py."""

from __future__ import annotations

from datetime import time

from sqlalchemy import select

from app.core.models import Counter
from app.extensions import db
from app.queue import services
from app.queue.services import CategoryInput

# code, name, letter, counter numbers, minutes per ticket, closes, description (000 §6 (1)-(12)).
# The codes are the 発券区分 (`ticket_category`) of the counter domain's procedure catalog.
DEMO_CATEGORIES: tuple[tuple[str, str, str, tuple[int, ...], int, time | None, str], ...] = (
    ("certificate", "証明書", "A", (1, 2), 6, None, "住民票の写し・戸籍・印鑑登録証明書・税証明"),
    ("move", "住民異動", "B", (3,), 25, None, "転入・転出・転居・世帯変更"),
    ("seal", "印鑑登録", "C", (4,), 15, None, "印鑑登録・廃止"),
    ("my_number", "マイナンバーカード", "D", (4,), 20, None, "交付・更新・暗証番号の再設定"),
    ("nhi", "国民健康保険", "E", (5,), 15, None, "加入・脱退・保険証・給付"),
    ("late_elderly", "後期高齢者医療", "F", (6,), 15, None, "資格・保険証・給付"),
    ("national_pension", "国民年金", "G", (6,), 15, None, "加入・免除・年金の請求"),
    ("medical_subsidy", "医療費給付", "H", (7,), 15, None, "子ども・妊産婦・重度心身障害者・ひとり親"),
    ("passport", "旅券", "J", (8,), 20, time(16, 30), "パスポートの申請・受取"),
    ("other", "その他", "K", (8, 1), 10, None, "改葬許可・住居表示・臨時運行許可など"),
)


def load() -> None:
    counters = {c.number: c for c in db.session.scalars(select(Counter))}
    for order, (code, name, letter, numbers, minutes, closes, description) in enumerate(DEMO_CATEGORIES):
        services.save_category(None, CategoryInput(
            code=code, name=name, letter=letter, description=description,
            counter_ids=tuple(counters[n].id for n in numbers if n in counters),
            minutes_per_ticket=minutes, closes=closes, sort_order=order * 10))
