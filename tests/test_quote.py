"""Which stretch of the chosen passage is quoted: the sentence that says what is asked, with the neighbours that
belong with it (what a lead-in introduces, a sentence carrying on from it), never more than a short stretch."""

from __future__ import annotations

import pytest

from small_corpus import bot_on

GUIDE = """Sorting guide

Sorting basics

You can also use the list.sort() method. It modifies the list in place and returns None to avoid confusion.
Usually it is less convenient than sorted(), but if you do not need the original list it is faster.

Version numbers

Y is the minor version. It is incremented when new features are added. An even Y indicates a stable release
and an odd Y indicates an unstable release.

Reporting problems

Turn on core dumps. The exact command depends on your shell; in bash it is done with "ulimit -c unlimited".

Keys

For example, to sort records by grade then by age:
use the itemgetter function with two fields, as in itemgetter(1, 2).

Contact

You might find Lasse on the Libera chat network, in the tukaani channel. The nick is Larhzu. The channel tends to be
quiet, so ask your question and wait.

Terms

The Library is used by many programs, and each Application that calls the Library must ship this notice with
the Library and the Application.

An "Application" is any work that makes use of an interface provided by the Library.

Networks

The network layer carries packets between hosts across many routers. The weather in the valley was mild that
spring, and the farmers planted early. Packets may be lost on the way, and the sender then sends them again.
"""


@pytest.fixture(scope="module")
def guide(tmp_path_factory):
    return bot_on(tmp_path_factory.mktemp("guide"), "guide.txt", GUIDE)


def quote(bot, question: str) -> str:
    evidence = bot.explain(question)[1]
    assert evidence is not None
    return evidence.quote


def test_a_sentence_carrying_on_from_the_best_is_quoted_with_it(guide):
    assert "returns None" in quote(guide, "What does list.sort() return?")


def test_the_sentence_holding_more_of_the_question_beats_a_short_one(guide):
    assert "An even Y indicates a stable release" in quote(guide, "What does an even minor version Y indicate?")


def test_a_very_short_sentence_is_quoted_with_the_next(guide):
    assert "ulimit -c unlimited" in quote(guide, "How do I turn on core dumps?")


def test_a_very_short_sentence_after_the_best_is_quoted_with_it(guide):
    assert "Larhzu" in quote(guide, "Where on the chat network can I find Lasse?")


def test_a_lead_in_is_quoted_with_what_it_introduces(guide):
    assert "itemgetter(1, 2)" in quote(guide, "How do I sort records by grade then by age?")


def test_the_quote_is_a_short_stretch_of_the_cited_passage(guide):
    reply, evidence = guide.explain("What does the network layer carry between hosts?")
    assert evidence is not None
    assert evidence.quote in evidence.sentence.passage.text
    assert "weather" not in evidence.quote


def test_a_typo_is_the_word_fewest_edits_away_two_swapped_letters_counting_as_one():
    from netqa.terms import Vocabulary

    words = Vocabulary({"charge", "change", "copies", "money"}, {}, {})
    assert words.correct("chrage") == "charge"  # one swap, where "change" is two substitutions away


def test_two_swapped_letters_in_a_short_word_are_still_one_slip():
    from netqa.terms import Vocabulary

    words = Vocabulary({"gzip", "long", "offer", "gift"}, {}, {})
    assert words.correct("gzpi") == "gzip"  # rapidfuzz's ratio puts this at 75, below the typo cutoff
    assert words.correct("lnog") == "long"
    assert words.correct("gfit") == "gift"
    assert words.correct("gzxx") is None  # two letters changed is no slip


def test_a_misspelt_question_word_is_spelt_right_not_left_as_an_unknown_term():
    from netqa.terms import Vocabulary

    words = Vocabulary({"patients", "foundation", "dose"}, {}, {})
    assert words.correct("whihc") == "which" and words.correct("shuold") == "should"
    assert words.correct("theri") == "their"


def test_with_no_corpus_word_near_a_common_english_word_one_slip_away_is_meant():
    from netqa.terms import Vocabulary

    words = Vocabulary({"eligibility", "testing"}, {}, {})
    assert words.correct("decidng") == "deciding"  # a word the corpus lacks, not an unknown term
    assert words.correct("decidng", beyond_corpus=False) is None
    assert words.correct("ramucirumab") is None  # a term English does not know stays as asked


def test_a_hyphenated_word_is_corrected_part_by_part():
    from netqa.terms import Vocabulary

    words = Vocabulary({"dana", "farber", "level", "low"}, {}, {})
    assert words.correct("dana-fabrer") == "dana-farber"
    assert words.correct("low-levvel") == "low-level"


def test_a_word_one_slip_from_a_common_word_is_not_split_unless_its_parts_are_commoner():
    from netqa.terms import Vocabulary

    words = Vocabulary({"application", "library"}, {}, {})
    assert words.repair("how does it dedine an application") == "how does it dedine an application"
    assert words.repair("wasit approved") == "was it approved"  # "was it", not "waist"


def test_two_words_run_together_split_at_a_short_corpus_word_or_into_two_very_common_ones():
    from netqa.terms import Vocabulary

    words = Vocabulary({"gnu", "net", "patients", "version"}, {}, {})
    assert words.repair("which version of thegnu gpl") == "which version of the gnu gpl"
    assert words.repair("how many netpatients") == "how many net patients"
    assert words.repair("isit free") == "is it free"


def test_two_neighbouring_letters_swapped_is_one_slip_whatever_the_length():
    from netqa.text import swapped_neighbours

    assert swapped_neighbours("lfie", "life") and swapped_neighbours("trail", "trial")
    assert not swapped_neighbours("lefi", "life")  # the swapped letters are not neighbours
    assert not swapped_neighbours("life", "lives") and not swapped_neighbours("life", "life")


def test_what_is_x_quotes_the_sentence_defining_x_not_the_one_using_it_most(guide):
    assert "makes use of an interface" in quote(guide, "What is an Application?")


SORTING = """# Sorting guide

## Descending

Both sort() and sorted() accept a reverse flag with a boolean value. For example, to list the pupils in reverse age
order:

```
sorted(pupils, key=age, reverse=True)
```

## Keys

A key function is called once for each element before the comparisons are made.
"""


def test_a_lead_in_closing_its_passage_is_not_the_sentence_that_answers(tmp_path):
    sorting = bot_on(tmp_path, "sorting.md", SORTING)  # the code it introduces is a passage of its own
    assert "accept a reverse flag" in quote(sorting, "How do I put the pupils in reverse order?")
