// The annotator's everyday tools without widgets, on the real sample CT and its manual organ labels:
// shape-based interpolation between slices, seeded region growing, the threshold brush, deleting a
// label, and the workspace file.
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <fstream>

#include "TestSupport.h"
#include "protolabel/core/Error.h"
#include "protolabel/core/editing/RegionGrow.h"
#include "protolabel/core/editing/SliceInterpolation.h"
#include "protolabel/core/io/ImageReader.h"
#include "protolabel/core/io/LabelIO.h"
#include "protolabel/core/session/AnnotationSession.h"
#include "protolabel/core/session/Workspace.h"

using namespace protolabel::core;

namespace {

const std::string kSample = protolabel::test::sampleImagePath().toStdString();
const std::string kSampleLabels = protolabel::test::sampleLabelsPath().toStdString();
constexpr uint16_t kLiver = 5, kSpleen = 1;
const auto count = protolabel::test::countLabel;

// Copies `value` on axial slice `z` of `from` into `to`.
void copySlice(const LabelMap& from, LabelMap& to, uint16_t value, int64_t z) {
  for (int64_t j = 0; j < from.geometry().size[1]; ++j)
    for (int64_t i = 0; i < from.geometry().size[0]; ++i)
      if (from.at(i, j, z) == value) to.set(i, j, z, value);
}

double dice(int64_t overlap, int64_t a, int64_t b) { return a + b == 0 ? 1.0 : 2.0 * double(overlap) / double(a + b); }

}  // namespace

class ToolsTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void signedDistanceOfADiscIsItsRadialDistance() {
    const int64_t w = 41, h = 31;
    const double su = 0.8, sv = 1.5, radius = 9.0;  // mm, anisotropic pixels
    std::vector<uint8_t> mask(std::size_t(w * h));
    auto radial = [&](int64_t u, int64_t v) { return std::hypot((double(u) - 20) * su, (double(v) - 15) * sv); };
    for (int64_t v = 0; v < h; ++v)
      for (int64_t u = 0; u < w; ++u) mask[std::size_t(v * w + u)] = radial(u, v) <= radius;
    const std::vector<float> sd = signedDistance2D(mask, w, h, su, sv);
    for (int64_t v = 0; v < h; ++v)
      for (int64_t u = 0; u < w; ++u) {
        const float d = sd[std::size_t(v * w + u)];
        QVERIFY2((d <= 0) == bool(mask[std::size_t(v * w + u)]), "the sign follows the mask");
        // Distances to a pixelated disc: within about a pixel of the true radial distance.
        QVERIFY2(std::abs(std::abs(d) - std::abs(radial(u, v) - radius)) < 1.6,
                 qPrintable(QString("u %1 v %2: %3 vs %4").arg(u).arg(v).arg(d).arg(radial(u, v) - radius)));
      }
  }

  void interpolatesTheLiverBetweenTwoLabelledSlices() {
    const LabelMap truth = readLabelMap(kSampleLabels);
    const IndexBox extent = truth.extentOf(kLiver);
    const int64_t a = extent.lo[2] + 8, b = a + 10;  // 30 mm apart
    LabelMap labels(truth.geometry(), PixelType::UInt16);
    copySlice(truth, labels, kLiver, a);
    copySlice(truth, labels, kLiver, b);
    copySlice(truth, labels, kSpleen, (truth.extentOf(kSpleen).lo[2] + truth.extentOf(kSpleen).hi[2]) / 2);
    const InterpolationResult result = interpolateBetweenSlices(labels, kLiver, Axis::Z);
    QCOMPARE(result.filledSlices, b - a - 1);
    int64_t overlap = 0, proposed = 0, actual = 0, outside = 0, overSpleen = 0;
    for (int64_t k = 0; k < truth.geometry().size[2]; ++k)
      for (int64_t j = 0; j < truth.geometry().size[1]; ++j)
        for (int64_t i = 0; i < truth.geometry().size[0]; ++i) {
          const bool p = result.mask[std::size_t(truth.voxels().linearIndex(i, j, k))];
          if (k <= a || k >= b) {
            outside += p;
            continue;
          }
          const bool t = truth.at(i, j, k) == kLiver;
          overlap += p && t, proposed += p, actual += t;
          overSpleen += p && labels.at(i, j, k) != 0;
        }
    QCOMPARE(outside, int64_t(0));
    QCOMPARE(overSpleen, int64_t(0));
    const double d = dice(overlap, proposed, actual);
    qInfo("interpolated liver between slices %lld and %lld: Dice %.3f on the %lld slices between",
          (long long)a, (long long)b, d, (long long)(b - a - 1));
    QVERIFY2(d >= 0.8, qPrintable(QString("Dice %1").arg(d)));

    // Through the session: a pending proposal, accepted in one undoable step.
    AnnotationSession s;
    s.setImage(readImage(kSample).volume, kSample);
    s.loadLabels(labels);
    s.proposeMask(kLiver, result.mask);
    QVERIFY(s.proposal() && s.proposal()->pending.count(kLiver));
    const int64_t before = count(s.labels(), kLiver);
    s.accept(kLiver);
    QCOMPARE(count(s.labels(), kLiver), before + result.voxels);
    s.undo();
    QCOMPARE(count(s.labels(), kLiver), before);
    QVERIFY(s.proposal() && s.proposal()->pending.count(kLiver));
  }

  void nothingToInterpolateWithOneSlice() {
    const LabelMap truth = readLabelMap(kSampleLabels);
    LabelMap labels(truth.geometry(), PixelType::UInt16);
    copySlice(truth, labels, kLiver, truth.extentOf(kLiver).lo[2] + 5);
    const InterpolationResult result = interpolateBetweenSlices(labels, kLiver, Axis::Z);
    QCOMPARE(result.voxels, int64_t(0));
    QCOMPARE(result.filledSlices, int64_t(0));
  }

  void growsTheLiverFromAClick() {
    const Volume image = readImage(kSample).volume;
    const LabelMap truth = readLabelMap(kSampleLabels);
    // A click in the liver: the voxel of its largest cross-section's middle row nearest its centre.
    const IndexBox e = truth.extentOf(kLiver);
    const int64_t k = (e.lo[2] + e.hi[2]) / 2, j = (e.lo[1] + e.hi[1]) / 2;
    int64_t first = -1, last = -1;
    for (int64_t i = e.lo[0]; i <= e.hi[0]; ++i)
      if (truth.at(i, j, k) == kLiver) (first < 0 ? first : last) = i, last = i;
    QVERIFY(first >= 0);
    const int64_t seed = image.linearIndex((first + last) / 2, j, k);
    QCOMPARE(truth.labelAtLinear(seed), kLiver);
    const RegionGrowResult grown = growRegion(image, {seed});
    int64_t overlap = 0, actual = count(truth, kLiver);
    for (int64_t i = 0; i < image.voxelCount(); ++i) overlap += grown.mask[std::size_t(i)] && truth.labelAtLinear(i) == kLiver;
    const double precision = double(overlap) / double(std::max<int64_t>(1, grown.voxels));
    const double recall = double(overlap) / double(actual);
    qInfo("region grow from a click in the liver: %lld voxels, range [%.0f, %.0f], precision %.3f, recall %.3f, Dice %.3f",
          (long long)grown.voxels, grown.low, grown.high, precision, recall, dice(overlap, grown.voxels, actual));
    QVERIFY(!grown.stoppedAtLimit);
    QVERIFY2(recall >= 0.75, qPrintable(QString("recall %1").arg(recall)));
    QVERIFY2(precision >= 0.75, qPrintable(QString("precision %1").arg(precision)));
    // Without breaking thin bridges the same range leaks into the neighbouring soft tissue.
    RegionGrowOptions plain;
    plain.breakBridges = false;
    const RegionGrowResult leaky = growRegion(image, {seed}, plain);
    QVERIFY2(leaky.voxels > 2 * grown.voxels, qPrintable(QString("%1 vs %2 voxels").arg(leaky.voxels).arg(grown.voxels)));

    // A fixed range that holds nothing of the seed grows nothing; a seed outside the image is refused.
    RegionGrowOptions empty;
    empty.range = std::make_pair(5000.0, 6000.0);
    QCOMPARE(growRegion(image, {seed}, empty).voxels, int64_t(0));
    QVERIFY_THROWS_EXCEPTION(Error, growRegion(image, {-1, image.voxelCount()}));
  }

  void thresholdBrushPaintsOnlyTheRange() {
    AnnotationSession s;
    s.setImage(readImage(kSample).volume, kSample);
    const int64_t z = 60;
    s.setPaintRange(std::make_pair(0.0, 200.0));
    s.beginStroke(Axis::Z, z, 3, {12, false});
    s.strokeTo(30, 50);
    s.strokeTo(90, 50);
    s.endStroke();
    int64_t painted = 0, skipped = 0;
    for (int64_t j = 0; j < s.image().size()[1]; ++j)
      for (int64_t i = 0; i < s.image().size()[0]; ++i) {
        const double x = s.image().valueAt(i, j, z);
        const bool p = s.labels().at(i, j, z) == 3;
        QVERIFY2(!p || (x >= 0 && x <= 200), "a voxel outside the range was painted");
        painted += p;
        const double du = double(i) - std::clamp(double(i), 30.0, 90.0), dv = double(j) - 50;
        skipped += !p && std::hypot(du, dv) < 11 && (x < 0 || x > 200);
      }
    QVERIFY(painted > 200);
    QVERIFY2(skipped > 50, "the brush covered voxels outside the range: some must have been skipped");
    // Without the range the same stroke paints them.
    s.setPaintRange(std::nullopt);
    s.beginStroke(Axis::Z, z, 3, {12, false});
    s.strokeTo(30, 50);
    s.strokeTo(90, 50);
    s.endStroke();
    QVERIFY(count(s.labels(), 3) >= painted + skipped);
  }

  void deletingALabelIsOneUndoStep() {
    AnnotationSession s;
    s.setImage(readImage(kSample).volume, kSample);
    s.loadLabels(readLabelMap(kSampleLabels));
    s.useLabelledSlicesAsExamples();
    const int64_t liver = count(s.labels(), kLiver), spleen = count(s.labels(), kSpleen);
    QVERIFY(liver > 1000 && spleen > 100);
    const LabelEntry entry = *s.table().find(kLiver);
    const std::set<int64_t> examples = s.supports().at(kLiver);
    const IndexBox box = s.deleteLabel(kLiver);
    QVERIFY(!box.empty());
    QCOMPARE(count(s.labels(), kLiver), int64_t(0));
    QCOMPARE(count(s.labels(), kSpleen), spleen);
    QVERIFY(!s.table().find(kLiver));
    QVERIFY(!s.supports().count(kLiver));
    QCOMPARE(s.undoText(), std::string("Delete label"));
    s.undo();
    QCOMPARE(count(s.labels(), kLiver), liver);
    QVERIFY(s.table().find(kLiver) && *s.table().find(kLiver) == entry);
    QVERIFY(s.supports().at(kLiver) == examples);
    s.redo();
    QCOMPARE(count(s.labels(), kLiver), int64_t(0));
  }

  void workspaceRoundTrip() {
    QTemporaryDir dir;
    AnnotationSession s;
    s.setImage(readImage(kSample).volume, kSample);
    const LabelMap truth = readLabelMap(kSampleLabels);
    s.copyMiddleSupportSlice(truth, kLiver);
    s.copyMiddleSupportSlice(truth, kSpleen);
    LabelTable table = s.table();
    table.find(kLiver)->name = "my liver";
    table.find(kLiver)->color = {10, 20, 30};
    s.changeTable(table, "Rename label");
    Workspace view;
    view.window = Window{400, 40};
    view.cursor = {10, 20, 30};
    view.activeLabel = kSpleen;
    view.panel = 1;
    view.layout = "AAAA/wAAAAD9";
    const std::string manifest = dir.filePath("case 1.protolabel").toStdString();
    saveWorkspace(s, view, manifest);

    const Workspace w = readWorkspace(manifest);
    QCOMPARE(w.imagePath, kSample);  // outside the workspace's folder: stored absolute
    QCOMPARE(w.labelsPath, workspaceLabelsPathFor(manifest));
    QVERIFY(w.examples == s.supports());
    QVERIFY(w.window && w.window->width == 400 && w.window->level == 40);
    QVERIFY((w.cursor == std::array<int64_t, 3>{10, 20, 30}));
    QCOMPARE(w.activeLabel, kSpleen);
    QCOMPARE(w.panel, 1);
    QCOMPARE(w.layout, view.layout);
    const LabelMap labels = readLabelMap(w.labelsPath);
    QCOMPARE(count(labels, kLiver), count(s.labels(), kLiver));
    QCOMPARE(labels.table().find(kLiver)->name, std::string("my liver"));

    AnnotationSession reopened;
    reopened.setImage(readImage(w.imagePath).volume, w.imagePath);
    reopened.loadLabels(labels);
    reopened.restoreExamples(w.examples);
    QVERIFY(reopened.supports() == s.supports());

    // Damaged, foreign and newer manifests are refused with a code.
    const auto writeText = [&](const char* name, const std::string& text) {
      std::ofstream(dir.filePath(name).toStdString()) << text;
      return dir.filePath(name).toStdString();
    };
    const auto codeOf = [](const std::string& path) {
      try {
        readWorkspace(path);
      } catch (const Error& e) {
        return e.code();
      }
      return ErrorCode::InvalidArgument;  // not refused
    };
    QCOMPARE(codeOf(writeText("cut.protolabel", "{\"format\": \"protolabel-workspace\", \"vers")), ErrorCode::CorruptFile);
    QCOMPARE(codeOf(writeText("other.protolabel", "{\"format\": \"something\"}")), ErrorCode::CorruptFile);
    QCOMPARE(codeOf(writeText("typed.protolabel", "{\"format\": \"protolabel-workspace\", \"version\": 1, \"image\": 3, "
                                                  "\"labels\": \"x\"}")),
             ErrorCode::CorruptFile);
    QCOMPARE(codeOf(writeText("new.protolabel", "{\"format\": \"protolabel-workspace\", \"version\": 99}")),
             ErrorCode::UnsupportedFormat);
    QCOMPARE(codeOf(dir.filePath("missing.protolabel").toStdString()), ErrorCode::FileNotFound);
  }
};

QTEST_GUILESS_MAIN(ToolsTest)
#include "test_tools.moc"
