// The editor's rules without widgets: the annotation session (strokes, supports, proposals,
// accept/discard, corrections), display orientation and window presets, component filtering,
// autosave recovery and export, on the real sample CT and a real benchmark MR.
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>
#include <filesystem>

#include "TestSupport.h"
#include "protolabel/core/Error.h"
#include "protolabel/core/TrainingOrientation.h"
#include "protolabel/core/benchmark/FewShotBenchmark.h"
#include "protolabel/core/display/SliceOrientation.h"
#include "protolabel/core/display/WindowPresets.h"
#include "protolabel/core/editing/ComponentFilter.h"
#include "protolabel/core/io/ImageReader.h"
#include "protolabel/core/io/LabelExport.h"
#include "protolabel/core/io/LabelIO.h"
#include "protolabel/core/session/AnnotationSession.h"
#include "protolabel/core/session/RecoveryStore.h"

using namespace protolabel::core;

namespace {

const std::string kSample = std::string(PROTOLABEL_SOURCE_DIR) + "/resources/sample/abdomen_ct.nii.gz";
const std::string kSampleLabels = std::string(PROTOLABEL_SOURCE_DIR) + "/resources/sample/abdomen_ct_organs.nii.gz";

int64_t count(const LabelMap& labels, uint16_t value) {
  int64_t n = 0;
  for (int64_t i = 0, end = labels.voxels().voxelCount(); i < end; ++i) n += labels.labelAtLinear(i) == value;
  return n;
}

AnnotationSession openSample() {
  AnnotationSession s;
  s.setImage(readImage(kSample).volume, kSample);
  return s;
}

// A proposal holding `value` on every voxel of `truth` with that label, and a score per slice.
Proposal proposalFrom(const LabelMap& truth, uint16_t value) {
  Proposal p;
  p.labels = LabelMap(truth.geometry(), PixelType::UInt16);
  uint16_t* v = p.labels.voxels().data<uint16_t>();
  for (int64_t i = 0, n = truth.voxels().voxelCount(); i < n; ++i) v[i] = truth.labelAtLinear(i) == value ? value : 0;
  p.uncertainty.assign(std::size_t(truth.voxels().voxelCount()), 0);
  p.sliceUncertainty.assign(std::size_t(truth.geometry().size[2]), -1);
  p.pending = {value};
  return p;
}

}  // namespace

class SessionTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void strokesMakeSupportsOnTheAxialAxisOnly() {
    AnnotationSession s = openSample();
    s.beginStroke(Axis::Z, 40, 3, {2, false});
    s.strokeTo(30, 30);
    s.strokeTo(40, 30);
    s.endStroke();
    QVERIFY(s.supports().at(3).count(40));
    QCOMPARE(s.labels().at(35, 30, 40), uint16_t(3));
    // A coronal stroke paints through axial slices but makes no axial example.
    s.beginStroke(Axis::Y, 50, 4, {2, false});
    s.strokeTo(30, 20);
    s.strokeTo(30, 60);
    s.endStroke();
    QCOMPARE(s.labels().at(30, 50, 40), uint16_t(4));
    QVERIFY(!s.supports().count(4));
    // Undo of the coronal stroke restores every slice it crossed.
    s.undo();
    QCOMPARE(count(s.labels(), 4), int64_t(0));
    // Erasing the whole example drops the support.
    s.beginStroke(Axis::Z, 40, 0, {10, false});
    s.strokeTo(35, 30);
    s.endStroke();
    QCOMPARE(count(s.labels(), 3), int64_t(0));
    QVERIFY(s.supports().empty());
    QVERIFY(s.modified());
    s.markSaved();
    QVERIFY(!s.modified());
  }

  void acceptKeepsTheUsersStrokesAndDiscardForgets() {
    AnnotationSession s = openSample();
    const LabelMap truth = readLabelMap(kSampleLabels);
    const IndexBox liver = truth.extentOf(5);
    const int64_t z = (liver.lo[2] + liver.hi[2]) / 2;
    // The user paints label 2 somewhere inside the liver's area first.
    s.beginStroke(Axis::Z, z - 5, 2, {3, false});
    int64_t x = 0, y = 0;
    for (int64_t i = 0; i < truth.geometry().size[0] && !x; ++i)
      for (int64_t j = 0; j < truth.geometry().size[1]; ++j)
        if (truth.at(i, j, z - 5) == 5) { x = i, y = j; break; }
    s.strokeTo(double(x), double(y));
    s.endStroke();
    s.setProposal(proposalFrom(truth, 5));
    const IndexBox box = s.accept(5);
    QVERIFY(!box.empty());
    QCOMPARE(s.labels().at(x, y, z - 5), uint16_t(2));  // the user's stroke wins
    QVERIFY(count(s.labels(), 5) > count(truth, 5) * 9 / 10);
    QVERIFY(s.proposal() == nullptr);
    QCOMPARE(s.undoText(), std::string("Accept segmentation"));
    s.undo();
    QCOMPARE(count(s.labels(), 5), int64_t(0));

    s.setProposal(proposalFrom(truth, 5));
    s.discard(5);
    QVERIFY(s.proposal() == nullptr);
    QCOMPARE(count(s.labels(), 5), int64_t(0));
  }

  void correctingAProposalSliceTakesItOverAsAnExample() {
    AnnotationSession s = openSample();
    const LabelMap truth = readLabelMap(kSampleLabels);
    const IndexBox liver = truth.extentOf(5);
    const int64_t z = (liver.lo[2] + liver.hi[2]) / 2;
    s.setProposal(proposalFrom(truth, 5));
    // A small stroke of the liver label on that slice: the proposal's liver there becomes the user's.
    s.beginStroke(Axis::Z, z, 5, {1, false});
    s.strokeTo(1, 1);
    s.endStroke();
    int64_t inTruth = 0, taken = 0, leftInProposal = 0;
    for (int64_t j = 0; j < truth.geometry().size[1]; ++j)
      for (int64_t i = 0; i < truth.geometry().size[0]; ++i) {
        inTruth += truth.at(i, j, z) == 5;
        taken += truth.at(i, j, z) == 5 && s.labels().at(i, j, z) == 5;
        leftInProposal += s.proposal()->labels.at(i, j, z) == 5;
      }
    QVERIFY(inTruth > 100);
    QCOMPARE(taken, inTruth);
    QCOMPARE(leftInProposal, int64_t(0));
    QVERIFY(s.supports().at(5).count(z));
    // The example is the whole taken-over liver slice plus the few voxels of the stroke itself.
    const auto mask = s.supportMask(5, z);
    const int64_t example = int64_t(std::count(mask.begin(), mask.end(), 1));
    QVERIFY2(example >= inTruth && example <= inTruth + 5, qPrintable(QString("%1 vs %2").arg(example).arg(inTruth)));
  }

  void undoRestoresTheWholeEditorState() {
    AnnotationSession s = openSample();
    const LabelMap truth = readLabelMap(kSampleLabels);
    // A stroke adds an example; undo removes it, redo brings it back.
    s.beginStroke(Axis::Z, 40, 3, {2, false});
    s.strokeTo(30, 30);
    s.endStroke();
    QVERIFY(s.supports().count(3));
    s.undo();
    QVERIFY(!s.supports().count(3));
    s.redo();
    QVERIFY(s.supports().count(3) && s.supports().at(3).count(40));
    // An erase that removes the example: undoing it brings the example back.
    s.beginStroke(Axis::Z, 40, 0, {6, false});
    s.strokeTo(30, 30);
    s.endStroke();
    QVERIFY(!s.supports().count(3));
    s.undo();
    QVERIFY(s.supports().count(3) && s.supports().at(3).count(40));
    // Removing an example is a step of its own.
    s.removeSupport(3, 40);
    QVERIFY(!s.supports().count(3));
    QCOMPARE(s.undoText(), std::string("Remove example"));
    s.undo();
    QVERIFY(s.supports().count(3));

    // A correction that took over a proposal slice: undo gives the slice back to the proposal.
    const int64_t z = (truth.extentOf(5).lo[2] + truth.extentOf(5).hi[2]) / 2;
    s.setProposal(proposalFrom(truth, 5));
    auto proposedOnSlice = [&] {
      int64_t n = 0;
      for (int64_t j = 0; j < truth.geometry().size[1]; ++j)
        for (int64_t i = 0; i < truth.geometry().size[0]; ++i) n += s.proposal()->labels.at(i, j, z) == 5;
      return n;
    };
    const int64_t before = proposedOnSlice();
    QVERIFY(before > 100);
    s.beginStroke(Axis::Z, z, 5, {1, false});
    s.strokeTo(1, 1);
    s.endStroke();
    QCOMPARE(proposedOnSlice(), int64_t(0));
    s.undo();
    QCOMPARE(proposedOnSlice(), before);
    QVERIFY(!s.supports().count(5));
    s.redo();
    QCOMPARE(proposedOnSlice(), int64_t(0));
    QVERIFY(s.supports().count(5));

    // Accepting withdraws the label from the proposal; undo makes it pending again.
    s.accept(5);
    QVERIFY(s.proposal() == nullptr);
    s.undo();
    QVERIFY(s.proposal() != nullptr && s.proposal()->pending.count(5));

    // Table changes are steps too.
    LabelTable added = s.table();
    added.addDefault(3);
    s.changeTable(added, "Add label");
    QVERIFY(s.table().find(3));
    LabelTable renamed = s.table();
    renamed.find(3)->name = "my kidney";
    s.changeTable(renamed, "Rename label");
    QCOMPARE(s.table().find(3)->name, std::string("my kidney"));
    s.undo();
    QVERIFY(s.table().find(3)->name != "my kidney");
    s.redo();
    QCOMPARE(s.table().find(3)->name, std::string("my kidney"));
  }

  void modifiedFollowsTheUndoPosition() {
    AnnotationSession s = openSample();
    QVERIFY(!s.modified());
    s.beginStroke(Axis::Z, 40, 3, {2, false});
    s.strokeTo(30, 30);
    s.endStroke();
    QVERIFY(s.modified());
    s.undo();
    QVERIFY(!s.modified());  // back where it was opened
    s.redo();
    s.markSaved();
    QVERIFY(!s.modified());
    s.undo();
    QVERIFY(s.modified());
    s.redo();
    QVERIFY(!s.modified());  // back at the saved state
    s.beginStroke(Axis::Z, 41, 3, {2, false});
    s.strokeTo(30, 30);
    s.endStroke();
    QVERIFY(s.modified());
  }

  void slicesOfALabelAndTheirExamples() {
    const LabelMap truth = readLabelMap(kSampleLabels);  // uint8
    std::vector<int64_t> expected;  // brute force: axial slices holding the liver
    for (int64_t k = 0; k < truth.geometry().size[2]; ++k) {
      bool found = false;
      for (int64_t j = 0; j < truth.geometry().size[1] && !found; ++j)
        for (int64_t i = 0; i < truth.geometry().size[0] && !found; ++i) found = truth.at(i, j, k) == 5;
      if (found) expected.push_back(k);
    }
    QVERIFY(expected.size() > 10);
    QVERIFY(truth.slicesContaining(5, Axis::Z) == expected);
    const auto mask = truth.sliceMask(Axis::Z, expected[0], 5);
    QCOMPARE(int64_t(mask.size()), truth.geometry().size[0] * truth.geometry().size[1]);
    QCOMPARE(mask[std::size_t(5 + 7 * truth.geometry().size[0])], uint8_t(truth.at(5, 7, expected[0]) == 5));
    const double c = double(expected.size());  // int(C_s * f) in floating point, as the protocol's numpy
    const std::vector<int64_t> picks{expected[std::size_t(c * (1.0 / 6))], expected[std::size_t(c * 0.5)],
                                     expected[std::size_t(c * (5.0 / 6))]};
    QVERIFY(ep1SupportSlices(expected) == picks);
    QVERIFY(ep1SupportSlices(truth, 5, Axis::Z) == picks);  // distinct here
    QVERIFY(ep1SupportSlices(truth, 250, Axis::Z).empty());
  }

  void lockedLabelsAndNextUncertainSlice() {
    AnnotationSession s = openSample();
    s.beginStroke(Axis::Z, 10, 7, {4, false});
    s.strokeTo(50, 50);
    s.endStroke();
    s.table().addDefault(7);
    s.table().find(7)->locked = true;
    s.beginStroke(Axis::Z, 10, 8, {6, false});
    s.strokeTo(50, 50);
    s.endStroke();
    QCOMPARE(s.labels().at(50, 50, 10), uint16_t(7));
    QCOMPARE(s.labels().at(55, 50, 10), uint16_t(8));

    const LabelMap truth = readLabelMap(kSampleLabels);
    Proposal p = proposalFrom(truth, 5);
    p.sliceUncertainty[20] = 0.4, p.sliceUncertainty[30] = 0.9, p.sliceUncertainty[40] = 0.6;
    s.setProposal(p);
    QCOMPARE(s.nextUncertainSlice(-1), int64_t(30));
    QCOMPARE(s.nextUncertainSlice(30), int64_t(40));
    QCOMPARE(s.nextUncertainSlice(40), int64_t(20));
    QCOMPARE(s.nextUncertainSlice(20), int64_t(30));  // wraps
  }

  void refusesLabelsOffTheGrid() {
    AnnotationSession s = openSample();
    LabelMap other(ImageGeometry{{10, 10, 10}}, PixelType::UInt8);
    try {
      s.loadLabels(other);
      QFAIL("loaded labels of another grid");
    } catch (const Error& e) {
      QCOMPARE(e.code(), ErrorCode::GridMismatch);
    }
    s.loadLabels(readLabelMap(kSampleLabels));
    QCOMPARE(s.labels().pixelType(), PixelType::UInt16);
    QCOMPARE(QString::fromStdString(s.table().find(5)->name), QString("liver"));
    s.undo();
    QCOMPARE(count(s.labels(), 5), int64_t(0));
  }

  void orientationLetters() {
    const Volume ct = readImage(kSample).volume;  // stored RAS
    QCOMPARE(ct.geometry().orientationCode(), std::string("RAS"));
    auto letters = [](const SliceOrientation& o) { return QString("%1%2%3%4").arg(o.left).arg(o.right).arg(o.top).arg(o.bottom); };
    QCOMPARE(letters(sliceOrientation(ct.geometry(), Axis::Z)), QString("RLAP"));
    QCOMPARE(letters(sliceOrientation(ct.geometry(), Axis::Y)), QString("RLSI"));
    QCOMPARE(letters(sliceOrientation(ct.geometry(), Axis::X)), QString("APSI"));
    QVERIFY(sliceOrientation(ct.geometry(), Axis::Z).flipU);  // x runs to the patient's right
    ImageGeometry lps;
    lps.size = {4, 4, 4};
    QCOMPARE(letters(sliceOrientation(lps, Axis::Z)), QString("RLAP"));
    QVERIFY(!sliceOrientation(lps, Axis::Z).flipU && !sliceOrientation(lps, Axis::Z).flipV);
    QVERIFY(sliceOrientation(lps, Axis::Y).flipV);  // z grows upwards on screen
  }

  void flipsIntoTheTrainingOrientation() {
    const Volume ct = readImage(kSample).volume;  // RAS: only x runs the other way from LAS
    const AxisFlips f = flipsToTrainingOrientation(ct.geometry());
    QVERIFY(f.x && !f.y && !f.z);
    const Volume las = readImage(protolabel::test::dataPath("fewshot-benchmark/abd-mri-chaost2/images/image_1.nii.gz")).volume;
    QVERIFY(!flipsToTrainingOrientation(las.geometry()).any());
    ImageGeometry permuted = ct.geometry();
    permuted.direction = {0, 0, 1, 1, 0, 0, 0, 1, 0};  // a sagittal acquisition: left as stored
    QVERIFY(!flipsToTrainingOrientation(permuted).any());

    // Flipping a volume, then taking a slice, equals taking the slice and flipping it (any axis).
    std::vector<float> v = ct.toFloat();
    const AxisFlips all{true, true, true};
    std::vector<float> flipped = v;
    flipVolume(flipped, ct.size(), all);
    QCOMPARE(flipped[0], v.back());
    for (Axis axis : {Axis::X, Axis::Y, Axis::Z}) {
      const int64_t index = 17;
      std::vector<float> slice = extractSlice(v.data(), ct.size(), axis, index);
      flipSliceMask(slice, ct.size(), axis, all);
      QVERIFY(slice == extractSlice(flipped.data(), ct.size(), axis, flipSliceIndex(index, ct.size(), axis, all)));
    }
    flipVolume(flipped, ct.size(), all);
    QVERIFY(flipped == v);  // its own inverse
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, flipVolume(flipped, Size3{2, 2, 2}, all));
  }

  void windowPresets() {
    const Volume ct = readImage(kSample).volume;
    const auto presets = protolabel::core::windowPresets(ct, Window{350, 50});
    QCOMPARE(QString::fromStdString(presets.front().name), QString("DICOM"));
    QCOMPARE(presets[1].window.width, 400.0);
    QCOMPARE(presets[1].window.level, 40.0);
    const Volume mr = readImage(protolabel::test::dataPath("fewshot-benchmark/abd-mri-chaost2/images/image_1.nii.gz")).volume;
    QVERIFY(!looksLikeCt(mr));
    const auto mrPresets = protolabel::core::windowPresets(mr);
    QCOMPARE(int(mrPresets.size()), 1);
    // The automatic window spans the 1st..99th percentile: check against sorted voxels.
    std::vector<float> v = mr.toFloat();
    std::sort(v.begin(), v.end());
    const double p1 = v[std::size_t(0.01 * double(v.size()))], p99 = v[std::size_t(0.99 * double(v.size()))];
    const Window w = mrPresets.front().window;
    const double bin = (v.back() - v.front()) / 4095.0;
    QVERIFY2(std::abs(w.low() - p1) <= 2 * bin && std::abs(w.high() - p99) <= 2 * bin,
             qPrintable(QString("%1..%2 vs %3..%4").arg(w.low()).arg(w.high()).arg(p1).arg(p99)));
  }

  void componentFilterDropsIslands() {
    LabelMap truth = readLabelMap(kSampleLabels);
    LabelMap labels(truth.voxels().convertedTo(PixelType::UInt16), truth.table());
    const int64_t liver = count(labels, 5);
    const IndexBox box = labels.extentOf(5);
    // An island far from the liver, in the corner of the volume.
    for (int64_t k = 0; k < 3; ++k)
      for (int64_t j = 0; j < 3; ++j)
        for (int64_t i = 0; i < 3; ++i) labels.set(i, j, k, 5);
    std::vector<int64_t> seeds;  // the liver's voxels on its middle slice, as an example would give
    const int64_t z = (box.lo[2] + box.hi[2]) / 2;
    for (int64_t j = 0; j < labels.geometry().size[1]; ++j)
      for (int64_t i = 0; i < labels.geometry().size[0]; ++i)
        if (labels.at(i, j, z) == 5) seeds.push_back(labels.voxels().linearIndex(i, j, z));
    LabelMap copy = labels;
    const int64_t removed = keepConnectedTo(labels, 5, seeds);
    QVERIFY(removed >= 27);
    QCOMPARE(count(labels, 5), liver + 27 - removed);
    QCOMPARE(labels.at(1, 1, 1), uint16_t(0));
    QVERIFY(count(labels, 5) >= liver * 95 / 100);  // the liver itself is (almost) one piece
    const int64_t removedLargest = keepLargestComponent(copy, 5);
    QCOMPARE(count(copy, 5), liver + 27 - removedLargest);
    QCOMPARE(copy.at(1, 1, 1), uint16_t(0));
    QVERIFY(count(copy, 5) >= liver * 95 / 100);
    QCOMPARE(count(copy, 1), count(labels, 1));  // other labels untouched
  }

  void recoveryRoundTrip() {
    QTemporaryDir dir;
    RecoveryStore store(dir.filePath("recovery").toStdString());
    QVERIFY(store.entries().empty());
    const LabelMap truth = readLabelMap(kSampleLabels);
    const std::string file = store.save(truth, kSample);
    const auto entries = store.entries();
    QCOMPARE(int(entries.size()), 1);
    QCOMPARE(entries[0].sourcePath, kSample);
    QCOMPARE(entries[0].labelPath, file);
    const LabelMap back = readLabelMap(file);
    QVERIFY(protolabel::test::sameVoxels(back.voxels().convertedTo(PixelType::UInt16), truth.voxels().convertedTo(PixelType::UInt16)));
    QCOMPARE(QString::fromStdString(back.table().find(5)->name), QString("liver"));
    store.remove(kSample);
    QVERIFY(store.entries().empty());
    QVERIFY(std::filesystem::is_empty(dir.filePath("recovery").toStdString()));
  }

  void exportRefusesBadRequests() {
    const LabelMap truth = readLabelMap(kSampleLabels);
    QTemporaryDir dir;
    ExportRequest r;
    r.folder = dir.path().toStdString();
    r.baseName = "x";
    r.nifti = false;
    QVERIFY_THROWS_EXCEPTION(Error, exportLabels(truth, truth.geometry(), r));
    r.nifti = true;
    r.folder = dir.filePath("missing").toStdString();
    QVERIFY_THROWS_EXCEPTION(Error, exportLabels(truth, truth.geometry(), r));
    r.folder = dir.path().toStdString();
    r.nifti = false, r.nrrd = true;
    const auto written = exportLabels(truth, truth.geometry(), r);
    QCOMPARE(int(written.size()), 2);  // the label image and its ITK-SNAP description
    // Exporting over the source image (a copy here) is refused and leaves it untouched.
    const std::string source = dir.filePath("source.nii.gz").toStdString();
    std::filesystem::copy_file(kSample, source);
    r.baseName = "source";
    r.nrrd = false, r.nifti = true;
    r.protectedPaths = {source};
    QVERIFY_THROWS_EXCEPTION(Error, exportLabels(truth, truth.geometry(), r));
    QCOMPARE(std::filesystem::file_size(source), std::filesystem::file_size(kSample));
    r.baseName = "x";
    ImageGeometry other = truth.geometry();
    other.spacing[0] *= 2;
    QVERIFY_THROWS_EXCEPTION(Error, exportLabels(truth, other, r));
  }
};

QTEST_MAIN(SessionTest)
#include "test_session.moc"
