// The microphone's samples, off the page's main thread: 10 ms of 16-bit mono PCM at a time.
"use strict";
class MicrophoneTap extends AudioWorkletProcessor {
  constructor() {
    super();
    this.block = new Int16Array(480);
    this.filled = 0;
  }
  process(inputs) {
    var channel = inputs[0] && inputs[0][0];
    if (channel) {
      for (var i = 0; i < channel.length; i++) {
        var s = Math.max(-1, Math.min(1, channel[i]));
        this.block[this.filled++] = s < 0 ? s * 32768 : s * 32767;
        if (this.filled === this.block.length) {
          this.port.postMessage(this.block.buffer.slice(0));
          this.filled = 0;
        }
      }
    }
    return true;
  }
}
registerProcessor("microphone-tap", MicrophoneTap);
