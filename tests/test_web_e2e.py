"""The web chat end to end: a real `netqa serve` on a free port, driven by Debian's Chromium through Playwright."""

from __future__ import annotations

import socket

import pytest
from playwright.sync_api import Page, expect

from _browser import ARTIFACTS, TOKEN
from _browser import get_json as _get

SURVIVAL = "What is the five-year survival for pancreatic NET?"


def ask(page: Page, question: str) -> None:
    """Type a question, send it with Enter, and wait for its reply to be added to the transcript."""
    replies = page.locator(".turn:not(.pending) .reply")
    before = replies.count()
    page.get_by_label("Your question about the article").fill(question)
    page.keyboard.press("Enter")
    expect(replies).to_have_count(before + 1)


def test_ask_and_see_the_answer_with_its_citation(page: Page, server):
    page.goto(server + "/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cabozantinib")
    expect(page.get_by_text("not medical advice").first).to_be_visible()
    ask(page, "How many patients were in the CABINET trial?")
    reply = page.locator(".reply").last
    expect(reply).to_contain_text("298")
    expect(reply.locator(".badge")).to_have_text("From the article")
    expect(reply.locator(".answer strong")).to_have_text("298")  # the short answer leads, in bold
    expect(reply.locator(".quote mark")).to_have_text("298")  # and is marked in the quote
    expect(reply.locator(".source-line a")).to_have_text("The CABINET Trial: Evidence-Based Breakthrough")


def test_a_starter_question_asks_itself(page: Page, server):
    page.goto(server + "/")
    starter = page.locator("#starters button").first
    question = starter.inner_text()
    starter.click()
    expect(page.locator(".ask-text").last).to_have_text(question)
    expect(page.locator("#starters")).to_be_hidden()


def test_clicking_a_citation_opens_the_highlighted_passage(page: Page, server):
    page.goto(server + "/")
    ask(page, SURVIVAL)
    marker = page.locator(".reply .source-line a").last
    passage_id = marker.get_attribute("href").split("#")[1]
    marker.click()
    page.wait_for_url(f"**/source?passage={passage_id}#{passage_id}")
    passage = page.locator(f"#{passage_id}")
    expect(passage).to_contain_text("five-year survival")
    expect(passage).to_be_in_viewport()
    background = passage.evaluate("p => getComputedStyle(p).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")


def test_follow_up_keeps_the_session_even_after_a_reload(page: Page, server):
    page.goto(server + "/")
    ask(page, SURVIVAL)
    page.reload()
    expect(page.locator(".turn")).to_have_count(1)  # the server renders the conversation again
    ask(page, "what about lung?")
    expect(page.locator(".reply").last).to_contain_text("55%")


def test_feedback_reaches_the_admin_export(page: Page, server):
    page.goto(server + "/")
    ask(page, "What did the FDA approve?")
    reply = page.locator(".reply").last
    reply_id = reply.get_attribute("id").removeprefix("reply-")
    reply.get_by_role("button", name="No").click()  # "No" first asks what went wrong
    reply.get_by_label("What was wrong or missing?").fill("It quoted the wrong approval")
    reply.get_by_role("button", name="Send").click()
    expect(reply.get_by_text("Thank you for your feedback.")).to_be_visible()
    exported = _get(server + "/api/admin/feedback", TOKEN)
    assert {"reply_id": reply_id, "helpful": False, "comment": "It quoted the wrong approval"}.items() <= next(
        row for row in exported if row["reply_id"] == reply_id).items()


def test_emergency_and_no_answer_look_different(page: Page, server):
    page.goto(server + "/")
    ask(page, "I have chest pain and can't breathe")
    emergency = page.locator(".reply").last
    expect(emergency).to_have_class("reply kind-emergency")
    expect(emergency.locator("a.call").first).to_have_attribute("href", "tel:911")
    ask(page, "What is the capital of France?")
    expect(page.locator(".reply").last).to_have_class("reply kind-no_answer")
    border = [page.locator(f".kind-{kind}").first.evaluate("e => getComputedStyle(e).borderLeftColor")
              for kind in ("emergency", "no_answer")]
    assert border[0] != border[1]


def test_the_error_is_shown_in_words(page: Page, server):
    page.goto(server + "/")
    page.get_by_label("Your question about the article").fill("    ")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("The question is empty")


def test_the_form_works_without_javascript(browser, server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server + "/")
    page.get_by_label("Your question about the article").fill(SURVIVAL)
    page.get_by_role("button", name="Ask", exact=True).click()
    expect(page.locator(".reply")).to_contain_text("23%")
    page.get_by_label("Your question about the article").fill("what about lung?")
    page.get_by_role("button", name="Ask", exact=True).click()
    expect(page.locator(".reply")).to_have_count(2)
    expect(page.locator(".reply").last).to_contain_text("55%")
    page.locator(".reply").last.get_by_role("button", name="No").click()
    page.locator(".reply").last.get_by_label("What was wrong or missing?").fill("too short")
    page.locator(".reply").last.get_by_role("button", name="Send").click()
    expect(page.locator(".reply").last.get_by_text("Thank you for your feedback.")).to_be_visible()
    context.close()


@pytest.mark.parametrize("payload", ["<img src=x onerror=\"window.__pwned=1;alert('xss')\">",
                                     "<script>window.__pwned=1;alert('xss')</script> what is NET?"])
def test_markup_in_a_question_is_shown_as_text_and_runs_nothing(page: Page, server, payload):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(server + "/")
    ask(page, payload)
    expect(page.locator(".ask-text").last).to_have_text(payload)
    assert page.locator(".transcript img, .transcript script").count() == 0
    page.reload()  # and again as the server renders the kept conversation
    expect(page.locator(".ask-text").last).to_have_text(payload)
    assert page.evaluate("() => window.__pwned === undefined")
    assert dialogs == []


@pytest.mark.parametrize("width, height, name", [(1280, 900, "desktop"), (390, 844, "phone")])
def test_screenshot_of_a_two_turn_conversation(browser, server, width, height, name):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(server + "/")
    ask(page, SURVIVAL)
    ask(page, "what about lung?")
    page.locator(".turn").last.scroll_into_view_if_needed()
    page.wait_for_timeout(500)  # let the smooth scroll settle before the picture
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"chat-{name}.png", full_page=False)
    page.screenshot(path=ARTIFACTS / f"chat-{name}-full.png", full_page=True)
    assert (ARTIFACTS / f"chat-{name}.png").stat().st_size > 10_000
    # Nothing may stick out sideways at phone width.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    context.close()


def test_docs_render_offline_under_the_content_security_policy(page: Page, server):
    page.goto(server + "/docs")
    expect(page.get_by_text("/api/ask").first).to_be_visible(timeout=15_000)


def test_static_path_traversal_over_real_http(server):
    host, port = server.removeprefix("http://").split(":")
    for raw in ("/static/../pyproject.toml", "/static/%2e%2e/%2e%2e/pyproject.toml",
                "/static/..%2f..%2fpyproject.toml"):
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(f"GET {raw} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
            status = sock.recv(64).split()[1]
        assert status in (b"404", b"400"), raw

