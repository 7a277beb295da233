// Training and evaluation: the benchmark's folds and EP1 slice pairing, Dice on a hand-made case, a
// few dozen real training iterations reducing the loss on a fixed episode, and resuming a run.
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <numeric>
#include <set>

#include "TestSupport.h"
#include "protolabel/core/benchmark/FewShotBenchmark.h"
#include "protolabel/core/io/ImageReader.h"
#include "protolabel/core/io/TrainingVolumeFile.h"
#include "protolabel/core/training/Supervoxels.h"
#include "protolabel/inference/Model.h"
#include "protolabel/inference/Runtime.h"
#include "protolabel/inference/Training.h"
#include "training/EpisodeSampler.h"
#include "training/TrainingVolume.h"

using namespace protolabel;

class TrainingTest : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;

  // A 64x64x3 volume whose supervoxel 7 (a bright disc) spans slices 0 and 1: the only valid episode.
  std::string fixedEpisodeVolume() {
    core::ImageGeometry g;
    g.size = {64, 64, 3};
    core::Volume image(g, core::PixelType::Float32), supervoxels(g, core::PixelType::UInt16);
    for (int64_t k = 0; k < 3; ++k)
      for (int64_t j = 0; j < 64; ++j)
        for (int64_t i = 0; i < 64; ++i) {
          const int64_t n = image.linearIndex(i, j, k);
          const bool disc = (i - 30) * (i - 30) + (j - 34) * (j - 34) < 15 * 15;
          image.data<float>()[n] = (disc ? 200.f : 40.f) + float((i * 7 + j * 3 + k) % 11);
          supervoxels.data<uint16_t>()[n] = disc && k < 2 ? 7 : 0;
        }
    const std::string path = (dir_.path() + "/fixed.pltv").toStdString();
    core::writeTrainingVolume(path, image, supervoxels, nullptr);
    return path;
  }

  // 40 iterations on the fixed episode, without augmentation, at a rate that shows progress quickly.
  inference::TrainingOptions fixedEpisodeOptions() {
    inference::setCpuThreads(2);
    inference::TrainingOptions options;
    options.volumeFiles = {fixedEpisodeVolume()};
    options.iterations = 40;
    options.augment = false;
    options.learningRate = 1e-2;
    options.seed = 3;
    return options;
  }

 private Q_SLOTS:
  void abdominalFoldsFollowThePublishedLists() {
    const auto b = core::loadFewShotBenchmark("abd-mri", test::dataPath("fewshot-benchmark"));
    QCOMPARE(b.volumeIds.size(), std::size_t(20));
    const std::vector<std::vector<int>> folds = {
        {1, 2, 3, 5, 8}, {8, 10, 13, 15, 19}, {19, 20, 21, 22, 31}, {31, 32, 33, 34, 36}, {1, 36, 37, 38, 39}};
    const int supports[5] = {3, 13, 21, 33, 37};
    for (int k = 0; k < 5; ++k) {
      QCOMPARE(b.foldVolumes(k), folds[std::size_t(k)]);
      QCOMPARE(b.supportVolume(k), supports[k]);
      QCOMPARE(b.trainingVolumes(k).size(), std::size_t(15));
    }
    const auto cmr = core::loadFewShotBenchmark("card-mri", test::dataPath("fewshot-benchmark"));
    QCOMPARE(cmr.volumeIds.size(), std::size_t(35));
    QCOMPARE(cmr.foldVolumes(4).front(), 1);  // the last fold wraps around to the first volume
    QCOMPARE(cmr.foldVolumes(4).size(), std::size_t(8));
  }

  void ep1PairsThirdsWithMiddleSupportSlices() {
    std::vector<int64_t> query(12), support(9);
    std::iota(query.begin(), query.end(), 10);   // slices 10..21
    std::iota(support.begin(), support.end(), 3);  // slices 3..11
    const auto chunks = core::ep1Chunks(query, support);
    QCOMPARE(chunks.size(), std::size_t(3));
    QCOMPARE(chunks[0].querySlices, (std::vector<int64_t>{10, 11, 12, 13}));
    QCOMPARE(chunks[2].querySlices, (std::vector<int64_t>{18, 19, 20, 21}));
    // int(9 * [1/6, 1/2, 5/6]) = [1, 4, 7] -> slices 4, 7, 10.
    QCOMPARE(chunks[0].supportSlice, int64_t(4));
    QCOMPARE(chunks[1].supportSlice, int64_t(7));
    QCOMPARE(chunks[2].supportSlice, int64_t(10));
    // Four query slices: linspace(0, 4, 4) truncates to [0, 1, 2, 4].
    const auto small = core::ep1Chunks({5, 6, 7, 8}, {1, 2});
    QCOMPARE(small[0].querySlices, (std::vector<int64_t>{5}));
    QCOMPARE(small[1].querySlices, (std::vector<int64_t>{6}));
    QCOMPARE(small[2].querySlices, (std::vector<int64_t>{7, 8}));
    QCOMPARE(small[1].supportSlice, int64_t(2));
  }

  void diceOnAHandMadeCase() {
    // 4x1x2: slice 0 has TP 1, FP 1, FN 1; slice 1 has TP 2.
    const uint16_t predicted[8] = {1, 1, 0, 0, 1, 1, 0, 3};
    const uint16_t truth[8] = {1, 0, 1, 0, 1, 1, 0, 0};
    const int64_t size[3] = {4, 1, 2};
    QCOMPARE(core::dice3d(predicted, truth, size, 1), 2.0 * 3 / (2 * 3 + 1 + 1));
    QCOMPARE(core::dice3d(predicted, truth, size, 1, {0}), 2.0 * 1 / (2 * 1 + 1 + 1));
    QCOMPARE(core::dice3d(predicted, truth, size, 1, {1}), 1.0);
    QCOMPARE(core::dice3d(predicted, truth, size, 3), 0.0);
    QCOMPARE(core::dice3d(predicted, truth, size, 9), 1.0);  // absent from both
  }

  void slicSupervoxelsCoverTheBodyOnly() {
    const core::Volume ct = core::readImage(test::dataPath("totalsegmentator-examples/ct_a/ct_a_small_3mm.nii.gz")).volume;
    const core::Volume body = core::bodyMask(ct);
    const core::Volume ids = core::computeSupervoxels(ct, {2000, 5});
    QCOMPARE(ids.size(), ct.size());
    int64_t inside = 0, outsideLabelled = 0;
    double bodyMean = 0, airMean = 0;
    std::set<uint16_t> distinct;
    for (int64_t i = 0; i < ct.voxelCount(); ++i) {
      const bool b = body.data<uint8_t>()[i] != 0;
      const uint16_t id = ids.data<uint16_t>()[i];
      if (b) {
        ++inside;
        bodyMean += ct.valueAtLinear(i);
        distinct.insert(id);
        QVERIFY(id > 0);
      } else {
        airMean += ct.valueAtLinear(i);
        outsideLabelled += id != 0;
      }
    }
    QCOMPARE(outsideLabelled, int64_t(0));
    QVERIFY(inside > ct.voxelCount() / 4 && inside < ct.voxelCount());
    QVERIFY(bodyMean / double(inside) > airMean / double(ct.voxelCount() - inside) + 300);  // HU: body vs air
    // Roughly one supervoxel per 2000 body voxels.
    qInfo() << distinct.size() << "supervoxels over" << inside << "body voxels";
    QVERIFY(distinct.size() > std::size_t(inside / 8000) && distinct.size() < std::size_t(inside / 500));
  }

  void supervisedEpisodesReachFarAndAbsentSlices() {
    // Label 3 is a disc on slices 5..12 of 20 (at least 200 pixels on 6..11).
    core::ImageGeometry g;
    g.size = {64, 64, 20};
    core::Volume image(g, core::PixelType::Float32), none(g, core::PixelType::UInt16), labels(g, core::PixelType::UInt16);
    for (int64_t k = 0; k < 20; ++k)
      for (int64_t j = 0; j < 64; ++j)
        for (int64_t i = 0; i < 64; ++i) {
          const int64_t n = image.linearIndex(i, j, k);
          const int64_t r = k >= 6 && k <= 11 ? 12 : 5;
          const bool disc = k >= 5 && k <= 12 && (i - 32) * (i - 32) + (j - 30) * (j - 30) < r * r;
          image.data<float>()[n] = disc ? 150.f : float((i + j + k) % 13);
          labels.data<uint16_t>()[n] = disc ? 3 : 0;
        }
    const std::string path = (dir_.path() + "/disc.pltv").toStdString();
    core::writeTrainingVolume(path, image, none, &labels);
    const std::vector<inference::training::TrainingVolume> volumes{inference::training::loadTrainingVolume(path)};
    inference::training::SamplerOptions options;
    options.supervisedFraction = 1;
    options.negativeFraction = 0.3;
    const inference::training::EpisodeSampler sampler(volumes, options);
    QCOMPARE(sampler.labelledStructures(), std::size_t(1));
    std::mt19937_64 rng(5);
    int negatives = 0, far = 0;
    for (int i = 0; i < 400; ++i) {
      const auto e = sampler.sample(rng);
      QVERIFY(e.supervised);
      QVERIFY(e.supportSlice >= 6 && e.supportSlice <= 11);  // the support holds >= 200 pixels
      QVERIFY(e.supportMask.sum().item<double>() >= 200);
      if (e.negative) {
        ++negatives;
        QCOMPARE(e.queryMask.sum().item<double>(), 0.0);
        QVERIFY(e.querySlice < 5 || e.querySlice > 12);
        QVERIFY(e.querySlice >= 5 - options.negativeMargin && e.querySlice <= 12 + options.negativeMargin);
      } else {
        QVERIFY(e.queryMask.sum().item<double>() > 0);
        QVERIFY(e.querySlice != e.supportSlice);
        far += std::abs(e.querySlice - e.supportSlice) >= 4;
      }
    }
    qInfo() << "of 400 episodes" << negatives << "without the structure," << far << "with the query 4+ slices away";
    QVERIFY(negatives > 80 && negatives < 160);
    QVERIFY(far > 20);
  }

  void aFewIterationsReduceTheLossOnAFixedEpisode() {
    const inference::TrainingOptions options = fixedEpisodeOptions();
    auto model = inference::Model::create("lite", 3, inference::Device::Cpu);
    std::vector<double> losses;
    const auto report = inference::train(*model, options, [&](const inference::TrainingProgress& p) {
      losses.push_back(p.lastLoss);
      return true;
    });
    QCOMPARE(report.iterations, int64_t(40));
    QCOMPARE(losses.size(), std::size_t(40));
    const double first = std::accumulate(losses.begin(), losses.begin() + 5, 0.0) / 5;
    const double last = std::accumulate(losses.end() - 5, losses.end(), 0.0) / 5;
    qInfo() << "loss over the first 5 iterations" << first << ", over the last 5" << last;
    QVERIFY(last < 0.8 * first);
  }

  void theSinglePrototypeBaselineTrainsInTheSameHarness() {
    // PANet-style baseline: encoder only, query loss plus alignment; it learns on the same episode
    // and keeps its method through a model file.
    const inference::TrainingOptions options = fixedEpisodeOptions();
    auto model = inference::Model::create("lite", 3, inference::Device::Cpu, "single-prototype");
    QCOMPARE(model->info().fgPrototypes, int64_t(1));
    QVERIFY(model->info().parameters < inference::Model::create("lite", 3, inference::Device::Cpu)->info().parameters / 4);
    std::vector<double> losses;
    std::vector<double> auxiliary;
    inference::train(*model, options, [&](const inference::TrainingProgress& p) {
      losses.push_back(p.lastLoss);
      auxiliary.push_back(p.aux + p.ssp + p.boundary);
      return true;
    });
    const double first = std::accumulate(losses.begin(), losses.begin() + 5, 0.0) / 5;
    const double last = std::accumulate(losses.end() - 5, losses.end(), 0.0) / 5;
    qInfo() << "baseline loss over the first 5 iterations" << first << ", over the last 5" << last;
    QVERIFY(last < 0.8 * first);
    QVERIFY(std::all_of(auxiliary.begin(), auxiliary.end(), [](double v) { return v == 0; }));  // CoW-only terms
    const std::string path = (dir_.path() + "/baseline.pt").toStdString();
    model->save(path);
    QCOMPARE(QString::fromStdString(inference::Model::inspect(path).method), QString("single-prototype"));
    QVERIFY_THROWS_EXCEPTION(inference::EngineError, inference::Model::create("lite", 3, inference::Device::Cpu, "nonsense"));
  }

  void aStoppedRunResumesFromItsCheckpoint() {
    inference::TrainingOptions options;
    options.volumeFiles = {fixedEpisodeVolume()};
    options.iterations = 6;
    options.checkpointPath = (dir_.path() + "/run.ckpt").toStdString();
    auto model = inference::Model::create("lite", 5, inference::Device::Cpu);
    // Stop after 3 iterations, as a cancel from the GUI or a killed job would.
    const auto stopped = inference::train(*model, options, [](const inference::TrainingProgress& p) {
      return p.iteration < 3;
    });
    QVERIFY(stopped.stoppedEarly);
    QCOMPARE(stopped.iterations, int64_t(3));
    auto resumed = inference::Model::create("lite", 6, inference::Device::Cpu);
    int64_t firstSeen = -1;
    const auto report = inference::train(*resumed, options, [&](const inference::TrainingProgress& p) {
      if (firstSeen < 0) firstSeen = p.iteration;
      return true;
    }, options.checkpointPath);
    QCOMPARE(firstSeen, int64_t(4));
    QCOMPARE(report.iterations, int64_t(6));
    // The checkpoint is also a model file.
    QCOMPARE(QString::fromStdString(inference::Model::inspect(options.checkpointPath).preset), QString("lite"));
  }
};

QTEST_GUILESS_MAIN(TrainingTest)
#include "test_training.moc"
