"""The words netqa adds around the article's text read at about a 6th-8th grade level."""

from __future__ import annotations

import textstat

from netqa.records import Citation
from netqa.reply import render

CITATION = Citation("doc-p01", "The article", "Results", "", 0, 0)


def our_words() -> str:
    """Every reply template rendered with the article's parts left empty, so only our wording is measured."""
    numbers = dict(emergency_number="911", crisis_line="988")
    texts = [render("emergency", "", crisis=crisis, **numbers) for crisis in (True, False)]
    texts += [render("chitchat", "", mood=mood, document="the article", health=True)
              for mood in ("hello", "thanks", "ack", "bye", "identity", "referral", "insult", "frustration")]
    texts.append(render("no_answer", "", document="the article", nearby=[], health=True, **numbers))
    texts.append(render("no_answer", "", document="the article", nearby=[], closest=CITATION, health=False))
    texts.append(render("no_answer", "", document="the article", nearby=[], closest=CITATION, lacking=["England"],
                        health=False))
    texts.append(render("medical_advice", "", short=None, quote=None, citation=None))
    for question_type in ("count", "percent", "date", "person", "place", "organisation", "amount", "ratio",
                          "duration", "yesno", "definition", "reason", "version", "other"):
        texts.append(render("answer", question_type, short="298", quote="", citation=CITATION, suggestions=[]))
    return "\n".join(texts).replace('""', "")


def test_template_wording_is_at_most_eighth_grade():
    grade = textstat.flesch_kincaid_grade(our_words())
    assert grade <= 8.0, f"Flesch-Kincaid grade {grade:.1f}"
