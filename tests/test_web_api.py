"""The web adapter through FastAPI's test client: every endpoint, every error path, the security headers."""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import sqlite3
import threading
import time
from pathlib import Path
from urllib.parse import unquote

import anyio
import httpx
import pytest
from fastapi.testclient import TestClient

import netqa
from netqa import web
from netqa.store import MemorySessions
from netqa.store import base as web_store
from netqa.store import question_log as store_module
from netqa.web import create_app, reply_dict

KINDS = {"answer", "no_answer", "medical_advice", "emergency", "chitchat"}
TOKEN = "test-admin-token"
SURVIVAL = "What is the five-year survival for pancreatic NET?"
ADMIN_PATHS = ("/api/admin/feedback", "/api/admin/unanswered", "/api/admin/low-confidence")


@pytest.fixture(scope="module")
def bot():
    return netqa.load()


@pytest.fixture
def make_client(bot, tmp_path):
    """A client for an app over the shared bot, with a fresh database and any settings overridden."""
    clients = []

    def make(**overrides) -> TestClient:
        settings = dataclasses.replace(bot.settings, **{"db": str(tmp_path / "netqa.db"), "admin_token": TOKEN,
                                                        **overrides})
        client = TestClient(create_app(bot, settings))
        clients.append(client.__enter__())
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client):
    return make_client()


def ask(client, question, **extra):
    return client.post("/api/ask", json={"question": question, **extra})


def raw_get(app, raw_path: str) -> int:
    """GET a path exactly as written (test clients tidy up '..'), decoded the way uvicorn decodes it."""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": unquote(raw_path), "raw_path": raw_path.encode(), "query_string": b"", "root_path": "",
             "headers": [(b"host", b"testserver")], "client": ("127.0.0.1", 5000), "server": ("testserver", 80)}
    sent = []

    async def run():
        done = anyio.Event()
        requested = False

        async def receive():
            nonlocal requested
            if not requested:
                requested = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await done.wait()  # a file response listens for the client leaving until it has sent everything
            return {"type": "http.disconnect"}

        async def send(message):
            sent.append(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                done.set()

        await app(scope, receive, send)

    anyio.run(run)
    return sent[0]["status"]


# ---------------------------------------------------------------- /api/ask


def test_ask_returns_the_reply_contract(client):
    response = ask(client, SURVIVAL)
    assert response.status_code == 200
    reply = response.json()
    assert set(reply) >= {"id", "question", "answer", "kind", "confidence", "citations", "session_id"}
    assert reply["kind"] == "answer" and "23%" in reply["answer"]
    assert reply["citations"][0]["passage_id"] in reply["answer"]


def test_a_reply_carries_its_lead_words_and_safety_net_beside_the_whole_answer(client):
    answered = ask(client, SURVIVAL).json()
    assert answered["lead"] and all(words in answered["answer"] for words in answered["lead"])
    assert answered["quote"] not in " ".join(answered["lead"]) and answered["safety_net"] == ""
    unanswered = ask(client, "What is the price of cabozantinib in Canada?").json()
    assert unanswered["kind"] == "no_answer"
    assert unanswered["safety_net"] and unanswered["answer"].endswith(unanswered["safety_net"])


def test_follow_up_in_the_same_session(client):
    first = ask(client, SURVIVAL).json()
    follow_up = ask(client, "what about lung?", session_id=first["session_id"]).json()
    assert follow_up["session_id"] == first["session_id"]
    assert "55%" in follow_up["answer"]


@pytest.mark.parametrize("body, status, words", [
    ({"question": ""}, 422, "empty"),
    ({"question": "   \n\t "}, 422, "empty"),
    ({"question": "why " * 1000}, 422, "too long"),
    ({"question": 42}, 422, "must be text"),
    ({"question": None}, 422, "must be text"),
    ({"question": ["a list"]}, 422, "must be text"),
    ({"question": {"an": "object"}}, 422, "must be text"),
    ({}, 422, 'no "question"'),
    ({"question": "ok", "session_id": "x" * 500}, 422, "too long"),
    ([1, 2], 422, "JSON object"),
    ("just a string", 422, "JSON object"),
])
def test_bad_questions_get_a_clear_4xx(client, body, status, words):
    response = client.post("/api/ask", json=body)
    assert response.status_code == status
    detail = response.json()["detail"]
    assert isinstance(detail, str) and words in detail


@pytest.mark.parametrize("raw, content_type", [
    (b'{"question": "unterminated', "application/json"),
    (b"{bad json}", "application/json"),
    (b"\xff\xfe not utf-8", "application/json"),
])
def test_invalid_json_is_a_400_in_words(client, raw, content_type):
    response = client.post("/api/ask", content=raw, headers={"content-type": content_type})
    assert response.status_code == 400
    assert isinstance(response.json()["detail"], str)


def test_a_body_that_is_not_json_says_so(client):
    response = client.post("/api/ask", content=b"question=hi", headers={"content-type": "text/plain"})
    assert response.status_code == 422
    assert "application/json" in response.json()["detail"]


def test_a_body_over_64_kib_is_a_413(client):
    body = json.dumps({"question": "a" * (64 * 1024)}).encode()
    response = client.post("/api/ask", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]


def test_a_streamed_body_over_64_kib_is_a_413_without_content_length(client):
    def chunks():
        yield b'{"question": "'
        for _ in range(20):
            yield b"b" * 4096
        yield b'"}'

    response = client.post("/api/ask", content=chunks(), headers={"content-type": "application/json"})
    assert "content-length" not in response.request.headers
    assert response.status_code == 413


def test_a_body_just_under_the_limit_is_read(client):
    body = json.dumps({"question": "hello", "padding": "p" * (60 * 1024)}).encode()
    response = client.post("/api/ask", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 200


@pytest.mark.parametrize("raw", [
    b'{"question": "what\\u0000 is NET\\u0007?"}',  # NUL and a control character
    b'{"question": "\\ud800 What does NET stand for?"}',  # lone surrogate as a JSON escape
    b'{"question": "\xed\xa0\x80 What does NET stand for?"}',  # lone surrogate as raw (invalid UTF-8) bytes
    '{"question": "ما هي نسبة البقاء على قيد الحياة لمدة خمس سنوات؟"}'.encode(),  # right-to-left
    '{"question": "What\u200b does\u200d NET\u200f stand for?"}'.encode(),  # zero-width and direction marks
    '{"question": "🧬🙂 how many patients? 🙏"}'.encode(),
    '{"question": "Quelle est la survie à cinq ans?"}'.encode(),
    '{"question": "膵臓の神経内分泌腫瘍の5年生存率は?"}'.encode(),
    b'{"question": "?!?! ... ,,, ;;"}',
    b'{"question": "1234567890"}',
])
def test_odd_but_valid_text_gets_a_reply_never_a_500(client, raw):
    response = client.post("/api/ask", content=raw, headers={"content-type": "application/json"})
    assert response.status_code in (200, 422), response.text
    if response.status_code == 200:
        reply = response.json()
        assert reply["kind"] in KINDS
        assert "\x00" not in reply["question"] and not re.search(r"[\ud800-\udfff]", reply["question"])


@pytest.mark.parametrize("question", ["?!?! ... ,,, ;;", "1234567890"])
def test_punctuation_or_digits_alone_is_no_answer(client, question):
    assert ask(client, question).json()["kind"] == "no_answer"


def test_the_reply_dict_is_what_to_dict_gives(bot):
    for question in (SURVIVAL, "What about lung?", "hello", "I want to kill myself", "What is the capital of France?"):
        reply = bot.ask(question)
        assert reply_dict(reply) == reply.to_dict()


def test_health_is_answered_while_a_long_question_is_being_answered(make_client, bot, monkeypatch):
    client = make_client()
    entered, release = threading.Event(), threading.Event()
    answer = bot.ask

    def slow_ask(question, session_id=None):
        entered.set()
        release.wait(5)  # on the event loop this would hold up every other request for 5 s
        return answer(question, session_id)

    monkeypatch.setattr(bot, "ask", slow_ask)

    async def scenario() -> tuple[float, httpx.Response]:
        replies = {}
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=client.app), base_url="http://test") as http:
            async def long_question() -> None:
                replies["ask"] = await http.post("/api/ask", json={"question": "why is that so " * 30})

            async with anyio.create_task_group() as tasks:
                tasks.start_soon(long_question)
                with anyio.fail_after(2):
                    while not entered.is_set():
                        await anyio.sleep(0.01)
                    started = time.monotonic()
                    health = await http.get("/api/health")
                    waited = time.monotonic() - started
                assert health.status_code == 200 and "ask" not in replies
                release.set()
        return waited, replies["ask"]

    waited, reply = anyio.run(scenario)
    assert waited < 1.0
    assert reply.status_code == 200


# ---------------------------------------------------------------- /api/feedback and the admin export


def test_feedback_is_stored_and_shown_in_the_admin_export(client):
    reply = ask(client, SURVIVAL).json()
    body = json.dumps({"reply_id": reply["id"], "helpful": False, "comment": "I wanted the lung figure \ud800"})
    response = client.post("/api/feedback", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 201
    feedback_id = response.json()["id"]
    exported = client.get("/api/admin/feedback", headers={"Authorization": f"Bearer {TOKEN}"}).json()
    row = next(r for r in exported if r["id"] == feedback_id)
    assert row["reply_id"] == reply["id"] and row["helpful"] is False
    assert row["question"] == SURVIVAL and row["kind"] == "answer"
    assert row["comment"].startswith("I wanted the lung figure")


def test_feedback_right_after_each_reply_is_accepted(client):
    for question in (SURVIVAL, "What is the capital of France?", "hello") * 5:
        reply = ask(client, question).json()
        assert client.post("/api/feedback", json={"reply_id": reply["id"], "helpful": True}).status_code == 201


def test_replies_still_queued_when_the_app_stops_are_written(bot, tmp_path, monkeypatch):
    monkeypatch.setattr(store_module, "BATCH_SECONDS", 60.0)  # only the shutdown can write them
    settings = dataclasses.replace(bot.settings, db=str(tmp_path / "netqa.db"))
    with TestClient(create_app(bot, settings)) as client:
        ids = [ask(client, question).json()["id"] for question in (SURVIVAL, "hello", "What about lung?")]
    connection = sqlite3.connect(tmp_path / "netqa.db")
    assert [reply_id for (reply_id,) in connection.execute("SELECT id FROM replies ORDER BY rowid")] == ids
    connection.close()


@pytest.mark.parametrize("body, status, words", [
    ({"reply_id": "no-such-reply", "helpful": True}, 404, "no reply"),
    ({"reply_id": "x", "helpful": "yes"}, 422, "true or false"),
    ({"reply_id": "x"}, 422, 'no "helpful"'),
    ({"helpful": True}, 422, 'no "reply_id"'),
    ({"reply_id": "x", "helpful": True, "comment": "c" * 5000}, 422, "too long"),
])
def test_bad_feedback_gets_a_clear_4xx(client, body, status, words):
    response = client.post("/api/feedback", json=body)
    assert response.status_code == status
    assert words in response.json()["detail"]


@pytest.mark.parametrize("breakage", ["folder", "garbage", "missing-folder"])
def test_an_unusable_store_turns_feedback_into_503_and_the_chat_still_answers(make_client, tmp_path, breakage):
    path = tmp_path / "broken.db"
    if breakage == "folder":
        path.mkdir()
    elif breakage == "garbage":
        path.write_bytes(b"this is not a database" * 100)
    else:
        path = tmp_path / "no" / "such" / "folder.db"
    client = make_client(db=str(path))
    reply = ask(client, SURVIVAL)
    assert reply.status_code == 200
    response = client.post("/api/feedback", json={"reply_id": reply.json()["id"], "helpful": True})
    assert response.status_code == 503
    assert "still answers" in response.json()["detail"]
    admin = client.get("/api/admin/feedback", headers={"Authorization": f"Bearer {TOKEN}"})
    assert admin.status_code == 503


def test_a_store_failing_while_running_does_not_stop_answers(client):
    client.app.state.web.log.close()
    assert ask(client, SURVIVAL).status_code == 200
    assert client.post("/api/feedback", json={"reply_id": "x", "helpful": True}).status_code == 503


def test_admin_endpoints_are_off_without_a_token(make_client):
    client = make_client(admin_token="")
    for path in ADMIN_PATHS:
        assert client.get(path).status_code == 404
        assert client.get(path, headers={"Authorization": "Bearer anything"}).status_code == 404


@pytest.mark.parametrize("header", [None, "Bearer wrong", f"Basic {TOKEN}", "Bearer", f"Bearer {TOKEN}x"])
def test_admin_endpoints_refuse_a_wrong_token(client, header):
    headers = {"Authorization": header} if header else {}
    for path in ADMIN_PATHS:
        response = client.get(path, headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"


def test_unanswered_questions_are_counted(client):
    for question in ("What is the capital of France?", "what is the capital of france", SURVIVAL):
        ask(client, question)
    rows = client.get("/api/admin/unanswered", headers={"Authorization": f"Bearer {TOKEN}"}).json()
    assert [r["count"] for r in rows if "capital" in r["question"].lower()] == [2]
    assert not any(r["question"] == SURVIVAL for r in rows)


def test_answers_given_with_low_confidence_are_listed_with_counts(client):
    store = client.app.state.web.log
    logged = [("Is it safe in pregnancy?", "answer", 0.55), ("is it safe in pregnancy", "answer", 0.6),
              (SURVIVAL, "answer", 0.95), ("What is the capital of France?", "no_answer", 0.1)]
    for n, (question, kind, score) in enumerate(logged):
        store.record_reply({"id": f"logged-{n}", "question": question, "answer": f"answer {n}", "kind": kind,
                            "confidence": score})
    headers = {"Authorization": f"Bearer {TOKEN}"}
    rows = client.get("/api/admin/low-confidence", headers=headers).json()
    assert rows == [{"question": "is it safe in pregnancy", "count": 2, "last_asked": rows[0]["last_asked"],
                     "answer": "answer 1", "confidence": 0.6}]
    assert [r["count"] for r in client.get("/api/admin/low-confidence?below=0.58", headers=headers).json()] == [1]
    refused = client.get("/api/admin/low-confidence?below=2", headers=headers)
    assert refused.status_code == 422 and "below" in refused.json()["detail"]


# ---------------------------------------------------------------- health, docs


def test_health(client, bot):
    assert client.get("/api/health").json() == {"status": "ok", "passages": len(bot.corpus.passages)}


def test_docs_work_offline(client):
    page = client.get("/docs")
    assert page.status_code == 200
    scripts = re.findall(r'<script src="([^"]+)"', page.text)
    assert scripts and all(src.startswith("/") for src in scripts)  # nothing from a CDN
    for src in scripts + re.findall(r'<link rel="stylesheet" href="([^"]+)"', page.text):
        assert client.get(src).status_code == 200
    schema = client.get("/openapi.json").json()
    assert {"/api/ask", "/api/feedback", "/api/health", *ADMIN_PATHS} <= set(schema["paths"])


# ---------------------------------------------------------------- security


@pytest.mark.parametrize("method, path", [("GET", "/"), ("GET", "/source"), ("GET", "/static/app.css"),
                                          ("GET", "/docs"), ("GET", "/api/health"), ("GET", "/nowhere"),
                                          ("POST", "/api/ask")])
def test_security_headers_on_every_response(client, method, path):
    response = client.request(method, path, json={"question": "hi"} if method == "POST" else None)
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_replies_are_not_cached(client):
    assert ask(client, SURVIVAL).headers["cache-control"] == "no-store"


@pytest.mark.parametrize("payload", ["<script>alert(1)</script>", '<img src=x onerror="alert(1)">',
                                     '"><svg onload=alert(1)>'])
def test_markup_in_a_question_is_escaped_in_the_page(client, payload):
    page = client.post("/", data={"question": payload}).text
    assert payload not in page
    assert "&lt;" in page and "onerror=\"alert" not in page


def test_templates_escape_by_default():
    template = web.Environment(loader=web.FileSystemLoader(web.WEB_DIR / "templates"), autoescape=True)
    assert "&lt;b&gt;" in template.from_string("{{ x }}").render(x="<b>")


def test_pages_have_no_inline_scripts_or_handlers(client):
    for path in ("/", "/source", "/docs"):
        html = client.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert not re.search(r"\son[a-z]+\s*=", html), path
        assert "style=" not in html


@pytest.mark.parametrize("raw_path", ["/static/../pyproject.toml", "/static/%2e%2e/pyproject.toml",
                                      "/static/..%2fpyproject.toml", "/static/%2e%2e%2f%2e%2e%2fpyproject.toml",
                                      "/static/....//pyproject.toml", "/static//etc/passwd",
                                      "/static/%2fetc%2fpasswd", "/static/..%5c..%5cpyproject.toml",
                                      "/docs-assets/../../pyproject.toml"])
def test_static_paths_cannot_escape_web(client, raw_path):
    assert raw_get(client.app, raw_path) == 404


def test_static_files_are_served(client):
    assert raw_get(client.app, "/static/app.css") == 200
    assert client.get("/static/app.js").headers["content-type"].startswith("text/javascript")


# ---------------------------------------------------------------- rate limiting


def test_rate_limit_is_off_by_default(client):
    assert all(ask(client, "hello").status_code == 200 for _ in range(30))


def test_rate_limit_answers_429_with_retry_after(make_client):
    client = make_client(rate_limit_per_minute=3)
    replies = [ask(client, "hello") for _ in range(3)]
    assert all(r.status_code == 200 for r in replies)
    limited = ask(client, "hello")
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert "wait" in limited.json()["detail"]
    feedback = client.post("/api/feedback", json={"reply_id": replies[0].json()["id"], "helpful": True})
    assert feedback.status_code == 429
    assert client.get("/api/health").status_code == 200  # only asking and feedback are limited


def test_rate_limit_window_slides_per_client():
    now = [1000.0]
    sessions = MemorySessions(clock=lambda: now[0])
    assert sessions.hit("a", 2) == 0
    now[0] += 30
    assert sessions.hit("a", 2) == sessions.hit("b", 2) == 0
    assert sessions.hit("a", 2) == 30
    now[0] += 30.5  # the first request has left the window
    assert sessions.hit("a", 2) == 0


# ---------------------------------------------------------------- the pages


def test_chat_page_shows_title_source_notice_and_starters(client, bot):
    page = client.get("/").text
    assert bot.title in page
    assert "not medical advice" in page
    assert 'id="announce" role="status"' in page and '<label for="question">' in page
    assert len(re.findall(r'class="chip" name="question"', page)) >= 3


def test_chat_without_javascript_keeps_the_conversation(client):
    first = client.post("/", data={"question": SURVIVAL}, follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/#latest"  # post, redirect, get
    first = client.get("/")
    assert first.status_code == 200 and "23%" in first.text
    second = client.post("/", data={"question": "what about lung?"}).text  # the session is in the cookie
    assert SURVIVAL in second and "55%" in second
    assert second.count('<li class="turn"') == 2
    assert '<figcaption class="source-line">Source: <a href="/source?passage=' in second


def test_page_shows_the_error_in_words(client):
    page = client.post("/", data={"question": "   "})
    assert page.status_code == 422
    assert re.search(r'role="alert">The question is empty', page.text)


def test_feedback_without_javascript(client):
    page = client.post("/", data={"question": SURVIVAL}).text
    reply_id = re.search(r'name="reply_id" value="([0-9a-f]+)"', page).group(1)
    asked = client.post("/feedback", data={"reply_id": reply_id, "helpful": "no-why"})  # "No" asks what went wrong
    assert asked.status_code == 200 and "What was wrong or missing?" in asked.text
    assert client.get("/api/admin/feedback", headers={"Authorization": f"Bearer {TOKEN}"}).json() == []
    thanked = client.post("/feedback", data={"reply_id": reply_id, "helpful": "yes", "comment": "clear"})
    assert thanked.status_code == 200 and "Thank you for your feedback" in thanked.text
    exported = client.get("/api/admin/feedback", headers={"Authorization": f"Bearer {TOKEN}"}).json()
    assert [(r["reply_id"], r["helpful"], r["comment"]) for r in exported] == [(reply_id, True, "clear")]


def test_emergency_reply_leads_with_the_number(client):
    page = client.post("/", data={"question": "I have crushing chest pain"}).text
    assert 'class="reply kind-emergency"' in page
    assert re.search(r'<a class="call" href="tel:\d{3}">Call \d{3}</a>', page)


def test_source_page_renders_the_cleaned_document_with_anchors(client, bot):
    document = bot.corpus.documents[0]
    page = client.get("/source").text
    for passage in document.passages:
        assert f'id="{passage.id}"' in page
    assert "Trade Crypto" not in page  # page junk after the article is not a passage
    assert "<h2>The Clinical Challenge Behind the Approval</h2>" in page


def test_source_page_marks_the_cited_passage(client, bot):
    passage = bot.corpus.passages[3]
    page = client.get("/source", params={"passage": passage.id}).text
    assert f'class="passage cited" id="{passage.id}"' in page
    assert page.count('class="passage cited"') == 1


def test_source_page_does_not_claim_a_bogus_passage(client):
    page = client.get("/source", params={"passage": "bogus"})
    assert page.status_code == 404
    assert 'class="passage cited"' not in page.text and "highlighted below" not in page.text


# ---------------------------------------------------------------- privacy and memory


def test_questions_are_not_logged_unless_asked_for(make_client, caplog):
    secret = "my tumour marker is 4711, what does that mean"
    with caplog.at_level(logging.DEBUG):
        ask(make_client(), secret)
    assert secret not in caplog.text
    with caplog.at_level(logging.DEBUG):
        ask(make_client(log_questions=1), secret)
    assert secret in caplog.text


def test_no_javascript_transcripts_are_bounded():
    now = [0.0]
    sessions = MemorySessions(ttl_seconds=60, max_sessions=2, clock=lambda: now[0])
    for session in ("a" * 32, "b" * 32, "c" * 32):
        sessions.remember(session, session, None)
        sessions.save_transcript(session, [{"id": session}])
    assert sessions.transcript("a" * 32) == [] and len(sessions.transcript("c" * 32)) == 1
    sessions.save_transcript("c" * 32, [{"id": str(turn)} for turn in range(web_store.TRANSCRIPT_TURNS + 5)])
    assert len(sessions.transcript("c" * 32)) == web_store.TRANSCRIPT_TURNS
    now[0] = 61
    assert sessions.transcript("c" * 32) == []


def test_starter_questions_come_from_the_corpus_metadata(tmp_path):
    corpus = tmp_path / "clinic"
    corpus.mkdir()
    policy = Path(__file__).parent / "fixtures" / "clinic" / "visitor-policy.md"
    (corpus / policy.name).write_text(policy.read_text(encoding="utf-8"), encoding="utf-8")
    assert web.starter_questions(netqa.load(corpus))  # without metadata: made from the headings
    starters = ["When can I visit?", "Can children visit?"]
    (corpus / "metadata.json").write_text(json.dumps({"starter_questions": starters}), encoding="utf-8")
    assert web.starter_questions(netqa.load(corpus)) == starters


def test_an_unexpected_error_is_a_500_in_words_with_the_security_headers_and_one_traceback(bot, tmp_path, caplog):
    app = create_app(bot, dataclasses.replace(bot.settings, db=str(tmp_path / "netqa.db")))

    @app.get("/fails")
    async def fails():
        raise RuntimeError("a bug")

    with TestClient(app, raise_server_exceptions=False) as client, caplog.at_level(logging.ERROR):
        response = client.get("/fails")
    assert response.status_code == 500 and "went wrong" in response.json()["detail"]
    assert "nosniff" == response.headers["x-content-type-options"] and "content-security-policy" in response.headers
    assert [r.message for r in caplog.records if r.exc_info] == ["unexpected error on GET /fails"]
