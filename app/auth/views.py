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
    PasswordResetForm,
    UserCreateForm,
    UserEditForm,
)
from app.auth.models import User
from app.core.dates import now
from app.extensions import db
from app.web.htmx import wants_fragment
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
            user = services.authenticate(form.username.data or "", form.password.data or "",
                                         request.remote_addr or "")
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
    audit.record("logout", "user", current_user.id)
    logout_user()
    session.clear()
    flash("ログアウトしました。", "info")
    return redirect(url_for("auth.login"))


@bp.route("/admin/users")
@roles("admin")
def users() -> str:
    return render_template("auth/users.html", users=services.list_users(), form=UserCreateForm())


@bp.route("/admin/users", methods=["POST"])
@roles("admin")
def create_user() -> str | BaseResponse | tuple[str, int]:
    form = UserCreateForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(form.username.data or "", form.display_name.data or "",
                                        form.role.data or "", form.password.data or "")
        except services.AuthError as exc:
            getattr(form, exc.field or "username").errors.append(exc.message)
        else:
            flash(f"利用者「{user.display_name}」を登録しました。", "success")
            return redirect(url_for("auth.users"), 303)
    return render_template("auth/users.html", users=services.list_users(), form=form), 422


def _user_or_404(user_id: int) -> User:
    return db.get_or_404(User, user_id)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@roles("admin")
def edit_user(user_id: int) -> str | BaseResponse | tuple[str, int]:
    user = _user_or_404(user_id)
    form = UserEditForm(obj=user)
    reset = PasswordResetForm(prefix="reset")
    if form.validate_on_submit():
        if user.id == current_user.id and (form.role.data != "admin" or not form.active.data):
            form.role.errors = [*form.role.errors, "自分自身の管理者権限は外せません。"]
        else:
            try:
                services.update_user(user, display_name=form.display_name.data or "",
                                     role=form.role.data or "", active=bool(form.active.data))
            except services.AuthError as exc:
                getattr(form, exc.field or "display_name").errors.append(exc.message)
            else:
                flash("利用者の設定を保存しました。", "success")
                return redirect(url_for("auth.users"), 303)
    status = 422 if form.errors else 200
    return render_template("auth/user_edit.html", user=user, form=form, reset=reset), status


@bp.route("/admin/users/<int:user_id>/password", methods=["POST"])
@roles("admin")
def reset_password(user_id: int) -> str | BaseResponse | tuple[str, int]:
    user = _user_or_404(user_id)
    reset = PasswordResetForm(prefix="reset")
    if reset.validate_on_submit():
        try:
            services.reset_password(user, reset.password.data or "")
        except services.AuthError as exc:
            reset.password.errors.append(exc.message)
        else:
            flash(f"「{user.display_name}」のパスワードを再設定しました。", "success")
            return redirect(url_for("auth.edit_user", user_id=user.id), 303)
    return render_template("auth/user_edit.html", user=user, form=UserEditForm(obj=user),
                           reset=reset), 422


def _audit_filter(form: AuditFilterForm) -> audit.AuditFilter:
    return audit.AuditFilter(
        username=(form.username.data or "").strip(),
        object_type=(form.object_type.data or "").strip(),
        object_id=(form.object_id.data or "").strip(),
        action=form.action.data or "",
        date_from=form.date_from.data,
        date_to=form.date_to.data,
    )


@bp.route("/audit")
@roles("supervisor", "admin")
def audit_log() -> str | tuple[str, int]:
    form = AuditFilterForm(request.args)
    if request.args and not form.validate():
        return render_template("auth/audit.html", form=form, entries=[]), 422
    entries = db.session.scalars(audit.search(_audit_filter(form)).limit(500)).all()
    template = "auth/_audit_rows.html" if wants_fragment() else "auth/audit.html"
    return render_template(template, form=form, entries=entries)


@bp.route("/audit.csv")
@roles("supervisor", "admin")
def audit_export() -> Response:
    form = AuditFilterForm(request.args)
    if not form.validate():
        abort(400)
    entries = db.session.scalars(audit.search(_audit_filter(form))).all()
    audit.record("export", "audit_log", "-", f"{len(entries)}件 条件={request.query_string.decode()}")
    return Response(
        audit.to_csv(entries),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=audit-log.csv"},
    )
