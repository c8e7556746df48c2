"""The web chat and its JSON API: a thin FastAPI adapter over Bot.ask and the feedback store, no answering logic."""

from __future__ import annotations

import dataclasses
import functools
import gc
import hmac
import json
import logging
import re
import time
from collections.abc import Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader
from pydantic import BaseModel, BeforeValidator, Field, StrictBool, ValidationError
from pydantic_core import to_json
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import netqa
from netqa.bot import Bot, QuestionError
from netqa.config import Settings, bundled_path, settings_markdown
from netqa.records import Citation, Reply
from netqa.store import (
    LATE_REPLY_SECONDS,
    LOW_CONFIDENCE,
    Conversations,
    MemorySessions,
    QuestionLog,
    StoreUnavailable,
    conversations_beside,
    open_log,
    open_sessions,
)
from netqa.view import document_sections, reply_view, retention_words, starter_questions

log = logging.getLogger("netqa.web")

WEB_DIR = bundled_path("web")
MAX_BODY_BYTES = 64 * 1024
MAX_COMMENT_CHARS = 2000
MAX_ID_CHARS = 128
# Questions longer than this are answered in a worker thread, so the event loop keeps serving other requests
# (a long question can take tens of milliseconds); shorter ones are answered inline, which is cheaper.
INLINE_QUESTION_CHARS = 200
SESSION_COOKIE = "netqa_session"  # the no-JavaScript page's conversation: HttpOnly, SameSite=Strict
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'")
SECURITY_HEADERS = ((b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"), (b"x-frame-options", b"DENY"))

_SURROGATE = re.compile(r"[\ud800-\udfff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_JSON_MEDIA_TYPE = re.compile(r"\s*application/(?:[^\s;/]+\+)?json\s*(?:;|$)", re.IGNORECASE)


# ---------------------------------------------------------------- request and response bodies


def _cleaned(value: object) -> object:
    # Before validation, because Pydantic refuses a lone surrogate in a constrained string with an unhelpful message.
    return clean_text(value) if isinstance(value, str) else value


Text = Annotated[str, BeforeValidator(_cleaned)]


class AskBody(BaseModel):
    question: Text = Field(description="the question, in plain words",
                          examples=["How many patients were in the CABINET trial?"])
    session_id: Text | None = Field(None, max_length=MAX_ID_CHARS,
                                    description="the session_id of an earlier reply, so follow-up questions work")


class FeedbackBody(BaseModel):
    reply_id: Text = Field(max_length=MAX_ID_CHARS, description="the id of the reply being rated")
    helpful: StrictBool = Field(description="true if the reply helped")
    comment: Text | None = Field(None, max_length=MAX_COMMENT_CHARS, description="optional words from the reader")


class Problem(BaseModel):
    detail: str = Field(description="what went wrong, in plain words")


class ReplyOut(BaseModel):
    id: str
    question: str
    answer: str
    kind: str = Field(description="answer | no_answer | medical_advice | emergency | chitchat")
    confidence: float
    citations: list[Citation]  # the engine's own record: pydantic reads a dataclass's fields
    session_id: str
    short_answer: str | None
    quote: str | None
    question_type: str | None
    resolved_question: str | None
    suggestions: list[str]
    context_lost: bool = Field(description="true when the session_id sent is not known (the conversation timed out, "
                                           "or its store is away): the question was answered without the earlier ones")
    calls: list[str] = Field(description="numbers an emergency reply says to call, the first one first")
    lead: list[str] = Field(description="the reply's own words in paragraphs: answer without the quote, source line "
                                        "and suggestions (shown from their own fields)")
    safety_net: str = Field(description='the line a no_answer on a health corpus ends with ("" if none)')


class FeedbackId(BaseModel):
    id: int


class Health(BaseModel):
    status: str
    passages: int


def _problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": Problem} for code in codes}


Body = TypeVar("Body", bound=BaseModel)
Result = TypeVar("Result")


async def json_body(request: Request, model: type[Body]) -> Body:
    """The request's JSON body validated as `model`, or the RequestValidationError FastAPI would raise for it.

    For /api/ask, instead of a `body: AskBody` parameter: FastAPI's body and dependency handling cost about
    30 µs a request, a tenth of a cached /api/ask.
    """
    raw = await request.body()
    if not raw or not _JSON_MEDIA_TYPE.match(request.headers.get("content-type", "")):
        raise RequestValidationError([{"type": "missing" if not raw else "model_type", "loc": ("body",),
                                       "msg": "a JSON object is required", "input": None}])
    try:
        return model.model_validate_json(raw)  # the usual well-formed body: parsed and checked in one pass
    except ValidationError:
        pass  # parsed again below, so the error is reported as on every other endpoint (and UTF-16 is read)
    try:
        data = json.loads(raw)
    except RecursionError:
        raise RequestValidationError([{"type": "json_invalid", "loc": ("body",), "msg": "JSON decode error",
                                       "input": {}, "ctx": {"error": "nested too deeply"}}]) from None
    except ValueError as exc:  # not JSON, or bytes that are not UTF-8, -16 or -32
        raise RequestValidationError([{"type": "json_invalid", "loc": ("body",), "msg": "JSON decode error",
                                       "input": {}, "ctx": {"error": getattr(exc, "msg", str(exc))}}]) from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError([{**error, "loc": ("body", *error["loc"])} for error in exc.errors()]) from None


# ---------------------------------------------------------------- state kept by the adapter


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        self.retry_after = retry_after


@dataclasses.dataclass
class Web:
    bot: Bot
    settings: Settings
    log: QuestionLog | None
    log_error: str | None
    sessions: Conversations  # shared with the bot: conversations, reply ids, page transcripts, rate-limit counts
    templates: Environment

    async def conversation(self, call: Callable[..., Result], *args: Any) -> Result:
        """A call of the conversation store: in a worker thread when it crosses the network (Redis, PostgreSQL),
        so the event loop never waits on it; inline for a local file, which answers in microseconds."""
        if self.sessions.remote:
            return await run_in_threadpool(call, *args)
        return call(*args)

    async def check_rate(self, request: Request) -> None:
        """Count the request against NETQA_RATE_LIMIT for its client, or raise RateLimited."""
        if self.settings.rate_limit_per_minute <= 0:
            return
        wait = await self.conversation(self.sessions.hit, _client(request), self.settings.rate_limit_per_minute)
        if wait:
            raise RateLimited(wait)

    async def ask(self, question: str, session_id: str | None) -> dict:
        """The engine's reply as a dict, queued for the store's log if there is one (a failing store never stops
        an answer)."""
        started = time.perf_counter()
        question, session_id = clean_text(question), session_id or None
        # The engine reads and writes the conversation: over the network, that is off the event loop too.
        if len(question) > INLINE_QUESTION_CHARS or self.sessions.remote:
            reply = reply_dict(await run_in_threadpool(self.bot.ask, question, session_id))
        else:
            reply = reply_dict(self.bot.ask(question, session_id))
        # The conversation sent is not known (expired, or the conversation store is away): answered on its own.
        reply["context_lost"] = session_id is not None and reply["session_id"] != session_id
        if self.settings.log_questions:
            log.info("asked %r -> %s %.2f in %.1f ms", reply["question"], reply["kind"], reply["confidence"],
                     (time.perf_counter() - started) * 1000)
        if self.log is not None:
            try:
                self.log.record_reply(reply)  # only queued: the store's writer thread commits it
            except StoreUnavailable as exc:
                log.error("could not log a reply: %s", exc)
        return reply

    async def add_feedback(self, reply_id: str, helpful: bool, comment: str | None) -> int:
        if self.log is None:
            raise StoreUnavailable(self.log_error or "the feedback database is not open")
        comment = clean_text(comment).strip() if comment else None
        log_store = self.log

        def store() -> int:
            # A reply this service gave may not be logged yet by the worker that gave it: worth waiting for. Any
            # other id costs one read, so a flood of made-up ids cannot hold up real feedback. (Looked up in this
            # worker thread like the feedback: on the event loop, a flood of them would take it from every request.)
            wait = LATE_REPLY_SECONDS if self.sessions.session_of(reply_id) is not None else 0.0
            return log_store.add_feedback(reply_id, helpful, comment or None, wait)

        return await run_in_threadpool(store)

    @property
    def emergency_number(self) -> str:
        return self.settings.emergency_number

    def view(self, reply: dict) -> dict:
        """The chat page's turn for a reply."""
        return reply_view(reply, len(self.bot.corpus.documents) > 1, self.sections, self.emergency_number)

    @functools.cached_property
    def sections(self) -> dict[str, str]:
        """Each section's name -> its first passage (a reply's suggestions name sections)."""
        first: dict[str, str] = {}
        for passage in self.bot.corpus.passages:
            first.setdefault(passage.section, passage.id)
        return first

    def page(self, name: str, status: int = 200, **context) -> HTMLResponse:
        html = self.templates.get_template(name).render(
            title=self.bot.title, documents=self.bot.corpus.documents,
            max_question_chars=self.settings.max_question_chars, emergency_number=self.emergency_number,
            kept=retention_words(self.settings.retention_days), **context)
        return HTMLResponse(html, status_code=status)


# ---------------------------------------------------------------- presentation helpers (used by the templates)


_REPLY_FIELDS = tuple(field.name for field in dataclasses.fields(Reply))
_CITATION_FIELDS = tuple(field.name for field in dataclasses.fields(Citation))


def reply_dict(reply: Reply) -> dict:
    """The same dict as reply.to_dict() in about 2 µs instead of 23 (dataclasses.asdict deep-copies every field)."""
    data = {name: getattr(reply, name) for name in _REPLY_FIELDS}
    data["citations"] = [{name: getattr(c, name) for name in _CITATION_FIELDS} for c in reply.citations]
    data["suggestions"] = list(reply.suggestions)
    data["calls"] = list(reply.calls)
    data["lead"] = list(reply.lead)
    return data


def clean_text(text: str) -> str:
    """Text as typed, minus what cannot be stored or shown: control characters go, lone surrogates become U+FFFD."""
    return _CONTROL.sub("", _SURROGATE.sub("\ufffd", text))


def sentence(message: str) -> str:
    """An engine message ("the question is empty: ...") as a sentence for a person to read."""
    message = message.strip()
    return message[:1].upper() + message[1:] + ("" if message.endswith((".", "!", "?")) else ".")


def source_document(documents, passage: str | None, document: str | None):
    """The document /source shows: the one holding the passage, the one named, or the only one; None when the
    passage or document is not known ("" for the list of several documents)."""
    if passage:
        return next((d for d in documents if passage.startswith(f"{d.id}-p")
                     and any(p.id == passage for p in d.passages)), None)
    if document:
        return next((d for d in documents if d.id == document), None)
    return documents[0] if len(documents) == 1 else ""


# ---------------------------------------------------------------- middleware


class Errors:
    """The last word on a request that failed: a client that went away is one line at info level; any other
    exception one logged traceback and a 500 in words (inside SecurityHeaders, so it carries them too)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except ClientDisconnect:
            log.info("the client left during %s %s", scope["method"], scope["path"])
        except Exception:
            log.exception("unexpected error on %s %s", scope["method"], scope["path"])
            if not started:
                await _problem(500, "Something went wrong on our side. Please try again.")(scope, receive, send)


class SameSiteOnly:
    """403 for a state-changing request a browser sent from another site (a form auto-posted by another page).

    Browsers say where a request comes from: Sec-Fetch-Site (all current ones), else Origin. A request with
    neither is not a browser's cross-site request (curl, a script, an old browser's same-site form) and goes on.
    """

    SAFE = frozenset({"GET", "HEAD", "OPTIONS"})

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in self.SAFE and not _same_origin(scope):
            log.info("refused a cross-site %s %s", scope["method"], scope["path"])
            return await _problem(403, "This form can only be sent from this site's own pages.")(scope, receive, send)
        await self.app(scope, receive, send)


def _same_origin(scope: Scope) -> bool:
    headers = {name: value for name, value in scope["headers"] if name in (b"sec-fetch-site", b"origin", b"host")}
    fetch_site = headers.get(b"sec-fetch-site")
    if fetch_site is not None:
        return fetch_site in (b"same-origin", b"none")  # "none": typed or bookmarked by the user
    origin = headers.get(b"origin")
    if origin is None:
        return True
    return urlsplit(origin.decode("latin-1")).netloc.lower() == headers.get(b"host", b"").decode("latin-1").lower()


class HeadAsGet:
    """HEAD answered as GET wherever GET works; the server sends the headers only (it knows the request was HEAD)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "HEAD":
            scope = {**scope, "method": "GET"}
        await self.app(scope, receive, send)


class BodyLimit:
    """413 for a request body over the limit, whether declared by Content-Length or only counted as it streams."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES):
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        if not declared.isdigit():
            return await _problem(400, "The Content-Length header is not a number.")(scope, receive, send)
        if int(declared) > self.limit:
            return await self._too_large(scope, receive, send)
        received, exceeded, started = 0, False, False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                exceeded = True
                raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:
                return  # the app's answer to a cut-off body is replaced by the 413 below
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except _BodyTooLarge:
            pass
        if exceeded and not started:
            await self._too_large(scope, receive, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        await _problem(413, f"The request is too large: at most {self.limit // 1024} KiB is accepted. "
                            "Send a shorter question.")(scope, receive, send)


class _BodyTooLarge(Exception):
    pass


class SecurityHeaders:
    """Headers on every response that stop injected scripts, framing, type sniffing and referrer leaks."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        static = scope["path"].startswith(("/static/", "/docs-assets/"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control" or static]
                headers += SECURITY_HEADERS
                if not static:
                    headers.append((b"cache-control", b"no-store"))  # pages and replies may hold health questions
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _problem(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


# ---------------------------------------------------------------- errors in plain words


def validation_message(errors: list[dict]) -> tuple[int, str]:
    """The first validation error as a status and a sentence; invalid JSON is a 400, the rest 422."""
    error = errors[0]
    kind = error["type"]
    field = next((str(p) for p in error["loc"][1:] if isinstance(p, str)), None) if error["loc"][:1] == ("body",) \
        else str(error["loc"][-1])
    example = 'like {"question": "How many patients were in the trial?"}'
    if kind == "json_invalid":
        reason = error.get("ctx", {}).get("error", "cannot parse it")
        return 400, f"The request body is not valid JSON ({reason}). Send a JSON object {example}."
    if field is None:
        return 422, f"The request body must be a JSON object sent as application/json, {example}."
    if kind == "missing":
        return 422, f'The request has no "{field}". Send a JSON object {example}.'
    if kind == "string_type":
        return 422, f'"{field}" must be text in double quotes.'
    if kind == "bool_type":
        return 422, f'"{field}" must be true or false.'
    if kind in ("string_too_long", "too_long"):
        return 422, f'"{field}" is too long: at most {error["ctx"]["max_length"]} characters.'
    return 422, f'"{field}" is not valid: {error["msg"]}.'


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        status, detail = validation_message(list(exc.errors()))
        return _problem(status, detail)

    @app.exception_handler(QuestionError)
    async def bad_question(request: Request, exc: QuestionError) -> JSONResponse:
        return _problem(422, sentence(str(exc)))

    @app.exception_handler(RateLimited)
    async def rate_limited(request: Request, exc: RateLimited) -> JSONResponse:
        return _problem(429, f"Too many requests from your address. Please wait {exc.retry_after} seconds "
                             "and try again.", {"Retry-After": str(exc.retry_after)})

    @app.exception_handler(StoreUnavailable)
    async def store_unavailable(request: Request, exc: StoreUnavailable) -> JSONResponse:
        log.error("feedback store: %s", exc)
        return _problem(503, "Feedback cannot be saved right now because the feedback database is unavailable. "
                             "The chat still answers questions.")



# ---------------------------------------------------------------- the app


def create_app(bot: Bot | None = None, settings: Settings | None = None) -> FastAPI:
    """The web app over a loaded bot (or one loaded from settings.corpus); settings default to the bot's."""
    settings = settings or (bot.settings if bot is not None else Settings.from_env())
    bot = bot or netqa.load(settings.corpus or None, **dataclasses.asdict(settings))
    log_store, log_error = _open_log(settings)
    sessions = _open_sessions(settings, log_store is not None)
    bot.sessions = sessions  # the workers of a server share conversations through the store
    templates = Environment(loader=FileSystemLoader(WEB_DIR / "templates"), autoescape=True, auto_reload=False,
                            trim_blocks=True, lstrip_blocks=True)  # shipped with the package: never re-read
    templates.globals.update(document_sections=document_sections)
    web = Web(bot, settings, log_store, log_error, sessions, templates)

    app = FastAPI(title="netqa", version=netqa.__version__, docs_url=None, redoc_url=None,
                  description=f'Answers questions about "{bot.title}" from its text, with citations.\n\n'
                              f"## Settings\n\nEnvironment variables read by `netqa serve`:\n\n{settings_markdown()}",
                  lifespan=_closing(web))
    app.state.web = web
    _install_error_handlers(app)
    _install_api(app, web)
    _install_pages(app, web)
    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")
    app.mount("/docs-assets", StaticFiles(directory=_swagger_ui_dir()), name="docs-assets")
    # Outermost last: headers on everything, then errors, then the checks that may refuse a request unread.
    app.add_middleware(BodyLimit)
    app.add_middleware(SameSiteOnly)
    app.add_middleware(HeadAsGet)
    app.add_middleware(Errors)
    app.add_middleware(SecurityHeaders)
    return app


def app_from_env() -> FastAPI:
    """The app for `uvicorn --factory netqa.web:app_from_env` (what `netqa serve` runs): settings from NETQA_*."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(name)s: %(message)s")
    from netqa.serving import stop_with_supervisor

    stop_with_supervisor()
    app = create_app()
    # The corpus, index and app live as long as the process: the collector need not scan them again and again
    # (under wrk the longest full collection fell from about 60 ms to about 20 ms).
    gc.freeze()
    return app


def _open_log(settings: Settings) -> tuple[QuestionLog | None, str | None]:
    try:
        store = open_log(settings.db, pool_size=settings.pool_size)
    except StoreUnavailable as exc:
        log.error("feedback is off, the chat still answers: %s", exc)
        return None, str(exc)
    log.info("question logs and feedback go to %s", store.where)
    return store, None


def _open_sessions(settings: Settings, database_usable: bool) -> Conversations:
    """The conversations where NETQA_SESSIONS says: the database beside the log (shared by the workers), or a
    Redis server (shared by several machines); in this process only when that cannot be used."""
    in_database = settings.sessions == "database"
    if database_usable or not in_database:
        try:
            location = conversations_beside(settings.db) if in_database else settings.sessions
            sessions = open_sessions(location, settings.session_ttl_seconds, settings.max_sessions,
                                     settings.redis_prefix, settings.pool_size)
            log.info("conversations go to %s", sessions.where)
            return sessions
        except (StoreUnavailable, ValueError) as exc:
            log.error("conversations are kept by each worker alone: %s", exc)
    return MemorySessions(settings.session_ttl_seconds, settings.max_sessions)


def _closing(web: Web):
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        if web.log is not None:
            web.log.close()
        web.sessions.close()

    return lifespan


def _swagger_ui_dir():
    from swagger_ui_bundle import swagger_ui_path

    return swagger_ui_path


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _install_api(app: FastAPI, web: Web) -> None:
    @app.post("/api/ask", response_model=None, tags=["chat"], summary="Ask a question",
              responses={200: {"model": ReplyOut}, **_problems(400, 413, 422, 429)},
              openapi_extra={"requestBody": {"required": True, "content": {
                  "application/json": {"schema": AskBody.model_json_schema()}}}})
    async def ask(request: Request) -> Response:
        """Answer a question from the article. Pass the reply's session_id back for follow-up questions."""
        await web.check_rate(request)
        body = await json_body(request, AskBody)
        # pydantic-core's serializer: 4 µs for a reply, where JSONResponse's json.dumps takes 18.
        return Response(to_json(await web.ask(body.question, body.session_id)), media_type="application/json")

    @app.post("/api/feedback", status_code=201, response_model=FeedbackId, tags=["chat"],
              summary="Rate a reply", responses=_problems(400, 403, 404, 413, 422, 429, 503),
              openapi_extra={"requestBody": {"required": True, "content": {
                  "application/json": {"schema": FeedbackBody.model_json_schema()}}}})
    async def feedback(request: Request) -> FeedbackId:
        """Store whether a reply helped, with an optional comment."""
        await web.check_rate(request)
        body = await json_body(request, FeedbackBody)
        try:
            return FeedbackId(id=await web.add_feedback(body.reply_id, body.helpful, body.comment))
        except KeyError:
            raise HTTPException(404, "There is no reply with this reply_id. Feedback can only be given "
                                     "on a reply from this service.") from None

    @app.get("/api/health", response_model=Health, tags=["service"], summary="Is the service up")
    async def health() -> Health:
        return Health(status="ok", passages=len(web.bot.corpus.passages))

    @app.get("/api/admin/feedback", tags=["admin"], summary="All feedback, with the question and answer it rates",
             responses=_problems(401, 404, 503))
    async def admin_feedback(request: Request) -> list[dict]:
        return await run_in_threadpool(_admin_store(web, request).feedback)

    @app.get("/api/admin/unanswered", tags=["admin"], summary="Questions the article could not answer, with counts",
             responses=_problems(401, 404, 503))
    async def admin_unanswered(request: Request) -> list[dict]:
        return await run_in_threadpool(_admin_store(web, request).unanswered)

    @app.get("/api/admin/low-confidence", tags=["admin"], responses=_problems(401, 404, 422, 503),
             summary="Answered questions with a low confidence, with counts")
    async def admin_low_confidence(request: Request, below: Annotated[float, Query(
            ge=0.0, le=1.0, description="list answers whose confidence was under this")] = LOW_CONFIDENCE,
    ) -> list[dict]:
        """Questions that got an answer the engine was unsure of, the same question counted once however written,
        most asked first, each with the latest answer and its confidence: what to check or add to the documents."""
        return await run_in_threadpool(_admin_store(web, request).low_confidence, below)

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return web.page("docs.html")


def _admin_store(web: Web, request: Request) -> QuestionLog:
    """The store, for a request bearing the admin token; 404 while no token is configured, 401 for a wrong one."""
    token = web.settings.admin_token
    if not token:
        raise HTTPException(404, "Not Found")
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise HTTPException(401, "The admin endpoints need the header Authorization: Bearer <NETQA_ADMIN_TOKEN>.",
                            headers={"WWW-Authenticate": "Bearer"})
    if web.log is None:
        raise StoreUnavailable(web.log_error or "the feedback database is not open")
    return web.log


def _install_pages(app: FastAPI, web: Web) -> None:
    starters = starter_questions(web.bot)

    async def chat_page(session_id: str, status: int = 200, **context) -> HTMLResponse:
        """The chat page with the conversation of `session_id`, which is always the browser's own (its cookie).

        A cookie whose conversation the server no longer holds (idle too long, or a restart) gets a notice and is
        cleared, so the reader knows follow-up questions start afresh.
        """
        turns = await web.conversation(web.sessions.transcript, session_id) if session_id else []
        forgotten = bool(session_id) and not turns
        response = web.page("index.html", status, turns=turns, starters=starters,
                            forgotten=forgotten, ttl_minutes=round(web.settings.session_ttl_seconds / 60), **context)
        if forgotten:
            response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    def back_to_chat(anchor: str) -> RedirectResponse:
        """After a form post, the page is fetched again (post, redirect, get): reloading it re-sends nothing."""
        return RedirectResponse(f"/#{anchor}", status_code=303)

    @app.get("/", include_in_schema=False)
    async def index(request: Request) -> HTMLResponse:
        return await chat_page(_own_session(request))

    @app.post("/", include_in_schema=False, response_model=None)
    async def ask_form(request: Request) -> Response:
        """The chat without JavaScript (and with it: app.js posts this form too): the answer is added to the
        conversation, then the browser is sent to the page that shows it."""
        session_id = _own_session(request)
        fields = await _form(request, {"question"})
        if isinstance(fields, str):
            return await chat_page(session_id, 400, error=fields)
        question = fields.get("question", "")
        try:
            await web.check_rate(request)
            reply = await web.ask(question, session_id or None)
        except QuestionError as exc:
            return await chat_page(session_id, 422, error=sentence(str(exc)), question=question)
        except RateLimited as exc:
            return await chat_page(session_id, 429, error=f"Too many questions from your address. Please wait "
                                                     f"{exc.retry_after} seconds and try again.", question=question)
        earlier = await web.conversation(web.sessions.transcript, session_id) if session_id else []
        turn = web.view(reply)
        if reply["context_lost"]:
            earlier, turn["restarted"] = [], True  # the engine had forgotten the conversation: say so on the page
        await web.conversation(web.sessions.save_transcript, reply["session_id"], earlier + [turn])
        return _with_session(back_to_chat("latest"), reply["session_id"], request)

    @app.post("/new", include_in_schema=False, response_model=None)
    async def new_conversation(request: Request) -> Response:
        """Start again: the page forgets this browser's conversation."""
        session_id = _own_session(request)
        if session_id:
            await web.conversation(web.sessions.save_transcript, session_id, [])
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @app.post("/feedback", include_in_schema=False, response_model=None)
    async def feedback_form(request: Request) -> Response:
        """Feedback without JavaScript: "No" first asks what went wrong; then it is stored and the conversation is
        shown again with a thank-you."""
        session_id = _own_session(request)
        fields = await _form(request, {"reply_id", "helpful", "comment"})
        if isinstance(fields, str):
            return await chat_page(session_id, 400, error=fields)
        reply_id, helpful = fields.get("reply_id", ""), fields.get("helpful", "")
        if not reply_id or len(reply_id) > MAX_ID_CHARS:
            return await chat_page(session_id, 422, error="The feedback does not say which answer it is about. "
                                                    "Please use the Yes or No buttons under an answer.")
        if helpful == "no-why":  # the first step of a "No": the page asks what went wrong before anything is saved
            return await chat_page(session_id, asking=reply_id)
        if helpful not in ("yes", "no"):
            return await chat_page(session_id, 422, error="Was the answer helpful? Please choose Yes or No.")
        try:
            await web.check_rate(request)
            await web.add_feedback(reply_id, helpful == "yes", fields.get("comment", "")[:MAX_COMMENT_CHARS])
        except KeyError:
            return await chat_page(session_id, 404, error="That answer is no longer known here, so the feedback "
                                                    "was not saved. Please ask the question again.")
        except StoreUnavailable:
            return await chat_page(session_id, 503, error="Your feedback could not be saved just now. "
                                                    "The chat still answers questions.")
        except RateLimited as exc:
            return await chat_page(session_id, 429, error=f"Too many requests from your address. Please wait "
                                                     f"{exc.retry_after} seconds and try again.")
        if session_id:
            turns = await web.conversation(web.sessions.transcript, session_id)
            await web.conversation(web.sessions.save_transcript, session_id,
                                   [turn | {"rated": True} if turn.get("id") == reply_id else turn for turn in turns])
        return back_to_chat(f"reply-{reply_id}")

    @app.get("/source", include_in_schema=False)
    async def source(passage: str | None = None, document: str | None = None) -> HTMLResponse:
        """A document as indexed, an anchor per passage: ?passage=ID opens the cited passage's document with that
        passage marked, ?document=ID a document; without either, the only document, or the list of them. An
        unknown id is a 404 that says so above the only document (or the list)."""
        documents = web.bot.corpus.documents
        shown = source_document(documents, passage, document)
        if shown is None:
            fallback = documents[0] if len(documents) == 1 else ""
            return web.page("source.html", 404, shown=fallback, cited=None, missing=passage or document,
                            articles=web.bot.names.articles)
        return web.page("source.html", shown=shown, cited=passage, articles=web.bot.names.articles)


def _own_session(request: Request) -> str:
    """The session id in the browser's cookie (set by this server, HttpOnly, SameSite=Strict), or ""."""
    return request.cookies.get(SESSION_COOKIE, "")[:MAX_ID_CHARS]


def _with_session(response: Response, session_id: str, request: Request) -> Response:
    response.set_cookie(SESSION_COOKIE, session_id, httponly=True, samesite="strict", path="/",
                        secure=request.url.scheme == "https")
    return response


async def _form(request: Request, names: set[str]) -> dict[str, str] | str:
    """The posted form's text fields among `names`, or a sentence saying why the form cannot be read."""
    try:
        form = await request.form(max_files=0, max_fields=len(names) + 4)
    except HTTPException as exc:
        return f"The form could not be read ({exc.detail}). Please try again."
    fields: dict[str, str] = {}
    for name in names:
        value = form.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            return f'"{name}" must be text. Please try again.'
        fields[name] = clean_text(value)
    return fields
