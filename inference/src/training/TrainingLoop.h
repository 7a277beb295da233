#pragma once
// The SGD loop shared by training, fine-tuning and test-time adaptation: episodes from any source,
// the reference's augmentation, the model input fitted as the engine fits it, all loss terms,
// running means, checkpoints, time budget and cancellation (the callback).
#include <torch/torch.h>

#include <functional>
#include <random>

#include "EpisodeSampler.h"
#include "protolabel/inference/Training.h"

namespace protolabel::inference::training {

using EpisodeSource = std::function<Episode(std::mt19937_64&)>;

// Runs from `iteration` to options.iterations (or the time budget, or until the callback says stop).
TrainingReport runTrainingLoop(Model& model, torch::optim::SGD& optimizer, const EpisodeSource& episodes,
                               const TrainingOptions& options, int64_t iteration, const TrainingCallback& callback);

}  // namespace protolabel::inference::training
