"""What the chat page shows of a reply, built from the reply record's fields, never from its rendered look.

A turn leads with the reply's own words (its `lead`, as the templates wrote it: "The number is 298."), then the
quote with the short answer marked, then one source line (section, and document when there are several), and a
health no_answer's safety-net line last.
Only the passage the answer rests on is shown as its source; other cited passages sit behind a "related"
disclosure, and the reply's suggestions (sections of the text) become links that open them.
"""

from __future__ import annotations

import json
from itertools import groupby
from typing import Any

KIND_LABELS = {"answer": "From the article", "no_answer": "Not in the article",
               "medical_advice": "Ask your care team", "emergency": "Emergency", "chitchat": "Assistant"}
OPENING_WORDS = 8
ANNOUNCE_CHARS = 160  # a screen reader hears this much of a new reply; the rest is read on demand


def reply_view(reply: dict[str, Any], several_documents: bool, sections: dict[str, str],
               emergency_number: str = "911") -> dict[str, Any]:
    """The page's turn for a reply dict (Reply.to_dict()): small, so a kept transcript stays small.

    Built from the record's fields alone: its lead paragraphs and safety-net line are the message; the quote,
    citations and suggestions are shown their own way. `sections` maps a section's name to its first passage,
    where a suggestion's link opens the text.
    """
    kind = str(reply["kind"])
    citations = reply["citations"]
    quote = reply.get("quote") or ""
    suggestions = list(reply.get("suggestions") or [])
    message = [*reply.get("lead", ()), *([reply["safety_net"]] if reply.get("safety_net") else [])]
    short = (reply.get("short_answer") or "").strip()
    rests_on = citations[:1] if quote else []
    related = citations[1:] if quote else citations
    calls = list(reply.get("calls") or ([emergency_number] if kind == "emergency" else []))
    return {
        "id": reply["id"], "session_id": reply["session_id"], "question": reply["question"], "kind": kind,
        "label": KIND_LABELS.get(kind, "Assistant"),
        "message": [marked(p, short) for p in message],
        "quote": marked(quote, short) if quote else None,
        "source": _source(rests_on[0], several_documents) if rests_on else None,
        "related": [{**_source(c, several_documents), "opening": opening(c["text"])} for c in related],
        "suggestions": [{"section": s, "passage_id": sections[s]} for s in suggestions if s in sections],
        "calls": calls,
        "announce": announcement(kind, message or [quote], short),
    }


def marked(text: str, short: str) -> list[dict[str, str]]:
    """The text in parts, the first occurrence of the short answer marked: [{"text"}, {"mark"}, {"text"}]."""
    at = text.find(short) if short else -1
    if at < 0:
        return [{"text": text}]
    return [part for part in ({"text": text[:at]}, {"mark": short}, {"text": text[at + len(short):]})
            if part.get("text") != ""]


def _source(citation: dict[str, Any], several_documents: bool) -> dict[str, str]:
    """Where a passage is, in a few words: its section, and its document (and PDF page) when there are several."""
    opening_part = citation["section"] == citation["document"]
    document = citation["document"] if several_documents else ""
    if document and citation.get("page"):
        document += f", page {citation['page']}"
    return {"passage_id": citation["passage_id"],
            "section": "Opening paragraphs" if opening_part else citation["section"], "document": document}


def announcement(kind: str, message: list[str], short: str) -> str:
    """What a screen reader says when the reply arrives: its first words, not the quote, buttons or sources."""
    first = message[0] if message else ""
    text = f"{KIND_LABELS.get(kind, 'Assistant')}: {first}"
    if short and short not in first:
        text += f" {short}."
    return text if len(text) <= ANNOUNCE_CHARS else text[:ANNOUNCE_CHARS].rsplit(" ", 1)[0] + "…"


def opening(text: str, words: int = OPENING_WORDS) -> str:
    """The first words of a passage, so two passages from one section can be told apart."""
    head = text.strip("“”\"' ").split()  # the page puts its own quotation marks around it
    return " ".join(head[:words]) + ("…" if len(head) > words else "")


def starter_questions(bot) -> list[str]:
    """The corpus's suggested questions (metadata.json "starter_questions"), else ones made from its headings."""
    corpus = bot.corpus
    try:
        metadata = json.loads((corpus.directory / "metadata.json").read_text(encoding="utf-8"))
        listed = metadata.get("starter_questions") if isinstance(metadata, dict) else None
    except (OSError, ValueError):
        listed = None
    if isinstance(listed, list) and all(isinstance(q, str) for q in listed) and listed:
        return listed[:4]
    headings = dict.fromkeys(p.section.split(":")[0] for p in corpus.passages if p.section != p.document)
    return [f"Tell me about {heading}" for heading in list(headings)[:3]]


def document_sections(document) -> list[tuple[str | None, list]]:
    """A document's passages grouped under their headings; the passages before the first heading have none."""
    return [(None if section == document.title else section, list(passages))
            for section, passages in groupby(document.passages, key=lambda p: p.section)]


def retention_words(days: int) -> str:
    """How long questions are kept, as the privacy notice says it."""
    if days <= 0:
        return "until the service's staff delete them"
    return f"for {days} days" if days != 1 else "for 1 day"
