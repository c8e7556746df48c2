"""How passages are ranked for a question: what in the question picks the document, and what picks the passage."""

from __future__ import annotations

import netqa

ALPHA = """Alpha Public License

1. Scope

The Alpha Public License covers the Alpha Public License software and every copy of Alpha Public License code.

2. Notice

A licensee who breaks a term has sixty days to cure the breach after written notice, counted from the day the
notice arrives by post, by hand or by electronic mail, whichever comes first, and the licensor keeps a record of
the date, the sender, the receiver and the manner of sending for the whole of that period.

3. Fees

No fee is owed for copies.

4. Law

The courts of Ohio decide disputes.
"""

BETA = """Beta Public License

1. Scope

The Beta Public License covers the Beta software.

2. Notice

A licensee who breaks a term has ten days to cure the breach after written notice.

3. Fees

A fee may be charged for copies.

4. Law

The courts of Maine decide disputes.
"""


def test_the_words_naming_a_document_pick_it_but_not_the_passage_within_it(tmp_path):
    (tmp_path / "alpha.txt").write_text(ALPHA, encoding="utf-8")
    (tmp_path / "beta.txt").write_text(BETA, encoding="utf-8")
    bot = netqa.load(tmp_path)
    top = bot.top_passages("What does the Alpha Public License say about a breach?", k=1)
    assert "sixty days" in top[0].text  # not the passage that repeats the licence's name
