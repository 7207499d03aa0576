// A soft two-note chime (WebAudio), off unless the person turns it on.
const KEY = "roundtable.poker.sound";

let ctx = null;

export function soundOn() { return localStorage.getItem(KEY) === "on"; }

export function setSound(on) {
  localStorage.setItem(KEY, on ? "on" : "off");
  // Browsers only start audio after a gesture: the toggle itself is one.
  if (on) audio();
}

function audio() {
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (!Ctx) return null;
  if (!ctx) ctx = new Ctx();
  if (ctx.state === "suspended") ctx.resume().catch(() => {});
  return ctx;
}

export function chime() {
  if (!soundOn()) return;
  const a = audio();
  if (!a) return;
  const start = a.currentTime + 0.02;
  [[659.25, 0], [880, 0.16]].forEach(([freq, delay]) => {
    const osc = a.createOscillator();
    const gain = a.createGain();
    osc.type = "sine";
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0, start + delay);
    gain.gain.linearRampToValueAtTime(0.08, start + delay + 0.03);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + delay + 0.6);
    osc.connect(gain).connect(a.destination);
    osc.start(start + delay);
    osc.stop(start + delay + 0.65);
  });
}
