#pragma once
// Training CoW as the reference does (method §2): self-supervised episodes from supervoxels (or,
// for fine-tuning, supervised episodes from labels), gamma + affine + elastic augmentation, SGD with
// momentum and weight decay, lr x0.98 every 5000 iterations. Reads training volume files
// (docs/training-data.md), so it runs where only LibTorch exists.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "protolabel/inference/Model.h"

namespace protolabel::inference {

struct TrainingOptions {
  std::vector<std::string> volumeFiles;  // *.pltv
  int64_t iterations = 50000;
  double timeBudgetMinutes = 0;  // 0: no limit; else stop (and save) when it runs out
  uint64_t seed = 2025;
  double learningRate = 1e-3, momentum = 0.9, weightDecay = 5e-4;
  double lrDecay = 0.98;
  int64_t lrStep = 5000;
  int64_t minForeground = 200;  // pixels (at the volume's resolution) of the support structure
  bool augment = true;
  // Share of supervised episodes, drawn from the labels of the volume files (1 for fine-tuning); the
  // rest are self-supervised supervoxel episodes. A supervised query may lie anywhere in the
  // structure's extent, or (negativeFraction of them) just beyond it, where the answer is "nothing".
  double supervisedFraction = 0;
  double negativeFraction = 0.15;
  std::string checkpointPath;     // written every `checkpointEvery` iterations and at the end
  int64_t checkpointEvery = 500;
};

// Fine-tuning a trained model on a user's labelled volumes: supervised episodes and a learning rate
// 10x below training from scratch (1e-3 overfits one volume within minutes and gained nothing on
// the benchmark; 1e-4 raised it, see resources/models/README.md).
TrainingOptions finetuneOptions();

struct TrainingProgress {
  int64_t iteration = 0, iterations = 0;
  double loss = 0, query = 0, align = 0, aux = 0, boundary = 0, ssp = 0;  // running means
  double lastLoss = 0;  // this iteration's total loss
  double learningRate = 0;
  double secondsPerIteration = 0, etaSeconds = 0;
};

// Called every iteration; return false to stop (a checkpoint is written first).
using TrainingCallback = std::function<bool(const TrainingProgress&)>;

struct TrainingReport {
  int64_t iterations = 0;  // completed, counting those of a resumed checkpoint
  double seconds = 0;      // this run's wall time
  bool stoppedEarly = false;
  double finalLoss = 0;
};

// Trains `model` in place. With `resumeFrom`, continues from a checkpoint written by an earlier run
// (its weights, optimizer state and iteration count). Throws EngineError on bad files or options.
TrainingReport train(Model& model, const TrainingOptions& options, const TrainingCallback& callback = {},
                     const std::string& resumeFrom = "");

}  // namespace protolabel::inference
