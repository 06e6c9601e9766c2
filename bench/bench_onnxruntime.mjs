// Images/s of one ONNX model in ONNX Runtime (npm onnxruntime-node, CPU provider, every
// graph optimisation): the timing half of bench/bench_onnxruntime.py, which alternates it
// with bench_backbones row by row.
//
//   node bench_onnxruntime.mjs ORT_PREFIX MODEL.onnx BATCH SIZE ITERATIONS WARMUP THREADS
// ORT_PREFIX: where scripts/fetch-onnxruntime.sh installed the package. Prints one JSON
// line: {"images_per_second", "images_per_cpu_second"}, medians over the timed runs.
import path from 'path';
import { createRequire } from 'module';

const [prefix, modelPath, batch, size, iterations, warmup, threads] = process.argv.slice(2);
if (!threads) {
  console.error('usage: bench_onnxruntime.mjs ORT_PREFIX MODEL.onnx BATCH SIZE ITERATIONS WARMUP THREADS');
  process.exit(2);
}
const ort = createRequire(path.join(path.resolve(prefix), 'index.js'))('onnxruntime-node');

const session = await ort.InferenceSession.create(modelPath, {
  intraOpNumThreads: Number(threads), interOpNumThreads: 1, graphOptimizationLevel: 'all',
  executionMode: 'sequential',
});
const dims = [Number(batch), 3, Number(size), Number(size)];
const values = new Float32Array(dims.reduce((a, b) => a * b, 1));
for (let i = 0; i < values.length; ++i) values[i] = Math.random() * 2 - 1;
const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', values, dims) };

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};
for (let i = 0; i < Number(warmup); ++i) await session.run(feeds);
const wall = [], cpu = [];
for (let i = 0; i < Number(iterations); ++i) {
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  await session.run(feeds);
  wall.push(Number(process.hrtime.bigint() - start) / 1e9);
  const used = process.cpuUsage(cpuStart);
  cpu.push((used.user + used.system) / 1e6);
}
console.log(JSON.stringify({
  images_per_second: dims[0] / median(wall), images_per_cpu_second: dims[0] / median(cpu),
}));
