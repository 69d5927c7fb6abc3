// Passkeys: the browser's half of a WebAuthn ceremony. The server sends the
// options (binary fields in base64url) and a ceremony id; this hands them to
// navigator.credentials, then posts the authenticator's answer back. What a
// button does is in its data-passkey attribute; where its failure is
// announced (a role="alert" element) is in data-passkey-alert.

const ENDPOINTS = {
  'sign-in': '/login/passkey',
  'second-step': '/login/code/passkey',
  confirm: '/account/confirm/passkey',
  add: '/account/passkeys',
};

const fromB64u = (s) => {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4);
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer;
};

const toB64u = (buf) => {
  let s = '';
  for (const b of new Uint8Array(buf)) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};

const withIds = (list) => (list || []).map((c) => ({ ...c, id: fromB64u(c.id) }));

/** Options as the server sends them, made ready for navigator.credentials. */
function creationOptions(o) {
  return { ...o, challenge: fromB64u(o.challenge), user: { ...o.user, id: fromB64u(o.user.id) }, excludeCredentials: withIds(o.excludeCredentials) };
}

function requestOptions(o) {
  return { ...o, challenge: fromB64u(o.challenge), allowCredentials: withIds(o.allowCredentials) };
}

/** A credential as the server reads it. */
function answer(cred) {
  const r = cred.response;
  const response = r.attestationObject
    ? { attestationObject: toB64u(r.attestationObject), clientDataJSON: toB64u(r.clientDataJSON), transports: r.getTransports ? r.getTransports() : undefined }
    : {
        authenticatorData: toB64u(r.authenticatorData),
        clientDataJSON: toB64u(r.clientDataJSON),
        signature: toB64u(r.signature),
        userHandle: r.userHandle ? toB64u(r.userHandle) : null,
      };
  return { id: cred.id, rawId: toB64u(cred.rawId), type: cred.type, response, extensions: cred.getClientExtensionResults() };
}

async function post(url, body) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    credentials: 'same-origin',
    body: JSON.stringify(body),
  });
  const json = (res.headers.get('content-type') || '').includes('application/json');
  const data = json ? await res.json().catch(() => ({})) : {};
  // A redirect (a lost session sent to /login) or a page instead of JSON is no answer.
  if (res.redirected || !json) throw new Error('Your session has ended. Log in again, then try once more.');
  if (!res.ok) {
    if (data.confirm) {
      location.assign(data.confirm);
      return new Promise(() => {});
    }
    throw new Error(data.message || 'The server refused the passkey. Try again.');
  }
  return data;
}

/** What a browser's refusal means to the person. */
function explain(e) {
  if (e && e.name === 'NotAllowedError') return 'No passkey was used: the request was cancelled or timed out. Try again when ready.';
  if (e && e.name === 'InvalidStateError') return 'This passkey is already registered to your account.';
  if (e && e.name === 'SecurityError') return 'This browser refused passkeys for this address.';
  return (e && e.message) || 'The passkey could not be used. Try again.';
}

async function run(button) {
  const kind = button.dataset.passkey;
  const base = ENDPOINTS[kind];
  const alert = document.getElementById(button.dataset.passkeyAlert || '');
  const show = (message) => {
    if (alert) alert.textContent = message;
  };
  if (!window.PublicKeyCredential || !navigator.credentials) {
    show('This browser does not support passkeys. Use another way to sign in.');
    return;
  }
  const form = button.closest('form');
  let start = {};
  if (kind === 'add') {
    const name = form && form.elements.namedItem('name');
    const password = form && form.elements.namedItem('password');
    if (name && !name.reportValidity()) return;
    if (password && !password.reportValidity()) return;
    start = { name: name ? name.value : '', password: password ? password.value : '' };
  }
  const nextInput = document.querySelector('input[name="next"]');
  const next = nextInput ? nextInput.value : '';
  show('');
  button.setAttribute('aria-disabled', 'true');
  let leaving = false;
  try {
    const options = await post(`${base}/options`, start);
    const cred =
      kind === 'add'
        ? await navigator.credentials.create({ publicKey: creationOptions(options.publicKey) })
        : await navigator.credentials.get({ publicKey: requestOptions(options.publicKey) });
    const done = await post(base, { ceremony: options.ceremony, credential: answer(cred), next });
    leaving = true;
    location.assign(kind === 'add' ? '/account?passkey=added#passkeys' : done.next || '/leads');
  } catch (e) {
    show(explain(e));
  } finally {
    // Stays disabled while the page leaves, so a second click starts nothing.
    if (!leaving) button.removeAttribute('aria-disabled');
  }
}

document.addEventListener('click', (event) => {
  const button = event.target instanceof Element ? event.target.closest('button[data-passkey]') : null;
  if (!button || button.getAttribute('aria-disabled') === 'true') return;
  event.preventDefault();
  run(button);
});

// Enter in the new passkey's name adds it, as a form would.
document.addEventListener('submit', (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || form.dataset.passkeyForm !== 'add') return;
  event.preventDefault();
  const button = form.querySelector('button[data-passkey]');
  if (button) button.click();
});
