"""お礼状と封筒の設定の画面 (issue 16 §2): the letter's template per fiscal year with a live
preview PDF, and the address block's place with a test sheet to check it against the office's
window envelopes. Registered on the furusato blueprint (app/furusato/views.py imports this)."""

from __future__ import annotations

import io
from urllib.parse import urlencode

from flask import Response, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from app.auth.access import roles
from app.core.dates import fiscal_year, today
from app.furusato import letter_settings
from app.furusato.certificate_pdf import alignment_sheet, letter_preview
from app.furusato.forms import EnvelopeLayoutForm, LetterForm
from app.furusato.letter import PLACEHOLDERS, EnvelopeLayout, LetterRefused, LetterTemplate
from app.furusato.views import SETTINGS, _by, bp
from app.web.forms import input_from, show_refusal


def _page(letter: LetterForm, layout: EnvelopeLayoutForm) -> tuple[str, int]:
    return render_template("furusato/letter_settings.html", form=letter, layout=layout, placeholders=PLACEHOLDERS,
                           preview_query=urlencode({"title": letter.title.data or "", "body": letter.body.data or ""})
                           ), 422 if letter.errors or layout.errors else 200


def _letter_form(year: int) -> LetterForm:
    template = letter_settings.template_for(year)
    return LetterForm(data={"fiscal_year": year, "title": template.title, "body": template.body})


@bp.route("/settings/letter", methods=["GET", "POST"])
@roles(*SETTINGS)
def letter_settings_page() -> BaseResponse | tuple[str, int]:
    year = request.args.get("year", type=int) or fiscal_year(today())
    form = LetterForm() if request.method == "POST" else _letter_form(year)
    if form.validate_on_submit():
        try:
            letter_settings.save_template(form.fiscal_year.data, form.title.data or "", form.body.data or "",
                                          by=_by())
        except LetterRefused as exc:
            show_refusal(form, exc, fallback="body")
        else:
            flash(f"{form.fiscal_year.data}年度のお礼状を保存しました。", "success")
            return redirect(url_for("furusato.letter_settings_page", year=form.fiscal_year.data), 303)
    return _page(form, EnvelopeLayoutForm(obj=letter_settings.envelope_settings()))


@bp.route("/settings/envelope", methods=["POST"])
@roles(*SETTINGS)
def envelope_layout() -> BaseResponse | tuple[str, int]:
    layout = EnvelopeLayoutForm()
    if layout.validate_on_submit():
        try:
            letter_settings.save_layout(input_from(layout, letter_settings.LayoutInput), by=_by())
        except LetterRefused as exc:
            show_refusal(layout, exc)
        else:
            flash("宛名の位置を保存しました。試し刷りで窓の位置を確かめてください。", "success")
            return redirect(url_for("furusato.letter_settings_page"), 303)
    return _page(_letter_form(fiscal_year(today())), layout)


def _typed_template() -> LetterTemplate:
    """What the office typed, or (nothing typed) this fiscal year's saved template."""
    if "body" not in request.args:
        return letter_settings.template_for(fiscal_year(today()))
    return LetterTemplate(title=request.args.get("title", ""), body=request.args.get("body", ""))


@bp.route("/settings/letter/preview")
@roles(*SETTINGS)
def letter_preview_frame() -> tuple[str, int]:
    """The preview fragment: the PDF of what is typed, or why it cannot be printed."""
    template = _typed_template()
    problems = letter_settings.preview_problems(template)
    query = urlencode({"title": template.title, "body": template.body})
    return render_template("furusato/_letter_preview.html", problems=problems, query=query), 200


@bp.route("/settings/letter/preview.pdf")
@roles(*SETTINGS)
def letter_preview_pdf() -> Response | tuple[str, int]:
    template = _typed_template()
    if problems := letter_settings.preview_problems(template):
        return render_template("furusato/_letter_preview.html", problems=problems, query=""), 422
    out = io.BytesIO()
    day = today()
    letter_preview(out, letter_settings.sample_envelope(day), letter_settings.issuer(), letter_settings.layout(),
                   template, day)
    return Response(out.getvalue(), mimetype="application/pdf",
                    headers={"Content-Disposition": "inline; filename=letter-preview.pdf"})


@bp.route("/settings/envelope/test-sheet.pdf")
@roles(*SETTINGS)
def envelope_test_sheet() -> Response:
    """位置確認用の試し刷り, at the saved position or at the one typed (not saved: a GET)."""
    saved = letter_settings.layout()
    left = request.args.get("address_left_mm", type=float)
    top = request.args.get("address_top_mm", type=float)
    layout = EnvelopeLayout(address_left_mm=saved.address_left_mm if left is None else left,
                            address_top_mm=saved.address_top_mm if top is None else top)
    if letter_settings.layout_problems(letter_settings.LayoutInput(layout.address_left_mm, layout.address_top_mm,
                                                                   "", "")):
        layout = saved
    out = io.BytesIO()
    alignment_sheet(out, layout, letter_settings.issuer())
    return Response(out.getvalue(), mimetype="application/pdf",
                    headers={"Content-Disposition": "inline; filename=envelope-test-sheet.pdf"})
