import { defineConfig, devices } from '@playwright/test';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// One fresh data directory per run, shared with the workers through the environment.
process.env.INTAKE_E2E_DATA ??= fs.mkdtempSync(path.join(os.tmpdir(), 'intake-e2e-'));
process.env.INTAKE_E2E_FOLLOW_UP_DATA ??= fs.mkdtempSync(path.join(os.tmpdir(), 'intake-e2e-follow-up-'));
// Seals authenticator apps' secrets: a new random key per run, never one written down.
process.env.INTAKE_E2E_SECRET_KEY ??= crypto.randomBytes(32).toString('hex');
const port = Number(process.env.INTAKE_E2E_PORT ?? 3107);
// A second server whose follow-up deadline is one minute (the shortest
// allowed), for the test that watches a lead turn overdue (follow-up.spec.ts).
const followUpPort = port + 1;
process.env.INTAKE_E2E_FOLLOW_UP_URL = `http://127.0.0.1:${followUpPort}`;
// A third whose firm requires two-step sign-in of everyone (two-factor.spec.ts).
process.env.INTAKE_E2E_REQUIRED_DATA ??= fs.mkdtempSync(path.join(os.tmpdir(), 'intake-e2e-required-'));
const requiredPort = port + 2;
process.env.INTAKE_E2E_REQUIRED_URL = `http://127.0.0.1:${requiredPort}`;
// A fourth at `localhost`, for passkeys (passkeys.spec.ts): browsers allow
// WebAuthn on http only for localhost, never for an IP address.
process.env.INTAKE_E2E_PASSKEY_DATA ??= fs.mkdtempSync(path.join(os.tmpdir(), 'intake-e2e-passkey-'));
const passkeyPort = port + 3;
process.env.INTAKE_E2E_PASSKEY_URL = `http://localhost:${passkeyPort}`;
// A real OpenID Connect provider (oidc-provider, end2end/oidc/provider.mjs),
// for that fourth server's single sign-on (sso.spec.ts).
const oidcPort = port + 4;
process.env.INTAKE_E2E_OIDC_URL = `http://127.0.0.1:${oidcPort}`;
process.env.INTAKE_E2E_OIDC_SECRET ??= crypto.randomBytes(24).toString('hex');
// A fifth whose firm has its own intake form (firm-form.spec.ts): its matter
// type picker comes before the form, which the other files' prospects skip.
process.env.INTAKE_E2E_FORM_DATA ??= fs.mkdtempSync(path.join(os.tmpdir(), 'intake-e2e-form-'));
const formPort = port + 5;
process.env.INTAKE_E2E_FORM_URL = `http://127.0.0.1:${formPort}`;
// `INTAKE_E2E_BUILD=release` runs the suite against the optimised build
// (`cargo leptos build --release --split` with LEPTOS_SITE_ROOT=target/site-release, as
// scripts/test.sh does), which is what a firm runs.
const release = process.env.INTAKE_E2E_BUILD === 'release';
export const dataDir = process.env.INTAKE_E2E_DATA;

export default defineConfig({
  testDir: './tests',
  // Several tests drive three browsers through login, hydration and live
  // updates; on a loaded 2-core machine with the debug WASM that passes 30 s.
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['html', { open: 'never', outputFolder: `playwright-report/${release ? 'release' : 'debug'}` }]],
  outputDir: `test-results/${release ? 'release' : 'debug'}`,
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ],
    },
  },
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'] } }],
  // The build made by `cargo leptos build --split [--release]`: scripts/test.sh makes the
  // release one first; run `cargo leptos build --split` yourself before a debug run.
  webServer: [
    server(port, process.env.INTAKE_E2E_DATA!, { INTAKE_MAX_RESUME_BYTES: '1M' }),
    server(followUpPort, process.env.INTAKE_E2E_FOLLOW_UP_DATA!, { INTAKE_FOLLOW_UP: '1m', INTAKE_DIGEST_HOUR: 'off' }),
    server(requiredPort, process.env.INTAKE_E2E_REQUIRED_DATA!, { INTAKE_REQUIRE_2FA: 'all' }),
    server(formPort, process.env.INTAKE_E2E_FORM_DATA!, {}),
    {
      command: 'node oidc/provider.mjs',
      url: `http://127.0.0.1:${oidcPort}/.well-known/openid-configuration`,
      reuseExistingServer: false,
      timeout: 30_000,
      stdout: 'ignore' as const,
      stderr: 'ignore' as const,
      env: {
        OIDC_PORT: String(oidcPort),
        OIDC_CLIENT_SECRET: process.env.INTAKE_E2E_OIDC_SECRET!,
        OIDC_REDIRECT_URI: `${process.env.INTAKE_E2E_PASSKEY_URL}/login/sso/callback`,
      },
    },
    server(passkeyPort, process.env.INTAKE_E2E_PASSKEY_DATA!, {
      INTAKE_PUBLIC_URL: process.env.INTAKE_E2E_PASSKEY_URL!,
      INTAKE_OIDC_ISSUER: process.env.INTAKE_E2E_OIDC_URL!,
      INTAKE_OIDC_CLIENT_ID: 'intake',
      INTAKE_OIDC_CLIENT_SECRET: process.env.INTAKE_E2E_OIDC_SECRET!,
      INTAKE_OIDC_NAME: 'Harper SSO',
      INTAKE_OIDC_SIGNUP_DOMAIN: 'joiners.harperlowe.test',
    }),
  ],
});

/** An Intake server on `port` with its own data directory and the suite's settings. */
function server(port: number, dataDir: string, extra: Record<string, string>) {
  return {
    command: release ? 'target/release/intake' : 'target/debug/intake',
    cwd: '..',
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore' as const,
    stderr: 'pipe' as const,
    env: {
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: release ? 'target/site-release' : 'target/site',
      INTAKE_DATA_DIR: dataDir,
      INTAKE_FIRM_NAME: 'Harper & Lowe LLP',
      INTAKE_NOTIFY_EMAIL: 'attorneys@harperlowe.test',
      INTAKE_PUBLIC_URL: `http://127.0.0.1:${port}`,
      INTAKE_SUBMIT_RATE: '0',
      INTAKE_ADMIN_EMAIL: 'admin@harperlowe.test',
      INTAKE_ADMIN_PASSWORD: 'e2e admin password',
      // The suite's webhook receivers listen on loopback.
      INTAKE_WEBHOOK_ALLOW_PRIVATE: 'true',
      INTAKE_SECRET_KEY: process.env.INTAKE_E2E_SECRET_KEY!,
      RUST_LOG: 'warn',
      ...extra,
    },
  };
}
