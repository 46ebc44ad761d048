// The media and history flows of the browser suite: images dropped and
// pasted into the text, the media library (search, alt text, where an item
// is used, deleting one in use), a feature image from the library, the
// warning for an original with GPS data, and a post's revisions (diff and
// restore). The images are drawn in the browser's canvas for each run.
import { join } from 'node:path';
import {
  SAVE_WAIT,
  WAIT,
  adminPost,
  api,
  apiLogin,
  apiOk,
  base,
  editorText,
  expect,
  expectStatuses,
  newContext,
  openPage,
  out,
  password,
  people,
  run,
  signIn,
  state,
  waitForSaved,
} from './lib.mjs';

// ---------------------------------------------------------------- images

/**
 * Draws a small scene in the page's canvas and gives its bytes: `kind` is
 * 'image/png' or 'image/jpeg'; `scene` one of the pictures below.
 */
async function drawImage(page, { width = 960, height = 640, kind = 'image/png', scene = 'harbour', label = '' } = {}) {
  const data = await page.evaluate(
    ({ width, height, kind, scene, label }) => {
      const canvas = document.createElement('canvas');
      canvas.width = width;
      canvas.height = height;
      const g = canvas.getContext('2d');
      const sky = g.createLinearGradient(0, 0, 0, height);
      const palettes = {
        harbour: ['#1d3557', '#e76f51', '#264653'],
        meadow: ['#8ecae6', '#fefae0', '#606c38'],
        night: ['#03045e', '#7b2cbf', '#10002b'],
        dunes: ['#ffb703', '#fb8500', '#9c6644'],
        glacier: ['#caf0f8', '#ade8f4', '#0077b6'],
        forest: ['#d8f3dc', '#95d5b2', '#1b4332'],
      };
      const [top, middle, ground] = palettes[scene] ?? palettes.harbour;
      sky.addColorStop(0, top);
      sky.addColorStop(0.65, middle);
      sky.addColorStop(1, ground);
      g.fillStyle = sky;
      g.fillRect(0, 0, width, height);
      g.fillStyle = 'rgba(255, 244, 214, 0.9)';
      g.beginPath();
      g.arc(width * 0.72, height * 0.38, height * 0.11, 0, Math.PI * 2);
      g.fill();
      // Three ranges of hills, each darker and nearer.
      for (let layer = 0; layer < 3; layer++) {
        g.fillStyle = `rgba(0, 0, 0, ${0.18 + layer * 0.16})`;
        g.beginPath();
        g.moveTo(0, height);
        for (let x = 0; x <= width; x += width / 24) {
          const y = height * (0.55 + layer * 0.12) + Math.sin(x / (70 + layer * 40) + layer * 2) * height * 0.05;
          g.lineTo(x, y);
        }
        g.lineTo(width, height);
        g.fill();
      }
      if (label) {
        g.fillStyle = 'rgba(255, 255, 255, 0.85)';
        g.font = `600 ${Math.round(height / 14)}px sans-serif`;
        g.fillText(label, width * 0.05, height * 0.12);
      }
      return canvas.toDataURL(kind, 0.86).split(',')[1];
    },
    { width, height, kind, scene, label },
  );
  return Buffer.from(data, 'base64');
}

/**
 * A JPEG with an EXIF APP1 segment right after its SOI: IFD0 points to a
 * GPS directory with a latitude and a longitude (the Fastnet lighthouse).
 */
function withGpsExif(jpeg) {
  const le16 = (n) => Buffer.from([n & 0xff, (n >> 8) & 0xff]);
  const le32 = (n) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return b;
  };
  const entry = (tag, type, count, value) => Buffer.concat([le16(tag), le16(type), le32(count), value]);
  const ASCII = 2;
  const LONG = 4;
  const RATIONAL = 5;
  // TIFF header (8) + IFD0: count (2) + 1 entry (12) + next (4) = 26.
  const gpsAt = 26;
  const ifd0 = Buffer.concat([le16(1), entry(0x8825, LONG, 1, le32(gpsAt)), le32(0)]);
  // GPS IFD: count (2) + 4 entries (48) + next (4) = 54; then the rationals.
  const latAt = gpsAt + 54;
  const lonAt = latAt + 24;
  const ascii = (s) => Buffer.concat([Buffer.from(s, 'latin1'), Buffer.alloc(4 - s.length)]);
  const gps = Buffer.concat([
    le16(4),
    entry(0x0001, ASCII, 2, ascii('N\0')),
    entry(0x0002, RATIONAL, 3, le32(latAt)),
    entry(0x0003, ASCII, 2, ascii('W\0')),
    entry(0x0004, RATIONAL, 3, le32(lonAt)),
    le32(0),
  ]);
  const rationals = (values) => Buffer.concat(values.flatMap(([n, d]) => [le32(n), le32(d)]));
  const tiff = Buffer.concat([
    Buffer.from('II*\0', 'latin1'),
    le32(8),
    ifd0,
    gps,
    rationals([[51, 1], [23, 1], [2340, 100]]),
    rationals([[9, 1], [36, 1], [1860, 100]]),
  ]);
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(payload.length + 2);
  expect(jpeg[0] === 0xff && jpeg[1] === 0xd8, 'the canvas gave no JPEG');
  return Buffer.concat([jpeg.subarray(0, 2), Buffer.from([0xff, 0xe1]), length, payload, jpeg.subarray(2)]);
}

/** Uploads over the API, as a script would; gives the media item. */
async function uploadAs(token, bytes, filename, type, alt) {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type }), filename);
  if (alt) form.append('alt', alt);
  const response = await fetch(`${base}/api/v1/admin/media`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
    body: form,
    signal: AbortSignal.timeout(WAIT),
  });
  const json = await response.json();
  return { status: response.status, json };
}

async function uploadOk(token, bytes, filename, type, alt) {
  const { status, json } = await uploadAs(token, bytes, filename, type, alt);
  if (status !== 201) throw new Error(`upload ${filename}: ${status} ${JSON.stringify(json)}`);
  return json.media;
}

const mediaPath = (media) => new URL(media.url).pathname;

/** Drops files on the text editor at the end of the line that has `lineText`. */
async function dropFiles(page, lineText, files) {
  const line = editorText(page).locator('.cm-line', { hasText: lineText }).first();
  const box = await line.boundingBox();
  expect(box, `no line with ${lineText}`);
  const payload = files.map((f) => ({ name: f.name, type: f.type, data: f.bytes.toString('base64') }));
  await page.evaluate(
    ({ payload, x, y }) => {
      const transfer = new DataTransfer();
      for (const f of payload) {
        const bytes = Uint8Array.from(atob(f.data), (c) => c.charCodeAt(0));
        transfer.items.add(new File([bytes], f.name, { type: f.type }));
      }
      const target = document.querySelector('[data-testid="markdown-editor"]');
      const init = { dataTransfer: transfer, clientX: x, clientY: y, bubbles: true, cancelable: true };
      target.dispatchEvent(new DragEvent('dragover', init));
      target.dispatchEvent(new DragEvent('drop', init));
    },
    { payload, x: box.x + box.width - 2, y: box.y + box.height / 2 },
  );
}

/** Pastes one file where the cursor is. */
async function pasteFile(page, file) {
  await page.evaluate(
    ({ name, type, data }) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([Uint8Array.from(atob(data), (c) => c.charCodeAt(0))], name, { type }));
      const target = document.querySelector('[data-testid="markdown-editor"]');
      target.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }));
    },
    { name: file.name, type: file.type, data: file.bytes.toString('base64') },
  );
}

/** The text the editor holds, read through CodeMirror's lines. */
async function editorLines(page) {
  return (await editorText(page).locator('.cm-line').allTextContents()).join('\n');
}

// ---------------------------------------------------------------- flows

export async function uploadByDropAndPaste() {
  const page = state.adminPage;
  const text = 'The harbour at dusk, from the north pier.\n\nThe light turns every four seconds.\n';
  const { post } = await apiOk('POST', '/api/v1/admin/posts', { token: state.adminToken, body: { title: `Harbour photos ${run}`, markdown: text } });
  await page.goto(`${base}/admin/posts/${post.id}`);
  await editorText(page).filter({ hasText: 'from the north pier' }).waitFor();

  // Dropped on the first line: uploaded with its progress, alt text asked, inserted there.
  const png = await drawImage(page, { scene: 'harbour', label: 'North pier' });
  await dropFiles(page, 'from the north pier', [{ name: `north-pier-${run}.png`, type: 'image/png', bytes: png }]);
  const dialog = page.getByRole('dialog', { name: 'Insert an image' });
  await dialog.waitFor();
  await dialog.getByText('Uploaded.').waitFor({ timeout: SAVE_WAIT });
  expect((await dialog.getByRole('progressbar', { name: 'Upload progress' }).getAttribute('value')) === '100', 'the progress is not full');
  await dialog.getByText('it is better not to').waitFor();
  await dialog.getByLabel('Alt text').fill('The north pier at dusk, its lamp lit');
  await dialog.getByRole('button', { name: 'Insert image' }).click();
  await dialog.waitFor({ state: 'detached' });
  const first = new RegExp(`^The harbour at dusk, from the north pier\\.!\\[The north pier at dusk, its lamp lit\\]\\(/media/[0-9a-f-]{36}/north-pier-${run}\\.png\\)$`, 'm');
  expect(first.test(await editorLines(page)), `after the drop: ${await editorLines(page)}`);
  await waitForSaved(page);
  const preview = page.frameLocator('[data-testid="preview-frame"]');
  const img = preview.locator('img[alt="The north pier at dusk, its lamp lit"]');
  await img.waitFor();
  const srcset = await img.getAttribute('srcset');
  expect(srcset && /-480w\.webp 480w/.test(srcset), `the preview's image has srcset ${srcset}`);

  // Pasted at the cursor, at the end of the text.
  await editorText(page).getByText('every four seconds').click();
  await page.keyboard.press('ControlOrMeta+End');
  const second = await drawImage(page, { scene: 'night', width: 800, height: 520, label: 'Lamp room' });
  await pasteFile(page, { name: `lamp-room-${run}.png`, type: 'image/png', bytes: second });
  await dialog.waitFor();
  await dialog.getByText('Uploaded.').waitFor({ timeout: SAVE_WAIT });
  await dialog.getByLabel('Alt text').fill('The lamp room at night');
  await dialog.getByRole('button', { name: 'Insert image' }).click();
  await dialog.waitFor({ state: 'detached' });
  await editorText(page).filter({ hasText: `![The lamp room at night](/media/` }).waitFor();
  await waitForSaved(page);
  const saved = await adminPost(state.adminToken, post.id);
  expect(saved.markdown.includes(`/lamp-room-${run}.png)`) && saved.markdown.includes(`/north-pier-${run}.png)`), `saved: ${saved.markdown}`);

  // Not an image whatever its name says: the API's 415 detail, the text untouched.
  expectStatuses([['415', '/api/v1/admin/media']]);
  const fake = Buffer.from('Just some words, not a picture.\n');
  const refused = await uploadAs(state.adminToken, fake, 'x.png', 'image/png');
  expect(refused.status === 415 && refused.json.detail, `the API answered ${refused.status}`);
  const before = await editorLines(page);
  await dropFiles(page, 'every four seconds', [{ name: 'x.png', type: 'image/png', bytes: fake }]);
  await dialog.getByRole('alert').filter({ hasText: refused.json.detail }).waitFor({ timeout: SAVE_WAIT });
  await dialog.getByRole('button', { name: 'Close' }).click();
  await dialog.waitFor({ state: 'detached' });
  expect((await editorLines(page)) === before, 'the refused upload changed the text');
  await waitForSaved(page);
}

// The library of the README screenshot: photographs of a coastal walk.
const library = [
  ['glacier-tongue', 'glacier', 'The glacier tongue from the moraine'],
  ['dune-ridge', 'dunes', 'Wind-cut ridges of the outer dunes'],
  ['beech-forest', 'forest', 'Beech trunks in morning fog'],
  ['meadow-path', 'meadow', ''],
  ['night-harbour', 'night', 'The harbour under a full moon'],
  ['lighthouse-keepers-cottage', 'harbour', 'The keeper\u2019s cottage below the lighthouse'],
];

export async function mediaLibrary() {
  expectStatuses([['409', '/api/v1/admin/media/']]);
  const drawing = state.adminPage;
  const made = [];
  for (const [name, scene, alt] of library) {
    const bytes = await drawImage(drawing, { scene, width: 1200, height: 800 });
    made.push(await uploadOk(state.adminToken, bytes, `${name}-${run}.png`, 'image/png', alt));
  }
  const used = made.at(-1);
  const title = `The keeper's cottage ${run}`;
  const markdown = `We stayed two nights in the cottage.\n\n![${used.alt}](${mediaPath(used)})\n`;
  const { post } = await apiOk('POST', '/api/v1/admin/posts', { token: state.adminToken, body: { title, markdown } });

  const context = await newContext();
  try {
    const page = await openPage(context, '/admin/sign-in');
    await signIn(page, state.editor.email, password);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Media' }).click();
    await page.getByRole('heading', { name: 'Media', exact: true }).waitFor();
    const grid = page.getByRole('list', { name: 'Media items' });
    // Newest first (once the first page has arrived).
    await grid.getByTestId('media-item').first().waitFor();
    const names = await grid.getByTestId('media-item').locator('.media-name').allTextContents();
    expect(names[0] === `${used.filename}`, `the first item is ${names[0]}`);

    // Search by a word of the alt text, then by a file name.
    await page.getByRole('searchbox', { name: 'Search media' }).fill('MORAINE');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await grid.getByTestId('media-item').filter({ hasText: `dune-ridge-${run}` }).waitFor({ state: 'detached' });
    await grid.getByTestId('media-item').filter({ hasText: `glacier-tongue-${run}` }).waitFor();
    const found = await grid.getByTestId('media-item').locator('.media-name').allTextContents();
    expect(found.includes(`glacier-tongue-${run}.png`) && found.every((n) => n.startsWith('glacier-tongue')), `searching the alt found ${found}`);
    await page.getByRole('searchbox', { name: 'Search media' }).fill(`keepers-cottage-${run}`);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await grid.getByTestId('media-item').filter({ hasText: `glacier-tongue-${run}` }).waitFor({ state: 'detached' });
    await grid.getByRole('button', { name: new RegExp(`^${used.filename}`) }).click();
    await page.waitForURL(new RegExp(`/admin/media/${used.id}$`));

    const details = page.getByTestId('media-details');
    await details.getByRole('heading', { name: used.filename }).waitFor();
    await details.getByText('1200 × 800 pixels').waitFor();
    await details.getByText('image/png').waitFor();
    expect((await details.getByTestId('location-warning').count()) === 0, 'a canvas PNG is said to carry a location');
    await details.getByTestId('media-used-by').getByRole('link', { name: title }).waitFor();
    expect(
      (await details.getByTestId('media-used-by').getByRole('link', { name: title }).getAttribute('href')) === `/admin/posts/${post.id}`,
      'the post is not linked',
    );
    const alt = 'The keeper\u2019s cottage, white walls below the lighthouse';
    await details.getByLabel('Alt text').fill(alt);
    await details.getByRole('button', { name: 'Save alt text and caption' }).click();
    await details.getByText('Saved.').waitFor();
    const after = (await apiOk('GET', `/api/v1/admin/media/${used.id}`, { token: state.adminToken })).media;
    expect(after.alt === alt && after.version === used.version + 1, `the API has alt ${after.alt}, version ${after.version}`);
    expect((await details.getByLabel('Markdown').inputValue()) === `![${alt}](${mediaPath(used)})`, 'the Markdown to copy is wrong');

    // The screenshot: every image of the library, one item's details open.
    await page.getByRole('searchbox', { name: 'Search media' }).fill(run);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await grid.getByTestId('media-item').filter({ hasText: `glacier-tongue-${run}` }).waitFor();
    await page.waitForFunction(() => [...document.querySelectorAll('.media-grid img, .media-preview')].every((i) => i.complete && i.naturalWidth > 0));
    await page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
    await page.screenshot({ path: join(out, 'admin-media.png') });

    // Deleting: refused while the post uses it, with the post named; an editor may force it.
    await details.getByRole('button', { name: 'Delete…' }).click();
    await details.getByRole('group', { name: 'Confirm deleting' }).getByRole('button', { name: 'Delete', exact: true }).click();
    const refused = details.getByTestId('media-delete-refused');
    await refused.getByRole('link', { name: title }).waitFor();
    expect((await api('GET', `/api/v1/admin/media/${used.id}`, { token: state.adminToken })).status === 200, 'a refused delete deleted');
    await refused.getByRole('button', { name: 'Delete anyway…' }).click();
    await refused.getByRole('button', { name: 'Yes, delete it' }).click();
    await page.waitForURL(/\/admin\/media$/);
    await grid.getByTestId('media-item').filter({ hasText: used.filename }).waitFor({ state: 'detached' });
    expect((await api('GET', `/api/v1/admin/media/${used.id}`, { token: state.adminToken })).status === 404, 'the forced delete left the item');
  } finally {
    await context.close();
  }
}

export async function featureImageFromLibrary() {
  const page = state.adminPage;
  const bytes = await drawImage(page, { scene: 'dunes', width: 1600, height: 900, label: 'Outer dunes' });
  const media = await uploadOk(state.adminToken, bytes, `outer-dunes-${run}.png`, 'image/png', 'The outer dunes at noon');
  const { post } = await apiOk('POST', '/api/v1/admin/posts', {
    token: state.adminToken,
    body: { title: `Walking the outer dunes ${run}`, markdown: 'Six kilometres of sand and wind.\n' },
  });
  await page.goto(`${base}/admin/posts/${post.id}`);
  await editorText(page).filter({ hasText: 'Six kilometres' }).waitFor();
  await page.getByRole('button', { name: 'Choose from library' }).click();
  const picker = page.getByRole('dialog', { name: 'Choose a feature image' });
  await picker.getByRole('searchbox', { name: 'Search media' }).fill(`outer-dunes-${run}`);
  await picker.getByRole('button', { name: 'Search', exact: true }).click();
  await picker.getByRole('button', { name: new RegExp(`^outer-dunes-${run}\\.png`) }).click();
  await picker.waitFor({ state: 'detached' });
  expect((await page.getByLabel('Feature image URL').inputValue()) === media.url, 'the URL field does not show the image');
  await waitForSaved(page);
  const saved = await adminPost(state.adminToken, post.id);
  const image = saved.feature_image;
  expect(image?.url === media.url, `feature_image ${JSON.stringify(image)}`);
  expect(image.width === 1600 && image.height === 900 && image.srcset?.includes('480w'), `not known as the media item: ${JSON.stringify(image)}`);
  expect(image.alt === 'The outer dunes at noon', `alt ${image.alt}`);
  const detail = (await apiOk('GET', `/api/v1/admin/media/${media.id}`, { token: state.adminToken })).media;
  expect(detail.used_by.some((p) => p.id === post.id), 'the item does not say the post uses it');
}

export async function locationWarning() {
  const page = state.adminPage;
  const jpeg = withGpsExif(await drawImage(page, { scene: 'glacier', kind: 'image/jpeg', width: 1024, height: 683 }));
  const media = await uploadOk(state.adminToken, jpeg, `fastnet-${run}.jpg`, 'image/jpeg', 'Fastnet rock from the ferry');
  expect(media.has_location === true, `has_location ${media.has_location}`);
  const plain = await uploadOk(state.adminToken, await drawImage(page, { kind: 'image/jpeg', width: 640, height: 400 }), `plain-${run}.jpg`, 'image/jpeg');
  expect(plain.has_location === false, 'a JPEG without EXIF has a location');
  await page.goto(`${base}/admin/media/${media.id}`);
  const details = page.getByTestId('media-details');
  await details.getByText('image/jpeg').waitFor();
  await details.getByTestId('location-warning').filter({ hasText: 'This original contains GPS location data; the resized versions do not' }).waitFor();
  await page.goto(`${base}/admin/media/${plain.id}`);
  await details.getByRole('heading', { name: plain.filename }).waitFor();
  expect((await details.getByTestId('location-warning').count()) === 0, 'the warning shows for an image without a location');
}

export async function revisionsDiffAndRestore() {
  const page = state.adminPage;
  const editorToken = await apiLogin(state.editor.email, password);
  const first = 'The harbour light is red and turns every four seconds.\nIt was built in 1868 from granite.\n';
  const second = 'The harbour light is white and turns every six seconds.\nIt was built in 1868 from granite.\n';
  const third = 'The harbour light is white and turns every six seconds.\nIt was built in 1868 from granite quarried on the island.\nThe keepers left in 1986.\n';
  const title = `The harbour light ${run}`;
  // Three edits that each keep a revision: another writer, then a status change between.
  let { post } = await apiOk('POST', '/api/v1/admin/posts', { token: state.adminToken, body: { title, markdown: first } });
  const patch = async (token, markdown) =>
    (post = (await apiOk('PATCH', `/api/v1/admin/posts/${post.id}`, { token, headers: { 'If-Match': `"${post.version}"` }, body: { markdown } })).post);
  await patch(editorToken, second);
  post = (await apiOk('POST', `/api/v1/admin/posts/${post.id}/publish`, { token: state.adminToken, headers: { 'If-Match': `"${post.version}"` } })).post;
  await patch(editorToken, third);
  const listed = (await apiOk('GET', `/api/v1/admin/posts/${post.id}/revisions`, { token: state.adminToken })).revisions;
  expect(listed.length >= 3, `only ${listed.length} revisions`);
  const oldest = listed.at(-1);
  expect(oldest.markdown === first, 'the oldest revision is not the first text');

  await page.goto(`${base}/admin/posts/${post.id}`);
  await editorText(page).filter({ hasText: 'The keepers left in 1986.' }).waitFor();
  await page.getByRole('button', { name: 'History' }).click();
  const history = page.getByTestId('history');
  const rows = history.getByTestId('revision');
  await rows.first().waitFor();
  expect((await rows.count()) === listed.length, `the panel lists ${await rows.count()} of ${listed.length}`);
  await rows.first().filter({ hasText: people.editor }).waitFor();
  await rows.last().filter({ hasText: 'you' }).waitFor();
  await rows.last().click();
  const diff = history.getByTestId('revision-diff');
  // Words, not only lines: "red" and "four" in the revision, "white" and "six" now.
  for (const word of ['red', 'four']) await diff.locator('mark.only-revision', { hasText: new RegExp(`^${word}$`) }).first().waitFor();
  for (const word of ['white', 'six']) await diff.locator('mark.only-current', { hasText: new RegExp(`^${word}$`) }).first().waitFor();
  await diff.locator('mark.only-current', { hasText: 'The keepers left in 1986.' }).waitFor();
  await page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
  await page.screenshot({ path: join(out, 'admin-history.png') });

  await diff.getByRole('button', { name: 'Restore this version' }).click();
  await history.getByRole('status').filter({ hasText: `Revision ${oldest.number} restored` }).waitFor({ timeout: SAVE_WAIT });
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="revision"]').length === n, listed.length + 1);
  await rows.first().filter({ hasText: 'you' }).waitFor();
  await history.getByRole('button', { name: 'Back to the editor' }).click();
  await editorText(page).filter({ hasText: 'turns every four seconds' }).waitFor();
  expect(!(await editorLines(page)).includes('keepers left'), 'the editor still shows the later text');
  await waitForSaved(page);
  const server = await adminPost(state.adminToken, post.id);
  expect(server.markdown === first, `server has ${JSON.stringify(server.markdown)}`);
  expect(server.status === 'published', `a restore changed the status to ${server.status}`);
  const now = (await apiOk('GET', `/api/v1/admin/posts/${post.id}/revisions`, { token: state.adminToken })).revisions;
  expect(now.length === listed.length + 1 && now[0].markdown === first, `revisions after restoring: ${now.length}`);
}

export const mediaFlows = [uploadByDropAndPaste, mediaLibrary, featureImageFromLibrary, locationWarning, revisionsDiffAndRestore];
