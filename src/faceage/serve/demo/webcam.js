// The webcam: frames of a <video> showing the camera, sent as JPEGs a few times a second,
// never more than one request at a time (the next frame is taken once the last answer is
// in, so a slow server gets fewer frames rather than a queue of stale ones).

const FRAME_INTERVAL_MS = 300;  // at most about three frames a second
const BUSY_RETRY_MS = 1000;     // after a 503, as the server's Retry-After says
const LONGEST_SIDE = 640;       // frames are scaled down to this: faster, and enough

// Why the camera cannot be used, in plain words.
export function cameraProblem(error) {
  const name = error && error.name;
  if (name === 'NotAllowedError' || name === 'SecurityError')
    return 'The browser did not allow the webcam. Allow camera access for this page and try again.';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'No webcam was found.';
  if (name === 'NotReadableError') return 'The webcam is in use by another program.';
  return `The webcam could not be started (${error && error.message ? error.message : error}).`;
}

export class Webcam {
  // send(blob) -> Promise of the answer; onResult(answer, width, height) and
  // onProblem(error) are called for each frame sent.
  constructor(video, { send, onResult, onProblem }) {
    this.video = video;
    this.send = send;
    this.onResult = onResult;
    this.onProblem = onProblem;
    this.stream = null;
    this.timer = 0;
    this.canvas = document.createElement('canvas');
  }

  get running() {
    return this.stream !== null;
  }

  // Throws an Error with a readable message when there is no camera to use.
  async start() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia)
      throw new Error('The webcam needs a secure page: open this page at http://localhost or over https.');
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: false,
      });
    } catch (error) {
      throw new Error(cameraProblem(error));
    }
    this.video.srcObject = this.stream;
    await this.video.play();
    this.schedule(0);
  }

  stop() {
    clearTimeout(this.timer);
    if (this.stream) for (const track of this.stream.getTracks()) track.stop();
    this.stream = null;
    this.video.srcObject = null;
  }

  schedule(delay) {
    clearTimeout(this.timer);
    if (this.running) this.timer = setTimeout(() => this.sendFrame(), delay);
  }

  frameBlob() {
    const { videoWidth, videoHeight } = this.video;
    const scale = Math.min(1, LONGEST_SIDE / Math.max(videoWidth, videoHeight));
    this.canvas.width = Math.round(videoWidth * scale);
    this.canvas.height = Math.round(videoHeight * scale);
    this.canvas.getContext('2d').drawImage(this.video, 0, 0, this.canvas.width, this.canvas.height);
    return new Promise((resolve) => this.canvas.toBlob(resolve, 'image/jpeg', 0.85));
  }

  async sendFrame() {
    if (!this.running) return;
    if (this.video.videoWidth === 0) {  // no frame decoded yet
      this.schedule(50);
      return;
    }
    const started = performance.now();
    let delay = FRAME_INTERVAL_MS;
    try {
      const blob = await this.frameBlob();
      const answer = await this.send(blob);
      if (this.running) this.onResult(answer, this.canvas.width, this.canvas.height);
    } catch (error) {
      if (this.running) this.onProblem(error);
      if (error && error.status === 503) delay = BUSY_RETRY_MS;
    }
    this.schedule(Math.max(0, delay - (performance.now() - started)));
  }
}
