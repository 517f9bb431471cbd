"""The demo city gets the services of 000 §6 on its counters."""

from __future__ import annotations

from app import demo
from app.extensions import db
from app.queue import services


def test_demo_categories_cover_the_services_of_000_section_6(app) -> None:
    demo.load()
    db.session.commit()
    names = [c.name for c in services.list_categories()]
    assert names == ["証明書", "住民異動", "印鑑登録", "マイナンバーカード", "国民健康保険", "後期高齢者医療",
                     "国民年金", "医療費給付", "旅券", "その他"]
    letters = [c.letter for c in services.list_categories()]
    assert len(set(letters)) == len(letters)
    assert all(c.counters for c in services.list_categories())
