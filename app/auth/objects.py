"""What the audit log's rows are about, in words a person reads: each `object_type` an audit
row is written with gets a Japanese name, the programme whose data it is (the city audits its
own contractor: 000 別紙 §13, 004 特記事項 §14) and the page that shows the object.

A kind of object no row of this table names is shown by its code and belongs to no programme
(only an administrator sees it); tests/auth/test_audit_log.py finds every object type the code
records and fails for one missing here.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from flask import url_for
from werkzeug.routing import BuildError

from app.auth.models import Programme
from app.domains import modules

COUNTER, FURUSATO = Programme.counter, Programme.furusato


@dataclass(frozen=True)
class ObjectKind:
    label: str
    programme: Programme | None = None
    endpoint: str = ""  # the page of the object, or of the list it is in
    arg: str = ""  # the endpoint's argument that takes the object's id; "" for a list page
    shared: bool = False  # a kind of both programmes: each row's programme is given by its caller


KINDS: dict[str, ObjectKind] = {
    # counter (000)
    "visit": ObjectKind("来庁", COUNTER, "counter.visit", "visit_id"),
    "case": ObjectKind("受付", COUNTER, "counter.case", "case_id"),
    "case_list": ObjectKind("受付一覧", COUNTER),
    "procedure": ObjectKind("手続", COUNTER, "counter.catalog_edit", "procedure_id"),
    "resident": ObjectKind("住民記録", COUNTER, "registry.resident", "resident_id"),
    "resident_search": ObjectKind("住民検索", COUNTER),
    "resident_my_number": ObjectKind("個人番号", COUNTER),
    "my_number_card": ObjectKind("個人番号カードの読取", COUNTER),
    "seal_application": ObjectKind("印鑑登録の申請", COUNTER, "seal.application", "application_id"),
    "seal_record": ObjectKind("印鑑登録原票", COUNTER, "seal.record", "record_id"),
    "seal_certificate": ObjectKind("印鑑登録証明書", COUNTER, "seal.certificate", "certificate_id"),
    "bill": ObjectKind("請求", COUNTER, "register.index", "bill"),
    "payment": ObjectKind("収納", COUNTER, "register.payment", "payment_id"),
    "void_request": ObjectKind("収納取消の申請", COUNTER, "register.voids"),
    "daily_close": ObjectKind("日計", COUNTER, "register.closed", "close_id"),
    "register_day": ObjectKind("レジの営業日", COUNTER),
    "fee": ObjectKind("手数料", COUNTER, "register.fees"),
    "temporary_plate": ObjectKind("臨時運行許可番号標", COUNTER, "ledgers.plates_page"),
    "temporary_permit": ObjectKind("臨時運行許可", COUNTER, "ledgers.permit", "permit_id"),
    "postal_request": ObjectKind("郵便請求", COUNTER, "ledgers.postal_request", "postal_id"),
    "queue_settings": ObjectKind("窓口案内の設定", COUNTER),
    "queue_category": ObjectKind("窓口案内の業務区分", COUNTER, "queue.edit_category", "category_id"),
    "queue_tickets": ObjectKind("番号札の実績", COUNTER),
    "queue_summary": ObjectKind("待ち時間の集計", COUNTER),
    "bereavement_reservation": ObjectKind("おくやみコーナーの予約", COUNTER, "bereavement.reservation",
                                          "reservation_id"),
    "bereavement_slot": ObjectKind("おくやみコーナーの予約枠", COUNTER, "bereavement.slots_page"),
    "counter_inquiry": ObjectKind("問い合わせ・苦情", COUNTER, "counter.inquiry", "inquiry_id"),
    "reports_day_sheet": ObjectKind("業務日報", COUNTER, "reports.day_sheet"),
    "reports_roster": ObjectKind("業務従事者名簿・勤務割当表", COUNTER, "reports.roster_page"),
    "reports_work_plan": ObjectKind("業務計画書", COUNTER, "work_plan.plan_page", "work_plan_id"),
    "furusato_supplier": ObjectKind("返礼品提供事業者", FURUSATO, "furusato.supplier", "supplier_id"),
    "furusato_gift": ObjectKind("返礼品", FURUSATO, "furusato.gift", "gift_id"),
    "furusato_order_run": ObjectKind("返礼品の発注", FURUSATO, "furusato.shipping"),
    "furusato_shipment_line": ObjectKind("返礼品の出荷明細", FURUSATO, "furusato.shipment_line", "line_id"),
    "furusato_delivery_mail_template": ObjectKind("発送連絡メールの文面", FURUSATO, "furusato.delivery_mail_template"),
    "monthly_list": ObjectKind("月次チェックの一覧", COUNTER, "monthly.list_page", "list_id"),
    "monthly_mailout": ObjectKind("封入・発送", COUNTER, "monthly.mailout_page", "mailout_id"),
    "counter_handover": ObjectKind("市職員への引継ぎ", COUNTER, "monthly.handover_page", "handover_id"),
    "passport_application": ObjectKind("旅券の申請・交付", COUNTER, "backoffice.passport", "passport_id"),
    "house_number_notice": ObjectKind("住居番号の通知", COUNTER, "backoffice.house_number", "notice_id"),
    "counter_forwarding": ObjectKind("進達", COUNTER, "backoffice.forwarding", "forwarding_id"),
    "returned_card": ObjectKind("不着保険証", COUNTER, "backoffice.card", "card_id"),
    "monthly_subsidy_check": ObjectKind("医療費給付の一次チェック", COUNTER, "monthly.subsidy_page"),
    # hometown-tax donations (004)
    "furusato_donation": ObjectKind("寄附", FURUSATO, "furusato.donation", "donation_id"),
    "furusato_supplier_month": ObjectKind("返礼品提供事業者の月次確認", FURUSATO, "furusato.settlement"),
    "furusato_carrier_invoice": ObjectKind("配送業者の請求", FURUSATO, "furusato.settlement"),
    "furusato_ad_spend": ObjectKind("広告・PR費", FURUSATO, "furusato.settlement"),
    "furusato_city_invoice": ObjectKind("市への請求（業務委託料）", FURUSATO, "furusato.settlement"),
    "furusato_settlement_rate": ObjectKind("精算の料金", FURUSATO, "furusato.settlement_rates"),
    "furusato_donor": ObjectKind("寄附者", FURUSATO, "furusato.donor", "donor_id"),
    "furusato_suspect": ObjectKind("疑義データ", FURUSATO, "furusato.suspect", "flag_id"),
    "furusato_catalog_request": ObjectKind("カタログ送付希望", FURUSATO, "furusato.catalog"),
    "furusato_import_batch": ObjectKind("ポータル取込", FURUSATO, "furusato.batch", "batch_id"),
    "furusato_transfer_batch": ObjectKind("入金照合", FURUSATO, "furusato.transfer_batch", "transfer_id"),
    "furusato_transfer": ObjectKind("入金照合の明細", FURUSATO, "furusato.transfer_row", "transfer_row_id"),
    "furusato_profile": ObjectKind("ポータルの取込設定", FURUSATO),
    "furusato_settings": ObjectKind("ふるさと納税の設定", FURUSATO, "furusato.settings"),
    "furusato_letter_template": ObjectKind("お礼状の文面", FURUSATO, "furusato.letter_settings_page"),
    "furusato_envelope_settings": ObjectKind("封筒の宛名位置", FURUSATO, "furusato.letter_settings_page"),
    "furusato_use": ObjectKind("寄附の使い道", FURUSATO, "furusato.uses"),
    "furusato_export_request": ObjectKind("個人情報の出力申請", FURUSATO, "furusato.export_request",
                                          "export_request_id"),
    "furusato_certificate_batch": ObjectKind("受領証明書の印刷バッチ", FURUSATO, "furusato.certificate_batch",
                                             "certificate_batch_id"),
    "furusato_inquiry": ObjectKind("問い合わせ", FURUSATO, "furusato.inquiry", "inquiry_id"),
    "furusato_monthly_report": ObjectKind("業務報告書", FURUSATO, "furusato.report", "report_id"),
    "furusato_strategy_meeting": ObjectKind("戦略会議", FURUSATO, "furusato.meetings"),
    "furusato_retention": ObjectKind("保存期間", FURUSATO, "furusato.retention"),
    # before the two tables became disposal_requests (its ids kept the furusato ones)
    "furusato_disposal": ObjectKind("廃棄", FURUSATO, "furusato.disposal", "disposal_id"),
    "furusato_onestop": ObjectKind("ワンストップ特例申請", FURUSATO, "furusato.onestop_application",
                                   "application_id"),
    "furusato_onestop_number": ObjectKind("ワンストップ特例申請の個人番号", FURUSATO),
    "furusato_onestop_image": ObjectKind("ワンストップ特例申請の画像", FURUSATO),
    "furusato_onestop_handover": ObjectKind("申告特例通知書の引渡し", FURUSATO),
    "furusato_onestop_erasure": ObjectKind("個人番号の消去", FURUSATO),
    # the staff register and the contract's clauses (wt-staff): a row's programme is the
    # entry's, given by the caller (audit.record(..., programme=...))
    "staff_entry": ObjectKind("従事者名簿の登録", shared=True),
    "staff_register": ObjectKind("従事者名簿", shared=True),
    "staff_training": ObjectKind("研修", shared=True),
    "staff_lead_change": ObjectKind("作業責任者の変更", shared=True),
    "staff_worker_change": ObjectKind("作業従事者の変更", shared=True),
    "staff_incident": ObjectKind("事故", shared=True),
    "staff_handling_area": ObjectKind("取扱区域", shared=True),
    "staff_handover": ObjectKind("引継ぎ", shared=True),
    "staff_erasure": ObjectKind("個人情報の消去", shared=True),  # before disposal_requests: its erasure_id
    "disposal": ObjectKind("廃棄・消去", None, "staff_end.disposal_page", "request_id", shared=True),
    # of no programme: the system's own things
    "user": ObjectKind("利用者", None, "auth.edit_user", "user_id"),
    "audit_log": ObjectKind("監査ログ"),
    "task": ObjectKind("背景処理", None, "tasks.task_page", "task_id"),
    "municipality": ObjectKind("自治体の設定", None, "core.municipality"),
    "counter": ObjectKind("窓口", None, "core.edit_counter", "counter_id"),
    "terminal": ObjectKind("端末", None, "devices.edit_terminal", "terminal_id"),
    "device_binding": ObjectKind("端末の機器設定"),
    "device_job": ObjectKind("機器への指示"),
}


def kind_of(object_type: str) -> ObjectKind:
    return KINDS.get(object_type) or ObjectKind(object_type)


def programme_of(object_type: str) -> Programme | None:
    return kind_of(object_type).programme


GROUPS = {"list": "の一覧", "search": "の検索"}

#: What a person recognises an object by (a donor's name, a terminal's name), by kind: each
#: domain registers how to look up the names of many ids at once (`@names_of("furusato_donation")`).
Namer = Callable[[Collection[int]], dict[int, str]]
NAMERS: dict[str, Namer] = {}
_LOADED: list[object] = []


def names_of(object_type: str) -> Callable[[Namer], Namer]:
    def register(namer: Namer) -> Namer:
        NAMERS[object_type] = namer
        return namer

    return register


def known_names(objects: Collection[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """The names of the (object_type, object_id) pairs whose kind has a namer: one query a kind."""
    if not _LOADED:
        _LOADED.extend(modules("names"))  # each domain's names.py registers its namers
    wanted: dict[str, set[int]] = {}
    for object_type, object_id in objects:
        if object_type in NAMERS and object_id.isdigit():
            wanted.setdefault(object_type, set()).add(int(object_id))
    return {(object_type, str(i)): found for object_type, ids in wanted.items()
            for i, found in NAMERS[object_type](ids).items() if found}


def name(object_type: str, object_id: str, known: str = "") -> str:
    """「寄附 #361（山田 花子）」 with the name `known` (see known_names), else 「寄附 #361」; a page that
    listed or searched objects (object_id "list", "search"), 「寄附の一覧」; anything else (a count,
    "-") is named by its kind."""
    kind = kind_of(object_type)
    if object_id in GROUPS:
        return kind.label + GROUPS[object_id]
    if not object_id.isdigit():
        return kind.label
    numbered = f"{kind.label} #{object_id}" if kind.arg or known else kind.label
    return f"{numbered}（{known}）" if known else numbered


def link(object_type: str, object_id: str) -> str | None:
    """The page that shows the object (or the list it is in), or None where there is none."""
    kind = kind_of(object_type)
    if not kind.endpoint or (kind.arg and not object_id.isdigit()):
        return None
    try:
        return url_for(kind.endpoint, **({kind.arg: int(object_id)} if kind.arg else {}))
    except BuildError:
        return None


def choices(programmes: frozenset[Programme]) -> list[tuple[str, str]]:
    """The kinds a person who works in `programmes` may filter by, by their Japanese names;
    someone in every programme (an administrator) also gets the kinds of no programme."""
    every = programmes >= frozenset(Programme)
    return sorted(((code, kind.label) for code, kind in KINDS.items()
                   if kind.programme in programmes or kind.shared or (every and kind.programme is None)),
                  key=lambda choice: choice[1])
