"""Normalisation: folding, stemming, sound keys, stop-words, colloquialisms."""

from __future__ import annotations

import pytest

from ivr.classifier.text import fold, normalise, phonetic, stem


def test_fold_removes_case_accents_and_punctuation() -> None:
    assert fold("¡¿Qué PASÓ con la Coladera?!") == "que paso con la coladera"
    assert fold("Calle Ñandú #12-B") == "calle nandu 12 b"
    assert fold("   ") == ""


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (("bache", "baches", "bachecito"), "bach"),
        (("coladera", "coladeras"), "colader"),
        (("luz", "luces"), "luz"),
        (("arbol", "arboles", "arbolito", "arbolitos"), "arbol"),
        (("tapada", "tapado", "tapadas"), "tapad"),
        (("fuga", "fugota"), "fug"),
        (("asalto", "asaltaron"), "asalt"),
        (("rompe", "rompieron"), "romp"),
        (("gotea", "goteando"), "gote"),
    ],
)
def test_stem_merges_plural_gender_and_diminutive(words: tuple[str, ...], expected: str) -> None:
    assert {stem(w) for w in words} == {expected}


def test_stem_leaves_short_words_and_numbers() -> None:
    assert stem("luz") == "luz"
    assert stem("2024") == "2024"


@pytest.mark.parametrize(
    ("heard", "meant"),
    [
        ("vache", "bache"),
        ("cemaforo", "semaforo"),
        ("patruya", "patrulla"),
        ("ierba", "hierba"),
        ("desasolve", "desazolve"),
        ("kamion", "camion"),
    ],
)
def test_sound_alikes_share_a_key(heard: str, meant: str) -> None:
    assert phonetic(stem(heard)) == phonetic(stem(meant))


def test_different_words_keep_different_keys() -> None:
    assert phonetic("fuga") != phonetic("falta")
    assert phonetic("bache") != phonetic("poda")


def test_normalise_drops_fillers_and_stopwords() -> None:
    result = normalise("Oiga señorita, buenas tardes, este, quiero reportar un bache")
    assert result.tokens == ("bach",)


def test_normalise_keeps_negation() -> None:
    assert "no" in normalise("no pasa el camión").tokens


def test_normalise_fixes_listed_misspellings() -> None:
    assert normalise("hay un vache").tokens == ("bach",)
    assert normalise("fuja de awa").tokens == ("fug", "agu")


def test_colloquial_words_add_their_meaning() -> None:
    result = normalise("venden chelas en el tianguis")
    assert "chel" in result.tokens
    assert {"cervez", "alcohol", "ambulant"} <= set(result.expansions)


def test_absence_cues_add_falta() -> None:
    assert "falt" in normalise("se me fue el agua").expansions
    assert "falt" in normalise("no hay agua desde el lunes").expansions
    assert "falt" not in normalise("hay agua tirada en la calle").expansions


def test_empty_or_filler_only_is_empty() -> None:
    assert normalise("").empty
    assert normalise("eh... este, oiga, bueno").empty
    assert not normalise("bache").empty


def test_numbers_said_as_words_become_digits() -> None:
    assert normalise("la ruta catorce").words == ("ruta", "14")
    assert normalise("llamé al cero tres once").words == ("llame", "0", "3", "11")
    assert normalise("una lámpara").words == ("lampara",)


def test_small_numbers_are_quantities_not_content() -> None:
    assert normalise("llevamos dos semanas sin agua").tokens == ("sin", "agu")
    assert "0311" in normalise("me colgaron en el 0311").tokens


def test_colloquial_words_match_by_stem() -> None:
    assert "ruid" in normalise("el vecino tiene un bafle").expansions


def test_colloquial_names_made_of_ordinary_words() -> None:
    """'viene viene' names a franelero; 'viene' alone is only a verb."""
    assert "franeler" in normalise("el viene viene me cobró").tokens
    assert "franeler" not in normalise("no viene el camión de la basura").tokens
    assert "vien" not in normalise("no viene el camión de la basura").tokens


def test_sweeping_is_not_a_bar() -> None:
    assert normalise("nadie barre la calle").tokens == normalise("nadie barrido calle").tokens


@pytest.mark.parametrize(
    ("text", "meaning"),
    [
        ("se juntan a chupar en la esquina", "alcohol"),
        ("rayaron la cortina del negocio", "grafiti"),
        ("se cayeron los cables", "caid"),
        ("la alcantarilla se hundió", "colader"),
        ("el perro sigue vivo", "lesionad"),
        ("un bar clandestino", "irregular"),
        ("no ha llegado el agua a todo el pueblo", "falt"),
    ],
)
def test_everyday_verbs_add_the_catalogue_word(text: str, meaning: str) -> None:
    assert meaning in normalise(text).expansions


def test_everyday_forms_of_sewage_and_sleeping_rough() -> None:
    """'aguas negras' is the drain's, and 'duerme' meets 'durmiendo' (a stem-changing verb)."""
    assert "drenaj" in normalise("aguas negras").tokens
    assert "drenaj" not in normalise("me llega agua negra por la llave").tokens
    assert normalise("duerme en la banqueta").tokens == normalise("durmiendo banqueta").tokens


def test_quebrado_is_said_for_roto() -> None:
    """A pavement is 'quebrada' as a branch is: the word means 'rota', on both sides."""
    assert normalise("banqueta quebrada").tokens == normalise("banqueta rota").tokens


def test_someone_who_has_not_come_home_is_missing() -> None:
    assert "desaparecid" in normalise("mi hijo no ha llegado a la casa").tokens
    assert "desaparecid" not in normalise("no ha llegado la pipa").tokens


@pytest.mark.parametrize(
    ("said", "meant"),
    [
        ("vienen a mediar con los vecinos", "mediacion vecinos"),
        ("necesitamos un mediador", "mediacion"),
        ("nos peleamos con el vecino", "pleito vecino"),
        ("un camion tumbo el semaforo", "camion caido semaforo"),
        ("el anuncio se esta ladeando", "anuncio inclinado"),
    ],
)
def test_everyday_words_said_for_catalogue_words(said: str, meant: str) -> None:
    """Said for the catalogue's word, not near another one ("mediador" is no "medidor",
    "tumbó" no "tumba")."""
    assert normalise(said).tokens == normalise(meant).tokens


@pytest.mark.parametrize(
    ("text", "meaning"),
    [
        ("una señora grande vive sola", "adult"),
        ("hay un viejito desorientado", "adult"),
        ("un señor viviendo en la calle", "situacion"),
        ("mi hijo no llegó a la casa", "desaparecid"),
    ],
)
def test_everyday_names_of_people_count_as_the_catalogue_words(text: str, meaning: str) -> None:
    assert meaning in normalise(text).tokens + normalise(text).expansions


def test_modal_and_lasting_verbs_and_sides_name_no_problem() -> None:
    """ "no se puede", "sigue", "todavía", "enfrente", "al lado" say nothing of which problem
    it is."""
    assert normalise("enfrente de mi casa hay un hoyo").tokens == normalise("casa hoyo").tokens
    assert normalise("los vecinos de al lado").tokens == normalise("los vecinos").tokens
    assert normalise("no se puede pasar").tokens == normalise("no pasar").tokens
    assert normalise("la zanja sigue abierta").tokens == normalise("la zanja abierta").tokens


def test_hace_before_a_time_is_ago_not_making() -> None:
    """ "hace una semana" says when; "hace ruido", "se hace un charco" still say what."""
    assert normalise("hace una semana que no tenemos agua").tokens == ("no", "agu")
    assert normalise("hace 3 días que no pasa").tokens == ("no", "pas")
    assert "hac" in normalise("el taller hace mucho ruido").tokens
    assert "hac" in normalise("se hace un charco").tokens


def test_a_weekday_after_el_or_desde_is_when_not_what() -> None:
    """ "desde el lunes" says when; "hoy no circula sábado" still names the programme."""
    assert normalise("no pasa desde el lunes").tokens == normalise("no pasa").tokens
    assert normalise("cada domingo hay ruido").tokens == normalise("hay ruido").tokens
    assert "sabad" in normalise("hoy no circula sábado").tokens


@pytest.mark.parametrize(
    ("text", "meaning"),
    [
        ("la calle queda como alberca", "encharcamient"),
        ("se reventó el tubo", "fug"),
        ("están tumbando una casa", "demolicion"),
        ("el taller martilla todo el día", "ruid"),
        ("que siembren árboles", "reforestacion"),
        ("una planta parásita en el árbol", "muerdag"),
        ("el recolector no vino", "camion"),
        ("asaltan en la secundaria", "escuel"),
        ("hay muchos moscos", "mosqu"),
        ("un coche lleno de polvo", "abandonad"),
        ("un charco que no se seca", "estancad"),
        ("que me vuelvan a conectar el agua", "reconexion"),
        ("el agua corre como río", "fug"),
    ],
)
def test_everyday_words_for_what_the_catalogue_names_formally(text: str, meaning: str) -> None:
    """Likenings ("como alberca"), verbs ("se reventó", "tumbando", "martilla", "siembren"),
    names ("recolector", "secundaria", "moscos") and phrasings ("lleno de polvo", "no se
    seca", "vuelvan a conectar") add the catalogue's word."""
    assert meaning in normalise(text).tokens + normalise(text).expansions


def test_a_temblor_is_an_earthquake_not_the_alarm() -> None:
    assert "alert" not in normalise("un curso de qué hacer en los temblores").expansions


def test_texting_forms_are_read_as_the_words_they_stand_for() -> None:
    """SMS and WhatsApp spellings: "q", "xq", "xfa", "d", "ay" are fillers and cues as written
    out ("no ay agua" is still an absence)."""
    texted = normalise("ay un bache d mi casa xfa q lo tapen, xq tmb se llena")
    written = normalise("hay un bache de mi casa por favor que lo tapen, porque también se llena")
    assert texted.tokens == written.tokens
    assert "falt" in normalise("no ay agua").expansions


def test_words_sharing_a_stem_with_a_cue_word_do_not_take_its_meaning() -> None:
    """ "tumbando" is felling or demolishing, "parásita" a plague; "tumbas" and "paró",
    which share their stems, are neither."""
    assert "demolicion" in normalise("están tumbando la casa").expansions
    assert "demolicion" not in normalise("las tumbas del panteón").expansions
    assert "muerdag" in normalise("tiene una planta parásita").tokens
    assert "muerdag" not in normalise("el cablebús se paró").expansions
    assert "drog" in normalise("venden mota").expansions
    assert "drog" not in normalise("una moto abandonada").expansions
    assert "alcohol" not in normalise("la pista de patinaje").expansions
    assert "tap" not in normalise("el camión tapó la cochera").expansions
    assert "vehicular" in normalise("quiero dar de baja las placas").expansions
    assert "vehicular" not in normalise("en la placita hay basura").expansions


def test_a_burst_pipe_is_broken_and_running_water_is_no_dismissal() -> None:
    """ "se reventó" is a broken pipe (it was fuzzily "evento"); "corre" shares its stem with
    "me corrieron" but says that water runs."""
    assert normalise("se reventó el tubo").tokens == normalise("roto el tubo").tokens
    assert "despid" not in normalise("el agua corre por la calle").expansions
    assert "despid" in normalise("me corrieron del trabajo").expansions


@pytest.mark.parametrize(
    ("text", "meaning"),
    [
        ("se puede construir un edificio en mi predio", "permitid"),
        ("el anuncio se va a caer", "riesg"),
        ("se va a venir encima de los coches", "riesg"),
        ("tira sus bolsas en la jardinera", "basur"),
    ],
)
def test_what_the_caller_asks_or_fears_adds_the_catalogue_word(text: str, meaning: str) -> None:
    """Asking whether building is allowed is the land-use question; something about to fall
    is at risk of falling; bags left about are rubbish."""
    assert meaning in normalise(text).expansions


def test_having_to_and_coming_name_no_problem() -> None:
    """ "tuve que" says what the caller had to do ("tuve" was heard as "tubo"); "venir" asks
    someone to come, as "vengan" does ("nunca vinieron" still says that nobody came)."""
    assert normalise("tuve que pagar la pipa").tokens == normalise("pagar la pipa").tokens
    assert normalise("pueden venir a revisar").tokens == normalise("revisar").tokens
    assert "vinieron" in normalise("nunca vinieron").tokens


def test_water_getting_in_meets_the_catalogue_tense() -> None:
    """ "se mete el agua" is the catalogue's "se metió el agua" (the stems differ)."""
    assert (
        normalise("se mete el agua a la casa").tokens
        == normalise("se metió el agua a la casa").tokens
    )


def test_what_the_caller_asks_done_says_the_state_or_nothing() -> None:
    """ "que destapen la coladera" says it is clogged (not "destapada", without its lid);
    "que retiren…" asks for an action every removal tema shares."""
    assert normalise("que destapen la coladera").tokens == normalise("tapada la coladera").tokens
    assert normalise("que retiren el carro").tokens == normalise("el carro").tokens


def test_an_old_thing_is_no_elderly_person() -> None:
    """ "viejito" is an elderly person; "una casa vieja", which shares its stem, is not."""
    assert "adult" in normalise("hay un viejito perdido").expansions
    assert "adult" in normalise("una señora vieja vive sola").expansions
    assert "adult" not in normalise("están tumbando una casa vieja").expansions
