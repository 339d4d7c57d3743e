#!/bin/bash
# The GPU check of CNN-J (issue #36), to run whenever a machine with an NVIDIA GPU is at hand:
#   src/test/gpu/check.sh [OUT_DIR]
# Needs: Java 17, Maven with Maven Central (or a local repository that already holds onnxruntime_gpu 1.29.0),
# CUDA 12 and cuDNN 9 (what ONNX Runtime 1.29's GPU build loads), the real nuclei data beside the checkout for the
# training epoch (../shared/data/nuclei-real; skipped when absent). Prints, and writes to OUT_DIR (default
# target/gpu-check): the devices seen, CUDA against the CPU on the built-in models (segmentation of a 4096² image and
# of 200 images: time and AP@0.5 of CUDA's objects against the CPU's; classifier probabilities; detections), the
# reference U-Net's training step on CUDA, on ONNX Runtime's CPU provider and in Java, one real train-seg epoch
# with each engine, and 50 one-stage detector steps on the blood smears (../shared/data/bccd) with each engine. It never fakes a result: where CUDA cannot be used, it says why and exits 2.
set -u
cd "$(dirname "$0")/../../.."
out=${1:-target/gpu-check}
mkdir -p "$out"
log() { echo "== $*" | tee -a "$out/check.log"; }

log "machine: $(nproc) cores; $(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>&1)"
log "build with the GPU runtime (mvn -Pcuda)"
mvn -B -q -Pcuda -DskipTests package >"$out/build.log" 2>&1 || { log "build failed: see $out/build.log"; exit 1; }

log "CUDA against the CPU on the built-in models (bench devices)"
./cnnj bench devices --large 4096 --count 200 >"$out/devices.json" 2>"$out/devices.err"
code=$?
cat "$out/devices.json" | tee -a "$out/check.log"
if [ $code -eq 2 ]; then log "CUDA cannot be used here (above); nothing measured on the GPU"; exit 2; fi

log "reference U-Net training step: Java (this machine's cores) against ONNX Runtime (CUDA), batch 8 and 32"
for b in 8 32; do
  ./cnnj bench --no-ops --ort --batch $b --steps 10 --json >"$out/train-step-b$b.json" 2>>"$out/check.log"
  grep -E '"(seconds_per_step_median|ort_engine|ort_seconds_per_step_median|ort_speed_vs_java|ort_mb_in_per_step|ort_mb_out_per_step|threads)"' "$out/train-step-b$b.json" | tee -a "$out/check.log"
done
log "the same on 2 cores (the machine the project's numbers come from)"
CNNJ_THREADS=2 ./cnnj bench --no-ops --batch 8 --steps 5 --threads 2 --json >"$out/train-step-2cores.json" 2>>"$out/check.log"
grep '"seconds_per_step_median"' "$out/train-step-2cores.json" | tee -a "$out/check.log"

data=../shared/data/nuclei-real/train
if [ -d "$data" ]; then
  for engine in ort java; do
    log "one real train-seg epoch on $data with --train-engine $engine"
    rm -rf "$out/seg-$engine"*
    ./cnnj train-seg --images "$data" --output "$out/seg-$engine.onnx" --epochs 1 --steps 50 --validation 0.05 \
      --train-engine $engine 2>&1 | grep -E "epoch|run by|CUDA" | tee -a "$out/check.log"
  done
else
  log "no $data: the real training epoch is skipped"
fi
blood=../shared/data/bccd/train
if [ -d "$blood" ]; then
  for engine in ort java; do
    log "one-stage detector: 50 steps of 4 x 320 px on $blood with --train-engine $engine"
    rm -rf "$out/det-$engine"*
    ./cnnj train-det --images "$blood" --output "$out/det-$engine.onnx" --architecture one-stage --patch 320 \
      --epochs 1 --steps 50 --validation 0.1 --train-engine $engine 2>&1 | grep -E "epoch|run by|CUDA" | tee -a "$out/check.log"
  done
else
  log "no $blood: the detector's training steps are skipped"
fi
log "done: $out/check.log"
