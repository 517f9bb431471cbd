"""返礼品と事業者 (issue 18 §1-2): suppliers with their undertakings, the gift master with the
city's approval, the CSV import and stock per portal. Registered on the furusato blueprint."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from app.auth.access import roles
from app.extensions import db
from app.furusato import services
from app.furusato.gifts import services as gifts
from app.furusato.gifts import stock
from app.furusato.gifts.forms import (
    AllocationForm,
    GiftCsvForm,
    GiftForm,
    GiftStateForm,
    MoveForm,
    SupplierForm,
    UndertakingForm,
)
from app.furusato.gifts.models import Supplier, Undertaking
from app.furusato.models import Gift, GiftState, Portal
from app.furusato.services import FurusatoError
from app.furusato.shipping import carriers
from app.furusato.views import ANALYSTS, STAFF, _by, bp
from app.web import transaction
from app.web.forms import choices, input_from, page_number, show_refusal, submitted

PER_PAGE = 50


@dataclass(frozen=True)
class Listing:
    rows: list[Any]
    count: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // PER_PAGE))


def _file(name: str) -> tuple[str, bytes]:
    upload = request.files.get(name)
    return (upload.filename or "", upload.read()) if upload else ("", b"")


# --- suppliers -------------------------------------------------------------------------------

def _suppliers_page(form: SupplierForm, status: int = 200) -> tuple[str, int]:
    return render_template("furusato/gifts/suppliers.html", form=form, suppliers=gifts.suppliers(),
                           missing=gifts.missing_undertakings, can_edit=gifts.can_edit(_by())), status


@bp.route("/suppliers")
@roles(*ANALYSTS)
def suppliers() -> tuple[str, int]:
    return _suppliers_page(SupplierForm(formdata=None))


@bp.route("/suppliers", methods=["POST"])
@roles(*STAFF)
def add_supplier() -> BaseResponse | tuple[str, int]:
    form = SupplierForm()
    if done := submitted(form, lambda: gifts.save_supplier(input_from(form, gifts.SupplierInput), _by())):
        made = done.value
        flash(f"返礼品提供事業者「{made.name}」を登録しました。誓約書を登録すると発注できます。", "success")
        return redirect(url_for("furusato.supplier", supplier_id=made.id), 303)
    return _suppliers_page(form, 422)


def _supplier_page(supplier: Supplier, form: UndertakingForm, status: int = 200) -> tuple[str, int]:
    return render_template("furusato/gifts/supplier.html", supplier=supplier, form=form,
                           missing=gifts.missing_undertakings(supplier), stock=stock.stock_lines(supplier=supplier),
                           weekdays="・".join("月火水木金土日"[d] for d in supplier.weekdays),
                           carrier=carriers.profile(supplier.carrier),
                           can_edit=gifts.can_edit(_by())), status


@bp.route("/suppliers/<int:supplier_id>")
@roles(*ANALYSTS)
def supplier(supplier_id: int) -> tuple[str, int]:
    return _supplier_page(db.get_or_404(Supplier, supplier_id), UndertakingForm(formdata=None))


def _edit_page(supplier: Supplier, form: SupplierForm, status: int = 200) -> tuple[str, int]:
    return render_template("furusato/gifts/supplier_edit.html", supplier=supplier, form=form), status


@bp.route("/suppliers/<int:supplier_id>/edit")
@roles(*STAFF)
def edit_supplier(supplier_id: int) -> tuple[str, int]:
    found = db.get_or_404(Supplier, supplier_id)
    return _edit_page(found, SupplierForm(formdata=None, obj=gifts.supplier_input(found)))


@bp.route("/suppliers/<int:supplier_id>/edit", methods=["POST"])
@roles(*STAFF)
def update_supplier(supplier_id: int) -> BaseResponse | tuple[str, int]:
    """The supplier's details changed; its undertakings and gifts stay as they are."""
    found = db.get_or_404(Supplier, supplier_id)
    form = SupplierForm()
    if submitted(form, lambda: gifts.save_supplier(input_from(form, gifts.SupplierInput), _by(), supplier=found)):
        flash(f"返礼品提供事業者「{found.name}」の登録内容を変更しました。", "success")
        return redirect(url_for("furusato.supplier", supplier_id=found.id), 303)
    return _edit_page(db.get_or_404(Supplier, supplier_id), form, 422)


@bp.route("/suppliers/<int:supplier_id>/undertakings", methods=["POST"])
@roles(*STAFF)
def add_undertaking(supplier_id: int) -> BaseResponse | tuple[str, int]:
    found = db.get_or_404(Supplier, supplier_id)
    form = UndertakingForm()
    if form.validate_on_submit():
        filename, data = _file("document")
        try:
            gifts.add_undertaking(found, gifts.UndertakingInput(form.kind.data, form.signed_on.data,
                                                                form.valid_until.data, filename, data), _by())
        except FurusatoError as exc:
            transaction.refused_shown_again()
            show_refusal(form, exc)
        else:
            flash("誓約書を登録しました。", "success")
            return redirect(url_for("furusato.supplier", supplier_id=found.id), 303)
    return _supplier_page(found, form, 422)


@bp.route("/suppliers/<int:supplier_id>/undertakings/<int:undertaking_id>")
@roles(*ANALYSTS)
def undertaking_document(supplier_id: int, undertaking_id: int) -> Response:
    item = db.get_or_404(Undertaking, undertaking_id)
    if item.supplier_id != supplier_id:
        abort(404)
    return Response(item.content, mimetype=item.content_type,
                    headers={"Content-Disposition": f"inline; filename=undertaking-{item.id}"})


# --- gifts -----------------------------------------------------------------------------------

def _gift_form(form: GiftForm) -> GiftForm:
    form.supplier_code.choices = choices([("", "選んでください"), *((s.code, s.name) for s in gifts.suppliers())])
    return form


def _gifts_page(form: GiftForm, csv_form: GiftCsvForm, status: int = 200) -> tuple[str, int]:
    page = page_number()
    rows, count = gifts.gifts(page, PER_PAGE)
    return render_template("furusato/gifts/gifts.html", form=_gift_form(form), csv_form=csv_form,
                           result=Listing(rows, count, page), query={}, warnings=stock.warnings(),
                           can_edit=gifts.can_edit(_by())), status


@bp.route("/gifts")
@roles(*ANALYSTS)
def gift_list() -> tuple[str, int]:
    return _gifts_page(GiftForm(formdata=None), GiftCsvForm(formdata=None))


@bp.route("/gifts", methods=["POST"])
@roles(*STAFF)
def add_gift() -> BaseResponse | tuple[str, int]:
    form = _gift_form(GiftForm())
    if done := submitted(form, lambda: gifts.save_gift(input_from(form, gifts.GiftInput), _by())):
        made = done.value
        flash(f"返礼品「{made.name}」を提案として登録しました。市の承認を待ちます。", "success")
        return redirect(url_for("furusato.gift", gift_id=made.id), 303)
    return _gifts_page(form, GiftCsvForm(formdata=None), 422)


@bp.route("/gifts/import", methods=["POST"])
@roles(*STAFF)
def import_gifts() -> BaseResponse | tuple[str, int]:
    form = GiftCsvForm()
    if done := submitted(form, lambda: gifts.import_gifts_csv(_file("file")[1], _by()), fallback="file"):
        made = done.value
        flash(f"返礼品{len(made)}件を提案として登録しました。", "success")
        return redirect(url_for("furusato.gift_list"), 303)
    return _gifts_page(GiftForm(formdata=None), form, 422)


def _portal_choices() -> list[Any]:
    return choices((str(p.id), p.name) for p in services.import_portals())


def _gift_page(gift: Gift, **forms: Any) -> tuple[str, int]:
    state_form = forms.get("state_form") or GiftStateForm(formdata=None)
    allocation = forms.get("allocation_form") or AllocationForm(formdata=None)
    move = forms.get("move_form") or MoveForm(formdata=None)
    allocation.portal.choices = _portal_choices()
    move.source.choices = move.target.choices = _portal_choices()
    steps = [(s, s.label) for s in GiftState if gifts.can_move(gift, s, _by())]
    state_form.state.choices = choices(steps)
    status = 422 if any(f.errors for f in (state_form, allocation, move)) else 200
    return render_template("furusato/gifts/gift.html", gift=gift, history=gifts.history(gift), steps=steps,
                           state_form=state_form, allocation_form=allocation, move_form=move,
                           stock=stock.stock_lines(gift=gift), rule=gifts.within_30_percent(gift.cost, gift.amount),
                           can_edit=gifts.can_edit(_by()), state_label=GiftState.label_of), status


@bp.route("/gifts/<int:gift_id>")
@roles(*ANALYSTS)
def gift(gift_id: int) -> tuple[str, int]:
    return _gift_page(db.get_or_404(Gift, gift_id))


@bp.route("/gifts/<int:gift_id>/state", methods=["POST"])
@roles(*ANALYSTS)
def move_gift(gift_id: int) -> BaseResponse | tuple[str, int]:
    """A step of the gift's way: the city approves; the office lists, pauses and ends."""
    found = db.get_or_404(Gift, gift_id)
    form = GiftStateForm()
    form.state.choices = choices(GiftState.choices())
    if submitted(form, lambda: gifts.move_gift(found, form.state.data, form.note.data or "", _by())):
        flash(f"返礼品「{found.name}」を{found.state.label}にしました。", "success")
        return redirect(url_for("furusato.gift", gift_id=found.id), 303)
    return _gift_page(found, state_form=form)


@bp.route("/gifts/<int:gift_id>/stock", methods=["POST"])
@roles(*STAFF)
def allocate_stock(gift_id: int) -> BaseResponse | tuple[str, int]:
    found = db.get_or_404(Gift, gift_id)
    form = AllocationForm()
    form.portal.choices = _portal_choices()
    portal = db.session.get(Portal, int(form.portal.data)) if (form.portal.data or "").isdigit() else None
    if form.validate_on_submit() and portal is not None:
        try:
            stock.allocate(found, portal, form.allocated.data if form.allocated.data is not None else -1, _by())
        except FurusatoError as exc:
            transaction.refused_shown_again()
            show_refusal(form, exc)
        else:
            flash(f"{portal.name}の配分を{form.allocated.data}個にしました。", "success")
            return redirect(url_for("furusato.gift", gift_id=found.id), 303)
    elif portal is None:
        form.portal.errors = ["ポータルを選んでください。"]
    return _gift_page(found, allocation_form=form)


@bp.route("/gifts/<int:gift_id>/stock/move", methods=["POST"])
@roles(*STAFF)
def move_stock(gift_id: int) -> BaseResponse | tuple[str, int]:
    found = db.get_or_404(Gift, gift_id)
    form = MoveForm()
    source = db.session.get(Portal, int(form.source.data)) if (form.source.data or "").isdigit() else None
    target = db.session.get(Portal, int(form.target.data)) if (form.target.data or "").isdigit() else None
    if form.validate_on_submit() and source is not None and target is not None:
        try:
            stock.move(found, source, target, form.count.data or 0, _by())
        except FurusatoError as exc:
            transaction.refused_shown_again()
            show_refusal(form, exc)
        else:
            flash(f"{source.name}から{target.name}へ{form.count.data}個移しました。", "success")
            return redirect(url_for("furusato.gift", gift_id=found.id), 303)
    elif source is None or target is None:
        form.source.errors = ["移動元と移動先を選んでください。"]
    return _gift_page(found, move_form=form)
