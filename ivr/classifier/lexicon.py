"""Spanish word lists for the classifier: stop-words, colloquialisms, sound-alikes (number
words are ``numbers``'s, by ``text2num``).

Every table is read-only (``frozenset`` or ``MappingProxyType``) and keyed by the *folded*
form of a word (lower case, no accents, ``ñ`` kept as ``n``), the form ``text.fold`` yields.

    >>> COLLOQUIAL["hoyo"]
    'bache'
"""

from __future__ import annotations

from types import MappingProxyType

_STOPWORDS_TEXT = """
    a al algo algun alguna algunas alguno algunos ante antes aqui asi aun
    bien buen buena buenas bueno buenos buen
    cada casi como con contra cual cuales cuando cuanto
    de del desde donde el ella ellas ellos en entonces entre era eran es esa esas ese eso
    esos esta estaba estamos estan estar estas este esto estos estoy fue fueron
    ha habia han hasta hay he hola
    la las le les lo los mas me mi mis mucha muchas mucho muchos muy
    nada ni nos nosotros nuestra nuestro o otra otras otro otros
    para pero poco por porque pues que quien quienes
    se sea ser si sido siempre sobre solo son su sus
    tal tambien tan tanto te tenemos tener tengo ti tiene tienen toda todas todo todos tu tus
    u un una unas uno unos usted ustedes va van vez y ya yo
    oiga oye mire fijese ahi alla aca eh em mmm este pos pus orale
    senorita senor seniorita joven licenciado licenciada amigo amiga
    favor gracias disculpe perdon quisiera quiero queria necesito necesitamos
    quise quiso quisieron quisimos queremos quieren
    hablo llamo llamando marco marcaba marcando habla reportar reporto reporte reporta
    solicitar solicito solicitud pedir pido apoyo ayuda ayudar ayudeme porfa
    sucede ocurre problema caso cosa cosas favorcito lleva llevan llevamos llevo
    avenida alcaldia delegacion numero
    tardes ayer hoy manana dias dia semana semanas mes meses horas hora tiempo rato
    viene vienen venga vengan hizo hicieron
    enfrente lado arriba abajo atras detras adelante
    puede pueden puedo podemos podria pudo
    sigue siguen sigo seguimos continua continuan todavia
    nomas namas alguien pedimos plena pleno venir vengo
    tuve tuvo tuvimos tuvieron
    retiren retire retirar retiran
    """
STOPWORDS: frozenset[str] = frozenset(_STOPWORDS_TEXT.split())
"""Function words and call-centre fillers: they say nothing about what the caller needs.

``no`` and ``sin`` are deliberately kept: "no hay agua" is not "hay agua".
"""

WEEKDAYS: frozenset[str] = frozenset(
    {"lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "sabados", "domingo",
     "domingos"}
)  # fmt: skip
"""Days of the week: after "el", "desde", "cada"… they say when ("desde el lunes"), not what
("hoy no circula sábado" keeps it)."""

TEXTING: MappingProxyType[str, str] = MappingProxyType(
    {
        **dict.fromkeys(("q", "k", "ke", "qe"), "que"),
        **dict.fromkeys(("xq", "pq", "porq", "xk", "xque"), "porque"),
        **dict.fromkeys(("xfa", "xfavor", "plis", "pls", "porfis", "xfis"), "favor"),
        **dict.fromkeys(("tmb", "tb", "tmbn", "tbn"), "tambien"),
        **dict.fromkeys(("ay", "ai"), "hay"),
        "x": "por",
        "d": "de",
        "pa": "para",
        "pal": "para",
        "aki": "aqui",
        "aka": "aca",
        "toy": "estoy",
        "grax": "gracias",
        "onda": "eh",
    }
)
"""How citizens write in SMS and WhatsApp ("q", "xq", "x favor", "ay un bache"): each form
read as the word it stands for, before anything else (as said, "q" matched a catalogue "c",
"ay" a rare "hay"). "onda" is the greeting's ("qué onda"), a filler."""

SOUND_ALIKES: MappingProxyType[str, str] = MappingProxyType(
    {
        # forms of "barrer" that would otherwise fuzzy-match "bar"
        "barre": "barrido",
        "barren": "barrido",
        "barrer": "barrido",
        "barran": "barrido",
        "barriendo": "barrido",
        # "quebrado" is said for "roto" (of a pavement as of a branch)
        "quebrada": "rota",
        "quebrado": "roto",
        "quebradas": "rotas",
        "quebrados": "rotos",
        # "tumbar" is knocking down ("tumbó el semáforo"), not a grave ("tumba")
        **dict.fromkeys(("tumbo", "tumbaron", "tumbar", "tumban", "tumbado", "tumbada"), "caido"),
        # "ladeado" is leaning, as "inclinado"
        **dict.fromkeys(("ladeado", "ladeada", "ladeando", "ladea", "chueco"), "inclinado"),
        # a fight with a neighbour is the catalogue's "pleito" (and "mediador" no "medidor")
        **dict.fromkeys(("pelea", "peleas", "peleamos", "pelean", "peleando", "peleo"), "pleito"),
        **dict.fromkeys(("mediador", "mediadora", "mediar", "medie", "medien"), "mediacion"),
        # "dormir" changes its stem: "duerme", "duermen" meet "durmiendo"
        "duerme": "durmiendo",
        # asking to unclog ("destapar") says it is clogged ("destapada" is one without its lid)
        **dict.fromkeys(("destapar", "destapen", "destape", "destapan", "destaparla"), "tapada"),
        # water getting in: "se mete" meets the catalogue's "se metió"
        **dict.fromkeys(("mete", "meten", "metiendo", "metia"), "metio"),
        # a pipe that bursts is broken (as said, "reventó" was fuzzily "evento")
        **dict.fromkeys(("revento", "reventaron", "revienta", "reviento", "tronado"), "roto"),
        # the everyday names of the mosquito
        **dict.fromkeys(("moscos", "mosco", "zancudo", "zancudos"), "mosquitos"),
        "duermen": "durmiendo",
        "vache": "bache",
        "vaches": "baches",
        "vacheo": "bacheo",
        "culadera": "coladera",
        "colader": "coladera",
        "alcantarias": "alcantarillas",
        "lumbrado": "alumbrado",
        "alumbrao": "alumbrado",
        "cemaforo": "semaforo",
        "basur": "basura",
        "vasura": "basura",
        "bazura": "basura",
        "arvol": "arbol",
        "arvoles": "arboles",
        "enundacion": "inundacion",
        "inundasion": "inundacion",
        "desasolve": "desazolve",
        "desolve": "desazolve",
        "asolve": "azolve",
        "escombros": "escombro",
        "patruya": "patrulla",
        "patruyas": "patrullas",
        "poli": "policia",
        "polis": "policia",
        "piipa": "pipa",
        "fuja": "fuga",
        "juga": "fuga",
        "ahua": "agua",
        "awa": "agua",
        "aguita": "agua",
        "gua": "agua",
        "drenage": "drenaje",
        "dreanje": "drenaje",
        "tianguiz": "tianguis",
        "bocho": "vocho",
        "micro": "microbus",
        "combi": "microbus",
        "banqueton": "banqueta",
        # kinds of tree are the catalogue's "árbol" (and not "freno" for "fresno")
        **dict.fromkeys(
            ("fresno", "fresnos", "pirul", "pirules", "eucalipto", "eucaliptos", "jacaranda"),
            "arbol",
        ),
        **dict.fromkeys(
            ("jacarandas", "ahuehuete", "ficus", "colorin", "sauce", "cedro", "pino", "palmera"),
            "arbol",
        ),
    }
)
"""Misspellings and speech-to-text sound-alike errors, word for word.

Split words ("a lumbrado", "de sazolve") are rejoined against the catalogue's vocabulary by
``index.VocabularyResolver``; this table only holds what that cannot infer.
"""

COLLOQUIAL: MappingProxyType[str, str] = MappingProxyType(
    {
        "hoyo": "bache",
        "hoyos": "bache",
        "hoyote": "bache",
        "socavon": "bache hundimiento",
        "zanja": "bache",
        "coladera": "coladera alcantarilla",
        "coladeras": "coladera alcantarilla",
        "pipa": "pipa agua",
        "chelas": "cerveza alcohol",
        "chela": "cerveza alcohol",
        "caguama": "cerveza alcohol",
        "caguamas": "cerveza alcohol",
        "borrachos": "alcohol",
        "tachas": "droga",
        "piedra": "droga",
        "cristal": "droga",
        "narcomenudeo": "droga venta",
        "tiendita": "droga venta",
        "franelero": "franelero apartar lugar via publica",
        "franeleros": "franelero apartar lugar via publica",
        "apartalugares": "franelero apartar lugar via publica",
        "tianguis": "tianguis ambulante puesto",
        "puestos": "puesto ambulante",
        "puestero": "puesto ambulante",
        "ambulantes": "ambulante",
        "changarro": "puesto ambulante",
        "foco": "luminaria",
        "focos": "luminaria",
        "lampara": "luminaria",
        "poste": "luminaria poste",
        "oscuridad": "luminaria oscuro",
        "oscuro": "luminaria oscuro",
        "tiradero": "basura tiradero",
        "cochinero": "basura",
        "mugrero": "basura",
        "carcacha": "vehiculo abandonado",
        "cacharro": "vehiculo abandonado",
        "chatarra": "vehiculo abandonado chatarra",
        "vocho": "vehiculo",
        "carro": "vehiculo",
        "coche": "vehiculo",
        "auto": "vehiculo",
        "pesero": "transporte publico microbus",
        "microbus": "transporte publico microbus",
        "chofer": "chofer conductor",
        "ruletero": "taxi",
        "pasto": "pasto barbecho chaponeo",
        "hierba": "pasto barbecho chaponeo",
        "yerba": "pasto barbecho chaponeo",
        "maleza": "pasto barbecho chaponeo",
        "monte": "pasto barbecho chaponeo",
        "ramas": "ramas arbol",
        "cascajo": "cascajo escombro",
        "tabique": "escombro",
        "cachivaches": "tiliches",
        "chamba": "empleo trabajo",
        "jale": "empleo trabajo",
        "desempleado": "desempleo",
        "tembloroso": "sismo",
        "temblor": "sismo",
        "rateros": "robo vigilancia",
        "ratero": "robo vigilancia",
        "asaltan": "asalto vigilancia",
        "asaltos": "asalto vigilancia",
        "asaltaron": "asalto vigilancia",
        "asaltar": "asalto vigilancia",
        "asalto": "asalto vigilancia",
        "malandros": "vigilancia",
        "patrulla": "patrulla vigilancia",
        "policia": "policia vigilancia",
        "musicon": "musica ruido",
        "bafles": "musica ruido",
        "sonidero": "musica ruido",
        "fiesta": "fiesta ruido",
        "perrito": "perro",
        "perritos": "perro",
        "lomito": "perro",
        "lomitos": "perro",
        "gatito": "gato",
        "michi": "gato",
        "abogado": "asesoria juridica",
        "tramitar": "tramite",
        "tenencia": "tenencia vehicular",
        "charco": "encharcamiento",
        "inundado": "inundacion",
        "inundada": "inundacion",
        "encharcado": "encharcamiento",
        "basurero": "basura recoleccion camion",
        "peste": "olor",
        "apesta": "olor",
        "huele": "olor",
        "apestoso": "olor",
        "pestilencia": "olor",
        "cano": "drenaje olor",
        "quebraron": "rota",
        "fumar": "consumo",
        "fumando": "consumo",
        "drogarse": "consumo droga",
        "drogandose": "consumo droga",
        "rabia": "antirrabica",
        "vacuna": "vacunacion",
        "vacunar": "vacunacion",
        # a caller caring for someone: the carers' programme
        "cuido": "cuidadoras",
        "cuidamos": "cuidadoras",
        # everyday words for what the catalogue names formally
        "manosear": "acoso sexual",
        "manosearon": "acoso sexual",
        "manoseo": "acoso sexual",
        "toqueteo": "acoso sexual",
        "arrimon": "acoso sexual",
        "arrimones": "acoso sexual",
        "nalgada": "acoso sexual",
        "acosador": "acoso sexual",
        "extorsion": "soborno cobro indebido",
        "extorsionar": "soborno cobro indebido",
        "bronca": "conflicto vecinos",
        "broncas": "conflicto vecinos",
        "asamblea": "reunion vecinal",
        "anciano": "adulta mayor",
        "anciana": "adulta mayor",
        "abuelito": "adulta mayor",
        "abuelita": "adulta mayor",
        "ancianito": "adulta mayor",
        "ancianita": "adulta mayor",
        "indigente": "situacion calle",
        "indigentes": "situacion calle",
        "vagabundo": "situacion calle",
        "limosnero": "situacion calle",
        "durmiendo": "situacion calle",
        "teporocho": "situacion calle alcohol",
        "chamaco": "nino menor",
        "chamacos": "nino menor",
        "escuincle": "nino menor",
        "escuincles": "nino menor",
        "morros": "nino menor",
        "avispero": "avispas enjambre",
        "botado": "abandonado",
        "botada": "abandonado",
        "arrumbado": "abandonado",
        "varado": "abandonado",
        "desmantelado": "abandonado chatarra",
        "desmantelada": "abandonado chatarra",
        "deshuesado": "abandonado chatarra",
        "deshuesada": "abandonado chatarra",
        "zaguan": "cochera entrada",
        "porton": "cochera entrada",
        "farol": "luminaria",
        "arbotante": "luminaria",
        "chapopote": "asfalto repavimentacion",
        "encarpetar": "asfalto repavimentacion",
        "borrachera": "alcohol",
        "briago": "alcohol",
        "alipus": "alcohol",
        "cantina": "bar alcohol",
        "pulqueria": "bar alcohol",
        "cheleria": "bar alcohol",
        "expendio": "venta alcohol",
        "miches": "micheladas",
        "narco": "droga",
        "perico": "droga",
        "mariguana": "droga",
        "marihuana": "droga",
        "cocaina": "droga",
        "refri": "residuos voluminosos",
        "refrigerador": "residuos voluminosos",
        "lavadora": "residuos voluminosos",
        "ropero": "residuos voluminosos",
        "colchon": "residuos voluminosos",
        "sillon": "residuos voluminosos",
        "muebles": "residuos voluminosos",
        "cacharpas": "tiliches residuos voluminosos",
        "chorrea": "fuga",
        "chorreando": "fuga",
        "gotea": "fuga",
        "chorro": "fuga",
        "chorros": "fuga",
        "goteando": "fuga",
        "talar": "tala derribo",
        "talaron": "tala derribo",
        "deshierbar": "deshierbe",
        "desyerbar": "deshierbe",
        "reggaeton": "musica ruido",
        "quemazon": "incendio quema",
        "lumbre": "incendio quema",
        "fogata": "incendio quema",
        "cablerio": "cableado cables",
        "ambulantaje": "ambulante",
        "desempleada": "desempleo",
        "funeral": "funerario",
        "velorio": "funerario",
        "sepelio": "funerario",
        "cubrebocas": "covid",
        "pintados": "pintura",
        "pintadas": "pintura",
        "pinten": "pintura",
        "pongan": "instalacion",
        "instalen": "instalacion",
        "apagon": "corte energia electrica",
        # people named by the service they give
        "microbusero": "chofer microbus transporte publico",
        "microbuseros": "chofer microbus transporte publico",
        "chafirete": "chofer microbus transporte publico",
        "barrendero": "barrido calle",
        "grua": "corralon deposito vehiculo",
        "tronco": "tocon",
        "troncos": "tocon",
        # everyday verbs for a problem the catalogue names formally
        "chupar": "consumo alcohol",
        "chupando": "consumo alcohol",
        "chupan": "consumo alcohol",
        "pistear": "consumo alcohol",
        "pisteando": "consumo alcohol",
        "pistean": "consumo alcohol",
        "rayaron": "grafiti",
        "rayan": "grafiti",
        "rayada": "grafiti",
        "rayado": "grafiti",
        "rayones": "grafiti",
        "grafitearon": "grafiti",
        "mediacion": "mediacion conflicto",
        "volantes": "volanteo",
        # what works without a licence: the catalogue's "irregular"
        "clandestino": "irregular sin permiso",
        "clandestina": "irregular sin permiso",
        "pirata": "irregular sin permiso",
        "pavimento": "repavimentacion pavimentacion",
        "desgajando": "deslave desprendimiento",
        "desgajo": "deslave desprendimiento",
        "cayo": "caido",
        "cayeron": "caido",
        "cayendo": "caido",
        "alcantarilla": "coladera",
        "alcantarillas": "coladera",
        # what water pooled in the street is likened to
        "alberca": "encharcamiento",
        "laguna": "encharcamiento",
        "lago": "encharcamiento",
        # hammering and banging are noise
        "martilla": "ruido",
        "martillando": "ruido",
        "martillazos": "ruido",
        "golpeteo": "ruido",
        # sowing trees is the catalogue's planting
        "siembren": "plantar reforestacion",
        "sembrar": "plantar reforestacion",
        "siembran": "plantar reforestacion",
        "recolector": "camion basura recoleccion",
        "recolectores": "camion basura recoleccion",
        "secundaria": "escuela",
        "primaria": "escuela",
        "kinder": "escuela",
        "prepa": "escuela",
        "empolvado": "abandonado",
        "empolvada": "abandonado",
    }
)
"""Mexico City colloquial words and what they mean in catalogue vocabulary.

The meaning is *added* to the utterance (at a lower weight), never substituted, so a
catalogue that names the colloquial word itself still matches it first.
"""

PHRASES: tuple[tuple[str, str], ...] = (
    ("se fue", "falta"),
    ("se nos fue", "falta"),
    ("se me fue", "falta"),
    ("no hay", "falta"),
    ("no tenemos", "falta"),
    ("no tengo", "falta"),
    ("no llega", "falta"),
    ("no nos llega", "falta"),
    ("no cae", "falta"),
    ("no sale", "falta"),
    ("ya no sale", "falta"),
    ("sin", "falta"),
    ("no sirve", "descompuesto"),
    ("no funciona", "descompuesto"),
    ("no prende", "descompuesto apagado"),
    ("no enciende", "descompuesto apagado"),
    ("se fue la luz", "corte energia electrica"),
    ("una junta", "reunion vecinal"),
    ("se perdio", "desaparecida"),
    ("no aparece", "desaparecida"),
    ("no sabemos nada de", "desaparecida"),
    ("no ha llegado", "falta"),
    ("no ha caido", "falta"),
    ("todo el pueblo", "toda colonia"),
    ("toda la colonia", "toda colonia"),
    ("todo el barrio", "toda colonia"),
    ("toda la cuadra", "toda colonia"),
    ("toda la unidad", "toda colonia unidad"),
    ("vive sola", "abandono"),
    ("vive solo", "abandono"),
    ("nadie la cuida", "abandono"),
    ("nadie lo cuida", "abandono"),
    ("sigue vivo", "lesionado"),
    ("sigue viva", "lesionado"),
    ("todavia respira", "lesionado"),
    ("un senor", "persona"),
    ("una senora", "persona"),
    ("como rio", "fuga agua"),
    # asking whether building is allowed is the land-use question
    ("se puede construir", "uso suelo permitido"),
    ("se pueden construir", "uso suelo permitido"),
    ("puedo construir", "uso suelo permitido"),
    # something about to fall is at risk of falling
    ("se va a caer", "riesgo caer"),
    ("se va a venir encima", "riesgo caer"),
    ("se nos va a caer", "riesgo caer"),
    ("bolsas", "basura"),
    ("se revento", "fuga"),
    ("se reventaron", "fuga"),
    ("se revienta", "fuga"),
    # single words whose stems other words share ("tumba", "corre", "paro"), matched whole:
    # felling and demolishing said as knocking down while it goes on, being fired, a
    # parasitic plant
    ("tumbando", "derribo demolicion tala"),
    ("corrieron", "despido desempleo"),
    ("parasita", "plaga muerdago"),
    # an elderly person, said fondly: "viejo", "vieja" of a house or a car share the stem
    ("viejito", "adulta mayor"),
    ("viejita", "adulta mayor"),
    ("viejitos", "adulta mayor"),
    ("viejitas", "adulta mayor"),
    ("senora vieja", "adulta mayor"),
    # "tapó", "pista", "moto" share the stems of a lid, a drink, a drug
    ("tapa", "tapa alcantarilla"),
    ("pisto", "alcohol"),
    ("mota", "droga"),
    # "la placita" (a small square) shares the stem of a car's plates
    ("placas", "placas vehicular"),
    ("placa", "placas vehicular"),
    ("senor viejo", "adulta mayor"),
    ("parasitas", "plaga muerdago"),
    ("un rio", "fuga agua"),
)
"""Multi-word cues (folded) and the catalogue words they mean, added like colloquialisms."""

NAMES: tuple[tuple[str, str], ...] = (
    ("viene viene", "franelero"),
    ("sin vida", "muerto"),
    ("vital liquido", "agua"),
    ("agua de drenaje", "aguas negras"),
    ("aguas negras", "drenaje"),
    ("junta de vecinos", "reunion vecinal"),
    ("perdi mi trabajo", "desempleo"),
    ("perdi mi jale", "desempleo"),
    ("perdi mi chamba", "desempleo"),
    ("sin trabajo", "desempleo"),
    ("sin chamba", "desempleo"),
    ("sin jale", "desempleo"),
    ("sin moverse", "abandonado"),
    ("no se mueve", "abandonado"),
    ("no lo mueven", "abandonado"),
    ("me toco", "acoso sexual"),
    ("me tocaron", "acoso sexual"),
    ("no tiene casa", "situacion calle"),
    ("no tiene donde vivir", "situacion calle"),
    ("no tienen donde vivir", "situacion calle"),
    ("sin hogar", "situacion calle"),
    ("los de la basura", "recolectores basura"),
    ("el de la basura", "recolectores basura"),
    ("el de transito", "agente transito"),
    ("los de transito", "agente transito"),
    ("vive en la calle", "situacion calle"),
    ("viven en la calle", "situacion calle"),
    ("viviendo en la calle", "situacion calle"),
    ("duermen en la calle", "situacion calle"),
    ("senora grande", "adulta mayor"),
    ("senor grande", "adulta mayor"),
    ("persona grande", "adulta mayor"),
    ("gente grande", "adulta mayor"),
    ("no llego a la casa", "desaparecido"),
    ("no llego a casa", "desaparecido"),
    ("no regreso a la casa", "desaparecido"),
    ("no regreso a casa", "desaparecido"),
    ("duerme en la calle", "situacion calle"),
    ("no ha llegado a la casa", "desaparecido"),
    ("no ha llegado a casa", "desaparecido"),
    ("no ha vuelto a la casa", "desaparecido"),
    ("no llego a dormir", "desaparecido"),
    ("planta parasita", "plaga muerdago"),
    ("lleno de polvo", "abandonado"),
    ("llena de polvo", "abandonado"),
    ("no se seca", "agua estancada"),
    ("no se ha parado", "no paso"),
    ("no se para", "no paso"),
    ("vuelvan a conectar", "reconexion"),
    ("vuelvan a poner el agua", "reconexion"),
)
"""Multi-word colloquial *names* and unambiguous everyday phrasings made of ordinary words
("viene" alone is only a verb, "no tiene donde vivir" is someone living in the street): they
count as the catalogue words themselves, at full weight."""
