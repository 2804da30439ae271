// The console's own script: the Manager chat (streamed replies) and live campaign progress.
// It calls the owner API with the session cookie and the page's CSRF token; no library.
"use strict";

const csrf = () => document.body.dataset.csrf || "";

function parseEvents(buffer, onEvent) {
  // Split a text/event-stream buffer into events; return what is left incomplete.
  const blocks = buffer.split("\n\n");
  const rest = blocks.pop();
  for (const block of blocks) {
    let name = "message";
    const data = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("event: ")) name = line.slice(7);
      else if (line.startsWith("data: ")) data.push(line.slice(6));
    }
    if (data.length) onEvent(name, JSON.parse(data.join("\n")));
  }
  return rest;
}

function addItem(list, cls, text) {
  const item = document.createElement("li");
  item.className = cls;
  const pre = document.createElement("pre");
  pre.textContent = text;
  item.appendChild(pre);
  list.appendChild(item);
  item.scrollIntoView({ block: "end" });
  return pre;
}

async function say(chat, message) {
  const list = chat.querySelector("#messages");
  const card = chat.querySelector("#pending-card");
  addItem(list, "msg owner", message);
  const answer = addItem(list, "msg manager", "");
  answer.parentElement.classList.add("streaming");
  const response = await fetch("/api/v1/manager/messages", {
    method: "POST",
    credentials: "same-origin",
    headers: {
      "Content-Type": "application/json",
      Accept: "text/event-stream",
      "X-CSRF-Token": csrf(),
    },
    body: JSON.stringify({ message, conversation_id: chat.dataset.conversation || null }),
  });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    const error = body.error || {};
    answer.textContent = `That did not work: ${error.message || response.status}. ${error.hint || ""}`;
    answer.parentElement.classList.remove("streaming");
    return;
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer = parseEvents(buffer + decoder.decode(value, { stream: true }), (name, data) => {
      if (name === "tool") {
        const tool = document.createElement("li");
        tool.className = "tool";
        tool.textContent = `tool ${data.tool} ${data.ok ? "ok" : "failed"}`;
        list.insertBefore(tool, answer.parentElement);
      } else if (name === "delta") {
        answer.textContent += data.text;
      } else if (name === "reply") {
        answer.textContent = data.text;
        chat.dataset.conversation = data.conversation_id;
        history.replaceState(null, "", `/chat?conversation=${data.conversation_id}`);
        card.hidden = !data.pending;
        card.querySelector(".question").textContent = data.pending ? data.pending.question : "";
      }
    });
  }
  answer.parentElement.classList.remove("streaming");
}

function setUpChat() {
  const chat = document.getElementById("chat");
  if (!chat) return;
  const form = chat.querySelector("#chat-form");
  if (form) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const input = form.elements.message;
      const text = input.value.trim();
      if (!text) return;
      input.value = "";
      say(chat, text);
    });
  }
  for (const button of chat.querySelectorAll("[data-say]")) {
    button.addEventListener("click", () => say(chat, button.dataset.say));
  }
}

function followProgress() {
  for (const box of document.querySelectorAll(".progress[data-campaign]")) {
    if (box.dataset.status !== "running") continue;
    const source = new EventSource(`/api/v1/campaigns/${box.dataset.campaign}/events`);
    const show = (event) => {
      const data = JSON.parse(event.data);
      if (data.episodes === undefined) return;
      box.querySelector(".episodes").textContent = data.episodes;
      box.querySelector(".budget").textContent = data.budget;
      box.querySelector(".status").textContent = data.status;
      box.querySelector(".activity").textContent = data.activity;
      const bar = box.querySelector("progress");
      bar.max = data.budget || 1;
      bar.value = data.episodes;
    };
    for (const name of ["design", "dispatch", "episode", "look", "change", "stopping"]) {
      source.addEventListener(name, show);
    }
    const finish = (event) => {
      show(event);
      source.close();
      setTimeout(() => window.location.reload(), 300);
    };
    source.addEventListener("end", finish);
    source.addEventListener("status", finish);
    source.addEventListener("server_stopping", () => source.close());
  }
}

document.addEventListener("DOMContentLoaded", () => {
  setUpChat();
  followProgress();
  for (const link of document.querySelectorAll("[data-back]")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      history.back();
    });
  }
});
