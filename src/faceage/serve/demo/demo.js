// The demo page: a photo (dropped or chosen) or webcam frames go to POST /v1/age; each
// face is drawn as a box with its age, and the selected face's age distribution as a chart.
import { ApiProblem, describeModel, estimateAges } from './api.js';
import { drawAgeChart } from './age_chart.js';
import { drawFaceBoxes, faceSentence } from './face_boxes.js';
import { Webcam } from './webcam.js';

const $ = (id) => document.getElementById(id);
const ui = {
  dropZone: $('drop-zone'), pickButton: $('pick-button'), cameraButton: $('camera-button'),
  input: $('photo-input'), status: $('status'), error: $('error'), stage: $('stage'),
  photo: $('photo'), video: $('camera'), overlay: $('overlay'), results: $('results'),
  faceList: $('face-list'), distribution: $('distribution'),
  caption: $('distribution-caption'), chart: $('chart'), modelInfo: $('model-info'),
};

const state = {
  faces: [],
  selected: -1,
  request: 0,        // photo requests started: a later photo's answer replaces an earlier one's
  photoUrl: null,
  announced: '',     // the last summary read out, so webcam frames do not repeat it
};

function setStatus(text) {
  if (text !== state.announced) ui.status.textContent = text;
  state.announced = text;
}

function showError(error) {
  ui.error.replaceChildren();
  const message = document.createElement('p');
  message.className = 'error-message';
  message.textContent = error.message;
  ui.error.append(message);
  const detail = error instanceof ApiProblem ? error.detail : '';
  if (detail) {
    const small = document.createElement('p');
    small.className = 'error-detail';
    small.textContent = error.status ? `Server said (HTTP ${error.status}): ${detail}` : detail;
    ui.error.append(small);
  }
  ui.error.hidden = false;
}

function clearError() {
  ui.error.hidden = true;
  ui.error.replaceChildren();
}

// Shows the stage at the picture's own aspect ratio, no taller than most of the window.
function fitStage(width, height) {
  ui.stage.hidden = false;
  ui.stage.style.aspectRatio = `${width} / ${height}`;
  ui.stage.style.maxWidth = `min(100%, calc(70vh * ${(width / height).toFixed(4)}))`;
}

function select(index) {
  state.selected = index;
  render();
  const face = state.faces[index];
  if (face) setStatus(`Selected: ${faceSentence(face, index)}.`);
}

function renderDistribution() {
  const face = state.faces[state.selected];
  if (!face) {
    ui.distribution.hidden = true;
    return;
  }
  ui.distribution.hidden = false;
  if (!Array.isArray(face.age_distribution)) {
    ui.caption.textContent = 'This server does not give age distributions.';
    ui.chart.replaceChildren();
    return;
  }
  ui.caption.textContent = `${faceSentence(face, state.selected)}: probability of each age. ` +
                           'Blue: the 90% interval; red line: the estimate.';
  drawAgeChart(ui.chart, face);
}

function render(width, height) {
  if (width && height) {
    state.width = width;
    state.height = height;
  }
  drawFaceBoxes(ui.overlay, state.faces, state.width, state.height, state.selected, select);
  ui.results.hidden = false;
  const items = state.faces.map((face, index) => {
    const item = document.createElement('li');
    item.textContent = faceSentence(face, index);
    if (index === state.selected) item.className = 'selected';
    return item;
  });
  ui.faceList.replaceChildren(...items);
  renderDistribution();
}

// What the status line says (and screen readers read out). For webcam frames only the
// number of faces, so that it is not read out again a few times a second.
function summary(faces, live) {
  if (live) return faces.length === 1 ? '1 face in view.' : `${faces.length} faces in view.`;
  if (faces.length === 0) return 'No face found.';
  const ages = faces.map((face) => Math.round(face.age)).join(', ');
  return `${faces.length} ${faces.length === 1 ? 'face' : 'faces'} found; ages ${ages}.`;
}

function showAnswer(answer, width, height, live) {
  state.faces = answer.faces;
  if (state.selected >= state.faces.length) state.selected = -1;
  render(width, height);
  setStatus(summary(answer.faces, live));
}

// --- photos ---

async function sendPhoto(file) {
  if (webcam.running) stopWebcam();
  clearError();
  const request = ++state.request;
  state.faces = [];
  state.selected = -1;
  ui.overlay.replaceChildren();
  ui.results.hidden = true;
  if (state.photoUrl) URL.revokeObjectURL(state.photoUrl);
  state.photoUrl = URL.createObjectURL(file);
  ui.video.hidden = true;
  ui.photo.hidden = false;
  ui.photo.src = state.photoUrl;
  setStatus(`Estimating ages in ${file.name}…`);
  try {
    const answer = await estimateAges(file, file.type || 'application/octet-stream');
    if (request !== state.request) return;
    fitStage(answer.width, answer.height);
    showAnswer(answer, answer.width, answer.height, false);
  } catch (error) {
    if (request !== state.request) return;
    ui.stage.hidden = true;
    setStatus(`No result for ${file.name}.`);
    showError(error);
  }
}

ui.pickButton.addEventListener('click', () => ui.input.click());
ui.input.addEventListener('change', () => {
  if (ui.input.files.length > 0) sendPhoto(ui.input.files[0]);
  ui.input.value = '';  // choosing the same file again sends it again
});

// The whole page takes a dropped photo.
document.addEventListener('dragover', (event) => {
  event.preventDefault();
  ui.dropZone.classList.add('dragging');
});
document.addEventListener('dragleave', (event) => {
  if (event.relatedTarget === null) ui.dropZone.classList.remove('dragging');
});
document.addEventListener('drop', (event) => {
  event.preventDefault();
  ui.dropZone.classList.remove('dragging');
  const file = event.dataTransfer && event.dataTransfer.files[0];
  if (file) sendPhoto(file);
});

// --- webcam ---

const webcam = new Webcam(ui.video, {
  send: (blob) => estimateAges(blob, 'image/jpeg'),
  onResult: (answer, width, height) => {
    clearError();
    fitStage(width, height);
    showAnswer(answer, width, height, true);
  },
  onProblem: showError,
});

function stopWebcam() {
  webcam.stop();
  ui.cameraButton.textContent = 'Start webcam';
  ui.cameraButton.setAttribute('aria-pressed', 'false');
  setStatus('Webcam stopped.');
}

ui.cameraButton.addEventListener('click', async () => {
  if (webcam.running) {
    stopWebcam();
    return;
  }
  ++state.request;  // an answer for a photo still on its way is not shown over the video
  clearError();
  state.faces = [];
  state.selected = -1;
  ui.overlay.replaceChildren();
  ui.photo.hidden = true;
  ui.video.hidden = false;
  setStatus('Starting the webcam…');
  try {
    await webcam.start();
    ui.cameraButton.textContent = 'Stop webcam';
    ui.cameraButton.setAttribute('aria-pressed', 'true');
    fitStage(ui.video.videoWidth || 4, ui.video.videoHeight || 3);
    setStatus('Webcam on: estimating ages a few times a second.');
  } catch (error) {
    webcam.stop();
    ui.video.hidden = true;
    setStatus('Webcam off.');
    showError(error);
  }
});

// --- the model, for the footer ---

describeModel().then((description) => {
  if (!description || !description.model) {
    ui.modelInfo.textContent = 'Model: unknown (GET /v1/model did not answer).';
    return;
  }
  const model = description.model;
  const heads = model.multitask ? 'age, gender and ethnicity' : 'age';
  ui.modelInfo.textContent = `Model: ${description.file} (${model.architecture}; ${heads}).`;
});
