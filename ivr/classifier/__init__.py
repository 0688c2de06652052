"""Understanding callers: text → catalogue entry, IVR decision, alcaldía and colonia.

    classifier = Classifier.from_engine(engine)        # the active catalogue entries
    result = classifier.classify("hay un vache enorme en la GAM")
    result.best.code, result.decision, result.place.alcaldia
    classifier.search("alumbr")                        # search-as-you-type, same ranking

Measured by ``benchmarks/classifier.py`` on ``tests/data/classifier_eval.tsv`` (482 labelled
utterances over all 305 entries and every official tema, plus 25 outside the catalogue), on
the project's 2-core machine:

- top-1 92.7 %, top-3 98.1 % by catalogue entry; 96.7 % / 99.6 % by official tema;
  alcaldía 100 % (two fresh samples of 30 unseen utterances: top-1 80 % and 90 %, top-3
  93 % and 97 %, alcaldía 93 % and 100 %);
- scorers alone: lexical index 92.7 % / 97.9 %, phrase rerank 58.7 % / 94.4 %, plain
  ``rapidfuzz`` WRatio over all phrasings 61.0 % / 80.7 %; combined 92.7 % / 98.1 %;
- calibration fitted on half the set (280 utterances), held-out ECE 0.057, Brier 0.067;
- thresholds: confirm at 0.934 (the best candidate is right 98.2 % of the time there, 70 % of
  calls), choose from 0.606 (Youden's J of "the right entry is among the three offered"; 22 %
  of calls, 100 % have it in the top 3), agent below (8.1 %); 22 of the 25 out-of-catalogue
  utterances go to an agent;
- per utterance: median 0.29 ms, p99 0.50 ms (cold 0.71 ms) with 305 entries; median 0.29 ms,
  p99 0.52 ms (cold 0.72 ms) with a synthetic 2,000-entry catalogue.
"""

from ivr.classifier.calibration import Calibration, Decision, Thresholds
from ivr.classifier.errors import EmptyUtterance, NotText, UtteranceTooLong
from ivr.classifier.places import Place, PlaceFinder
from ivr.classifier.service import MAX_TEXT_LENGTH, Candidate, Classification, Classifier

__all__ = [
    "MAX_TEXT_LENGTH",
    "Calibration",
    "Candidate",
    "Classification",
    "Classifier",
    "Decision",
    "EmptyUtterance",
    "NotText",
    "Place",
    "PlaceFinder",
    "Thresholds",
    "UtteranceTooLong",
]
