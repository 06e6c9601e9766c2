#!/usr/bin/env bash
# Peak memory of `faceage predict` on big photos, and serve's memory after large requests
# (docs/deploy.md). Makes its own photos from the shared FairFace ones (a 48 MP photo: a
# face photo scaled to 6000 px on an 8000x6000 canvas; a 25 MP one for serve), then
# measures with and without the scaled detection copy (--detect-max-pixels 0 = the whole
# photo, as before). Writes nothing outside runs/memory/.
#
#   scripts/measure-memory.sh
set -euo pipefail
cd "$(dirname "$0")/.."
faceage="${FACEAGE_BIN:-build/bin/faceage}"
out=runs/memory
mkdir -p "$out"
/usr/bin/python3 - "$out" <<'PY'
import sys
from PIL import Image
out = sys.argv[1]
face = Image.open("../shared/data/fairface/fairface_0003.jpg").convert("RGB")
for name, (w, h), side in (("48mp", (8000, 6000), 6000), ("25mp", (5800, 4300), 4300)):
    canvas = Image.new("RGB", (w, h), (120, 120, 120))
    canvas.paste(face.resize((side, side), Image.BILINEAR), ((w - side) // 2, (h - side) // 2))
    canvas.save(f"{out}/{name}.jpg", quality=90)
PY
peak_mb() {  # command... -> peak RSS in MB (GNU time's maximum resident set size)
  /usr/bin/time -f "%M" "$@" > /dev/null 2> "$out/time.err" || { cat "$out/time.err"; return 1; }
  echo $(( $(tail -1 "$out/time.err") / 1024 ))
}
echo "faceage predict, peak RSS (MB):"
for pixels in 0 4000000; do
  printf '  48 MP photo, --detect-max-pixels %-8s %s MB\n' "$pixels" \
    "$(peak_mb "$faceage" predict "$out/48mp.jpg" --detect-max-pixels "$pixels")"
done
"$faceage" predict "$out/48mp.jpg" --detect-max-pixels 0 -o "$out/48mp-whole.jsonl" 2>/dev/null
"$faceage" predict "$out/48mp.jpg" -o "$out/48mp-copy.jsonl" 2>/dev/null
/usr/bin/python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
a = json.loads(open(f"{out}/48mp-whole.jsonl").readline())["faces"]
b = json.loads(open(f"{out}/48mp-copy.jsonl").readline())["faces"]
print(f"  faces: {len(a)} searching the whole photo, {len(b)} on the copy")
if a and b:
    x, y = a[0]["box"], b[0]["box"]
    size = x[2] - x[0]
    print("  largest face's box edges differ by %.2f%% of the face; ages %.2f and %.2f" %
          (100 * max(abs(p - q) for p, q in zip(x, y)) / size, a[0]["age"], b[0]["age"]))
PY

# The same faces: 20 FairFace photos upscaled 8x (12.8 MP), boxes with and without the copy.
/usr/bin/python3 - "$out" <<'PY'
import os, sys
from PIL import Image
out = sys.argv[1]
os.makedirs(f"{out}/upscaled", exist_ok=True)
names = sorted(n for n in os.listdir("../shared/data/fairface") if n.endswith(".jpg"))
for name in names[::len(names) // 20][:20]:
    Image.open(f"../shared/data/fairface/{name}").convert("RGB").resize((3584, 3584), Image.BILINEAR).save(f"{out}/upscaled/{name}", quality=92)
PY
"$faceage" predict "$out/upscaled" --detect-max-pixels 0 -o "$out/upscaled-whole.jsonl" 2>/dev/null
"$faceage" predict "$out/upscaled" -o "$out/upscaled-copy.jsonl" 2>/dev/null
/usr/bin/python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
def faces(path):
    return {json.loads(l)["source"]: json.loads(l)["faces"] for l in open(path)}
whole, copy = faces(f"{out}/upscaled-whole.jsonl"), faces(f"{out}/upscaled-copy.jsonl")
def iou(a, b):
    w = min(a[2], b[2]) - max(a[0], b[0]); h = min(a[3], b[3]) - max(a[1], b[1])
    inter = max(0, w) * max(0, h)
    return inter / ((a[2]-a[0])*(a[3]-a[1]) + (b[2]-b[0])*(b[3]-b[1]) - inter)
edges, ious, same_count = [], [], 0
for source, a in whole.items():
    b = copy.get(source, [])
    same_count += len(a) == len(b)
    for face in a:
        if not b: continue
        best = max(b, key=lambda f: iou(face["box"], f["box"]))
        size = face["box"][2] - face["box"][0]
        edges.append(max(abs(p - q) for p, q in zip(face["box"], best["box"])) / size)
        ious.append(iou(face["box"], best["box"]))
edges.sort(); ious.sort()
print(f"20 FairFace photos upscaled 8x: same face count in {same_count}; {len(edges)} faces: "
      f"box edges within {100*edges[len(edges)//2]:.2f}% of the face (median), "
      f"{100*edges[-1]:.2f}% (max); IoU median {ious[len(ious)//2]:.3f}, min {ious[0]:.3f}")
PY

# serve: RSS after ten 25 MP requests (the photos' pixels go back to the system).
port=$(( 20000 + RANDOM % 20000 ))
"$faceage" serve --port "$port" > "$out/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  /usr/bin/python3 -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$port/healthz', timeout=1)" 2>/dev/null && break
  sleep 0.2
done
rss() { awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$server/status"; }
echo "faceage serve, RSS (MB): started $(rss)"
/usr/bin/python3 - "$port" "$out/25mp.jpg" <<'PY'
import sys, urllib.request
port, photo = sys.argv[1], open(sys.argv[2], "rb").read()
for _ in range(10):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/age", data=photo,
                                     headers={"Content-Type": "image/jpeg"})
    urllib.request.urlopen(request, timeout=120).read()
PY
echo "  after ten 25 MP requests $(rss), peak $(awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$server/status")"
