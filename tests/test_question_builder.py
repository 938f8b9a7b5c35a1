"""The question builder: organisers add, change, order and remove an event's own questions."""

import re

import pytest
import sqlalchemy as sa

from eventsreg.events.models import EventStatus, Question, QuestionKind
from eventsreg.extensions import db
from eventsreg.questions import builder as service
from eventsreg.questions.library import ENERGY_COMMUNITY, add_questionnaire
from eventsreg.questions.models import Answer

from .conftest import choices
from .helpers import error_for


def question_data(**overrides) -> dict:
    """A valid builder submission for a short-text question; None removes a field."""
    data = {
        "label": "Nome del referente tecnico",
        "kind": "text",
        "help_text": "",
        "code": "",
        "choices": "",
        "unit": "",
        "min_value": "",
        "max_value": "",
        "max_length": "",
        "condition_parent": "",
        "condition_values": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def event(create_event, create_organizer, sign_in):
    """A published event, managed by the signed-in organiser."""
    event = create_event(slug="incontro-cer")
    sign_in(create_organizer(events=[event]))
    return event


@pytest.fixture
def add(client, event):
    """Add a question through the builder; returns the stored question."""

    def post(**overrides) -> Question:
        response = client.post(
            f"/organizer/events/{event.slug}/questions/new", data=question_data(**overrides)
        )
        assert response.status_code == 303, error_summary(response)
        return stored()[-1]

    return post


def stored() -> list[Question]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Question).order_by(Question.id)))


def answers() -> list[Answer]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Answer).order_by(Answer.id)))


def error_summary(response) -> str:
    html = response.get_data(as_text=True)
    match = re.search(r'class="error-summary".*?</ul>', html, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(0))) if match else html[:300]


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def public_form(client, event) -> str:
    response = client.get(f"/events/{event.slug}/register")
    assert response.status_code == 200
    return response.get_data(as_text=True)


# (kind, builder fields, a valid answer, what is stored, an invalid answer, its error)
KINDS = [
    ("text", {"max_length": "10"}, "Breve", "Breve", "x" * 11, "al massimo 10 caratteri"),
    ("textarea", {"max_length": "20"}, "Due\nrighe", "Due\nrighe", "x" * 21, "al massimo 20"),
    (
        "number",
        {"unit": "kWh", "min_value": "0", "max_value": "1.000", "integer": "y"},
        "800 kWh",
        800,
        "1.500",
        "Il valore massimo è 1.000 kWh",
    ),
    ("year", {}, "2019", 2019, "2.019", "quattro cifre"),
    (
        "choice",
        {"choices": "Area Ex Olivetti\npip|PIP Pierina"},
        "pip",
        "pip",
        "altro",
        "Scegliere una delle opzioni",
    ),
    (
        "multichoice",
        {"choices": "Area Ex Olivetti\npip|PIP Pierina"},
        ["area_ex_olivetti", "pip"],
        ["area_ex_olivetti", "pip"],
        ["altro"],
        "Scegliere tra le opzioni",
    ),
    ("yesno", {}, "yes", True, "forse", "Scegliere «Sì» o «No»"),
    ("checkbox", {}, "y", True, None, "Spunta questa casella"),
    ("date", {}, "13/12/2022", "2022-12-13", "31/02/2022", "gg/mm/aaaa"),
    ("email", {}, "Tecnico@Azienda.it", "Tecnico@azienda.it", "non-una-email", "email valido"),
    ("phone", {}, "0373 123456", "0373 123456", "telefono", "numero di telefono"),
    ("url", {}, "www.azienda.it", "https://www.azienda.it", "azienda", "indirizzo web valido"),
    ("vat", {}, "IT00743110157", "00743110157", "00743110158", "partita IVA"),
    # Codes in an unusual shape are kept as typed (with a warning): only an empty required
    # answer is refused.
    ("ateco", {}, "256200", "25.62.00", None, "Rispondere a questa domanda"),
    ("pod", {}, "it001e12345678", ["IT001E12345678"], None, "Rispondere a questa domanda"),
    ("substation", {}, "ac001e00045", "AC001E00045", None, "Rispondere a questa domanda"),
]


@pytest.mark.parametrize(
    "kind, fields, valid, expected, invalid, message", KINDS, ids=[k[0] for k in KINDS]
)
def test_each_kind_added_in_the_builder_is_asked_and_validated_on_the_public_form(
    client, event, add, register, kind, fields, valid, expected, invalid, message
):
    question = add(label=f"Domanda di tipo {kind}", kind=kind, is_required="y", **fields)
    assert question.kind is QuestionKind(kind)
    html = public_form(client, event)
    assert f"Domanda di tipo {kind}" in html
    assert f'name="{question.field_name}"' in html

    overrides = {} if invalid is None else {question.field_name: invalid}
    refused = register(event, **overrides)
    assert refused.status_code == 400
    assert message.lower() in error_for(refused.get_data(as_text=True), question.field_name).lower()
    assert answers() == []

    assert register(event, **{question.field_name: valid}).status_code == 303
    [answer] = answers()
    assert answer.value == expected


def test_choice_values_come_from_the_labels_unless_typed_before_a_bar(event, add):
    question = add(label="Ruolo", kind="choice", choices="Consumatore\nprosumer|Entrambi\n\n")
    assert question.choices == [
        {"value": "consumatore", "label": "Consumatore"},
        {"value": "prosumer", "label": "Entrambi"},
    ]
    assert question.code == "ruolo"
    assert add(label="Ruolo", kind="text").code == "ruolo_2"


def test_a_condition_set_in_the_builder_is_enforced_on_the_public_form(
    client, event, add, register
):
    role = add(
        label="Ruolo",
        kind="choice",
        choices="consumer|Consumatore\nproducer|Produttore\nprosumer|Entrambi",
    )
    kwh = add(
        label="Consumo annuo",
        kind="number",
        is_required="y",
        condition_parent=str(role.id),
        condition_values="Consumatore\nprosumer",
    )
    assert kwh.condition_question_id == role.id
    assert kwh.condition_values == ["consumer", "prosumer"]
    listing = text(client.get(f"/organizer/events/{event.slug}/questions"))
    assert "solo se «Ruolo» è «Consumatore» o «Entrambi»" in listing

    # Not a consumer: the required answer is not asked for, and one given is discarded.
    response = register(event, **{role.field_name: "producer", kwh.field_name: "5000"})
    assert response.status_code == 303
    assert [a.question_id for a in answers()] == [role.id]

    refused = register(event, email="b@example.com", **{role.field_name: "consumer"})
    assert "Rispondere a questa domanda" in error_for(
        refused.get_data(as_text=True), kwh.field_name
    )
    response = register(
        event, email="b@example.com", **{role.field_name: "consumer", kwh.field_name: "5000"}
    )
    assert response.status_code == 303
    assert {a.question_id: a.value for a in answers()[1:]} == {role.id: "consumer", kwh.id: 5000}


def test_a_yes_no_condition_accepts_si_and_shows_on_the_public_form(client, event, add, register):
    has_pv = add(label="Hai un impianto fotovoltaico?", kind="yesno")
    power = add(
        label="Potenza in kWp",
        kind="number",
        condition_parent=str(has_pv.id),
        condition_values="sì",
    )
    assert power.condition_values == ["yes"]
    assert "Solo se alla domanda «Hai un impianto fotovoltaico?»" in text(
        client.get(f"/events/{event.slug}/register")
    )
    register(event, **{has_pv.field_name: "no", power.field_name: "20"})
    assert [a.question_id for a in answers()] == [has_pv.id]


def test_moving_a_question_changes_the_order_on_the_public_form(client, event, add):
    first = add(label="Prima domanda")
    second = add(label="Seconda domanda")
    html = public_form(client, event)
    assert html.index("Prima domanda") < html.index("Seconda domanda")

    response = client.post(
        f"/organizer/events/{event.slug}/questions/{second.id}/move", data={"direction": "up"}
    )
    assert response.status_code == 303
    html = public_form(client, event)
    assert html.index("Seconda domanda") < html.index("Prima domanda")
    listing = client.get(f"/organizer/events/{event.slug}/questions").get_data(as_text=True)
    assert listing.index("Seconda domanda") < listing.index("Prima domanda")

    client.post(
        f"/organizer/events/{event.slug}/questions/{second.id}/move", data={"direction": "down"}
    )
    assert [q.id for q in service.ordered(event)] == [first.id, second.id]


def test_a_question_cannot_move_before_the_question_it_depends_on(client, event, add):
    role = add(label="Ruolo", kind="choice", choices="Consumatore\nProduttore")
    kwh = add(
        label="Consumo",
        kind="number",
        condition_parent=str(role.id),
        condition_values="consumatore",
    )
    response = client.post(
        f"/organizer/events/{event.slug}/questions/{kwh.id}/move",
        data={"direction": "up"},
        follow_redirects=True,
    )
    assert "«Consumo» dipende da «Ruolo» e deve restare dopo di essa" in text(response)
    assert [q.id for q in service.ordered(event)] == [role.id, kwh.id]


def test_removing_a_question_with_answers_archives_it_and_keeps_the_answers(
    client, event, add, register
):
    area = add(label="Area della sede", kind="choice", choices="Ex Olivetti\nPIP Pierina")
    register(event, **{area.field_name: "ex_olivetti"})
    response = client.post(
        f"/organizer/events/{event.slug}/questions/{area.id}/remove",
        data={"confirm": "yes"},
        follow_redirects=True,
    )
    assert "archiviata" in text(response)
    assert "la sua risposta resta nelle esportazioni" in text(response)
    [question] = stored()
    assert question.is_archived
    assert [a.value for a in answers()] == ["ex_olivetti"]
    assert "Area della sede" not in public_form(client, event)
    listing = text(client.get(f"/organizer/events/{event.slug}/questions"))
    assert "Domande archiviate" in listing and "Ripristina" in listing
    edit = client.get(f"/organizer/events/{event.slug}/questions/{area.id}/edit")
    assert edit.status_code == 303  # archived questions are restored before being changed

    client.post(f"/organizer/events/{event.slug}/questions/{area.id}/restore")
    assert not stored()[0].is_archived
    assert "Area della sede" in public_form(client, event)


def test_removing_a_question_without_answers_deletes_it(client, event, add):
    question = add(label="Domanda sbagliata")
    response = client.post(
        f"/organizer/events/{event.slug}/questions/{question.id}/remove",
        data={"confirm": "yes"},
        follow_redirects=True,
    )
    assert "Domanda «Domanda sbagliata» eliminata" in text(response)
    assert stored() == []


def test_removing_needs_the_confirmation_box(client, event, add):
    question = add(label="Domanda da tenere")
    response = client.post(
        f"/organizer/events/{event.slug}/questions/{question.id}/remove", follow_redirects=True
    )
    assert "conferma spuntando la casella" in text(response)
    assert [q.label for q in stored()] == ["Domanda da tenere"]
    assert not stored()[0].is_archived


def test_removing_a_question_drops_the_conditions_that_depend_on_it_and_says_so(client, event, add):
    has_pv = add(label="Hai un impianto?", kind="yesno")
    power = add(
        label="Potenza", kind="number", condition_parent=str(has_pv.id), condition_values="yes"
    )
    edit_page = text(client.get(f"/organizer/events/{event.slug}/questions/{has_pv.id}/edit"))
    assert "saranno mostrate a tutti: «Potenza»" in edit_page
    response = client.post(
        f"/organizer/events/{event.slug}/questions/{has_pv.id}/remove",
        data={"confirm": "yes"},
        follow_redirects=True,
    )
    assert "«Potenza» dipendeva da questa domanda e ora è mostrata a tutti" in text(response)
    [left] = stored()
    assert left.id == power.id
    assert left.condition_question_id is None and left.condition_values == []


def test_editing_a_question_changes_it_on_the_public_form(client, event, add):
    question = add(label="Superficie del tetto", kind="number", unit="m²")
    page = client.get(f"/organizer/events/{event.slug}/questions/{question.id}/edit")
    assert 'value="Superficie del tetto"' in page.get_data(as_text=True)
    response = client.post(
        f"/organizer/events/{event.slug}/questions/{question.id}/edit",
        data=question_data(
            label="Superficie di tetto libera", kind="number", unit="m²", max_value="50.000,5"
        ),
    )
    assert response.status_code == 303
    [question] = stored()
    assert question.settings == {"unit": "m²", "max": 50000.5}
    assert "Superficie di tetto libera" in public_form(client, event)


INVALID = [
    ({"kind": "choice", "choices": ""}, "choices", "almeno due opzioni"),
    ({"kind": "multichoice", "choices": "Solo una"}, "choices", "almeno due opzioni"),
    ({"kind": "choice", "choices": "Sì\nsi|Sì, certo"}, "choices", "stesso valore"),
    ({"kind": "number", "min_value": "10", "max_value": "5"}, "max_value", "maggiore o uguale"),
    ({"kind": "number", "min_value": "dieci"}, "min_value", "Scrivi un numero"),
    # A limit that would not be kept as typed.
    ({"kind": "number", "max_value": "1234567890123456"}, "max_value", "troppe cifre"),
    ({"label": ""}, "label", "Scrivi il testo della domanda"),
    ({"code": "Codice con spazi"}, "code", "lettere minuscole"),
    ({"max_length": "0"}, "max_length", "numero intero da 1"),
]


@pytest.mark.parametrize("fields, field_id, message", INVALID)
def test_invalid_builder_input_is_refused_next_to_the_field_and_stores_nothing(
    client, event, fields, field_id, message
):
    response = client.post(
        f"/organizer/events/{event.slug}/questions/new", data=question_data(**fields)
    )
    assert response.status_code == 400
    assert message in error_for(response.get_data(as_text=True), field_id)
    assert stored() == []


def test_a_condition_on_a_later_question_is_refused(client, event, add):
    first = add(label="Prima", kind="choice", choices="A\nB")
    later = add(label="Dopo", kind="choice", choices="C\nD")
    response = client.post(
        f"/organizer/events/{event.slug}/questions/{first.id}/edit",
        data=question_data(
            label="Prima",
            kind="choice",
            choices="a|A\nb|B",
            condition_parent=str(later.id),
            condition_values="c",
        ),
    )
    assert response.status_code == 400
    error = error_for(response.get_data(as_text=True), "condition_parent")
    assert "deve venire prima di questa" in error
    assert stored()[0].condition_question_id is None


def test_condition_values_must_be_among_the_parent_choices(client, event, add):
    role = add(label="Ruolo", kind="choice", choices="Consumatore\nProduttore")
    response = client.post(
        f"/organizer/events/{event.slug}/questions/new",
        data=question_data(
            label="Consumo", condition_parent=str(role.id), condition_values="Venditore"
        ),
    )
    assert response.status_code == 400
    error = error_for(response.get_data(as_text=True), "condition_values")
    assert "«Venditore» non è tra le risposte di «Ruolo»" in error
    assert "consumatore (Consumatore)" in error
    assert len(stored()) == 1


def test_a_question_with_answers_keeps_its_kind_and_its_chosen_options(
    client, event, add, register
):
    area = add(label="Area", kind="choice", choices="Ex Olivetti\nPIP Pierina\nAltra zona")
    register(event, **{area.field_name: "pip_pierina"})
    url = f"/organizer/events/{event.slug}/questions/{area.id}/edit"
    assert "il tipo non si può più cambiare" in text(client.get(url))

    response = client.post(url, data=question_data(label="Area", kind="text"))
    assert response.status_code == 400
    assert "il tipo non si può cambiare" in error_for(response.get_data(as_text=True), "kind")

    response = client.post(
        url, data=question_data(label="Area", kind="choice", choices="Ex Olivetti\nAltra zona")
    )
    assert response.status_code == 400
    assert "Qualcuno ha già scelto «PIP Pierina»" in error_for(
        response.get_data(as_text=True), "choices"
    )
    [question] = stored()
    assert question.kind is QuestionKind.choice and len(question.choices) == 3

    # An option nobody chose may go, and labels may change.
    response = client.post(
        url,
        data=question_data(
            label="Area", kind="choice", choices="ex_olivetti|Ex Olivetti\npip_pierina|Pierina"
        ),
    )
    assert response.status_code == 303
    assert stored()[0].choice_label("pip_pierina") == "Pierina"


def test_a_question_others_depend_on_keeps_the_options_they_name(client, event, add):
    role = add(label="Ruolo", kind="choice", choices="Consumatore\nProduttore")
    add(
        label="Consumo",
        kind="number",
        condition_parent=str(role.id),
        condition_values="consumatore",
    )
    url = f"/organizer/events/{event.slug}/questions/{role.id}/edit"
    response = client.post(
        url, data=question_data(label="Ruolo", kind="choice", choices="Produttore\nAltro")
    )
    assert response.status_code == 400
    assert "«Consumo» dipende da opzioni" in error_for(response.get_data(as_text=True), "choices")
    response = client.post(url, data=question_data(label="Ruolo", kind="text"))
    assert "«Consumo» dipende dalle risposte" in error_for(response.get_data(as_text=True), "kind")


def test_the_form_is_previewed_in_both_languages_also_for_a_draft(
    client, create_event, create_organizer, sign_in
):
    draft = create_event(slug="bozza", status=EventStatus.draft, title="Assemblea")
    draft.set_translation("title", "en", "Assembly")
    add_questionnaire(draft, ENERGY_COMMUNITY)
    db.session.commit()
    sign_in(create_organizer(events=[draft]))
    html = text(client.get("/organizer/events/bozza/questions"))
    assert "/organizer/events/bozza/questions/preview?lang=it" in html
    assert "/organizer/events/bozza/questions/preview?lang=en" in html
    italian = text(client.get("/organizer/events/bozza/questions/preview?lang=it"))
    assert '<html lang="it">' in italian and "Iscrizione: Assemblea" in italian
    assert "Interesse ad aderire alla Comunità Energetica" in italian
    english = text(client.get("/organizer/events/bozza/questions/preview?lang=en"))
    assert '<html lang="en">' in english and "Registration: Assembly" in english
    assert "Interest in joining the Energy Community" in english
    assert "Da valutare" not in english and "To be assessed" in english
    # The public cannot see the draft's form, and the preview posts nowhere.
    assert client.get("/events/bozza/register").status_code == 404
    assert 'method="post"' not in english.split("<main", 1)[1]


def _builder_urls(slug: str, question_id: int) -> list[tuple[str, str]]:
    base = f"/organizer/events/{slug}/questions"
    return [
        ("GET", base),
        ("GET", f"{base}/new"),
        ("POST", f"{base}/new"),
        ("GET", f"{base}/{question_id}/edit"),
        ("POST", f"{base}/{question_id}/edit"),
        ("POST", f"{base}/{question_id}/move"),
        ("POST", f"{base}/{question_id}/remove"),
        ("POST", f"{base}/{question_id}/restore"),
    ]


def test_signed_out_visitors_are_sent_to_sign_in_from_every_builder_url(
    client, create_event, add_question
):
    event = create_event()
    question = add_question(event, "area")
    for method, url in _builder_urls(event.slug, question.id):
        response = client.open(url, method=method, data=question_data(confirm="yes"))
        assert response.status_code == 302, url
        assert "/organizer/login" in response.headers["Location"], url
    assert [q.label for q in stored()] == ["Area"]


def test_another_organisers_event_answers_404_from_every_builder_url(
    client, create_event, create_organizer, sign_in, add_question
):
    mine, theirs = create_event(slug="mio"), create_event(slug="altrui")
    their_question = add_question(theirs, "area")
    sign_in(create_organizer(events=[mine]))
    for method, url in _builder_urls("altrui", their_question.id):
        response = client.open(url, method=method, data=question_data(confirm="yes"))
        assert response.status_code == 404, url
    # Their question under my event's address is not found either.
    for method, url in _builder_urls("mio", their_question.id)[3:]:
        response = client.open(url, method=method, data=question_data(confirm="yes"))
        assert response.status_code == 404, url
    [question] = stored()
    assert question.label == "Area" and not question.is_archived


# -- the service, without HTTP -----------------------------------------------------------


def test_moving_past_either_end_does_nothing(create_event, add_question):
    event = create_event()
    first, second = add_question(event, "a"), add_question(event, "b")
    assert service.move_question(first, "up") is False
    assert service.move_question(second, "down") is False
    assert service.move_question(first, "sideways") is False
    assert [q.id for q in service.ordered(event)] == [first.id, second.id]


def test_a_restored_question_goes_last_and_loses_a_condition_on_an_archived_question(
    create_event, add_question, register
):
    event = create_event()
    has_pv = add_question(event, "has_pv", QuestionKind.yesno)
    power = add_question(
        event,
        "power",
        QuestionKind.number,
        condition_question_id=has_pv.id,
        condition_values=["yes"],
    )
    notes = add_question(event, "notes")
    register(event, **{has_pv.field_name: "yes", power.field_name: "10"})
    service.remove_question(power)
    service.remove_question(has_pv)
    assert [q.code for q in service.ordered(event)] == ["notes"]
    service.restore_question(power)
    assert [q.code for q in service.ordered(event)] == ["notes", "power"]
    assert power.condition_question_id is None
    assert notes.position < power.position


def test_the_service_refuses_with_a_field_and_an_italian_message(create_event):
    event = create_event()
    with pytest.raises(service.QuestionError) as refused:
        service.add_question(event, label="Ruolo", kind=QuestionKind.choice, choices=choices("a"))
    assert refused.value.field == "choices"
    assert "almeno due opzioni" in refused.value.message
    assert event.questions == []


# -- the builder shows what the kind needs, in both languages ------------------------------


def _shown(html: str, field: str) -> bool:
    """Whether the builder shows *field*'s block (not hidden for this kind)."""
    match = re.search(
        rf'<div data-kinds="[^"]*"( hidden)?>(?:(?!data-kinds).)*?id="{field}"', html, re.S
    )
    assert match, field
    return match.group(1) is None


def test_the_builder_shows_only_the_settings_of_the_chosen_kind(client, event):
    url = f"/organizer/events/{event.slug}/questions/new"
    html = client.get(url).get_data(as_text=True)  # a short text, to begin with
    assert _shown(html, "max_length") and not _shown(html, "unit")
    # Without JavaScript, the organiser picks a kind and asks for its settings: nothing is
    # saved, the form comes back with the number's settings.
    response = client.post(url, data=question_data(kind="number", refresh="kind"))
    assert response.status_code == 200 and stored() == []
    html = response.get_data(as_text=True)
    assert _shown(html, "unit") and _shown(html, "min_value") and _shown(html, "integer")
    assert not _shown(html, "max_length") and not _shown(html, "choices")
    year = client.post(url, data=question_data(kind="year", refresh="kind")).get_data(as_text=True)
    assert _shown(year, "min_value") and not _shown(year, "unit") and not _shown(year, "integer")
    # Every block carries the kinds it belongs to, for the script that hides the others.
    assert 'data-kinds="choice multichoice"' in html


def test_a_condition_is_set_by_ticking_the_other_questions_answers(client, event, add):
    role = add(label="Ruolo", kind="choice", choices="consumer|Consumatore\nproducer|Produttore")
    url = f"/organizer/events/{event.slug}/questions/new"
    page = client.post(
        url, data=question_data(label="Consumo", condition_parent=str(role.id), refresh="1")
    ).get_data(as_text=True)
    assert 'type="checkbox" name="condition_values" value="consumer"' in page
    assert "Consumatore" in page and "Produttore" in page
    response = client.post(
        url,
        data={
            **question_data(label="Consumo", kind="number", condition_parent=str(role.id)),
            "condition_values": ["consumer"],
        },
    )
    assert response.status_code == 303, error_summary(response)
    assert stored()[-1].condition_values == ["consumer"]
    edit = client.get(f"/organizer/events/{event.slug}/questions/{stored()[-1].id}/edit").get_data(
        as_text=True
    )
    assert re.search(r'value="consumer" id="[^"]+" checked', edit)


def test_a_question_is_written_in_english_too_and_given_a_meaning(client, event, add):
    question = add(
        label="Consumo annuo",
        label_en="Annual consumption",
        help_text="In kWh.",
        help_text_en="In kWh a year.",
        kind="choice",
        choices="low|Basso|Low\nhigh|Alto",
        meaning="annual_consumption_kwh",
    )
    assert question.translation("label", "en") == "Annual consumption"
    assert question.translation("help_text", "en") == "In kWh a year."
    assert question.choices == [
        {"value": "low", "label": "Basso", "label_en": "Low"},
        {"value": "high", "label": "Alto"},
    ]
    assert question.meaning.value == "annual_consumption_kwh"
    client.get("/lang/en")
    html = public_form(client, event)
    assert "Annual consumption" in html and "In kWh a year." in html
    # An option without English reads in Italian rather than not at all.
    assert ">Low<" in html and ">Alto<" in html


def test_the_energy_community_questionnaire_is_inserted_with_one_click(client, event, add):
    add(label="Ruolo", kind="text", code="interest")
    response = client.post(
        f"/organizer/events/{event.slug}/questions/questionnaire",
        data={"questionnaire": "energy_community"},
    )
    assert response.status_code == 303
    questions = {q.code: q for q in stored()}
    # A code already used gets a number; conditions point at the questionnaire's own.
    assert questions["interest"].kind is QuestionKind.text
    assert questions["interest_2"].meaning.value == "interest"
    assert questions["member_kind"].condition_question is questions["interest_2"]
    assert questions["pv_existing_year"].kind is QuestionKind.year
    assert (
        client.post(
            f"/organizer/events/{event.slug}/questions/questionnaire",
            data={"questionnaire": "nope"},
        ).status_code
        == 404
    )
