// Live from the console: the browser's microphone to the station, over a WebSocket of the
// console (radio/web/live.py), 16-bit mono PCM at 48 kHz in 10 ms messages.
"use strict";
(function () {
  var box = document.getElementById("live-voice");
  if (!box) return;
  var csrf = document.querySelector('meta[name="csrf"]').content;
  var button = document.getElementById("live-toggle");
  var state = document.getElementById("live-state");
  var socket = null, context = null, stream = null;

  function say(text) { state.textContent = text; }

  function stop(message) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send("stop");
    if (socket) socket.close();
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    if (context) context.close();
    socket = context = stream = null;
    button.textContent = box.dataset.start;
    button.classList.remove("danger");
    if (message) say(message);
  }

  function start() {
    if (!navigator.mediaDevices || !window.AudioWorkletNode) {
      say(box.dataset.insecure);
      return;
    }
    say(box.dataset.connecting);
    navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false, channelCount: 1 }
    }).then(function (media) {
      stream = media;
      context = new AudioContext({ sampleRate: 48000, latencyHint: "interactive" });
      return context.audioWorklet.addModule("/static/live-worklet.js");
    }).then(function () {
      var scheme = location.protocol === "https:" ? "wss:" : "ws:";
      socket = new WebSocket(scheme + "//" + location.host + "/live/microphone?csrf=" + encodeURIComponent(csrf));
      socket.binaryType = "arraybuffer";
      var source = context.createMediaStreamSource(stream);
      var tap = new AudioWorkletNode(context, "microphone-tap");
      tap.port.onmessage = function (e) {
        if (socket && socket.readyState === WebSocket.OPEN && socket.bufferedAmount < 96000) socket.send(e.data);
      };
      source.connect(tap);
      socket.onmessage = function (e) {
        var answer = JSON.parse(e.data);
        if (answer.error) stop(answer.error);
        else if (answer.on_air) say(box.dataset.onair);
      };
      socket.onclose = function () { if (socket) stop(box.dataset.ended); };
      button.textContent = box.dataset.stop;
      button.classList.add("danger");
    }).catch(function (err) { stop(box.dataset.refused + " " + err); });
  }

  button.addEventListener("click", function () { if (socket) stop(box.dataset.ended); else start(); });
})();
