// The console's little script: auto-refresh, uploads with progress, confirmations.
// Every page works without it except the upload (which needs the progress events).
"use strict";
(function () {
  var csrf = document.querySelector('meta[name="csrf"]').content;

  // On air: re-render the live part every few seconds.
  var live = document.getElementById("live");
  if (live) {
    var every = (parseInt(live.dataset.every, 10) || 5) * 1000;
    var refresh = function () {
      if (document.hidden) return;
      fetch(live.dataset.refresh, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html !== null) live.innerHTML = html; })
        .catch(function () {});
    };
    setInterval(refresh, every);
  }

  // Forms that ask first (retire, remove).
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      if (!window.confirm(form.dataset.confirm)) e.preventDefault();
    });
  });

  // After an upload: the list (and the drafts waiting for approval) read again from the page.
  var refreshList = function () {
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null) return;
        var fresh = new DOMParser().parseFromString(html, "text/html");
        ["library-list", "drafts"].forEach(function (id) {
          var now = document.getElementById(id), next = fresh.getElementById(id);
          if (now && next) now.replaceWith(next);
          else if (!now && next && id === "drafts") document.querySelector("main h1").after(next);
        });
      })
      .catch(function () {});
  };

  // Library upload: one request per file, in order, each with its progress bar.
  var upload = document.getElementById("upload");
  if (upload) {
    var results = document.getElementById("upload-results");
    upload.addEventListener("submit", function (e) {
      e.preventDefault();
      var files = Array.prototype.slice.call(upload.elements.files.files);
      var title = upload.elements.title.value.trim();
      var paramsFor = function (i) {
        var fields = {
          topic: upload.elements.topic.value, language: upload.elements.language.value,
          source: upload.elements.source.value, priority: upload.elements.priority.value
        };
        if (title) fields.title = files.length > 1 ? title + " (" + (i + 1) + ")" : title;
        return new URLSearchParams(fields);
      };
      var button = upload.querySelector("button[type=submit]");
      button.disabled = true;
      var added = 0;
      var next = function (i) {
        if (i >= files.length) {
          button.disabled = false; upload.elements.files.value = "";
          if (added) refreshList();
          return;
        }
        var file = files[i];
        var li = document.createElement("li");
        var name = document.createElement("span");
        name.textContent = file.name + " ";
        var bar = document.createElement("progress");
        bar.max = file.size || 1; bar.value = 0;
        var text = document.createElement("span");
        li.appendChild(name); li.appendChild(bar); li.appendChild(text);
        results.appendChild(li);
        var done = function (ok, message) {
          li.className = ok ? "ok" : "error";
          bar.remove();
          text.textContent = message;
          next(i + 1);
        };
        if (file.size > parseInt(upload.dataset.max, 10)) { done(false, upload.dataset.tooBig); return; }
        var xhr = new XMLHttpRequest();
        xhr.open("POST", upload.dataset.url + "?" + paramsFor(i).toString());
        xhr.setRequestHeader("X-CSRF-Token", csrf);
        xhr.setRequestHeader("X-File-Name", encodeURIComponent(file.name));
        xhr.setRequestHeader("X-Requested-With", "fetch");
        xhr.setRequestHeader("Content-Type", "application/octet-stream");
        xhr.upload.onprogress = function (ev) { if (ev.lengthComputable) { bar.max = ev.total; bar.value = ev.loaded; } };
        xhr.onload = function () {
          var data = null;
          try { data = JSON.parse(xhr.responseText); } catch (err) { data = null; }
          if (xhr.status === 200 && data && data.id) {
            var link = document.createElement("a");
            link.href = "/library/" + data.id;
            link.textContent = "#" + data.id + " " + data.title;
            text.textContent = (data.duplicate ? upload.dataset.duplicate : upload.dataset.added) + " ";
            text.appendChild(link);
            li.className = "ok"; bar.remove(); added += 1; next(i + 1);
          } else {
            done(false, upload.dataset.rejected + ": " + ((data && data.error) || xhr.responseText || upload.dataset.failed));
          }
        };
        xhr.onerror = function () { done(false, upload.dataset.failed); };
        xhr.send(file);
      };
      next(0);
    });
  }
})();
