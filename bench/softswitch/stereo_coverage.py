#!/usr/bin/env python3
"""Per bridged call's stereo WAV: left = caller audio recorded while bridged, right = the same audio after the
round trip to the agent phone (transcoded A-law -> u-law, echoed, back). Lost packets are exact-zero gaps, so
non-zero 20 ms blocks measure delivery. Prints medians over the calls."""
import glob, statistics, struct, sys

sent_samples = int(sys.argv[2]) if len(sys.argv) > 2 else 56640
left_cov, round_trip = [], []
for path in glob.glob(sys.argv[1] + "/**/*-stereo.wav", recursive=True):
    data = open(path, "rb").read()[44:]
    n = len(data) // 4
    frames = struct.unpack("<%dh" % (2 * n), data[: n * 4])
    left, right = frames[0::2], frames[1::2]
    blocks = lambda ch: sum(1 for i in range(0, len(ch) - 159, 160) if any(ch[i:i + 160]))
    lb, rb = blocks(left), blocks(right)
    left_cov.append(lb * 160 / sent_samples)
    if lb:
        round_trip.append(rb / lb)
if not left_cov:
    print("stereo_files=0")
    sys.exit(0)
print("stereo_files=%d left_blocks_of_sent_median=%.3f right_over_left_median=%.4f right_over_left_min=%.4f" % (
    len(left_cov), statistics.median(left_cov), statistics.median(round_trip), min(round_trip)))
