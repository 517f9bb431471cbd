"""A task's progress: its page, the self-polling fragment, 中止, and 実行中の処理."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from app.auth.access import ALL_STAFF, roles
from app.auth.models import Programme
from app.tasks import services
from app.tasks.models import Task
from app.web.htmx import wants_fragment

bp = Blueprint("tasks", __name__, url_prefix="/tasks")


@bp.app_template_filter("duration")
def duration(seconds: float) -> str:
    """約 1分20秒: a duration as people read it."""
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}時間{minutes}分"
    if minutes:
        return f"{minutes}分{secs}秒"
    return f"{secs}秒"


def _task(task_id: int) -> Task:
    """The task, if it belongs to a programme the user works in (404 otherwise: another
    programme's work is not even said to exist)."""
    task = services.get_task(task_id)
    if task is None or (task.programme and not current_user.reaches(task.programme)):
        abort(404)
    return task


@bp.route("/<int:task_id>")
@roles(*ALL_STAFF)
def task_page(task_id: int) -> str:
    task = _task(task_id)
    return render_template("tasks/task.html", **services.progress_context(task))


@bp.route("/<int:task_id>/progress")
@roles(*ALL_STAFF)
def progress(task_id: int) -> tuple[str, int, dict[str, str]]:
    """The progress fragment; once the task has ended, the host page reloads itself to show
    its own summary (HX-Refresh), unless the fragment was asked for without htmx."""
    task = _task(task_id)
    headers = {"HX-Refresh": "true"} if task.finished and request.args.get("refresh") == "1" else {}
    return render_template("tasks/_progress.html", **services.progress_context(task)), 200, headers


@bp.route("/<int:task_id>/cancel", methods=["POST"])
@roles(*ALL_STAFF)
def cancel(task_id: int) -> BaseResponse | tuple[str, int]:
    task = _task(task_id)
    try:
        services.request_cancel(task, by=current_user)
    except services.TaskError as exc:
        return render_template("tasks/_progress.html", **services.progress_context(task), refusal=exc.message), 422
    if wants_fragment():
        return render_template("tasks/_progress.html", **services.progress_context(task)), 200
    return redirect(request.referrer or url_for("tasks.task_page", task_id=task.id), 303)


@bp.route("/running")
@roles(*ALL_STAFF)
def running() -> str:
    programme = request.args.get("programme", "")
    if not Programme.has(programme):
        abort(404)
    if not current_user.reaches(programme):
        abort(403)
    return render_template("tasks/_running.html", tasks=services.active(programme), programme=programme,
                           progress_of=services.progress_of)
