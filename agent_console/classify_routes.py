"""HTTP face of the classifier: classify an utterance, and search the catalogue as one types.

POST /api/classify            {"texto": "hay un vache en la GAM"}
GET  /api/catalogue/search?q=alumbr
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from agent_console.deps import ClassifierDep
from ivr.classifier import Candidate, Classification
from models.error_answers import error_responses

router = APIRouter(
    prefix="/api", tags=["clasificador"], responses=error_responses(400, 401, 403, 422)
)
MAX_QUERY_LENGTH = 200


class ClassifyIn(BaseModel):
    """What to classify; ``texto`` is checked by the classifier (type, emptiness, length)."""

    texto: Any = None


class CandidateOut(BaseModel):
    """A catalogue entry proposed for the text."""

    code: str
    name: str
    tema: str
    confidence: float


class PlaceOut(BaseModel):
    """How the place was found."""

    source: str | None
    named_alcaldia: str | None
    colonia_alcaldias: list[str]
    contradiction: bool
    street: str | None


class ClassifyOut(BaseModel):
    """Ranked candidates, the IVR decision and the place."""

    texto: str
    decision: str
    candidates: list[CandidateOut]
    alcaldia: str | None
    colonia: str | None
    place: PlaceOut
    unknown_words: list[str]


class SearchOut(BaseModel):
    """Search-as-you-type results, best first."""

    query: str
    results: list[CandidateOut]


@router.post("/classify", response_model=ClassifyOut)
async def classify(body: ClassifyIn, classifier: ClassifierDep) -> ClassifyOut:
    """Classify what a citizen said or wrote (422 when empty, too long or not text)."""
    return _out(classifier.classify(body.texto))


@router.get("/catalogue/search", response_model=SearchOut)
async def search(
    classifier: ClassifierDep,
    q: Annotated[str, Query(max_length=MAX_QUERY_LENGTH)] = "",
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> SearchOut:
    """Catalogue entries for a search box's text (the last word may be unfinished)."""
    return SearchOut(query=q, results=[_candidate(c) for c in classifier.search(q, limit=limit)])


def _candidate(candidate: Candidate) -> CandidateOut:
    return CandidateOut(
        code=candidate.code,
        name=candidate.name,
        tema=candidate.tema,
        confidence=candidate.confidence,
    )


def _out(result: Classification) -> ClassifyOut:
    place = result.place
    return ClassifyOut(
        texto=result.text,
        decision=result.decision.value,
        candidates=[_candidate(c) for c in result.candidates],
        alcaldia=place.alcaldia,
        colonia=place.colonia,
        place=PlaceOut(
            source=place.source,
            named_alcaldia=place.named_alcaldia,
            colonia_alcaldias=list(place.colonia_alcaldias),
            contradiction=place.contradiction,
            street=place.street,
        ),
        unknown_words=list(result.unknown_words),
    )
