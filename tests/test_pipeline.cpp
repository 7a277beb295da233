// The segmentation pipeline on real scans with the shipped model: `protolabel segment` and the
// viewer's runner give the same label map (a CT and an MR), adaptation keeps its time budget and
// stops on Cancel, extent control leaves slices far from the structure empty, one example slice per
// organ gives the organs in 3D and each example back, the model file carries
// its preprocessing, the modality comes from the user before the DICOM header before the intensities,
// and training volumes are prepared exactly as the pipeline prepares a scan; structures segmented
// side by side on several workers give what one worker gives.
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <optional>

#include "TestSupport.h"
#include "protolabel/core/Error.h"
#include "protolabel/core/LabelMap.h"
#include "protolabel/core/benchmark/FewShotBenchmark.h"
#include "protolabel/core/io/ImageReader.h"
#include "protolabel/core/io/LabelIO.h"
#include "protolabel/core/session/AnnotationSession.h"
#include "protolabel/inference/Model.h"
#include "protolabel/inference/Runtime.h"
#include "protolabel/segmentation/NetworkVolume.h"
#include "protolabel/segmentation/Pipeline.h"
#include "protolabel/segmentation/TrainingData.h"
#include "protolabel/ui/SegmentationRunner.h"

using namespace protolabel;

namespace {

const std::string kSample = std::string(PROTOLABEL_SOURCE_DIR) + "/resources/sample/abdomen_ct.nii.gz";
const std::string kSampleLabels = std::string(PROTOLABEL_SOURCE_DIR) + "/resources/sample/abdomen_ct_organs.nii.gz";
const std::string kShippedModel = std::string(PROTOLABEL_SOURCE_DIR) + "/resources/models/cow-lite.pt";

// A label map on `truth`'s grid holding `labels` on their middle slices only: what a user paints.
core::LabelMap middleSlicesOnly(const core::LabelMap& truth, const std::vector<uint16_t>& labels) {
  core::AnnotationSession session;
  session.setImage(core::Volume(truth.geometry(), core::PixelType::Int16), "grid");
  for (uint16_t value : labels) session.copyMiddleSupportSlice(truth, value);
  return session.labels();
}

const std::vector<uint16_t> kSampleOrgans{5, 1, 2, 3};  // liver, spleen, right and left kidney

int64_t count(const core::LabelMap& labels, uint16_t value, int64_t fromSlice, int64_t toSlice) {
  const core::Volume v = labels.voxels().convertedTo(core::PixelType::UInt16);
  const int64_t plane = v.size()[0] * v.size()[1];
  int64_t n = 0;
  for (int64_t i = fromSlice * plane; i < (toSlice + 1) * plane; ++i) n += v.data<uint16_t>()[i] == value;
  return n;
}

}  // namespace

class PipelineTest : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  std::shared_ptr<inference::Model> model_;
  std::optional<segmentation::PipelineResult> sampleDefaults_;

  // The sample's four organs from their true middle slices, segmented with the pipeline's defaults:
  // what `protolabel evaluate --protocol interactive --benchmark sample` measures. Run once (about a
  // minute), shared by the tests that read it.
  const segmentation::PipelineResult& sampleWithDefaults() {
    if (!sampleDefaults_) {
      const core::Volume image = core::readImage(kSample).volume;
      segmentation::PipelineInput input;
      input.image = &image;
      input.examples = segmentation::examplesFromLabels(core::readLabelMap(kSampleLabels), kSampleOrgans, core::Axis::Z, 1);
      segmentation::PipelineOptions defaults;
      defaults.adaptSeconds = 600;  // the default 100 steps on any machine, however busy
      sampleDefaults_ = segmentation::Pipeline(model_).run(input, defaults);
    }
    return *sampleDefaults_;
  }

  // `protolabel segment` and the viewer's runner on the same painted examples and options.
  void compareCommandAndRunner(const std::string& image, const std::string& truthPath, const std::vector<uint16_t>& labels,
                               const QString& name) {
    const core::LabelMap painted = middleSlicesOnly(core::readLabelMap(truthPath), labels);
    const QString examples = dir_.filePath(name + "-examples.nii.gz"), output = dir_.filePath(name + "-out.nii.gz");
    core::writeLabelMap(painted, painted.geometry(), examples.toStdString());
    QProcess cli;
    cli.start(QString::fromStdString(test::executablePath()),
              {"segment", "--image", QString::fromStdString(image), "--support-labels", examples, "--output", output,
               "--model", QString::fromStdString(kShippedModel), "--adapt", "600", "--adapt-iterations", "8",
               "--threads", "2", "--json"});
    QVERIFY(cli.waitForFinished(600000));
    QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
    // The report gives each structure's Dice on its own example slice, as decided and of the network alone.
    const QJsonObject onExample = QJsonDocument::fromJson(cli.readAllStandardOutput()).object()["dice_on_example"].toObject();
    for (uint16_t value : labels) {
      const QJsonObject own = onExample[QString::number(value)].toObject();
      qInfo() << name << "label" << value << "on its example slice:" << own["pipeline"].toDouble() << "as decided,"
              << own["network"].toDouble() << "the network alone";
      QVERIFY(own["pipeline"].toDouble() > 0.5 && own["pipeline"].toDouble() <= 1.0);
      QVERIFY(own["network"].toDouble() > 0.5 && own["network"].toDouble() <= 1.0);
    }

    core::AnnotationSession session;
    const core::LoadedImage loaded = core::readImage(image);
    session.setImage(loaded.volume, image);
    for (uint16_t value : labels) QVERIFY(session.copyMiddleSupportSlice(core::readLabelMap(truthPath), value) >= 0);
    ui::SegmentationRunner runner;
    runner.setModel(QString::fromStdString(kShippedModel), inference::Device::Cpu);
    segmentation::PipelineOptions options = runner.options();
    options.adaptSeconds = 600;
    options.adaptIterations = 8;
    runner.setOptions(options);
    std::optional<core::Proposal> proposal;
    connect(&runner, &ui::SegmentationRunner::finished, this,
            [&](const core::Proposal& p, double, quint64) { proposal = p; });
    QSignalSpy finished(&runner, &ui::SegmentationRunner::finished);
    QString error;
    QVERIFY2(runner.start(session, &error), qPrintable(error));
    QVERIFY(finished.wait(600000));
    QVERIFY(proposal.has_value());

    const core::LabelMap fromCommand = core::readLabelMap(output.toStdString());
    QVERIFY(fromCommand.geometry().sameGrid(proposal->labels.geometry()));
    const core::Volume a = fromCommand.voxels().convertedTo(core::PixelType::UInt16);
    int64_t differ = 0, labelled = 0;
    for (int64_t i = 0; i < a.voxelCount(); ++i) {
      differ += a.data<uint16_t>()[i] != proposal->labels.labelAtLinear(i);
      labelled += a.data<uint16_t>()[i] != 0;
    }
    qInfo() << name << ":" << labelled << "labelled voxels," << differ << "differ";
    QVERIFY(labelled > 1000);
    QCOMPARE(differ, int64_t(0));
  }

 private Q_SLOTS:
  void initTestCase() {
    inference::setCpuThreads(2);
    model_ = inference::Model::load(kShippedModel, inference::Device::Cpu);
  }

  void segmentCommandAndViewerRunnerAgreeOnCt() {
    compareCommandAndRunner(kSample, kSampleLabels, {5, 1}, "ct");
  }

  void segmentCommandAndViewerRunnerAgreeOnMr() {
    compareCommandAndRunner(test::dataPath("totalsegmentator-examples/mr_c/mr_c_small_3mm.nii.gz"),
                            test::dataPath("totalsegmentator-examples/mr_c/mr_c_small_3mm_seg_total_mr.nii.gz"), {5, 2},
                            "mr");
  }

  void adaptationKeepsItsBudgetAndStopsOnCancel() {
    const core::Volume image = core::readImage(kSample).volume;
    const core::LabelMap truth = core::readLabelMap(kSampleLabels);
    segmentation::PipelineInput input;
    input.image = &image;
    input.examples = segmentation::examplesFromLabels(truth, {5}, core::Axis::Z, 1);
    const segmentation::Pipeline pipeline(model_);
    segmentation::PipelineOptions options;
    options.adaptSeconds = 3;
    options.adaptIterations = 1000000;
    const auto result = pipeline.run(input, options);
    qInfo() << "3 s of adaptation:" << result.adaptIterations << "steps in" << result.timing.adapt << "s";
    QVERIFY(result.adaptIterations > 0);
    QVERIFY(result.timing.adapt < 3 + 2.0);  // the budget plus at most one step and the copy of the model

    for (const std::string stage : {"adapting", "segmenting"}) {
      const auto start = std::chrono::steady_clock::now();
      bool sawStage = false;
      QVERIFY_THROWS_EXCEPTION(segmentation::PipelineCancelled,
                               pipeline.run(input, options, [&](const segmentation::PipelineProgress& p) {
                                 sawStage = sawStage || p.stage == stage;
                                 return !sawStage;
                               }));
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      qInfo() << "cancelled while" << stage.c_str() << "after" << seconds << "s";
      QVERIFY(sawStage);
      QVERIFY(seconds < (stage == "adapting" ? 4.0 : 6.0));  // not the full 3 s budget plus the segmentation
    }
  }

  void extentControlLeavesFarSlicesEmptyOnTheSampleCt() {
    // The liver spans axial slices 69..111 of the sample; its example is its middle slice. Segmenting
    // every slice with the nearest example labels "liver" far below it (more than 10 slices, 30 mm);
    // with the pipeline's defaults nothing there is labelled liver, and the liver itself is found.
    const core::Volume image = core::readImage(kSample).volume;
    const core::LabelMap truth = core::readLabelMap(kSampleLabels);
    const std::vector<int64_t> liver = truth.slicesContaining(5, core::Axis::Z);
    QCOMPARE(liver.front(), int64_t(69));
    const int64_t liverVoxels = count(truth, 5, 0, 111);
    segmentation::PipelineInput input;
    input.image = &image;
    input.examples = segmentation::examplesFromLabels(truth, kSampleOrgans, core::Axis::Z, 1);

    segmentation::PipelineOptions withoutExtent;
    withoutExtent.adaptSeconds = 0;
    withoutExtent.propagate = false;
    const auto leaking = segmentation::Pipeline(model_).run(input, withoutExtent);
    const int64_t farWithout = count(leaking.labels, 5, 0, liver.front() - 11);

    const auto& result = sampleWithDefaults();
    const int64_t far = count(result.labels, 5, 0, liver.front() - 11);
    const int64_t inside = count(result.labels, 5, liver.front(), liver.back());
    qInfo() << "liver voxels far below the liver:" << farWithout << "without extent control," << far
            << "with the defaults; on its slices" << inside << "(truth" << liverVoxels << ")";
    QVERIFY(farWithout > liverVoxels / 20);  // the leak this guards against is there to stop
    QCOMPARE(far, int64_t(0));
    QVERIFY(inside > liverVoxels / 2);
  }

  void oneExampleSlicePerOrganGivesTheOrgansAndItsExampleBack() {
    // What a user gets from one painted slice per organ on the sample, against its labels: over the
    // whole volume a mean Dice of at least 0.80, and on each example's own slice, decided by the rules
    // of every other slice before the example is pasted back, at least 0.90 (the network's
    // probability cut at 0.5 there is reported, and guarded against falling far).
    const auto& result = sampleWithDefaults();
    const core::LabelMap truth = core::readLabelMap(kSampleLabels);
    const core::Volume predicted = result.labels.voxels().convertedTo(core::PixelType::UInt16);
    const core::Volume expected = truth.voxels().convertedTo(core::PixelType::UInt16);
    const int64_t size[3] = {predicted.size()[0], predicted.size()[1], predicted.size()[2]};
    double volumeDice = 0, decided = 0, network = 0;
    for (uint16_t organ : kSampleOrgans) {
      QVERIFY(result.exampleDice.count(organ) && result.exampleDecisionDice.count(organ));
      const double dice = core::dice3d(predicted.data<uint16_t>(), expected.data<uint16_t>(), size, organ);
      qInfo() << "organ" << organ << ": whole volume" << dice << ", its example slice" << result.exampleDecisionDice.at(organ)
              << "(network alone" << result.exampleDice.at(organ) << ")";
      volumeDice += dice / double(kSampleOrgans.size());
      decided += result.exampleDecisionDice.at(organ) / double(kSampleOrgans.size());
      network += result.exampleDice.at(organ) / double(kSampleOrgans.size());
    }
    qInfo() << "mean: whole volume" << volumeDice << ", example slice" << decided << "(network alone" << network << ")";
    QVERIFY(volumeDice >= 0.80);
    QVERIFY(decided >= 0.90);
    QVERIFY(network >= 0.85);
  }

  void workersSideBySideGiveWhatOneGivesAndStopOnCancel() {
    // The structures' sweeps run on one worker per CPU thread: the label map and the uncertainty are
    // the same voxel for voxel as with one worker, progress ends at 1, and Cancel during segmenting stops it.
    const core::Volume image = core::readImage(kSample).volume;
    const core::LabelMap truth = core::readLabelMap(kSampleLabels);
    segmentation::PipelineInput input;
    input.image = &image;
    input.examples = segmentation::examplesFromLabels(truth, {5, 1, 2, 3}, core::Axis::Z, 1);
    segmentation::PipelineOptions options;
    options.adaptSeconds = 0;
    inference::setCpuThreads(1);
    const auto one = segmentation::Pipeline(model_).run(input, options);
    inference::setCpuThreads(2);
    // Called from the workers (one at a time): only recorded here, checked after the run.
    double last = 0;
    int64_t calls = 0;
    bool backwards = false;
    const auto two = segmentation::Pipeline(model_).run(input, options, [&](const segmentation::PipelineProgress& p) {
      backwards = backwards || p.fraction + 1e-9 < last;
      last = p.fraction;
      ++calls;
      return true;
    });
    QVERIFY(!backwards);
    const int64_t voxels = image.voxelCount();
    const uint16_t* a = one.labels.voxels().data<uint16_t>();
    const uint16_t* b = two.labels.voxels().data<uint16_t>();
    QCOMPARE(int64_t(std::mismatch(a, a + voxels, b).first - a), voxels);
    QVERIFY(one.uncertainty == two.uncertainty);
    for (uint16_t value : {5, 1, 2, 3}) QVERIFY(count(two.labels, value, 0, image.size()[2] - 1) > 1000);
    QVERIFY(calls >= 4);
    QVERIFY(std::abs(last - 1.0) < 1e-9);

    int64_t seen = 0;
    const auto cancelAfter = [&](const segmentation::PipelineProgress& p) { return p.stage != "segmenting" || ++seen < 10; };
    QVERIFY_THROWS_EXCEPTION(segmentation::PipelineCancelled, segmentation::Pipeline(model_).run(input, options, cancelAfter));
    QVERIFY(seen >= 10 && seen < 14);  // the other worker finishes at most its current slice or two
  }

  void aSliceRangeTheUserSetsBoundsTheStructure() {
    // The liver (axial slices 69..111) from its middle slice, limited to 5 slices either side of it:
    // propagation alone finds it well beyond those (see the extent test); with the range nothing of it
    // lies outside, and inside it is found.
    const core::Volume image = core::readImage(kSample).volume;
    const core::LabelMap truth = core::readLabelMap(kSampleLabels);
    segmentation::PipelineInput input;
    input.image = &image;
    input.examples = segmentation::examplesFromLabels(truth, {5}, core::Axis::Z, 1);
    const int64_t middle = input.examples.labels.front().slices.front().slice;
    QVERIFY(count(truth, 5, 0, middle - 6) + count(truth, 5, middle + 6, image.size()[2] - 1) > 1000);
    segmentation::PipelineOptions options;
    options.adaptSeconds = 0;
    options.sliceRanges[5] = {middle - 5, middle + 5};
    const auto bounded = segmentation::Pipeline(model_).run(input, options);
    const int64_t outside = count(bounded.labels, 5, 0, middle - 6) + count(bounded.labels, 5, middle + 6, image.size()[2] - 1);
    const int64_t inside = count(bounded.labels, 5, middle - 5, middle + 5);
    qInfo() << "liver with a range of 11 slices: inside" << inside << "voxels (truth" << count(truth, 5, middle - 5, middle + 5)
            << "), outside" << outside;
    QCOMPARE(outside, int64_t(0));
    QVERIFY(inside > count(truth, 5, middle - 5, middle + 5) / 2);
  }

  void aRunThatWouldNotFitInMemoryIsRefusedBeforeItStarts() {
    // A budget below the estimate: refused with a clear message before the first stage reports
    // progress (nothing adapted or segmented, nothing allocated for the result); the machine's own
    // free memory lets the same run through.
    const core::Volume image = core::readImage(kSample).volume;
    segmentation::PipelineInput input;
    input.image = &image;
    input.examples = segmentation::examplesFromLabels(core::readLabelMap(kSampleLabels), {5, 1}, core::Axis::Z, 1);
    segmentation::PipelineOptions options;
    options.adaptSeconds = 0;
    options.memoryBudgetBytes = uint64_t(64) << 20;
    int progressCalls = 0;
    const auto progress = [&](const segmentation::PipelineProgress&) {
      ++progressCalls;
      return true;
    };
    QString message;
    try {
      segmentation::Pipeline(model_).run(input, options, progress);
    } catch (const core::Error& e) {
      QCOMPARE(e.code(), core::ErrorCode::TooLarge);
      message = QString::fromStdString(e.what());
    }
    QVERIFY2(message.contains("122 x 101 x 112") && message.contains("64 MiB are allowed"), qPrintable(message));
    QCOMPARE(progressCalls, 0);
    options.memoryBudgetBytes = 0;
    QVERIFY(segmentation::Pipeline(model_).run(input, options, progress).labels.voxels().voxelCount() > 0);
    QVERIFY(progressCalls > 0);
  }

  void theModelFileCarriesItsPreprocessing() {
    auto model = inference::Model::create("lite", 1, inference::Device::Cpu);
    QCOMPARE(model->info().preprocessing.ctWindowLow, -125.0);  // the training data's window
    model->setPreprocessing({-100, 200, "stored"});
    const std::string path = dir_.filePath("window.pt").toStdString();
    model->save(path);
    const inference::ModelInfo info = inference::Model::inspect(path);
    QCOMPARE(info.preprocessing.ctWindowLow, -100.0);
    QCOMPARE(info.preprocessing.ctWindowHigh, 200.0);
    QCOMPARE(QString::fromStdString(info.preprocessing.orientation), QString("stored"));

    // The pipeline's network input follows it: the sample CT (stored RAS) clipped and left unflipped.
    const core::Volume image = core::readImage(kSample).volume;
    const segmentation::NetworkVolume asStored(image, segmentation::Modality::CT, info.preprocessing);
    QVERIFY(!asStored.flips().any());
    QVERIFY(asStored.keepsWholeNumbers());  // int32 HU clipped to an integer window: held as int16
    const std::vector<float> stored = asStored.floatVoxels();
    const auto [lo, hi] = std::minmax_element(stored.begin(), stored.end());
    QCOMPARE(double(*lo), -100.0);
    QCOMPARE(double(*hi), 200.0);
    const segmentation::NetworkVolume las(image, segmentation::Modality::CT, inference::Model::inspect(kShippedModel).preprocessing);
    QVERIFY(las.flips().x && !las.flips().y && !las.flips().z);  // RAS -> LAS: only x is mirrored
    const std::vector<float> flipped = las.floatVoxels();
    QCOMPARE(double(*std::min_element(flipped.begin(), flipped.end())), -125.0);
    // Voxel (0, 0, 0) of the stored order is voxel (nx-1, 0, 0) of the network's.
    QCOMPARE(flipped[std::size_t(image.size()[0] - 1)], std::clamp(float(image.valueAt(0, 0, 0)), -125.f, 275.f));
    // MR is never clipped.
    const segmentation::NetworkVolume mr(image, segmentation::Modality::MR, info.preprocessing);
    const std::vector<float> unclipped = mr.floatVoxels();
    QVERIFY(*std::max_element(unclipped.begin(), unclipped.end()) > 1000);
    // Fractions stay float: a window with a fractional bound, or float voxels; the values agree.
    const segmentation::NetworkVolume fractional(image, segmentation::Modality::CT, {-100.5, 200, "stored"});
    QVERIFY(!fractional.keepsWholeNumbers());
    const segmentation::NetworkVolume real(image.convertedTo(core::PixelType::Float32), segmentation::Modality::CT, info.preprocessing);
    QVERIFY(!real.keepsWholeNumbers());
    QVERIFY(real.floatVoxels() == stored);
  }

  void theModalityComesFromTheUserThenTheHeaderThenTheIntensities() {
    using segmentation::Modality;
    const core::LoadedImage dicom = core::readImage(test::dataPath("totalsegmentator-examples/ct_b_dicom/dicom"));
    const std::string tag = dicom.series[std::size_t(dicom.seriesIndex)].modality;
    QCOMPARE(QString::fromStdString(tag), QString("CT"));
    QCOMPARE(segmentation::resolveModality(Modality::Auto, dicom.volume, tag), Modality::CT);
    QCOMPARE(segmentation::resolveModality(Modality::MR, dicom.volume, tag), Modality::MR);
    // Abd-CT is stored windowed to [-125, 275] HU: no air at -1000, so only the user can say CT.
    const core::Volume windowed = core::readImage(test::dataPath("abd-ct-sabs/images/image_0.nii.gz")).volume;
    QCOMPARE(segmentation::resolveModality(Modality::Auto, windowed), Modality::MR);
    QCOMPARE(segmentation::resolveModality(Modality::CT, windowed), Modality::CT);
    QCOMPARE(segmentation::resolveModality(Modality::Auto, core::readImage(kSample).volume), Modality::CT);
    QCOMPARE(segmentation::resolveModality(Modality::Auto, windowed, "MR"), Modality::MR);
    QCOMPARE(segmentation::parseModality("CT"), Modality::CT);
    bool refused = false;
    try {
      segmentation::parseModality("pet");
    } catch (const std::exception& e) {
      refused = std::string(e.what()).find("unknown modality") != std::string::npos;
    }
    QVERIFY(refused);
  }

  void trainingVolumesArePreparedLikeAScan() {
    // The sample CT (stored RAS) with its labels, as a training volume: windowed and flipped to LAS,
    // labels flipped alike, so image and labels stay aligned.
    const core::Volume image = core::readImage(kSample).volume;
    const core::LabelMap truth = core::readLabelMap(kSampleLabels);
    const std::string path = dir_.filePath("sample.pltv").toStdString();
    segmentation::writePreparedTrainingVolume(path, image, segmentation::Modality::CT, &truth.voxels(), nullptr,
                                              inference::Preprocessing{}, false);
    std::ifstream in(path, std::ios::binary);
    std::string line;
    for (int i = 0; i < 4; ++i) std::getline(in, line);
    QCOMPARE(QString::fromStdString(line), QString("data"));
    const auto& s = image.size();
    const int64_t n = s[0] * s[1] * s[2];
    const auto count = static_cast<std::size_t>(n);
    std::vector<float> voxels(count);
    std::vector<uint16_t> supervoxels(count), labels(count);
    in.read(reinterpret_cast<char*>(voxels.data()), std::streamsize(n * 4));
    in.read(reinterpret_cast<char*>(supervoxels.data()), std::streamsize(n * 2));
    in.read(reinterpret_cast<char*>(labels.data()), std::streamsize(n * 2));
    QVERIFY(in.good());
    const segmentation::NetworkVolume network(image, segmentation::Modality::CT, inference::Preprocessing{});
    QVERIFY(voxels == network.floatVoxels());
    const core::Volume wide = truth.voxels().convertedTo(core::PixelType::UInt16);
    std::vector<uint16_t> expected(wide.data<uint16_t>(), wide.data<uint16_t>() + n);
    network.flip(expected);
    QVERIFY(labels == expected);
    QVERIFY(std::all_of(supervoxels.begin(), supervoxels.end(), [](uint16_t v) { return v == 0; }));
  }
};

QTEST_GUILESS_MAIN(PipelineTest)
#include "test_pipeline.moc"
