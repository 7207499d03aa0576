// Who is signed in, kept in localStorage; guest tokens are kept per room code.
const KEY = "roundtable.session";

function read() {
  try { return JSON.parse(localStorage.getItem(KEY)) || {}; } catch { return {}; }
}

export const session = {
  token: () => read().token || null,
  user: () => read().user || null,
  signIn(token, user) { localStorage.setItem(KEY, JSON.stringify({ token, user })); },
  signOut() { localStorage.removeItem(KEY); },
  guest(code) {
    try { return JSON.parse(localStorage.getItem(`roundtable.guest.${code}`)); } catch { return null; }
  },
  setGuest(code, value) { localStorage.setItem(`roundtable.guest.${code}`, JSON.stringify(value)); },
};
