"""The registry enquiry pages (住民記録の照会). Every read is audited by the services."""

from __future__ import annotations

from flask import Blueprint, abort, make_response, render_template, request
from werkzeug.wrappers import Response

from app.auth.access import roles
from app.registry import services
from app.registry.adapter import RegistryError, SearchCriteria, get_adapter
from app.registry.forms import ResidentSearchForm
from app.web.nav_item import NavItem

bp = Blueprint("registry", __name__, url_prefix="/registry")
NAV = (NavItem("住民記録の照会", "registry.search", "窓口業務"),)
READERS = ("operator", "supervisor", "city_staff")


@bp.route("/")
@roles(*READERS)
def search() -> Response:
    form = ResidentSearchForm(request.args)
    people = []
    searched = False
    if request.args and form.validate():
        criteria = SearchCriteria(kana=form.kana.data or "", name=form.name.data or "",
                                  birth_date=form.birth_date.data, address=form.address.data or "")
        searched = not criteria.is_empty()
        people = services.search(criteria) if searched else []
    fragment = request.headers.get("HX-Request") and request.headers.get("HX-Target") == "resident-rows"
    template = "registry/_rows.html" if fragment else "registry/search.html"
    response = make_response(render_template(template, form=form, people=people, searched=searched,
                                             adapter=get_adapter()), 422 if form.errors else 200)
    response.headers["Vary"] = "HX-Request"
    return response


@bp.route("/residents/<int:resident_id>")
@roles(*READERS)
def resident(resident_id: int) -> str:
    try:
        person = services.read_person(resident_id, "住民記録の照会")
    except RegistryError:
        abort(404)
    household = services.read_household(person.household_id, "住民記録の照会（世帯）")
    return render_template("registry/resident.html", person=person, household=household)
