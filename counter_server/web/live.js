// The one reconnecting event stream every page uses (display, clerk page).
// It asks for what it missed since the last seq it saw and backs off to 10 s while the
// server is away; the page says what "connected" and "offline" look like.
(function () {
  "use strict";

  // `board`: the server also pushes the board after each burst of events (a display's view),
  // a derived message with no place in the event order
  function follow({ token, onEvent, onOpen, onClose, board = false }) {
    let lastSeq = null;
    let retryMs = 1000;
    let socket = null;

    function connect() {
      const scheme = location.protocol === "https:" ? "wss:" : "ws:";
      const since = lastSeq === null ? "" : "&since=" + lastSeq;
      const query = "?token=" + encodeURIComponent(token) + since + (board ? "&board=1" : "");
      socket = new WebSocket(scheme + "//" + location.host + "/api/v1/events" + query);
      socket.onopen = () => { retryMs = 1000; if (onOpen) onOpen(); };
      socket.onmessage = (message) => {
        const event = JSON.parse(message.data);
        if (event.type === "board") { onEvent(event); return; }
        if (event.type !== "snapshot" && lastSeq !== null && event.seq <= lastSeq) return;
        lastSeq = event.seq;
        onEvent(event);
      };
      socket.onclose = () => {
        if (onClose) onClose();
        setTimeout(connect, retryMs);
        retryMs = Math.min(retryMs * 2, 10000);
      };
    }

    connect();
    return {
      lastSeq: () => lastSeq,
      connected: () => socket !== null && socket.readyState === 1,
    };
  }

  window.townhallLive = { follow };
})();
