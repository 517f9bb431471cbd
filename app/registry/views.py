"""The registry enquiry pages (住民記録の照会). Every read is audited by the services."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from app.auth.access import roles, serves
from app.auth.models import Programme
from app.registry import services
from app.registry.adapter import RegistryError, SearchCriteria, get_adapter
from app.registry.forms import ResidentSearchForm
from app.web.forms import input_from
from app.web.htmx import page_or_fragment
from app.web.nav_item import NavItem

bp = serves(Blueprint("registry", __name__, url_prefix="/registry"), Programme.counter)
NAV = (NavItem("住民記録の照会", "registry.search", "窓口業務"),)
READERS = ("operator", "supervisor", "city_staff")


@bp.route("/")
@roles(*READERS)
def search() -> tuple[str, int]:
    form = ResidentSearchForm(request.args)
    people = []
    searched = False
    if request.args and form.validate():
        criteria = input_from(form, SearchCriteria)
        searched = not criteria.is_empty()
        people = services.search(criteria, by=current_user) if searched else []
    return page_or_fragment("registry/search.html", "registry/_rows.html", target="resident-rows", form=form,
                            people=people, searched=searched, limit=SearchCriteria.limit,
                            adapter=get_adapter()), 422 if form.errors else 200


@bp.route("/residents/<int:resident_id>")
@roles(*READERS)
def resident(resident_id: int) -> str:
    try:
        person = services.read_person(resident_id, "住民記録の照会", by=current_user)
    except RegistryError:
        abort(404)
    household = services.read_household(person.household_id, "住民記録の照会（世帯）", by=current_user)
    return render_template("registry/resident.html", person=person, household=household)
