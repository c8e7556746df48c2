"""Hostile and broken clients against a real `netqa serve` on 127.0.0.1: malformed bodies and requests, huge headers,
slow and idle connections, cross-site posts, chosen session ids, forged forwarding headers, and 2 workers sharing
conversations, feedback and the rate limit."""

from __future__ import annotations

import json
import re
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from live_server import Server

SURVIVAL = "What is the five-year survival for pancreatic NET?"
SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "referrer-policy", "x-frame-options")
READ_TIMEOUT = 2  # NETQA_READ_TIMEOUT of the servers here, so the slow-client tests take seconds
MAX_CONNECTIONS = 300


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    started = Server(folder / "netqa.db", folder / "server.log", 1,
                     env={"NETQA_READ_TIMEOUT": str(READ_TIMEOUT), "NETQA_MAX_CONNECTIONS": str(MAX_CONNECTIONS)})
    yield started
    started.stop()


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory):
    folder = tmp_path_factory.mktemp("two-workers")
    started = Server(folder / "netqa.db", folder / "server.log", 2)
    yield started
    started.stop()


def raw(server: Server, request: bytes, timeout: float = 10.0) -> bytes:
    """Send bytes as they are and read the first answer: its head and its Content-Length of body."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as sock:
        try:
            sock.sendall(request)
        except OSError:
            pass  # refused before it was all sent: the answer is still there to read
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
                head, _, body = answer.partition(b"\r\n\r\n")
                length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
                if _ and length and len(body) >= int(length.group(1)):
                    break
        except (TimeoutError, ConnectionResetError):
            pass
    return answer


def status_and_headers(answer: bytes) -> tuple[int, dict[str, str]]:
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    status = int(head[0].split()[1])
    return status, {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in head[1:] if ":" in line)}


def post(server: Server, path: str, body: bytes, content_type: str = "application/json", **headers) -> bytes:
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n"
            + "".join(f"{name.replace('_', '-')}: {value}\r\n" for name, value in headers.items()) + "\r\n")
    return raw(server, head.encode() + body)


# ---------------------------------------------------------------- 250 bad inputs, no 5xx


def bad_bodies() -> list[tuple[str, bytes, str]]:
    """(path, body, content type) for bodies that are wrong in every way we could think of."""
    deep = [("{\"question\": " + "[" * d + "]" * d + "}").encode() for d in (50, 100, 500, 1000, 5000, 30_000)]
    deep += [("{\"a\":" * d + "1" + "}" * d).encode() for d in (1000, 20_000)]
    not_json = [b"", b"{", b"}", b"[", b"nul", b"{\"question\": }", b"{'question': 'x'}", b"\xff\xfe\x00",
                b"\xc3\x28", b"{\"question\": \"\\ud800\"}", b"{\"question\": \"\\u00\"}", b"NaN", b"1e999999",
                b"{\"question\": 1e999999}", b"\x00" * 100, b"{\"question\":\"x\"}garbage", b"[1,2,3]", b"\"text\"",
                b"true", b"null", b"{\"question\": \"x\", \"question\": [1]}"]
    wrong_shape = [json.dumps(body).encode() for body in (
        {}, {"question": None}, {"question": 1}, {"question": 1.5}, {"question": True}, {"question": []},
        {"question": {}}, {"question": ["a"]}, {"question": ""}, {"question": " " * 50}, {"question": "x" * 2001},
        {"question": "x" * 60_000}, {"question": "ok", "session_id": 5}, {"question": "ok", "session_id": []},
        {"question": "ok", "session_id": "x" * 129}, {"question": "ok", "session_id": "\u0000" * 20},
        {"question": "\u0000\u0001\u0002"}, {"question": "\ufeff"}, {"question": "\u202e" * 10},
        {"Question": "case matters"}, {"question": "ok", "extra": {"nested": [1, 2]}})]
    feedback = [json.dumps(body).encode() for body in (
        {}, {"reply_id": None, "helpful": True}, {"reply_id": 1, "helpful": True}, {"reply_id": "x", "helpful": None},
        {"reply_id": "x", "helpful": "maybe"}, {"reply_id": "x", "helpful": "yes"}, {"reply_id": "x", "helpful": 1},
        {"reply_id": "x", "helpful": 0}, {"reply_id": "x" * 129, "helpful": True},
        {"reply_id": "x", "helpful": True, "comment": 5}, {"reply_id": "x", "helpful": True, "comment": "c" * 2001},
        {"reply_id": "x", "helpful": True, "comment": []}, {"reply_id": "", "helpful": False},
        {"reply_id": "\ud800", "helpful": True}, {"reply_id": "00000000000000000000000000000000", "helpful": True})]
    cases = []
    for path in ("/api/ask", "/api/feedback", "/", "/feedback"):  # the forms are sent JSON too, and vice versa
        for body in deep + not_json + wrong_shape + feedback:
            cases.append((path, body, "application/json"))
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                         "application/json; charset=latin-1", "application/xml", ""):
        cases.append(("/api/ask", b'{"question": "What is CABINET?"}', content_type))
    forms = [b"question=" + b"x" * 2001, b"question=", b"question=%ff%fe", b"question=%00%01", b"helpful=maybe",
             b"reply_id=&helpful=yes", b"reply_id=" + b"x" * 200 + b"&helpful=no", b"reply_id=r&helpful=maybe",
             b"reply_id=r", b"%%%%", b"a=" + b"&a=" * 1000, b"question=" + b"%" * 100]
    for path in ("/", "/feedback", "/api/ask", "/api/feedback"):
        for body in forms:
            cases.append((path, body, "application/x-www-form-urlencoded"))
        cases.append((path, b"--x\r\nContent-Disposition: form-data; name=\"question\"; filename=\"a.txt\"\r\n\r\n"
                            b"hello\r\n--x--\r\n", "multipart/form-data; boundary=x"))
        cases.append((path, b"--x\r\nbroken", "multipart/form-data; boundary=x"))
        cases.append((path, b"question=hi", "multipart/form-data"))
    return cases


BAD_REQUESTS = [
    b"GARBAGE\r\n\r\n", b"GET\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n", b"GET /\x00 HTTP/1.1\r\nHost: x\r\n\r\n",
    b"POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
    b"POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
    b"POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n",
    b"POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
    b"POST /api/ask HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"POST /api/ask HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nBad Header Name: 1\r\n\r\n", b"GET / HTTP/1.1\r\n: empty\r\n\r\n",
    b"GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n", b"GET /source?passage=%ff%fe HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /api/admin/low-confidence?below=abc HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer wrong\r\n\r\n",
    b"DELETE /api/ask HTTP/1.1\r\nHost: x\r\n\r\n", b"PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
    b"GET /static/../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n", b"\r\n\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
]


def test_250_bad_inputs_get_a_4xx_with_the_security_headers_and_never_a_5xx(server):
    cases = bad_bodies()
    assert len(cases) + len(BAD_REQUESTS) >= 250
    failures = []
    answers = [(f"{path} {body[:40]!r} {content_type}", post(server, path, body, content_type))
               for path, body, content_type in cases]
    answers += [(repr(request[:40]), raw(server, request)) for request in BAD_REQUESTS]
    for label, answer in answers:
        status, headers = status_and_headers(answer)
        if status >= 500 or not all(name in headers for name in SECURITY_HEADERS):
            failures.append(f"{status} {label}")
        elif status >= 400 and len(answer.split(b"\r\n\r\n", 1)[1]) < 10:
            failures.append(f"{status} without a sentence: {label}")
    assert failures == []
    assert "Traceback" not in server.output()


def test_a_form_error_on_the_page_without_javascript_renders_the_page_with_the_message(server):
    for path, body, words in (("/", b"question=" + b"x" * 2001, "too long"),
                              ("/feedback", b"reply_id=abc&helpful=maybe", "choose Yes or No"),
                              ("/feedback", b"helpful=yes", "which answer")):
        answer = post(server, path, body, "application/x-www-form-urlencoded")
        status, headers = status_and_headers(answer)
        assert status == 422 and headers["content-type"].startswith("text/html"), answer[:300]
        assert re.search(rb'role="alert">[^<]*' + words.encode(), answer)


def test_helpful_maybe_is_refused_not_stored_as_no(server):
    reply = httpx.post(f"{server.url}/api/ask", json={"question": SURVIVAL}).json()
    answer = post(server, "/feedback", f"reply_id={reply['id']}&helpful=maybe".encode(),
                  "application/x-www-form-urlencoded")
    assert status_and_headers(answer)[0] == 422
    assert not any(row["reply_id"] == reply["id"] for row in server.admin_feedback())


# ---------------------------------------------------------------- headers, slow and idle clients


@pytest.mark.parametrize("size", [17 * 1024, 1 << 20, 32 << 20])
def test_a_header_beyond_16_kib_is_refused_with_431(server, size):
    answer = raw(server, b"GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * size + b"\r\n\r\n")
    status, headers = status_and_headers(answer)
    assert status == 431 and all(name in headers for name in SECURITY_HEADERS)


def test_headers_just_under_the_cap_are_fine(server):
    answer = raw(server, b"GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: " + b"a" * 15_000
                 + b"\r\n\r\n")
    assert status_and_headers(answer)[0] == 200


def resident_mib(server: Server) -> float:
    status = open(f"/proc/{server.process.pid}/status").read()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024


def test_slow_idle_and_oversized_connections_are_closed_and_hold_no_memory(server):
    """A flood of 300 connections: idle, slow headers, slow body, and 2 MB of unterminated header each."""
    before = resident_mib(server)
    flood = []
    for n in range(200):
        sock = socket.create_connection(("127.0.0.1", server.port))
        if n % 4 == 1:
            sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\n")  # the headers never end
        elif n % 4 == 2:
            sock.sendall(b"POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 100\r\n\r\n{\"question\"")  # nor does the body
        elif n % 4 == 3:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX: " + b"a" * 1000)  # and then slowly more
        flood.append(sock)
    oversized = []
    for _ in range(100):
        sock = socket.create_connection(("127.0.0.1", server.port))
        try:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX: " + b"a" * (2 << 20))
        except OSError:
            pass  # refused and closed before the whole 2 MB was sent
        oversized.append(sock)
    started = time.monotonic()
    while time.monotonic() - started < READ_TIMEOUT - 0.5:
        for sock in flood[3::4]:
            try:
                sock.sendall(b"a")
            except OSError:
                pass
        # The flood does not keep others out meanwhile.
        assert httpx.get(f"{server.url}/api/health", timeout=2).status_code == 200
        time.sleep(0.2)
    assert resident_mib(server) - before < 50
    deadline = time.monotonic() + READ_TIMEOUT + 3
    still_open = flood + oversized
    while still_open and time.monotonic() < deadline:
        still_open = [sock for sock in still_open if not closed_by_server(sock)]
        time.sleep(0.2)
    for sock in flood + oversized:
        sock.close()
    assert still_open == [], f"{len(still_open)} of 300 connections still open {READ_TIMEOUT + 3} s after the flood"


def closed_by_server(sock: socket.socket) -> bool:
    sock.settimeout(0.01)
    try:
        while True:
            if not sock.recv(65536):
                return True
    except TimeoutError:
        return False
    except OSError:
        return True


def test_connections_past_the_cap_are_refused_with_503(server):
    held = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(MAX_CONNECTIONS + 20)]
    try:
        refused = 0
        for sock in held[-20:]:
            sock.settimeout(2)
            try:
                refused += sock.recv(100).startswith(b"HTTP/1.1 503")
            except TimeoutError:
                pass
        assert refused >= 15
    finally:
        for sock in held:
            sock.close()
    time.sleep(0.3)
    assert httpx.get(f"{server.url}/api/health", timeout=5).status_code == 200


def test_a_client_that_leaves_mid_body_is_one_info_line(server):
    before = server.output()
    for _ in range(5):
        with socket.create_connection(("127.0.0.1", server.port)) as sock:
            sock.sendall(b"POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 1000\r\n\r\n{\"question\": \"How")
            time.sleep(0.05)
    time.sleep(0.5)
    new = server.output()[len(before):]
    assert new.count("the client left during POST /api/ask") == 5
    assert "Traceback" not in new and "ERROR" not in new


@pytest.mark.parametrize("path", ["/", "/source", "/api/health", "/docs", "/openapi.json"])
def test_head_works_where_get_does(server, path):
    got, head = httpx.get(server.url + path), httpx.head(server.url + path)
    assert head.status_code == got.status_code == 200
    assert head.content == b"" and head.headers["content-type"] == got.headers["content-type"]
    assert all(name in head.headers for name in SECURITY_HEADERS)


# ---------------------------------------------------------------- sessions, cross-site posts, proxies


def test_a_cross_site_form_post_is_refused_with_403(server):
    for headers in ({"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
                    {"Origin": "https://evil.example"}, {"Origin": "null"}, {"Sec-Fetch-Site": "same-site"}):
        for path, form in (("/", {"question": SURVIVAL}), ("/feedback", {"reply_id": "r", "helpful": "yes"})):
            response = httpx.post(server.url + path, data=form, headers=headers)
            assert response.status_code == 403, (path, headers)
    same = httpx.post(server.url + "/", data={"question": SURVIVAL},
                      headers={"Origin": server.url, "Sec-Fetch-Site": "same-origin"})
    assert same.status_code == 303  # answered, and sent on to the page that shows it


def test_a_session_id_chosen_by_the_client_is_never_adopted(server):
    chosen = "0123456789abcdef0123456789abcdef"
    reply = httpx.post(f"{server.url}/api/ask", json={"question": SURVIVAL, "session_id": chosen}).json()
    assert reply["session_id"] != chosen
    page = httpx.post(server.url + "/", data={"question": SURVIVAL, "session_id": chosen},
                      cookies={"netqa_session": chosen})
    assert page.cookies["netqa_session"] not in (chosen, reply["session_id"])
    cookie = page.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    follow = httpx.post(f"{server.url}/api/ask", json={"question": "what about lung?", "session_id": chosen}).json()
    assert follow["resolved_question"] == "what about lung?"  # nothing of the victim's question leaks in


def test_a_transcript_is_shown_only_to_the_browser_whose_session_it_is(server):
    secret = "I have pancreatic NET and liver metastases, what is the five-year survival?"
    with httpx.Client(base_url=server.url, follow_redirects=True) as victim:
        page = victim.post("/", data={"question": secret}).text
        reply_id = re.search(r'name="reply_id" value="([0-9a-f]+)"', page).group(1)
        session = victim.cookies["netqa_session"]
        assert secret in victim.get("/").text
    with httpx.Client(base_url=server.url, follow_redirects=True) as other:
        for response in (other.get("/"), other.post("/feedback", data={"reply_id": reply_id, "helpful": "no",
                                                                        "session_id": session}),
                         other.post("/", data={"question": "hello", "session_id": session})):
            assert secret not in response.text


def test_forwarded_for_is_not_believed_unless_the_proxy_is_listed(tmp_path, servers):
    untrusted = servers(tmp_path / "a.db", env={"NETQA_RATE_LIMIT": "5"})
    passed = [httpx.post(f"{untrusted.url}/api/ask", json={"question": "hello"},
                         headers={"X-Forwarded-For": f"10.0.0.{n}"}).status_code for n in range(10)]
    assert passed.count(200) == 5 and passed.count(429) == 5
    trusted = servers(tmp_path / "b.db", env={"NETQA_RATE_LIMIT": "5", "NETQA_TRUSTED_PROXIES": "127.0.0.1"})
    passed = [httpx.post(f"{trusted.url}/api/ask", json={"question": "hello"},
                         headers={"X-Forwarded-For": f"10.0.0.{n}"}).status_code for n in range(10)]
    assert passed == [200] * 10  # each forwarded client has its own count


# ---------------------------------------------------------------- two workers, fresh connections


def fresh(server: Server, path: str, body: dict) -> httpx.Response:
    with httpx.Client(timeout=10, headers={"Connection": "close"}) as client:
        return client.post(server.url + path, json=body)


def test_follow_ups_and_feedback_work_whichever_of_two_workers_answers(two_workers):
    lost, refused = [], []
    for n in range(20):
        first = fresh(two_workers, "/api/ask", {"question": SURVIVAL, "session_id": None}).json()
        follow = fresh(two_workers, "/api/ask", {"question": "and GI tract?", "session_id": first["session_id"]})
        follow = follow.json()
        if follow["session_id"] != first["session_id"] or "survival" not in follow["resolved_question"].lower():
            lost.append(follow["resolved_question"])
        for reply in (first, follow):
            feedback = fresh(two_workers, "/api/feedback", {"reply_id": reply["id"], "helpful": n % 2 == 0})
            if feedback.status_code != 201:
                refused.append(feedback.text)
    assert lost == [] and refused == []


def test_the_rate_limit_counts_across_both_workers(servers, tmp_path):
    limited = servers(tmp_path / "netqa.db", 2, env={"NETQA_RATE_LIMIT": "30"})
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda n: fresh(limited, "/api/ask", {"question": "hello"}).status_code, range(60)))
    assert statuses.count(200) == 30 and statuses.count(429) == 30


def test_feedback_on_made_up_ids_is_refused_at_once(two_workers):
    started = time.monotonic()
    for n in range(20):
        response = fresh(two_workers, "/api/feedback", {"reply_id": f"{n:032x}", "helpful": True})
        assert response.status_code == 404
    assert time.monotonic() - started < 5  # no waiting for a batch that will never come
