// The chat page on top of its server-rendered forms. The server renders every turn (templates/_turn.html):
// this file posts the same forms in the background and puts the server's new transcript in place, so there is
// one rendering of a reply. Without this file the forms post, the server redirects, and the page reloads.
"use strict";

(function () {
  const reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

  function scrollBehaviour() {
    return reduceMotion.matches ? "auto" : "smooth";
  }

  // Screen readers hear a short sentence, not the whole reply: polite for answers, assertive for emergencies.
  function announce(text, urgent) {
    const region = document.getElementById(urgent ? "alert" : "announce");
    if (!region) return;
    region.textContent = "";
    // A new text node after a tick, so the same words twice in a row are announced twice.
    setTimeout(() => { region.textContent = text; }, 50);
  }

  async function postForm(url, data) {
    let response;
    try {
      response = await fetch(url, { method: "POST", body: new URLSearchParams(data), credentials: "same-origin" });
    } catch (error) {
      return { error: "The service could not be reached. Check your connection and try again." };
    }
    const html = await response.text().catch(() => "");
    const page = new DOMParser().parseFromString(html, "text/html");
    if (response.ok) return { page };
    const message = page.getElementById("error");
    return { error: (message && message.textContent.trim()) ||
      "The service could not do this just now (error " + response.status + "). Please try again." };
  }

  function formData(form, submitter) {
    const data = new FormData(form);
    if (submitter && submitter.name) data.set(submitter.name, submitter.value);
    return data;
  }

  // What a support-line colleague pastes: the reply's words, the quote, and where it comes from.
  function copyText(article) {
    const parts = [...article.querySelectorAll(".answer p, .quote blockquote")].map((p) => p.textContent.trim());
    const source = article.querySelector(".source-line a");
    if (source) parts.push("Source: " + source.textContent.trim() + " " + new URL(source.href, location.href).href);
    return parts.join("\n\n");
  }

  async function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return;
    }
    // Plain http on a remote host has no clipboard API; the old selection command still works there.
    const area = document.createElement("textarea");
    area.className = "visually-hidden";
    area.setAttribute("aria-hidden", "true");
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }

  function initChat() {
    const form = document.getElementById("ask-form");
    const input = document.getElementById("question");
    const button = document.getElementById("ask-button");
    const errorBox = document.getElementById("error");
    const counter = document.getElementById("question-count");
    const chat = form.closest(".chat");
    const max = Number(input.dataset.max);

    function showError(message) {
      errorBox.textContent = message;
      errorBox.hidden = !message;
    }

    function showCopyButtons(root) {
      root.querySelectorAll(".copy").forEach((b) => { b.hidden = false; });
    }

    // The length so far, once it gets near the limit; past it, a notice (the text is kept, never cut).
    function count() {
      const length = input.value.length;
      const over = length > max;
      counter.hidden = length < max * 0.8;
      counter.textContent = over
        ? "Your question is " + length.toLocaleString() + " characters long. Please shorten it to " +
          max.toLocaleString() + " characters or fewer."
        : length.toLocaleString() + " of " + max.toLocaleString() + " characters";
      counter.classList.toggle("over", over);
      input.setAttribute("aria-invalid", over ? "true" : "false");
      return !over;
    }

    // Puts the server's page in place of this one's conversation; returns the new last reply.
    function adopt(page) {
      for (const id of ["transcript", "starters"]) {
        const fresh = page.getElementById(id);
        if (fresh) document.getElementById(id).replaceWith(fresh);
      }
      const head = page.querySelector(".chat-head");
      if (head) chat.querySelector(".chat-head").hidden = head.hidden;
      const forgotten = document.getElementById("forgotten");
      if (forgotten) forgotten.remove();
      showCopyButtons(document.getElementById("transcript"));
      const replies = document.querySelectorAll("#transcript .reply");
      return replies[replies.length - 1];
    }

    let asking = false;  // one question at a time: a second Enter while waiting is ignored

    async function ask(question) {
      if (asking) return;
      if (!count()) {
        input.focus();
        return;
      }
      showError("");
      asking = true;
      button.disabled = true;
      const pending = document.createElement("p");
      pending.className = "pending";
      pending.textContent = "Looking in the article";
      pending.append(Object.assign(document.createElement("span"), { className: "dots" }));
      form.before(pending);
      announce("Looking in the article.", false);
      const { page, error } = await postForm("/", { question });
      pending.remove();
      asking = false;
      button.disabled = false;
      if (error) {
        showError(error);
        input.focus();
        return;
      }
      const reply = adopt(page);
      input.value = "";
      count();
      if (reply) {
        announce(reply.dataset.announce, reply.classList.contains("kind-emergency"));
        reply.closest(".turn").scrollIntoView({ block: "start", behavior: scrollBehaviour() });
      }
      input.focus({ preventScroll: true });
    }

    async function rate(feedback, submitter) {
      if (submitter && submitter.value === "no-why") {  // "No" first asks what went wrong
        feedback.querySelector(".rate").hidden = true;
        feedback.querySelector(".why").hidden = false;
        feedback.querySelector("textarea").focus();
        return;
      }
      const article = feedback.closest(".reply");
      feedback.querySelectorAll("button").forEach((b) => { b.disabled = true; });
      const { page, error } = await postForm("/feedback", formData(feedback, submitter));
      if (error) {
        feedback.querySelectorAll("button").forEach((b) => { b.disabled = false; });
        const old = feedback.querySelector(".form-error");
        if (old) old.remove();
        const message = Object.assign(document.createElement("p"), { className: "form-error", textContent: error });
        message.setAttribute("role", "alert");
        feedback.append(message);
        return;
      }
      const fresh = page.getElementById(article.id);
      const actions = fresh && fresh.querySelector(".reply-actions");
      if (actions) {
        article.querySelector(".reply-actions").replaceWith(actions);
        showCopyButtons(actions);
        const thanks = actions.querySelector(".thanks");
        if (thanks) {
          thanks.tabIndex = -1;
          thanks.focus();
          announce(thanks.textContent.trim(), false);
        }
      }
    }

    showCopyButtons(document);
    count();

    input.addEventListener("input", count);
    input.addEventListener("keydown", (event) => {
      // Enter sends, as in any chat; Shift+Enter starts a new line.
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      ask(input.value);
    });
    // Starter buttons and feedback forms: anywhere in the chat, even after the transcript is swapped.
    chat.addEventListener("submit", (event) => {
      const target = event.target;
      if (target.matches(".starters") && event.submitter) {
        event.preventDefault();
        ask(event.submitter.value);
      } else if (target.matches(".feedback")) {
        event.preventDefault();
        rate(target, event.submitter);
      }
    });
    chat.addEventListener("click", async (event) => {
      const copyButton = event.target.closest(".copy");
      if (!copyButton) return;
      let said = "Copied";
      try {
        await copy(copyText(copyButton.closest(".reply")));
      } catch (error) {
        said = "Could not copy";
      }
      copyButton.textContent = said;
      announce(said, false);
      setTimeout(() => { copyButton.textContent = "Copy answer and source"; }, 2000);
    });
  }

  // ?passage=ID without #ID in the address: bring the highlighted passage into view.
  function initSource() {
    const id = new URLSearchParams(location.search).get("passage");
    const passage = id && !location.hash ? document.getElementById(id) : null;
    if (passage) passage.scrollIntoView({ block: "center", behavior: scrollBehaviour() });
  }

  if (document.getElementById("ask-form")) initChat();
  if (document.querySelector(".source-page")) initSource();
})();
