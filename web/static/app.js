// The chat page on top of its server-rendered forms: ask and rate without reloading, keep the conversation
// for this tab, copy an answer with its sources. Without this file the forms post and the server renders.
"use strict";

(function () {
  const SESSION_KEY = "netqa.session";
  const TURNS_KEY = "netqa.turns";
  const MAX_STORED_TURNS = 50;
  const OPENING_WORDS = 8;
  const MARKER = /\[([^[\]\s]+)\]/g;

  // sessionStorage throws where storage is blocked; the chat still works, it just forgets on reload.
  function storage() {
    try {
      return window.sessionStorage;
    } catch (error) {
      return null;
    }
  }

  function load(key, fallback) {
    try {
      const value = storage() && storage().getItem(key);
      return value ? JSON.parse(value) : fallback;
    } catch (error) {
      return fallback;
    }
  }

  function save(key, value) {
    try {
      if (storage()) storage().setItem(key, JSON.stringify(value));
    } catch (error) {
      // full or blocked: nothing to do
    }
  }

  // Builds an element; text always goes in as text, never as markup.
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === true) node.setAttribute(name, "");
      else if (value !== false && value != null) node.setAttribute(name, value);
    }
    for (const child of children) {
      if (child != null) node.append(child);
    }
    return node;
  }

  function sourceHref(passageId) {
    return "/source?passage=" + encodeURIComponent(passageId) + "#" + encodeURIComponent(passageId);
  }

  // The same reading of the answer as the server's reply_view: [passage-id] becomes a numbered marker.
  function answerParagraphs(reply) {
    const numbers = new Map(reply.citations.map((c, i) => [c.passage_id, i + 1]));
    return reply.answer.trim().split(/\n\s*\n/).map((paragraph) => {
      const p = el("p");
      let at = 0;
      for (const match of paragraph.matchAll(MARKER)) {
        if (!numbers.has(match[1])) continue;
        p.append(paragraph.slice(at, match.index).replace(/ +$/, ""));
        const n = numbers.get(match[1]);
        p.append(el("a", { class: "marker", href: sourceHref(match[1]), "aria-label": "source " + n }, String(n)));
        at = match.index + match[0].length;
      }
      p.append(paragraph.slice(at));
      return p;
    });
  }

  // The first words of a cited passage, as the server's opening().
  function opening(text) {
    const words = text.split(/\s+/).filter(Boolean);
    return words.slice(0, OPENING_WORDS).join(" ") + (words.length > OPENING_WORDS ? "\u2026" : "");
  }

  function callNumbers(reply) {
    return reply.calls || [];
  }

  function feedbackForm(reply) {
    const comment = "comment-" + reply.id;
    return el("form", { class: "feedback", method: "post", action: "/feedback#latest" },
      el("input", { type: "hidden", name: "reply_id", value: reply.id }),
      el("input", { type: "hidden", name: "session_id", value: reply.session_id }),
      el("fieldset", {},
        el("legend", {}, "Was this helpful?"),
        el("button", { type: "submit", name: "helpful", value: "yes" }, "Yes"),
        el("button", { type: "submit", name: "helpful", value: "no" }, "No")),
      el("details", {},
        el("summary", {}, "Add a comment (optional)"),
        el("label", { for: comment }, "Your comment, then choose Yes or No above"),
        el("textarea", { id: comment, name: "comment", rows: "2", maxlength: "2000" })));
  }

  // One question and its reply, the same markup as templates/_turn.html.
  function renderTurn(reply, labels) {
    const calls = callNumbers(reply);
    const article = el("article", { class: "reply kind-" + reply.kind, id: "reply-" + reply.id,
      "aria-label": labels[reply.kind] || "Assistant" },
      el("p", { class: "reply-label" }, el("span", { class: "badge" }, labels[reply.kind] || "Assistant")),
      reply.context_lost ? el("p", { class: "context-lost" }, "I could not find our earlier messages, so I " +
        "answered this question on its own. If it follows an earlier question, please ask it in full.") : null,
      calls.length ? el("p", { class: "calls" },
        ...calls.map((n) => el("a", { class: "call", href: "tel:" + n }, "Call " + n))) : null,
      el("div", { class: "answer" }, ...answerParagraphs(reply)),
      reply.citations.length ? el("div", { class: "sources" },
        el("p", { class: "sources-title" }, "Where this comes from"),
        el("ol", {}, ...reply.citations.map((c) => el("li", {},
          el("a", { href: sourceHref(c.passage_id) }, c.section), " ",
          el("span", { class: "opening" }, "\u201c" + opening(c.text) + "\u201d")))))
        : null,
      el("div", { class: "reply-actions" },
        reply.rated ? el("p", { class: "thanks" }, "Thank you for your feedback.") : feedbackForm(reply),
        el("button", { type: "button", class: "copy" }, "Copy answer and source")));
    return el("li", { class: "turn" },
      el("div", { class: "ask-bubble" },
        el("span", { class: "visually-hidden" }, "You asked:"),
        el("p", { class: "ask-text" }, reply.question)),
      article);
  }

  function pendingTurn(question) {
    return el("li", { class: "turn pending" },
      el("div", { class: "ask-bubble" }, el("p", { class: "ask-text" }, question)),
      el("div", { class: "reply" }, el("p", {}, "Looking in the article", el("span", { class: "dots" }))));
  }

  // What a support-line colleague pastes: the answer as shown, then each source with its link.
  function copyText(article) {
    const answer = [...article.querySelectorAll(".answer p")].map((p) => p.textContent.trim()).join("\n\n");
    const sources = [...article.querySelectorAll(".sources li a")].map(
      (a, i) => "[" + (i + 1) + "] " + a.textContent.trim() + ": " + new URL(a.getAttribute("href"), location.href).href);
    return sources.length ? answer + "\n\nSources:\n" + sources.join("\n") : answer;
  }

  async function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return;
    }
    // Plain http on a remote host has no clipboard API; the old selection command still works there.
    const area = el("textarea", { class: "visually-hidden", "aria-hidden": "true" });
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }

  async function postJson(url, body) {
    let response;
    try {
      response = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body) });
    } catch (error) {
      return { error: "The service could not be reached. Check your connection and try again." };
    }
    const data = await response.json().catch(() => null);
    if (response.ok) return { data };
    const detail = data && typeof data.detail === "string" ? data.detail : null;
    return { error: detail || "The service could not do this just now (error " + response.status + "). Please try again." };
  }

  function initChat() {
    const transcript = document.getElementById("transcript");
    const form = document.getElementById("ask-form");
    const input = document.getElementById("question");
    const button = document.getElementById("ask-button");
    const errorBox = document.getElementById("error");
    const starters = document.getElementById("starters");
    const labels = JSON.parse(transcript.dataset.kindLabels);
    const sessionFields = document.querySelectorAll('input[type="hidden"][name="session_id"]');
    let turns = load(TURNS_KEY, []);
    let sessionId = load(SESSION_KEY, null);

    function setSession(id) {
      sessionId = id;
      save(SESSION_KEY, id);
      sessionFields.forEach((field) => { field.value = id || ""; });
    }

    function showError(message) {
      errorBox.textContent = message;
      errorBox.hidden = !message;
    }

    function remember(reply) {
      turns = turns.filter((t) => t.id !== reply.id).concat([reply]).slice(-MAX_STORED_TURNS);
      save(TURNS_KEY, turns);
    }

    async function ask(question) {
      showError("");
      const pending = pendingTurn(question);
      transcript.append(pending);
      button.disabled = true;
      const { data, error } = await postJson("/api/ask", { question, session_id: sessionId });
      pending.remove();
      button.disabled = false;
      if (error) {
        showError(error);
      } else {
        setSession(data.session_id);
        remember(data);
        const turn = renderTurn(data, labels);
        transcript.append(turn);
        starters.hidden = true;
        input.value = "";
        turn.scrollIntoView({ block: "start", behavior: "smooth" });
      }
      input.focus({ preventScroll: true });
    }

    async function rate(feedback, helpful) {
      const article = feedback.closest(".reply");
      const replyId = feedback.elements.reply_id.value;
      const comment = feedback.elements.comment.value.trim();
      feedback.querySelectorAll("button").forEach((b) => { b.disabled = true; });
      const { error } = await postJson("/api/feedback", { reply_id: replyId, helpful, comment: comment || null });
      if (error) {
        feedback.querySelectorAll("button").forEach((b) => { b.disabled = false; });
        const old = feedback.querySelector(".form-error");
        if (old) old.remove();
        feedback.append(el("p", { class: "form-error", role: "alert" }, error));
        return;
      }
      const thanks = el("p", { class: "thanks", role: "status", tabindex: "-1" }, "Thank you for your feedback.");
      feedback.replaceWith(thanks);
      thanks.focus();
      const turn = turns.find((t) => t.id === replyId);
      if (turn) remember({ ...turn, rated: true });
      article.classList.add("rated");
    }

    // A page the server rendered (a form post) holds the conversation; otherwise restore this tab's.
    if (transcript.children.length) {
      const field = form.elements.session_id;
      if (field.value) setSession(field.value);
      turns = [];
      save(TURNS_KEY, turns);
    } else {
      turns.forEach((reply) => transcript.append(renderTurn(reply, labels)));
      starters.hidden = turns.length > 0;
      setSession(sessionId);
    }
    document.querySelectorAll(".copy").forEach((b) => { b.hidden = false; });

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      ask(input.value);
    });
    starters.addEventListener("submit", (event) => {
      event.preventDefault();
      if (event.submitter && event.submitter.value) ask(event.submitter.value);
    });
    transcript.addEventListener("submit", (event) => {
      if (!event.target.matches(".feedback")) return;
      event.preventDefault();
      rate(event.target, !event.submitter || event.submitter.value !== "no");
    });
    transcript.addEventListener("click", async (event) => {
      const button = event.target.closest(".copy");
      if (!button) return;
      try {
        await copy(copyText(button.closest(".reply")));
        button.textContent = "Copied";
      } catch (error) {
        button.textContent = "Could not copy";
      }
      setTimeout(() => { button.textContent = "Copy answer and source"; }, 2000);
    });
    document.getElementById("new-chat").addEventListener("click", (event) => {
      event.preventDefault();
      setSession(null);
      turns = [];
      save(TURNS_KEY, turns);
      transcript.replaceChildren();
      starters.hidden = false;
      showError("");
      input.value = "";
      input.focus();
    });
  }

  // ?passage=ID without #ID in the address: bring the highlighted passage into view.
  function initSource() {
    const id = new URLSearchParams(location.search).get("passage");
    const passage = id && !location.hash ? document.getElementById(id) : null;
    if (passage) passage.scrollIntoView({ block: "center" });
  }

  if (document.getElementById("transcript")) initChat();
  if (document.querySelector(".source-page")) initSource();
})();
