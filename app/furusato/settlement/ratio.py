"""The programme's cost ratio per fiscal year against the 募集適正基準 (the 5-割 rule).

平成31年総務省告示第179号 (as amended; 004 §11(1) requires keeping it): the costs of raising
donations, returned gifts included, must stay within half of the donations received; since
1 October 2023 the costs incidental to the gifts and the donations (受領証明書の発送, ワンストップ
特例の事務, 決済・ポータル等) count as well. Not verified: the article and wording of the 告示 and
of its 令和5年 amendment were not checked against the official text; the categories below follow
the 総務省 report form's headings as we know them.

Every figure is from the records (costs.py). The portals' and payment providers' fees the city
pays directly (§13(1)イ ただし書; 決済・ポータルサイト等の手数料, one of the 告示's incidental
costs) are computed from their dated rates (rates.py). When a portal or a payment method that
received donations has no rate in force, its fees are not counted: the page names it and the
ratio is marked as a lower bound (`lower_bound`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
    fees: list[cost_figures.FeeLine] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # 「○○の手数料率が未登録です」

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
    def lower_bound(self) -> bool:
        """Some fee could not be priced: the whole cost is at least this."""
        return bool(self.missing)

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
    fees = cost_figures.fees(start, end)
    categories = [
        Category("返礼品等の調達に要する費用", c.procurement),
        Category("返礼品等の送付に要する費用", c.shipping),
        Category("広報に要する費用", c.advertising),
        Category("事務に要する費用（基本委託料）", c.commission),
        Category("受領証明書の発送に要する費用（付随費用）", c.certificates),
        Category("ワンストップ特例の事務に要する費用（付随費用）", c.onestop),
        Category("ポータルサイト・決済の手数料（付随費用）", fees.amount),
    ]
    return CostRatio(year, start, end, cost_figures.donations_received(start, end), categories, fees.lines,
                     fees.missing)
