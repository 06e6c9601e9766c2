// face-api.js's own face-recognition network (the package's bundled tfjs, CPU backend)
// on raw images: the reference the face_resnet29 parity test compares with.
//
//   node face_recognition_reference.mjs PACKAGE_DIR IMAGES.u8 COUNT DESCRIPTORS.f32
// IMAGES.u8: COUNT x 150 x 150 x 3 RGB bytes; DESCRIPTORS.f32: COUNT x 128 little-endian floats.
import fs from 'fs';

const [packageDir, imagesPath, countText, outPath] = process.argv.slice(2);
// The browser bundle runs in Node once it believes it is in a browser; it only needs the
// globals to exist, since images are given as tensors.
globalThis.window = globalThis;
globalThis.document = { createElement: () => ({}) };
const faceapi = await import(`${packageDir}/dist/face-api.esm.js`);
const tf = faceapi.tf;
await tf.setBackend('cpu');
await tf.ready();

const modelDir = `${packageDir}/model`;
const manifest = JSON.parse(fs.readFileSync(`${modelDir}/face_recognition_model-weights_manifest.json`));
const bytes = Buffer.concat(manifest[0].paths.map((p) => fs.readFileSync(`${modelDir}/${p}`)));
const weights = tf.io.decodeWeights(
  bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), manifest[0].weights);
const net = faceapi.nets.faceRecognitionNet;
net.loadFromWeightMap(weights);

const count = Number(countText);
const pixels = fs.readFileSync(imagesPath);
const size = 150 * 150 * 3;
if (pixels.length !== count * size) throw new Error(`${imagesPath}: expected ${count * size} bytes`);
const out = new Float32Array(count * 128);
for (let i = 0; i < count; ++i) {
  const image = tf.tensor3d(new Float32Array(pixels.subarray(i * size, (i + 1) * size)), [150, 150, 3]);
  out.set(await net.computeFaceDescriptor(image), i * 128);
  image.dispose();
}
fs.writeFileSync(outPath, Buffer.from(out.buffer));
