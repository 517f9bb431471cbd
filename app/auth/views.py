from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response as BaseResponse

from app.auth import audit, services
from app.auth.access import ALL_STAFF, public, roles
from app.auth.forms import (
    AuditFilterForm,
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    UserCreateForm,
    UserEditForm,
)
from app.auth.models import Role, User
from app.core.dates import now
from app.web.forms import input_from, show_refusal
from app.web.htmx import page_or_fragment
from app.web.nav_item import NavItem
from app.web.transaction import keep_changes

bp = Blueprint("auth", __name__)
NAV = (
    NavItem("監査ログ", "auth.audit_log", "管理"),
    NavItem("利用者", "auth.users", "管理"),
)


def _safe_next(target: str | None) -> str:
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/"):
            return target
    return url_for("core.home")


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> str | BaseResponse:
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.username.data, form.password.data, request.remote_addr or "")
        except services.AuthError as exc:
            error = exc.message
            keep_changes()  # the failed attempt must count towards throttling
        else:
            session.clear()
            login_user(user)
            session["last_seen"] = now().isoformat()
            return redirect(_safe_next(request.args.get("next")))
    status = 200 if error is None and not form.errors else 422
    return render_template("auth/login.html", form=form, error=error), status


@bp.route("/logout", methods=["POST"])
@roles(*ALL_STAFF)
def logout() -> BaseResponse:
    services.record_logout(current_user)
    logout_user()
    session.clear()
    flash("ログアウトしました。", "info")
    return redirect(url_for("auth.login"))


def _stay_signed_in() -> None:
    """This session goes on after its user's sessions were ended: it takes the new epoch."""
    login_user(current_user._get_current_object())  # type: ignore[attr-defined]


@bp.route("/account/password", methods=["GET", "POST"])
@roles(*ALL_STAFF)
def change_password() -> str | BaseResponse | tuple[str, int]:
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            services.change_own_password(input_from(form, services.PasswordChange), request.remote_addr or "",
                                         by=current_user)
        except services.AuthError as exc:
            show_refusal(form, exc, fallback="current_password")
            keep_changes()  # a wrong current password counts towards throttling
        else:
            _stay_signed_in()
            flash("パスワードを変更しました。ほかの端末のログインは終了しました。", "success")
            return redirect(url_for("core.home"), 303)
    status = 422 if form.errors else 200
    return render_template("auth/password.html", form=form, min_length=services.MIN_PASSWORD_LENGTH), status


@bp.route("/admin/users")
@roles(Role.admin)
def users() -> str:
    return render_template("auth/users.html", users=services.list_users(), form=UserCreateForm())


@bp.route("/admin/users", methods=["POST"])
@roles(Role.admin)
def create_user() -> BaseResponse | tuple[str, int]:
    form = UserCreateForm()
    if form.validate_on_submit():
        new = input_from(form, services.NewUser)
        try:
            user = services.create_user(new.username, new.display_name, new.role, new.password, scope=new.scope,
                                        number_handler=new.number_handler, by=current_user)
        except services.AuthError as exc:
            show_refusal(form, exc, fallback="username")
        else:
            flash(f"利用者「{user.display_name}」を登録しました。", "success")
            return redirect(url_for("auth.users"), 303)
    return render_template("auth/users.html", users=services.list_users(), form=form), 422


def _user_or_404(user_id: int) -> User:
    user = services.get_user(user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@roles(Role.admin)
def edit_user(user_id: int) -> str | BaseResponse | tuple[str, int]:
    user = _user_or_404(user_id)
    form = UserEditForm(obj=user)
    reset = PasswordResetForm(prefix="reset")
    if form.validate_on_submit():
        try:
            services.update_user(user, input_from(form, services.UserChange), by=current_user)
        except services.AuthError as exc:
            show_refusal(form, exc, fallback="display_name")
        else:
            flash("利用者の設定を保存しました。", "success")
            return redirect(url_for("auth.users"), 303)
    status = 422 if form.errors else 200
    return render_template("auth/user_edit.html", user=user, form=form, reset=reset), status


@bp.route("/admin/users/<int:user_id>/password", methods=["POST"])
@roles(Role.admin)
def reset_password(user_id: int) -> BaseResponse | tuple[str, int]:
    user = _user_or_404(user_id)
    reset = PasswordResetForm(prefix="reset")
    if reset.validate_on_submit():
        try:
            services.reset_password(user, reset.password.data, by=current_user)
        except services.AuthError as exc:
            show_refusal(reset, exc, fallback="password")
        else:
            if user.id == current_user.id:
                _stay_signed_in()
            flash(f"「{user.display_name}」のパスワードを再設定しました。", "success")
            return redirect(url_for("auth.edit_user", user_id=user.id), 303)
    return render_template("auth/user_edit.html", user=user, form=UserEditForm(obj=user),
                           reset=reset), 422


def _audit_filter(form: AuditFilterForm) -> audit.AuditFilter:
    return input_from(form, audit.AuditFilter)


@bp.route("/audit")
@roles(Role.supervisor, Role.admin)
def audit_log() -> str | tuple[str, int]:
    form = AuditFilterForm(request.args)
    if request.args and not form.validate():
        return render_template("auth/audit.html", form=form, entries=[]), 422
    return page_or_fragment("auth/audit.html", "auth/_audit_rows.html", form=form,
                            entries=audit.entries(_audit_filter(form), limit=500))


@bp.route("/audit.csv")
@roles(Role.supervisor, Role.admin)
def audit_export() -> Response:
    form = AuditFilterForm(request.args)
    if not form.validate():
        abort(400)
    return Response(
        audit.export_csv(_audit_filter(form), request.query_string.decode(), by=current_user),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=audit-log.csv"},
    )
