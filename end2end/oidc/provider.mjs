// A real OpenID Connect provider for the suite's single sign-on tests
// (oidc-provider, with its development sign-in pages: any login name signs
// in, and the login name is the account's email). An address whose local
// part starts with "unverified" is given `email_verified: false`.
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'intake',
      client_secret: process.env.OIDC_CLIENT_SECRET,
      redirect_uris: [process.env.OIDC_REDIRECT_URI],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  // The ID token carries the claims itself (Intake reads them there).
  conformIdTokenClaims: false,
  cookies: { keys: [process.env.OIDC_CLIENT_SECRET] },
  async findAccount(_ctx, sub) {
    return {
      accountId: sub,
      async claims() {
        const local = sub.split('@')[0];
        return { sub, email: sub, email_verified: !local.startsWith('unverified'), name: local.replace(/[._-]/g, ' ') };
      },
    };
  },
});
provider.proxy = false;
provider.listen(port, '127.0.0.1', () => console.log(`oidc-provider at ${issuer}`));
