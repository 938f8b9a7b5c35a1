"""The energy-community picture: who can take part and why, per primary substation, a first
estimate checked against a hand calculation, the assumptions form, the exports and the rules
page. Registrations go through the real form of the demo event."""

import csv
import io
import re
from decimal import Decimal
from html import unescape

import pytest
from openpyxl import load_workbook

from eventsreg.demo import seed_demo
from eventsreg.energy import rules
from eventsreg.energy.estimate import Assumptions, estimate, weighted_tariff
from eventsreg.energy.picture import energy_picture
from eventsreg.energy.rules import Facts, Size, Standing, Zone, company_size, standing
from eventsreg.events.models import Event
from eventsreg.extensions import db
from eventsreg.organizer import energy_views
from eventsreg.registrations import services

from .helpers import registrations

VAT = {
    "officine": "00743110157",
    "pierina": "01234560157",
    "energia": "07654320196",
    "vecchio": "01111110159",
    "grande": "02222220150",
    "comune": "64633440199",
    "dubbia": "22542580190",
    "ascolto": "09487750193",
    "ritirata": "39923840191",
}


def text(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip())


def company(**answers) -> dict:
    """An interested small company in Ex Olivetti, joining as a consumer."""
    return {
        "interest": "yes",
        "member_kind": "company",
        "staff": "10_49",
        "turnover": "le10",
        "ateco": "25.62.00",
        "area": "ex_olivetti",
        "role": "consumer",
        "non_binding": "y",
        **answers,
    }


@pytest.fixture
def post(app, register):
    """Register to the demo event with answers given by question code."""
    event = seed_demo()

    def send(email: str, name: str, answers: dict, **overrides):
        q = {question.code: question for question in event.questions}
        fields = {q[code].field_name: value for code, value in answers.items()}
        overrides.setdefault("vat_number", VAT.get(email.split("@")[0], ""))
        response = register(event, email=email, company_name=name, **overrides, **fields)
        assert response.status_code == 303, response.get_data(as_text=True)

    send.event = event
    return send


@pytest.fixture
def community(post) -> Event:
    """A realistic set of expressions of interest, through the demo event's form.

    - Officine: a small company, two contacts; the later one's answers count. Two supply
      points under two substations.
    - Pierina: 200 staff but over €50 M turnover and €43 M balance sheet: a large company.
      It plans a 100 kWp plant: a third-party producer only.
    - Energia Locale: ATECO 2025 35.12.00 (electricity from renewables) with a 30 kWp plant:
      a third-party producer only.
    - Vecchio Codice: ATECO 2007 35.14.00 (electricity trade then), a consumer: excluded.
    - Grande Consumo: 250 staff or more, a consumer: excluded; its consumption counts nowhere.
    - Comune di Crema: a public body producing 200 kWp, its supply point's substation unknown.
    - Impresa Dubbia: staff given, neither turnover nor balance sheet: to be checked.
    - Solo Ascolto: not interested. Ritirata: withdrawn.
    """
    post("officine@x.it", "Officine Srl",
         company(supply_points="IT001E00000001; AC001E00045; 150.000", roof_area_m2="500"),
         first_name="Anna")  # fmt: skip
    post("pierina@x.it", "Pierina Spa", company(
        staff="50_249", turnover="gt50", balance_sheet="gt43", area="pip_pierina",
        role="prosumer", supply_points="IT003E00000003; AC001E00045; 80.000",
        has_pv="yes", pv_existing_kwp="49,5", pv_existing_period="before",
        pv_existing_substation="AC001E00045", net_metering="yes",
        pv_planned_kwp="100", pv_planned_substation="AC001E00045", asbestos="yes",
    ))  # fmt: skip
    post("energia@x.it", "Energia Locale Srl", company(
        staff="lt10", turnover="le2", ateco="35.12.00", ateco_edition="2025",
        role="producer", pv_planned_kwp="30", pv_planned_substation="AC002E00012",
    ))  # fmt: skip
    post("vecchio@x.it", "Vecchio Codice Srl", company(
        ateco="35.14.00", ateco_edition="2007",
        supply_points="IT004E00000004; AC002E00012; 70.000",
    ))  # fmt: skip
    post("grande@x.it", "Grande Consumo Spa", company(
        staff="250_plus", supply_points="IT005E00000005; AC001E00045; 500.000",
    ))  # fmt: skip
    post("comune@x.it", "Comune di Crema", {
        "interest": "yes", "member_kind": "public_body", "area": "other", "role": "prosumer",
        "supply_points": "IT006E00000006; ; 50.000", "pv_planned_kwp": "200",
        "pv_planned_substation": "AC001E00045", "non_binding": "y",
    })  # fmt: skip
    post("dubbia@x.it", "Impresa Dubbia Snc", company(
        turnover="", supply_points="IT007E00000007; AC002E00012; 60.000",
    ))  # fmt: skip
    post("ascolto@x.it", "Solo Ascolto Snc", {"interest": "no"})
    post("ritirata@x.it", "Ritirata Srl",
         company(supply_points="IT009E00000009; AC001E00045; 900.000"))  # fmt: skip
    services.withdraw(next(r for r in registrations() if r.email == "ritirata@x.it"))
    # The second contact of Officine, later: 200 MWh under AC001, a second supply point
    # under AC002, a roof of 800 m².
    post("officine2@x.it", "Officine Srl", company(
        supply_points="IT001E00000001; AC001E00045; 200.000\n"
                      "IT002E00000002; ac002e00012; 100.000",
        roof_area_m2="800",
    ), vat_number=VAT["officine"], first_name="Mario")  # fmt: skip
    db.session.expire_all()
    return db.session.get(Event, post.event.id)


# -- who can take part ---------------------------------------------------------------------


def test_each_company_appears_once_with_its_standing_and_reason(community):
    picture = energy_picture(community)
    found = {c.name: (c.standing, c.contacts) for c in picture.companies}
    assert found == {
        "Officine Srl": (Standing.member, 2),
        "Pierina Spa": (Standing.producer_only, 1),
        "Energia Locale Srl": (Standing.producer_only, 1),
        "Vecchio Codice Srl": (Standing.excluded, 1),
        "Grande Consumo Spa": (Standing.excluded, 1),
        "Comune di Crema": (Standing.member, 1),
        "Impresa Dubbia Snc": (Standing.unknown, 1),
    }
    assert picture.not_interested == 1  # Solo Ascolto; the withdrawn one is not counted
    reasons = {c.name: " ".join(c.reasons) for c in picture.companies}
    assert "Grande impresa" in reasons["Pierina Spa"]
    assert "produttore terzo" in reasons["Pierina Spa"]
    assert "ATECO 2025 35.12.00" in reasons["Energia Locale Srl"]
    assert "ATECO 2007 35.14.00" in reasons["Vecchio Codice Srl"]
    assert "in nessun ruolo" in reasons["Vecchio Codice Srl"]
    assert "Grande impresa" in reasons["Grande Consumo Spa"]
    assert "Ente pubblico" in reasons["Comune di Crema"]
    assert "fatturato o il bilancio" in reasons["Impresa Dubbia Snc"]


@pytest.mark.parametrize(
    ("staff", "turnover", "balance", "size"),
    [
        ("50_249", "le50", None, Size.sme),
        ("50_249", "gt50", "le43", Size.sme),  # either financial ceiling is enough
        ("50_249", "gt50", "gt43", Size.large),  # 200 people can be a large company
        ("250_plus", "le2", "le2", Size.large),
        ("50_249", "gt50", None, Size.unknown),  # the balance sheet decides
        ("lt10", None, None, Size.unknown),
        (None, "le2", "le2", Size.unknown),
    ],
)
def test_company_size_follows_the_eu_sme_definition(staff, turnover, balance, size):
    assert company_size(staff, turnover, balance) is size


@pytest.mark.parametrize(
    ("ateco", "edition", "excluded"),
    [
        ("35.11.00", "2025", True),
        ("35.12.00", "2025", True),
        ("35.15.00", "2025", True),
        ("35.14.00", "2025", False),  # distribution in ATECO 2025
        ("35.14.00", "2007", True),  # trade in ATECO 2007
        ("35.12.00", "2007", False),  # transmission in ATECO 2007
        ("35.12.00", None, True),  # ATECO 2025 unless said otherwise
        ("25.62.00", "2025", False),
    ],
)
def test_electricity_ateco_codes_follow_the_edition(ateco, edition, excluded):
    facts = Facts(member_kind="company", staff="lt10", turnover="le2", ateco=ateco,
                  ateco_edition=edition)  # fmt: skip
    assert (standing(facts)[0] is Standing.excluded) is excluded


# -- per primary substation ----------------------------------------------------------------


def test_supply_points_and_plants_are_grouped_by_primary_substation(community):
    picture = energy_picture(community)
    groups = {g.code: g for g in picture.groups}
    assert list(groups) == ["AC001E00045", "AC002E00012", None]  # unknown last
    ac001, ac002, unknown = groups.values()
    assert set(ac001.companies) == {"Officine Srl", "Pierina Spa", "Grande Consumo Spa",
                               "Comune di Crema"}  # fmt: skip
    assert ac001.pods == 3
    # Only members' consumption is eligible: Officine's 200 MWh (its latest answer), not
    # Pierina's 80 (third-party producer) nor Grande Consumo's 500 (excluded).
    assert ac001.eligible_kwh == 200_000
    assert (ac001.planned_kwp, ac001.existing_kwp, ac001.old_kwp) == (300, Decimal("49.5"),
                                                                      Decimal("49.5"))  # fmt: skip
    assert ac001.roof_m2 == 800
    assert ac002.eligible_kwh == 100_000  # Officine's second point; Vecchio Codice excluded
    assert ac002.unverified_kwh == 60_000  # Impresa Dubbia, to be checked
    assert ac002.planned_kwp == 30
    assert (unknown.pods, unknown.eligible_kwh) == (1, 50_000)  # the Comune's point
    assert picture.eligible_kwh == 350_000


# -- the estimate, by hand -----------------------------------------------------------------


def test_premium_tariff_by_plant_size_zonal_price_and_zone():
    north, centre, south = Zone.north, Zone.centre, Zone.south
    # ≤ 200 kW: 80 + (180 − 110) = 150, capped at 120, + 10 in the North.
    assert rules.premium_tariff(150, 110, north) == 130
    assert rules.premium_tariff(150, 110, centre) == 124
    assert rules.premium_tariff(150, 110, south) == 120
    # 200–600 kW: 70 + 70 = 140, cap 110; > 600 kW: 60 + 70 = 130, cap 100.
    assert rules.premium_tariff(400, 110, north) == 120
    assert rules.premium_tariff(800, 110, north) == 110
    # A high zonal price leaves only the fixed part.
    assert rules.premium_tariff(150, 200, south) == 80
    assert rules.premium_tariff(150, 150, south) == 110
    assert rules.premium_tariff(1200, 110, north) == 0  # over 1 MW: no premium


def test_tariff_of_several_plants_is_weighted_by_their_power():
    # (100 × 130 + 400 × 120) / 500 = 122 €/MWh
    assert weighted_tariff([Decimal(100), Decimal(400)], Assumptions()) == 122


def test_estimate_matches_a_hand_calculation(community):
    """Default assumptions: yield 1,100–1,300 kWh/kWp, own use 10–30 %, members' daytime
    consumption 40–60 %, k 0.5–0.8, Pz 110 €/MWh, North, valorisation 11.2 €/MWh.

    AC001E00045: 300 kWp planned (Pierina 100 + Comune 200), 200 MWh eligible.
      production 330–390 MWh; fed in 330 × 0.7 = 231, 390 × 0.9 = 351 MWh;
      daytime consumption 80–120 MWh; shared 0.5 × 80 = 40, 0.8 × 120 = 96 MWh;
      tariff 130 €/MWh: premium 5,200–12,480 €; valorisation 448–1,075.20 €;
      incentive 5,648–13,555.20 €; shared below 55 % of fed in: nothing restricted.
    AC002E00012: 30 kWp (Energia Locale), 100 MWh eligible.
      production 33–39 MWh; fed in 23.1–35.1 MWh; daytime 40–60 MWh;
      shared 0.5 × 23.1 = 11.55, 0.8 × 35.1 = 28.08 MWh; tariff 130 €/MWh:
      premium 1,501.50–3,650.40 €; valorisation 129.36–314.496 €;
      restricted: low 11.55 < 0.55 × 23.1 → 0; high (28.08 − 19.305) × 130 = 1,140.75 €.
    Totals (known substations): incentive 7,278.86–17,520.096 €.
    """
    picture = energy_picture(community)
    result = estimate(picture, Assumptions())
    ac001, ac002, unknown = result.groups
    assert (ac001.production.low, ac001.production.high) == (330_000, 390_000)
    assert (ac001.fed_in.low, ac001.fed_in.high) == (231_000, 351_000)
    assert (ac001.daytime_consumption.low, ac001.daytime_consumption.high) == (80_000, 120_000)
    assert (ac001.shared.low, ac001.shared.high) == (40_000, 96_000)
    assert ac001.tariff == 130
    assert (ac001.premium.low, ac001.premium.high) == (5200, 12480)
    assert (ac001.valorisation.low, ac001.valorisation.high) == (448, Decimal("1075.2"))
    assert (ac001.incentive.low, ac001.incentive.high) == (5648, Decimal("13555.2"))
    assert (ac001.restricted.low, ac001.restricted.high) == (0, 0)

    assert (ac002.fed_in.low, ac002.fed_in.high) == (23_100, 35_100)
    assert (ac002.shared.low, ac002.shared.high) == (11_550, 28_080)
    assert (ac002.premium.low, ac002.premium.high) == (Decimal("1501.5"), Decimal("3650.4"))
    assert ac002.valorisation.high == Decimal("314.496")
    assert (ac002.restricted.low, ac002.restricted.high) == (0, Decimal("1140.75"))
    assert unknown.production.high == 0  # no plant there; and left out of the totals

    assert result.total("incentive").low == Decimal("7278.86")
    assert result.total("incentive").high == Decimal("17520.096")
    assert result.total("restricted").high == Decimal("1140.75")

    # With a PNRR capital grant the threshold is 45 %: high 28.08 − 15.795 = 12.285 MWh.
    granted = estimate(picture, Assumptions(capital_grant=True))
    assert granted.groups[1].restricted.high == Decimal("12.285") * 130


# -- the page ------------------------------------------------------------------------------


@pytest.fixture
def energy_page(client, create_organizer, sign_in, community):
    sign_in(create_organizer("cer@example.org", events=[community]))
    url = f"/organizer/events/{community.slug}/energy"

    def get(**kwargs):
        response = client.get(url, **kwargs)
        assert response.status_code == 200
        return response.get_data(as_text=True)

    get.url = url
    return get


def test_panel_shows_companies_substations_and_the_estimate(energy_page, community):
    html = energy_page()
    page = text(html)
    assert "Regole al 1 dicembre 2026" in page
    assert 'href="/organizer/energy-rules"' in html
    companies = html.split('class="data-table energy-companies"')[1].split("</table>")[0]
    assert text(companies).count("Officine Srl") == 1
    assert "2 contatti" in text(companies)
    assert "Solo come produttore terzo" in text(companies)
    assert "Solo Ascolto" not in companies and "Ritirata" not in companies
    officine = next(r for r in registrations() if r.email == "officine2@x.it")
    assert f"/organizer/events/{community.slug}/registrations/{officine.id}" in companies
    substations = text(html.split('class="data-table energy-substations"')[1].split("</table>")[0])
    assert "AC001E00045 4 3 200 MWh 300 kWp 49,5 kWp" in substations
    assert "Cabina non indicata" in substations
    assert "più 60 MWh da verificare" in substations
    assert "133 kWp" in substations  # 800 m² of roof at 6 m² per kWp
    estimate_table = text(html.split('class="data-table energy-estimate"')[1].split("</table>")[0])
    assert "5.648–13.555 €" in estimate_table
    assert "Totale (cabine note)" in estimate_table and "7.279–17.520 €" in estimate_table
    assert '<svg role="img"' in html and "Consumo dei membri e produzione" in html
    assert "scambio sul posto attivo" in page and "amianto" in page
    assert "prima del 16 dicembre 2021" in page


def company_rows(html: str) -> list[str]:
    table = html.split('class="data-table energy-companies"')[1].split("</tbody>")[0]
    return [text(row.split("</th>")[0].split(">", 1)[1]) for row in table.split("<tr class=")[1:]]


def test_the_companies_come_a_page_at_a_time_and_by_standing(energy_page, monkeypatch):
    monkeypatch.setattr(energy_views, "COMPANIES_PER_PAGE", 3)
    every = company_rows(energy_page())
    assert len(every) == 3
    pages = [company_rows(energy_page(query_string={"page": n})) for n in (1, 2, 3)]
    names = [name for page in pages for name in page]
    assert len(names) == len(set(names)) == 7  # every interested company once
    html = energy_page(query_string={"page": 2})
    assert 'aria-current="page"' in html and "Pagina 2 di 3." in text(html)
    # A page past the end is the last one; a page that is not a number, the first.
    assert company_rows(energy_page(query_string={"page": 99})) == pages[2]
    assert company_rows(energy_page(query_string={"page": "x"})) == pages[0]
    # A card opens the companies of its standing, and its number is theirs.
    html = energy_page()
    link = re.search(r'href="([^"]*standing=excluded[^"]*)">(\d+)</a>', html)
    excluded = company_rows(energy_page(query_string={"standing": "excluded"}))
    assert int(link.group(2)) == len(excluded) == 2
    assert {n.split(" ")[0] for n in excluded} == {"Vecchio", "Grande"}


def test_many_substations_and_plants_are_listed_up_to_a_limit(energy_page, monkeypatch):
    monkeypatch.setattr(energy_views, "SUBSTATIONS_SHOWN", 1)
    monkeypatch.setattr(energy_views, "ITEMS_SHOWN", 0)
    html = energy_page()
    substations = text(html.split('class="data-table energy-substations"')[1].split("</table>")[0])
    assert "AC001E00045" in substations and "AC002E00012" not in substations
    assert "Cabina non indicata" in substations
    assert "un'altra cabina è negli export" in text(html)
    # The totals still count every known substation.
    estimate_table = text(html.split('class="data-table energy-estimate"')[1].split("</table>")[0])
    assert "7.279–17.520 €" in estimate_table
    assert "amianto" not in text(html) and "E altre 2 voci, non mostrate" in text(html)


def test_panel_reads_in_english(energy_page, client):
    client.get("/lang/en")
    page = text(energy_page())
    assert "Third-party producer only" in page
    assert "Rules as of 1 December 2026" in page
    assert "Solo come produttore terzo" not in page


def filled_in(html: str) -> dict:
    """The text fields of the assumptions form as the page fills them in, and its zone."""
    form = dict(re.findall(r'<input[^>]*name="([a-z0-9_]+)"[^>]*type="text" value="([^"]*)"',
                           html))  # fmt: skip
    form["csrf_token"] = re.search(r'name="csrf_token"[^>]*value="([^"]*)"', html)[1]
    form["zone"] = re.search(r'<option selected value="([a-z]+)"', html)[1]
    return form


def test_assumptions_are_saved_per_event_and_change_the_estimate(energy_page, client, community):
    html = energy_page()
    form = filled_in(html)
    assert form["yield_low"] == "1.100" and form["sharing_high"] == "80"
    assert form["valorisation_year"] == "2024" and form["valorisation"] == "11,2"
    form.update(yield_low="1.000", yield_high="1.000", zonal_price="200", zone="south")
    response = client.post(energy_page.url, data=form)
    assert response.status_code == 303
    db.session.expire_all()
    saved = db.session.get(Event, community.id).energy_assumptions
    assert (saved["yield_low"], saved["zonal_price"], saved["zone"]) == (1000, 200, "south")
    assert saved["sharing_high"] == 0.8
    result = estimate(energy_picture(community), Assumptions.from_saved(saved))
    assert result.groups[0].production.high == 300_000 and result.groups[0].tariff == 80


def test_bad_assumptions_are_refused_next_to_the_field(energy_page, client, community):
    html = energy_page()
    form = filled_in(html)
    form.update(yield_low="tanto", sharing_low="90", sharing_high="50", zone="marte")
    response = client.post(energy_page.url, data=form)
    assert response.status_code == 400
    page = text(response.get_data(as_text=True))
    assert "Il massimo non può essere minore del minimo." in page
    assert "Scegli una zona dall'elenco." in page
    db.session.expire_all()
    assert db.session.get(Event, community.id).energy_assumptions == {}


def test_exports_per_substation_and_per_supply_point(energy_page, client, community):
    base = f"/organizer/events/{community.slug}"
    response = client.get(f"{base}/energy-substations.csv")
    assert response.status_code == 200
    body = response.get_data().decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][0] == "Cabina primaria" and "Consumo dei membri (kWh/anno)" in rows[0]
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code["AC001E00045"][3] == "200000,0"
    assert by_code["AC001E00045"][11] == "5648,0"
    assert "Cabina non indicata" in by_code

    workbook = load_workbook(io.BytesIO(client.get(f"{base}/energy-pods.xlsx").get_data()))
    sheet = workbook.active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][:3] == ["Codice POD", "Cabina primaria", "Consumo annuo (kWh)"]
    pods = {row[0]: row for row in values[1:]}
    assert pods["IT002E00000002"][1:4] == ["AC002E00012", 100000, "Officine Srl"]
    assert pods["IT006E00000006"][1] in ("", None)
    assert pods["IT005E00000005"][4] == "Non può partecipare"
    assert client.get(f"{base}/energy-other.csv").status_code == 404


def test_panel_and_exports_are_only_for_the_events_organisers(client, create_organizer, sign_in,
                                                              community):  # fmt: skip
    base = f"/organizer/events/{community.slug}"
    assert client.get(f"{base}/energy").status_code == 302  # to sign in
    sign_in(create_organizer("altra@example.org"))
    assert client.get(f"{base}/energy").status_code == 404
    assert client.get(f"{base}/energy-pods.csv").status_code == 404


def test_an_event_without_the_questionnaire_has_no_panel(client, create_event, create_organizer,
                                                         sign_in):  # fmt: skip
    event = create_event(slug="assemblea")
    sign_in(create_organizer(events=[event]))
    assert client.get(f"/organizer/events/{event.slug}/energy").status_code == 404
    assert "Comunità energetica" not in client.get(f"/organizer/events/{event.slug}/").get_data(
        as_text=True
    )


def test_questions_are_found_by_meaning_whatever_their_code(community):
    ateco = next(q for q in community.questions if q.code == "ateco")
    ateco.code = "codice_attivita"
    db.session.commit()
    assert energy_picture(community) is not None
    interest = next(q for q in community.questions if q.code == "interest")
    interest.meaning = None
    db.session.commit()
    assert energy_picture(community) is None


def test_rules_page_lists_every_rule_with_a_source_and_date(client, create_organizer, sign_in):
    sign_in(create_organizer())
    response = client.get("/organizer/energy-rules")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    rules_text = html.split("<main", 1)[1]
    sections = re.split(r"<h2[^>]*>", rules_text)[1:]
    numbered = [s for s in sections if re.match(r"\s*(Regola|Rule)?\s*\d+", text(s))]
    assert len(numbered) >= 8
    for section in numbered:
        assert "https://" in section, text(section)[:80]
        assert re.search(r"(2025|2026)-\d\d-\d\d", section), text(section)[:80]
