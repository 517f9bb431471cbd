"""The programme's cost ratio per fiscal year against the 募集適正基準 (the 5-割 rule).

平成31年総務省告示第179号 (as amended; 004 §11(1) requires keeping it): the costs of raising
donations, returned gifts included, must stay within half of the donations received; since
1 October 2023 the costs incidental to the gifts and the donations (受領証明書の発送, ワンストップ
特例の事務, 決済・ポータル等) count as well. Not verified: the article and wording of the 告示 and
of its 令和5年 amendment were not checked against the official text; the categories below follow
the 総務省 report form's headings as we know them.

Every figure is from the records (costs.py); the portals' and payment providers' fees the city
pays directly (§13(1)イ ただし書) are not in this system, so the ratio is a lower bound of the
programme's whole cost (shown on the page).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.core.dates import fiscal_year
from app.furusato.settlement import costs as cost_figures
from app.furusato.settlement.periods import fiscal_year_range

LIMIT = 0.50  # 募集に要する費用 ≤ 寄附金額の5割
WARN_AT = 0.45  # the home page warns from here, before the line is crossed


@dataclass(frozen=True)
class Category:
    label: str
    amount: int


@dataclass(frozen=True)
class CostRatio:
    year: int
    start: date
    end: date  # the day after the last day counted
    received: int
    categories: list[Category]

    @property
    def cost(self) -> int:
        return sum(c.amount for c in self.categories)

    @property
    def ratio(self) -> float:
        return self.cost / self.received if self.received else 0.0

    @property
    def percent(self) -> str:
        return f"{self.ratio * 100:.1f}%" if self.received else "—"

    @property
    def warning(self) -> bool:
        return self.received > 0 and self.ratio >= WARN_AT

    @property
    def over(self) -> bool:
        return self.received > 0 and self.ratio > LIMIT


def cost_ratio(today: date, year: int | None = None) -> CostRatio:
    """The fiscal year of `today` (or `year`) up to and including today."""
    year = fiscal_year(today) if year is None else year
    start, end = fiscal_year_range(year)
    end = min(end, date.fromordinal(today.toordinal() + 1))
    c = cost_figures.costs(start, end)
    categories = [
        Category("返礼品等の調達に要する費用", c.procurement),
        Category("返礼品等の送付に要する費用", c.shipping),
        Category("広報に要する費用", c.advertising),
        Category("事務に要する費用（基本委託料）", c.commission),
        Category("受領証明書の発送に要する費用（付随費用）", c.certificates),
        Category("ワンストップ特例の事務に要する費用（付随費用）", c.onestop),
    ]
    return CostRatio(year, start, end, cost_figures.donations_received(start, end), categories)
