// Calls to the admin API made from inside a page, with the session that the page's admin SPA
// signed in, for setup that a test does not exercise through forms.

// Sends METHOD PATH with the JSON BODY from PAGE, with the session's CSRF token, and returns the
// parsed response, or null for an empty one. Throws with the status and body of a failed response.
export async function adminRequest(page, method, path, body) {
  const result = await page.evaluate(
    async ({ method, path, body }) => {
      const accept = { Accept: 'application/json' };
      const session = await fetch('/api/v1/auth/session', { headers: accept });
      if (!session.ok) {
        return { status: session.status, text: `no session: ${await session.text()}` };
      }
      const { csrf_token: csrfToken } = await session.json();
      const headers = { ...accept, 'X-CSRF-Token': csrfToken };
      const init = { method, headers };
      if (body !== undefined) {
        headers['Content-Type'] = 'application/json';
        init.body = JSON.stringify(body);
      }
      const response = await fetch(path, init);
      return { status: response.status, text: await response.text() };
    },
    { method, path, body },
  );
  if (result.status < 200 || result.status >= 300) {
    throw new Error(`${method} ${path} returned ${result.status}: ${result.text}`);
  }
  return result.text ? JSON.parse(result.text) : null;
}

// Creates an admin user through the API and returns it. ACCOUNT has username, password, role
// (as the API spells it, such as "approver") and optionally email.
export async function createAdminUserByApi(page, { username, password, role, email }) {
  return adminRequest(page, 'POST', '/api/v1/admin-users', { username, password, role, email: email ?? null });
}
