"""The kiosk stops issuing a category once its wait passes closing time (issue 15 §3: at 16:40
it issued 住民異動 tickets with a 50-minute estimate). A visitor who would only be called after
the counters close is asked to come another day, and told that day's hours from the office
calendar (000 §5(1)(2)(3)). Staff at the desk still issue past it: the spec's proviso to 000
§5(2) (窓口開庁時間内に受けた申請等に全て対応する) binds the office, not the kiosk's estimate."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from app.core import calendar


def day_hours(day: date) -> str:
    """「令和8年4月8日（水） 8:30〜17:15」: an office day and its hours, from the calendar."""
    hours = calendar.office_hours(day)
    return f"{calendar.day_label(day)} {hours.label() if hours else ''}".strip()


def next_day_hours(day: date) -> str:
    """The next office day after `day` and its hours."""
    return day_hours(calendar.next_office_day(day))


def past_closing(at: datetime, wait_minutes: int) -> str:
    """The refusal when a ticket issued at `at` would be called after today's closing time;
    "" while it would be called in time (or on a day the office is closed, refused elsewhere)."""
    hours = calendar.office_hours(at.date())
    if hours is None:
        return ""
    closes = datetime.combine(at.date(), hours.closes)
    if at + timedelta(minutes=wait_minutes) < closes:
        return ""
    return (f"待ち時間の目安（約{wait_minutes}分）が本日の受付時間（{hours.closes:%-H:%M}まで）を過ぎるため、"
            f"本日の発券は終了しました。別の日にお越しください。次の開庁日：{next_day_hours(at.date())}")
