"""Error pages in Japanese."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.extensions import db

MESSAGES = {
    400: ("リクエストが正しくありません", "入力内容を確認して、もう一度お試しください。"),
    403: ("この画面を使う権限がありません", "必要な場合は管理者に権限の付与を依頼してください。"),
    404: ("ページが見つかりません", "アドレスが正しいか確認してください。"),
    405: ("この操作はできません", "画面の操作からやり直してください。"),
    413: ("ファイルが大きすぎます", "アップロードできるファイルの大きさを超えています。"),
    500: ("システムエラーが発生しました", "入力は保存されていません。時間をおいて再度お試しいただき、"
          "続く場合は管理者に連絡してください。"),
}
CSRF = ("画面の有効期限が切れました",
        "セキュリティ確認（CSRF）に失敗しました。画面を開き直してから、もう一度操作してください。")
# What a page says when an htmx request of it fails without an error page to read
# (static/js/request-errors.js): by status, any other status, and no answer at all.
REQUEST_ERRORS: dict[str, tuple[str, str]] = {
    **{str(code): words for code, words in MESSAGES.items()},
    "401": ("ログインが必要です", "もう一度ログインしてから操作してください。"),
    "default": ("処理できませんでした", "画面を開き直してから、もう一度操作してください。"),
    "network": ("サーバーに接続できませんでした", "ネットワークの接続を確認して、もう一度操作してください。"
                "入力は保存されていません。"),
}


def error_page(code: int, title: str, message: str) -> tuple[str, int]:
    return render_template("errors/error.html", code=code, title=title, message=message), code


def init_app(app: Flask) -> None:
    @app.context_processor
    def request_errors() -> dict[str, object]:
        return {"request_errors": REQUEST_ERRORS}

    @app.errorhandler(CSRFError)
    def csrf_error(_exc: CSRFError) -> tuple[str, int]:
        return error_page(400, *CSRF)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> tuple[str, int] | HTTPException:
        code = exc.code or 500
        if code not in MESSAGES:
            return exc
        title, message = MESSAGES[code]
        return error_page(code, title, message)

    @app.errorhandler(500)
    def server_error(_exc: Exception) -> tuple[str, int]:
        db.session.rollback()
        return error_page(500, *MESSAGES[500])
