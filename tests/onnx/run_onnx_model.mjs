// Runs an exported ONNX model with ONNX Runtime (npm onnxruntime-node, CPU), the reference
// the ONNX parity test compares faceage's own outputs with.
//
//   node run_onnx_model.mjs ORT_PREFIX MODEL.onnx INPUT.f32 N H W OUT_DIR
// ORT_PREFIX: where scripts/fetch-onnxruntime.sh installed the package.
// INPUT.f32: N x 3 x H x W little-endian floats, fed as the model's only input.
// Writes OUT_DIR/NAME.f32 for every output and OUT_DIR/outputs.json: {NAME: dims}.
import fs from 'fs';
import path from 'path';
import { createRequire } from 'module';

const [prefix, modelPath, inputPath, n, h, w, outDir] = process.argv.slice(2);
if (!outDir) {
  console.error('usage: run_onnx_model.mjs ORT_PREFIX MODEL.onnx INPUT.f32 N H W OUT_DIR');
  process.exit(2);
}
const ort = createRequire(path.join(path.resolve(prefix), 'index.js'))('onnxruntime-node');

const dims = [Number(n), 3, Number(h), Number(w)];
const bytes = fs.readFileSync(inputPath);
const count = dims.reduce((a, b) => a * b, 1);
if (bytes.length !== count * 4) {
  console.error(`${inputPath}: ${bytes.length} bytes, expected ${count * 4} for [${dims}]`);
  process.exit(1);
}
const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));

// Two threads: the machines that run the suite have two cores and run two tests at once.
const session = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: 2, interOpNumThreads: 1 });
if (session.inputNames.length !== 1) {
  console.error(`${modelPath}: expected one input, found ${session.inputNames.join(', ')}`);
  process.exit(1);
}
const results = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', values, dims) });

fs.mkdirSync(outDir, { recursive: true });
const shapes = {};
for (const name of session.outputNames) {
  const tensor = results[name];
  if (tensor.type !== 'float32') {
    console.error(`${modelPath}: output ${name} is ${tensor.type}, expected float32`);
    process.exit(1);
  }
  fs.writeFileSync(path.join(outDir, `${name}.f32`), Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength));
  shapes[name] = tensor.dims;
}
fs.writeFileSync(path.join(outDir, 'outputs.json'), JSON.stringify(shapes));
