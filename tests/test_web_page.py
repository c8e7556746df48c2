"""The chat page as patients and support staff meet it, in Debian's Chromium: phone and desktop, light and dark,
keyboard only, without JavaScript, with a screen reader's live regions, and audited by axe-core (WCAG 2.2 AA)."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Browser, Page, expect

from _browser import ARTIFACTS, axe_violations, start_server

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
COUNT = "How many patients were in the CABINET trial?"
SURVIVAL = "What is the five-year survival for pancreatic NET?"
EMERGENCY = "I have crushing chest pain and can't breathe"
UNANSWERED = "What is the price of cabozantinib?"
QUESTION_BOX = "Your question about the article"


def ask(page: Page, question: str) -> None:
    replies = page.locator("#transcript .reply")
    before = replies.count()
    page.get_by_label(QUESTION_BOX).fill(question)
    page.keyboard.press("Enter")
    expect(replies).to_have_count(before + 1)


def ask_without_js(page: Page, question: str) -> None:
    page.get_by_label(QUESTION_BOX).fill(question)
    page.get_by_role("button", name="Ask", exact=True).click()
    page.wait_for_load_state()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"page-{name}.png", full_page=True)


# ---------------------------------------------------------------- accessibility audit


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_after_a_conversation_and_on_the_source(browser: Browser, server, axe_script, viewport,
                                                                   scheme):
    context = browser.new_context(viewport=viewport, color_scheme=scheme, bypass_csp=True)
    page = context.new_page()
    page.goto(server + "/")
    assert axe_violations(page, axe_script) == []
    for question in (COUNT, UNANSWERED, EMERGENCY):
        ask(page, question)
    page.locator(".related summary").first.click()  # the disclosure open too
    page.wait_for_timeout(400)
    name = f"{'phone' if viewport is PHONE else 'desktop'}-{scheme}"
    shot(page, f"chat-{name}")
    assert axe_violations(page, axe_script) == []
    page.locator(".source-line a").first.click()
    page.wait_for_url("**/source?passage=*")
    shot(page, f"source-{name}")
    assert axe_violations(page, axe_script) == []
    context.close()


# ---------------------------------------------------------------- phone layout


def test_the_question_box_is_on_screen_at_load_on_a_phone(browser: Browser, server):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(server + "/")
    expect(page.get_by_label(QUESTION_BOX)).to_be_in_viewport(ratio=1)
    expect(page.get_by_role("button", name="Ask", exact=True)).to_be_in_viewport(ratio=1)
    shot(page, "phone-at-load")
    context.close()


def test_nothing_fixed_or_sticky_can_cover_replies_or_focus(page: Page, server):
    page.set_viewport_size({"width": 320, "height": 256})  # 1280x1024 at 400% zoom
    page.goto(server + "/")
    ask(page, COUNT)
    ask(page, SURVIVAL)
    covering = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => ['fixed', 'sticky'].includes(getComputedStyle(e).position)).map(e => e.className)""")
    assert covering == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320  # no sideways scrolling
    page.locator(".reply").first.get_by_role("button", name="Yes").focus()
    expect(page.locator(".reply").first.get_by_role("button", name="Yes")).to_be_in_viewport(ratio=1)


def test_every_control_in_a_reply_is_at_least_24_pixels(page: Page, server):
    page.set_viewport_size(PHONE)
    page.goto(server + "/")
    ask(page, COUNT)
    ask(page, UNANSWERED)
    controls = page.locator(".reply button:visible, .reply summary, .reply .source-line a, .chip:visible, .call")
    assert controls.count() >= 6
    for index in range(controls.count()):
        box = controls.nth(index).bounding_box()
        assert box["height"] >= 24 and box["width"] >= 24, controls.nth(index).inner_text()


# ---------------------------------------------------------------- replies easy to read


def test_an_answer_leads_with_the_short_answer_then_the_marked_quote_then_one_source(page: Page, server):
    page.goto(server + "/")
    ask(page, COUNT)
    reply = page.locator(".reply").last
    parts = reply.evaluate("r => [...r.querySelectorAll('.answer, .quote, .related')].map(e => e.className)")
    assert parts == ["answer", "quote", "related"]
    expect(reply.locator(".answer")).to_contain_text("298")
    expect(reply.locator(".quote mark")).to_have_text("298")
    expect(reply.locator(".source-line")).to_have_count(1)
    assert "FDA Clears" not in reply.locator(".source-line").inner_text()  # not the 150-character headline
    expect(reply.locator(".related ul")).to_be_hidden()  # the other passages wait behind "Related passages"
    reply.locator(".related summary").click()
    expect(reply.locator(".related li").first).to_be_visible()


def test_suggestions_are_chips_that_open_that_part_of_the_text(page: Page, server):
    page.goto(server + "/")
    ask(page, UNANSWERED)
    chip = page.locator(".reply").last.locator(".suggestions .chip").first
    topic = chip.inner_text()
    chip.click()
    page.wait_for_url("**/source?passage=*")
    passage = page.locator(".passage.cited")
    expect(passage).to_be_in_viewport()
    heading = passage.evaluate("p => { let e = p; while (e && !/^H[1-3]$/.test(e.tagName)) "
                               "e = e.previousElementSibling; return e ? e.textContent : ''; }")
    assert heading == topic


# ---------------------------------------------------------------- screen readers


def test_a_reply_is_announced_briefly_and_an_emergency_assertively(page: Page, server):
    page.goto(server + "/")
    ask(page, COUNT)
    expect(page.locator("#announce")).to_have_text("From the article: The number is 298.")
    assert page.locator("#transcript").get_attribute("aria-live") is None  # the whole reply is not read out
    ask(page, EMERGENCY)
    alert = page.locator("#alert")
    expect(alert).to_contain_text("Emergency: Call 911 now")
    assert alert.get_attribute("aria-live") == "assertive" and len(alert.inner_text()) <= 161


def test_copied_is_announced(browser: Browser, server):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(server + "/")
    ask(page, COUNT)
    page.locator(".reply").last.get_by_role("button", name="Copy answer and source").click()
    expect(page.locator("#announce")).to_have_text("Copied")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert "298" in copied and "/source?passage=" in copied
    context.close()


# ---------------------------------------------------------------- keyboard only


def test_keyboard_only_ask_read_and_open_the_source(page: Page, server):
    page.goto(server + "/")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    for _ in range(12):  # to the question box, in page order
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "question":
            break
    expect(page.get_by_label(QUESTION_BOX)).to_be_focused()
    page.keyboard.type(COUNT)
    page.keyboard.press("Enter")
    expect(page.locator(".reply")).to_have_count(1)
    expect(page.get_by_label(QUESTION_BOX)).to_be_focused()  # ready for the next question
    page.locator(".reply .source-line a").focus()
    outline = page.locator(".reply .source-line a").evaluate("a => getComputedStyle(a).backgroundColor")
    assert outline not in ("rgba(0, 0, 0, 0)", "transparent")  # focus is visible
    page.keyboard.press("Enter")
    page.wait_for_url("**/source?passage=*")


# ---------------------------------------------------------------- conversation state


def test_a_rated_turn_keeps_its_place_after_a_reload(page: Page, server):
    page.goto(server + "/")
    for question in (COUNT, SURVIVAL, UNANSWERED):
        ask(page, question)
    first = page.locator(".reply").first
    first.get_by_role("button", name="Yes").click()
    expect(first.get_by_text("Thank you for your feedback.")).to_be_visible()
    page.reload()
    expect(page.locator(".ask-text")).to_have_text([COUNT, SURVIVAL, UNANSWERED])
    expect(page.locator(".reply").first.get_by_text("Thank you for your feedback.")).to_be_visible()


def test_without_javascript_a_reload_resends_nothing_and_the_citation_back_keeps_the_conversation(browser, server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server + "/")
    ask_without_js(page, SURVIVAL)
    assert page.url.split("#")[0] == server + "/"  # posted, redirected, fetched again
    page.reload()
    expect(page.locator(".reply")).to_have_count(1)
    page.locator(".reply .source-line a").click()
    page.wait_for_url("**/source?passage=*")
    page.go_back()
    expect(page.locator(".reply")).to_have_count(1)
    expect(page.locator(".reply")).to_contain_text("23%")
    page.get_by_role("button", name="Start a new conversation").click()
    expect(page.locator(".reply")).to_have_count(0)
    context.close()


def test_without_javascript_no_asks_what_went_wrong(browser, server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server + "/")
    ask_without_js(page, COUNT)
    page.get_by_role("button", name="No").click()
    box = page.get_by_label("What was wrong or missing?")
    expect(box).to_be_visible()
    box.fill("I wanted the number of centres")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Thank you for your feedback.")).to_be_visible()
    context.close()


@pytest.fixture(scope="module")
def forgetful_server(tmp_path_factory):
    """A server that forgets a conversation after 2 idle seconds."""
    yield from start_server(tmp_path_factory.mktemp("forgetful"), NETQA_SESSION_TTL="2")


def test_the_page_says_when_the_server_forgot_the_conversation(page: Page, forgetful_server):
    page.goto(forgetful_server + "/")
    ask(page, SURVIVAL)
    time.sleep(3)
    page.get_by_label(QUESTION_BOX).fill("what about lung?")  # the follow-up lost its context: the page says so
    page.keyboard.press("Enter")
    expect(page.get_by_text("Your earlier conversation had ended")).to_be_visible()
    expect(page.locator(".ask-text")).to_have_text(["what about lung?"])
    time.sleep(3)
    page.reload()
    expect(page.get_by_text("Your earlier conversation has ended")).to_be_visible()
    expect(page.locator(".reply")).to_have_count(0)


# ---------------------------------------------------------------- the smaller gaps


def test_a_long_question_is_counted_and_never_cut(page: Page, server):
    page.goto(server + "/")
    text = "why " * 750  # 3,000 characters, pasted
    page.get_by_label(QUESTION_BOX).fill(text)
    assert len(page.get_by_label(QUESTION_BOX).input_value()) == len(text)
    expect(page.locator("#question-count")).to_contain_text("3,000 characters long")
    page.keyboard.press("Enter")
    expect(page.locator(".reply")).to_have_count(0)  # not sent until it is short enough


def test_forced_colours_keep_the_button_outlines(browser: Browser, server):
    context = browser.new_context(forced_colors="active")
    page = context.new_page()
    page.goto(server + "/")
    for selector in (".chip", "#ask-button"):
        width = page.locator(selector).first.evaluate("b => getComputedStyle(b).borderTopWidth")
        assert width != "0px", selector
    context.close()


def test_dark_theme_follows_the_system(browser: Browser, server):
    context = browser.new_context(color_scheme="dark")
    page = context.new_page()
    page.goto(server + "/")
    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(17, 24, 31)"
    context.close()


def test_reduced_motion_stops_the_typing_dots_and_smooth_scrolling(browser: Browser, server):
    context = browser.new_context(reduced_motion="reduce")
    page = context.new_page()
    page.goto(server + "/")
    page.evaluate("""() => { const p = document.createElement('p'); p.className = 'pending';
        p.innerHTML = '<span class="dots"></span>'; document.body.append(p); }""")
    assert page.locator(".pending .dots").evaluate("d => getComputedStyle(d, '::after').animationName") == "none"
    context.close()


def test_the_emergency_number_is_a_tap_to_call_link_in_the_notice_and_footer(page: Page, server):
    page.goto(server + "/")
    expect(page.locator(".notice a[href='tel:911']")).to_have_text("911")
    expect(page.locator(".site-footer a[href='tel:911']")).to_have_text("911")


def test_the_page_says_questions_are_recorded_and_for_how_long(page: Page, server):
    page.goto(server + "/")
    expect(page.locator("#question-hint")).to_contain_text("recorded")
    expect(page.locator("#question-hint")).to_contain_text("kept for 30 days")


def test_a_bogus_passage_is_not_claimed_to_be_highlighted(page: Page, server):
    response = page.goto(server + "/source?passage=bogus")
    assert response.status == 404
    expect(page.get_by_text("There is no passage “bogus”")).to_be_visible()
    assert page.locator(".passage.cited").count() == 0
    expect(page.get_by_text("is highlighted below")).to_have_count(0)


def test_the_api_docs_lead_back_to_the_chat(page: Page, server):
    page.goto(server + "/docs")
    page.get_by_role("link", name="Back to the chat").click()
    page.wait_for_url(server + "/")


def test_keyboard_only_rating_no_with_a_comment(page: Page, server):
    page.goto(server + "/")
    ask(page, COUNT)
    # the page hands focus back to the question box once the reply is in; walk back from there, not from wherever
    # focus was while a loaded machine was still rendering
    expect(page.get_by_label(QUESTION_BOX)).to_be_focused()
    for _ in range(8):  # back from the question box into the reply above it
        page.keyboard.press("Shift+Tab")
        if page.evaluate("() => document.activeElement.textContent.trim()") == "No":
            break
    page.keyboard.press("Enter")
    expect(page.get_by_label("What was wrong or missing?")).to_be_focused()
    page.keyboard.type("I wanted the dose")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Send")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Thank you for your feedback.")).to_be_focused()
    expect(page.locator("#announce")).to_have_text("Thank you for your feedback.")
