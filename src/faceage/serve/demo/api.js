// Calls to the faceage server (the one that served this page), and what its errors mean
// for the person using the page. Every error of the API is JSON {"error": "..."}.

// A request that failed: `message` says it in plain words, `detail` is the server's own
// text (or the network error), `status` the HTTP status (0: no answer at all).
export class ApiProblem extends Error {
  constructor(message, detail, status) {
    super(message);
    this.detail = detail;
    this.status = status;
  }
}

const MESSAGES = {
  400: 'The server could not use that request.',
  413: 'That photo is too large for this server. Try a smaller one.',
  415: 'That file is not an image. Choose a photo (JPEG, PNG, WebP, ...).',
  422: 'That file could not be read as an image: it may be damaged, cut short, or in a format the server cannot decode.',
  503: 'The server is busy right now. Try again in a moment.',
};

function messageFor(status) {
  if (status in MESSAGES) return MESSAGES[status];
  if (status >= 500) return 'The server failed on this photo.';
  return `The server refused the request (HTTP ${status}).`;
}

async function readJson(response) {
  try {
    return JSON.parse(await response.text());
  } catch {
    return null;
  }
}

// The faces in `body` (a Blob or File) with each face's age distribution:
// {faces: [...], width, height}. Throws ApiProblem.
export async function estimateAges(body, contentType) {
  let response;
  try {
    response = await fetch('/v1/age?distribution=1', {
      method: 'POST',
      headers: { 'Content-Type': contentType },
      body,
    });
  } catch (error) {
    throw new ApiProblem('Cannot reach the faceage server: is it still running?',
                         String(error && error.message ? error.message : error), 0);
  }
  const json = await readJson(response);
  if (response.ok && json && Array.isArray(json.faces)) return json;
  const detail = json && typeof json.error === 'string' ? json.error : `HTTP ${response.status}`;
  throw new ApiProblem(messageFor(response.status), detail, response.status);
}

// GET /v1/model's answer, or null when it cannot be had (the page works without it).
export async function describeModel() {
  try {
    const response = await fetch('/v1/model');
    return response.ok ? await readJson(response) : null;
  } catch {
    return null;
  }
}
