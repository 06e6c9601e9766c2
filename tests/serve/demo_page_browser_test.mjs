// The demo page of `faceage serve` in a real browser: Debian's chromium, headless,
// driven by playwright-core. Starts `faceage serve` (the bundled model) on a free port,
// then: a photo with two faces (boxes on the faces, one label per face with its age, the
// same count as POST /v1/age), a face's age chart by click and by keyboard, readable
// errors (a file that is not an image 415, one that does not decode 422, a PNG declaring
// 30000 x 30000 pixels 413, a 503 played to the page), the fake webcam
// (ages appear, one request at a time), a phone-sized viewport, and the server gone
// (a readable network error). Screenshots go to ARTIFACTS.
//
// Run by demo_page_browser_test.sh, which checks the tools first; its arguments:
//   --cli --source --data --artifacts --chromium --tools --webcam-video
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const TEST_TIMEOUT_MS = 120_000;   // the whole test; it takes about 20 s on 2 busy cores
const STEP_TIMEOUT_MS = 30_000;    // one wait for the page
const PHOTO = 'fairface/fairface_0001.jpg';  // two people
const AGE_LABEL = /^(\d{1,3}) \[(\d{1,3})–(\d{1,3})\]( [FM])?$/;

const { values: args } = parseArgs({
  options: Object.fromEntries(['cli', 'source', 'data', 'artifacts', 'chromium', 'tools', 'webcam-video']
    .map((name) => [name, { type: 'string' }])),
});
const require = createRequire(path.join(args.tools, 'package.json'));
const { chromium } = require('playwright-core');

const started = Date.now();
function log(message) {
  console.log(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${message}`);
}

function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
}

// --- the server ---

// `faceage serve --port 0` and the port it reports once it listens.
function startServer() {
  const server = spawn(args.cli, [
    'serve', '--port', '0', '--threads', '2',
    '--model', path.join(args.source, 'models/default-age-model.safetensors'),
    '--detector-weights', path.join(args.source, 'models/mtcnn.safetensors'),
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const port = new Promise((resolve, reject) => {
    const read = (chunk) => {
      output += chunk;
      const match = output.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
      if (match) resolve(Number(match[1]));
    };
    server.stdout.on('data', read);
    server.stderr.on('data', read);
    server.on('exit', (code) => reject(new Error(`faceage serve exited (code ${code}) before listening:\n${output}`)));
  });
  return { server, port };
}

async function waitForHealth(base) {
  for (let i = 0; i < 600; ++i) {
    try {
      const response = await fetch(`${base}/healthz`);
      if (response.ok && (await response.json()).status === 'ok') return;
    } catch {
      // not yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${base}/healthz did not answer ok within 60 s`);
}

async function apiFaces(base, photoPath) {
  const response = await fetch(`${base}/v1/age`, {
    method: 'POST', headers: { 'Content-Type': 'image/jpeg' }, body: readFileSync(photoPath),
  });
  check(response.ok, `POST /v1/age of ${photoPath} answered ${response.status}`);
  return (await response.json()).faces;
}

// --- the page ---

// Console errors other than the failed requests the test causes on purpose.
function watchForErrors(page, errors) {
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
      errors.push(`console error: ${message.text()}`);
  });
}

// The number of POST /v1/age requests open at once, at most, since the last reset.
function watchRequestsInFlight(page) {
  const counter = { open: 0, most: 0, answered: 0 };
  const isAge = (request) => request.url().includes('/v1/age');
  page.on('request', (request) => {
    if (isAge(request)) counter.most = Math.max(counter.most, ++counter.open);
  });
  const done = (request) => {
    if (isAge(request)) --counter.open, ++counter.answered;
  };
  page.on('requestfinished', done);
  page.on('requestfailed', done);
  return counter;
}

async function uploadPhoto(page, photoPath, faceCount) {
  await page.setInputFiles('#photo-input', photoPath);
  await page.waitForFunction((count) => {
    const status = document.getElementById('status').textContent;
    return /found/.test(status) && document.querySelectorAll('.face-box').length === count;
  }, faceCount, { timeout: STEP_TIMEOUT_MS });
}

// Every label reads "AGE [LOW–HIGH] F/M" with the API's age; every box lies on its face:
// where the API's box is, scaled to the picture as shown.
async function checkFaces(page, expected, width, height) {
  const shown = await page.evaluate(() => {
    const picture = document.getElementById('photo').getBoundingClientRect();
    return {
      picture: { x: picture.x, y: picture.y, width: picture.width, height: picture.height },
      boxes: [...document.querySelectorAll('.face-box')].map((box) => {
        const r = box.getBoundingClientRect();
        return { x: r.x, y: r.y, width: r.width, height: r.height, label: box.textContent };
      }),
    };
  });
  check(shown.boxes.length === expected.length,
        `${shown.boxes.length} faces shown, the API found ${expected.length}`);
  const scale = shown.picture.width / width;
  check(Math.abs(shown.picture.height - height * scale) < 2, 'the photo is shown at its own aspect ratio');
  shown.boxes.forEach((box, i) => {
    const match = box.label.match(AGE_LABEL);
    check(match, `face ${i + 1}'s label "${box.label}" shows an age and its interval`);
    check(Number(match[1]) === Math.round(expected[i].age),
          `face ${i + 1}'s label says ${match[1]}, the API ${expected[i].age}`);
    const [x1, y1, x2, y2] = expected[i].box;
    const near = (a, b, what) => check(Math.abs(a - b) <= 2, `face ${i + 1}'s box ${what}: ${a.toFixed(1)} shown, ${b.toFixed(1)} expected`);
    near(box.x, shown.picture.x + x1 * scale, 'left');
    near(box.y, shown.picture.y + y1 * scale, 'top');
    near(box.x + box.width, shown.picture.x + x2 * scale, 'right');
    near(box.y + box.height, shown.picture.y + y2 * scale, 'bottom');
  });
}

async function checkChartOf(page, faceNumber) {
  await page.waitForFunction((n) => {
    const caption = document.getElementById('distribution-caption').textContent;
    return caption.startsWith(`Face ${n}:`) && document.querySelectorAll('#chart svg rect.bar').length === 101;
  }, faceNumber, { timeout: STEP_TIMEOUT_MS });
  const pressed = await page.$$eval('.face-box', (boxes) => boxes.map((b) => b.getAttribute('aria-pressed')));
  check(pressed[faceNumber - 1] === 'true' && pressed.filter((p) => p === 'true').length === 1,
        `face ${faceNumber} alone is marked selected (${pressed})`);
}

// A PNG whose header declares width x height (a decompression bomb, were it trusted): the
// server refuses it from the header with 413.
function pngDeclaring(width, height) {
  const crc32 = (bytes) => {
    let crc = 0xffffffff;
    for (const byte of bytes) {
      crc ^= byte;
      for (let k = 0; k < 8; ++k) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
    }
    return (crc ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);  // 8-bit RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header),
                        chunk('IDAT', Buffer.from([0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01])),
                        chunk('IEND', Buffer.alloc(0))]);
}

async function expectError(page, file, wanted) {
  await page.setInputFiles('#photo-input', file);
  await page.waitForFunction((text) => {
    const error = document.getElementById('error');
    return !error.hidden && error.textContent.includes(text);
  }, wanted, { timeout: STEP_TIMEOUT_MS });
  const message = await page.textContent('#error .error-message');
  check(!message.includes('{'), `the error reads as a sentence, not JSON: ${message}`);
  log(`error shown: ${message}`);
}

// --- the test ---

async function desktopChecks(browser, base, photo, expected) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  watchForErrors(page, errors);
  const requests = watchRequestsInFlight(page);
  await page.goto(`${base}/`);
  await page.waitForFunction(() => /^Model: default-age-model/.test(document.getElementById('model-info').textContent),
                             null, { timeout: STEP_TIMEOUT_MS });

  await uploadPhoto(page, photo, expected.length);
  await checkFaces(page, expected, 448, 448);
  log(`photo: ${expected.length} faces shown with their ages`);

  await page.click('.face-box >> nth=0');
  await checkChartOf(page, 1);
  // The keyboard: Tab from the first face to the second, Space selects it.
  await page.keyboard.press('Tab');
  check(await page.evaluate(() => document.activeElement.dataset.index) === '1', 'Tab moves to face 2');
  await page.keyboard.press('Space');
  await checkChartOf(page, 2);
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Enter');
  await checkChartOf(page, 1);
  log('chart: by click, Tab + Space and Shift+Tab + Enter');
  await page.screenshot({ path: path.join(args.artifacts, 'desktop.png'), fullPage: true });

  await expectError(page, { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a photo\n') },
                    'not an image');
  await expectError(page, { name: 'broken.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('not a photo\n') },
                    'could not be read as an image');
  await page.screenshot({ path: path.join(args.artifacts, 'error.png') });
  await expectError(page, { name: 'huge.png', mimeType: 'image/png', buffer: pngDeclaring(30000, 30000) },
                    'too large');
  // A full queue cannot be made to order: the server's 503 answer is played to the page.
  await page.route('**/v1/age*', (route) => route.fulfill({
    status: 503, contentType: 'application/json', headers: { 'Retry-After': '1' },
    body: JSON.stringify({ error: 'the server is busy (16 requests waiting, --max-queue) or stopping; retry later' }),
  }));
  await expectError(page, photo, 'busy');
  await page.unroute('**/v1/age*');

  // The fake webcam shows a face: ages appear; frames go one request at a time.
  requests.most = 0;
  requests.answered = 0;
  await page.click('#camera-button');
  await page.waitForFunction(() => {
    const labels = [...document.querySelectorAll('.face-label')].map((l) => l.textContent);
    return !document.getElementById('camera').hidden && labels.length >= 1 &&
           labels.every((l) => /^\d{1,3} \[/.test(l));
  }, null, { timeout: STEP_TIMEOUT_MS });
  for (const deadline = Date.now() + STEP_TIMEOUT_MS; requests.answered < 4 && Date.now() < deadline;)
    await page.waitForTimeout(100);
  check(requests.answered >= 4, `only ${requests.answered} webcam frames answered in ${STEP_TIMEOUT_MS / 1000} s`);
  check(requests.most === 1, `webcam frames went ${requests.most} at a time (must be 1)`);
  check(await page.getAttribute('#camera-button', 'aria-pressed') === 'true', 'the webcam button shows it is on');
  const webcamLabels = await page.$$eval('.face-label', (labels) => labels.map((l) => l.textContent));
  log(`webcam: ${requests.answered} frames answered, one at a time; labels ${webcamLabels.join(', ')}`);
  await page.screenshot({ path: path.join(args.artifacts, 'webcam.png') });
  await page.click('#camera-button');
  check(await page.getAttribute('#camera-button', 'aria-pressed') === 'false', 'the webcam stops');

  check(errors.length === 0, `the page logged errors:\n${errors.join('\n')}`);
  await context.close();
}

async function phoneChecks(browser, base, photo, expected, server) {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true,
  });
  const page = await context.newPage();
  const errors = [];
  watchForErrors(page, errors);
  await page.goto(`${base}/`);
  await uploadPhoto(page, photo, expected.length);
  await checkFaces(page, expected, 448, 448);
  await page.tap('.face-box >> nth=0');
  await checkChartOf(page, 1);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, `the page is ${overflow} px wider than a 390 px phone`);
  const labelsInside = await page.$$eval('.face-label', (labels) => labels.every((l) => {
    const r = l.getBoundingClientRect();
    return r.left >= 0 && r.right <= window.innerWidth;
  }));
  check(labelsInside, 'every face label is inside the phone screen');
  await page.screenshot({ path: path.join(args.artifacts, 'phone.png'), fullPage: true });
  log('phone: 390 x 844 without sideways scrolling');

  // The server gone: the page says so.
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  await expectError(page, photo, 'Cannot reach the faceage server');
  check(errors.length === 0, `the page logged errors:\n${errors.join('\n')}`);
  await context.close();
}

async function main() {
  const { server, port: portPromise } = startServer();
  const profile = mkdtempSync(path.join(tmpdir(), 'faceage-chromium-'));
  let browser = null;
  const timer = setTimeout(() => {
    console.error(`demo page browser test: FAILED: took over ${TEST_TIMEOUT_MS / 1000} s`);
    server.kill('SIGKILL');
    process.exit(1);
  }, TEST_TIMEOUT_MS);
  try {
    const base = `http://127.0.0.1:${await portPromise}`;
    await waitForHealth(base);
    const photo = path.join(args.data, PHOTO);
    const expected = await apiFaces(base, photo);
    check(expected.length >= 2, `${PHOTO} has ${expected.length} faces by the API; the test needs 2`);
    log(`server on ${base}; the API finds ${expected.length} faces in ${PHOTO}`);

    // Without the background-networking flags chromium's connections to the outside are
    // refused by the closed network, and it waits on them.
    browser = await chromium.launch({
      executablePath: args.chromium,
      headless: true,
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
        '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
        `--use-file-for-fake-video-capture=${args['webcam-video']}`,
      ],
      // Playwright gives the browser a fresh, temporary --user-data-dir; this is for the rest.
      env: { ...process.env, HOME: profile },
    });
    await desktopChecks(browser, base, photo, expected);
    await phoneChecks(browser, base, photo, expected, server);
    log(`passed; screenshots in ${args.artifacts}`);
  } finally {
    clearTimeout(timer);
    if (browser) await browser.close();
    if (server.exitCode === null) server.kill('SIGTERM');
    rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`demo page browser test: FAILED: ${error.message}`);
  process.exit(1);
});
