"""寄附の使い道の一覧 per fiscal year (issue 16 §1): the office adds, renames, reorders and stops
offering uses; the rules are in app/furusato/uses.py. Registered on the furusato blueprint
(app/furusato/views.py imports this module)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from app.auth.access import roles
from app.core.dates import fiscal_year, today
from app.extensions import db
from app.furusato import services
from app.furusato import uses as use_list
from app.furusato.forms import CopyUsesForm, UseForm
from app.furusato.status_models import DonationUse
from app.furusato.views import STAFF, _by, bp
from app.web.forms import input_from, integer, show_refusal

EDITORS = (*STAFF, "admin")


def _year() -> int:
    year = request.args.get("year", type=integer)
    return year if year is not None and 2000 <= year <= 2100 else fiscal_year(today())


def _page(year: int, new: UseForm | None = None, edited: tuple[int, UseForm] | None = None,
          copy: CopyUsesForm | None = None) -> tuple[str, int]:
    rows = use_list.uses_of(year)
    forms = {u.id: UseForm(prefix=f"u{u.id}", obj=u, formdata=None) for u in rows}
    if edited:
        forms[edited[0]] = edited[1]
    new = new or UseForm(prefix="new", formdata=None)
    copy = copy or CopyUsesForm(formdata=None, source=year - 1)
    refused = any(f.errors for f in (new, copy, *forms.values()))
    return render_template("furusato/uses.html", year=year, rows=rows, forms=forms, new=new, copy=copy), (
        422 if refused else 200)


def _back(year: int) -> BaseResponse:
    return redirect(url_for("furusato.uses", year=year), 303)


@bp.route("/uses")
@roles(*EDITORS)
def uses() -> tuple[str, int]:
    return _page(_year())


@bp.route("/uses", methods=["POST"])
@roles(*EDITORS)
def add_use() -> BaseResponse | tuple[str, int]:
    year, form = _year(), UseForm(prefix="new")
    if form.validate_on_submit():
        try:
            use = use_list.add_use(input_from(form, use_list.UseInput, fiscal_year=year), _by())
        except services.FurusatoError as exc:
            show_refusal(form, exc)
        else:
            flash(f"「{use.name}」を{year}年度の使い道に追加しました。", "success")
            return _back(year)
    return _page(year, new=form)


@bp.route("/uses/<int:use_id>", methods=["POST"])
@roles(*EDITORS)
def edit_use(use_id: int) -> BaseResponse | tuple[str, int]:
    use = db.get_or_404(DonationUse, use_id)
    form = UseForm(prefix=f"u{use.id}")
    if form.validate_on_submit():
        try:
            use_list.update_use(use, input_from(form, use_list.UseInput, fiscal_year=use.fiscal_year), _by())
        except services.FurusatoError as exc:
            show_refusal(form, exc)
        else:
            flash(f"「{use.name}」を保存しました。", "success")
            return _back(use.fiscal_year)
    return _page(use.fiscal_year, edited=(use.id, form))


@bp.route("/uses/copy", methods=["POST"])
@roles(*EDITORS)
def copy_uses() -> BaseResponse | tuple[str, int]:
    year, form = _year(), CopyUsesForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        made = use_list.copy_year(form.source.data or year - 1, year, _by())
    except services.FurusatoError as exc:
        show_refusal(form, exc, fallback="source")
        return _page(year, copy=form)
    flash(f"{form.source.data}年度の一覧から{len(made)}件をコピーしました。", "success")
    return _back(year)
