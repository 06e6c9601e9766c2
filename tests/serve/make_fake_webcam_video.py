"""Writes a Y4M video (4:2:0) of a photo for Chromium's fake webcam
(--use-file-for-fake-video-capture): a few identical frames, which Chromium loops.

    make_fake_webcam_video.py PHOTO OUT.y4m [--size 448] [--frames 5]

Run by tests/serve/demo_page_browser_test.sh with Debian's python3 (numpy, PIL).
"""
import argparse
import sys

import numpy as np
from PIL import Image


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("photo")
    parser.add_argument("output")
    parser.add_argument("--size", type=int, default=448, help="square frame side, even")
    parser.add_argument("--frames", type=int, default=5)
    args = parser.parse_args()
    if args.size % 2 or args.size < 16:
        sys.exit(f"make_fake_webcam_video: --size {args.size} must be even and at least 16")
    try:
        photo = Image.open(args.photo).convert("RGB")
    except OSError as error:
        sys.exit(f"make_fake_webcam_video: cannot read {args.photo}: {error}")
    ycbcr = photo.resize((args.size, args.size), Image.BICUBIC).convert("YCbCr")
    y, cb, cr = (np.asarray(plane, dtype=np.uint8) for plane in ycbcr.split())
    # 4:2:0: chroma at half resolution in both directions (the mean of each 2x2 block).
    half = lambda plane: plane.reshape(args.size // 2, 2, args.size // 2, 2).mean(axis=(1, 3)).round().astype(np.uint8)
    frame = b"FRAME\n" + y.tobytes() + half(cb).tobytes() + half(cr).tobytes()
    with open(args.output, "wb") as out:
        out.write(f"YUV4MPEG2 W{args.size} H{args.size} F10:1 Ip A1:1 C420jpeg\n".encode())
        out.write(frame * args.frames)


if __name__ == "__main__":
    main()
