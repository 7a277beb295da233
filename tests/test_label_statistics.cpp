// Label statistics against an independent count over the voxels of real CT label maps: counts,
// volumes, intensity mean/std/min/max and extents; every pixel type; the CSV layout; grid checks.
#include <QTemporaryDir>
#include <QtTest>

#include <QElapsedTimer>
#include <clocale>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "TestSupport.h"
#include "protolabel/core/Error.h"
#include "protolabel/core/LabelStatistics.h"
#include "protolabel/core/io/ImageReader.h"
#include "protolabel/core/io/LabelIO.h"

using namespace protolabel::core;
using protolabel::test::dataPath;

namespace {

// What the statistics must be, counted the plain way: value by value at (i, j, k).
struct Expected {
  int64_t count = 0;
  double sum = 0, min = 1e300, max = -1e300;
  std::vector<double> values;
  std::array<int64_t, 3> lo{INT64_MAX, INT64_MAX, INT64_MAX}, hi{-1, -1, -1};
};

std::map<uint16_t, Expected> countByHand(const Volume& image, const LabelMap& labels) {
  std::map<uint16_t, Expected> expected;
  const Size3& s = image.size();
  for (int64_t k = 0; k < s[2]; ++k)
    for (int64_t j = 0; j < s[1]; ++j)
      for (int64_t i = 0; i < s[0]; ++i) {
        const uint16_t label = labels.at(i, j, k);
        if (!label) continue;
        Expected& e = expected[label];
        const double x = image.valueAt(i, j, k);
        ++e.count;
        e.sum += x;
        e.values.push_back(x);
        e.min = std::min(e.min, x);
        e.max = std::max(e.max, x);
        const int64_t ijk[3] = {i, j, k};
        for (std::size_t a = 0; a < 3; ++a) {
          e.lo[a] = std::min(e.lo[a], ijk[a]);
          e.hi[a] = std::max(e.hi[a], ijk[a]);
        }
      }
  return expected;
}

void compareWithHandCount(const Volume& image, const LabelMap& labels, const std::vector<LabelStatistics>& stats) {
  const auto expected = countByHand(image, labels);
  QCOMPARE(stats.size(), expected.size());
  const Vec3& sp = image.geometry().spacing;
  std::size_t row = 0;
  for (const auto& [value, e] : expected) {
    const LabelStatistics& s = stats[row++];
    QCOMPARE(s.value, value);
    QCOMPARE(s.voxels, e.count);
    QCOMPARE(s.voxels, labels.histogram().at(value));
    QVERIFY(std::abs(s.volumeMl - double(e.count) * sp[0] * sp[1] * sp[2] / 1000.0) < 1e-9 * s.volumeMl);
    const double mean = e.sum / double(e.count);
    double squares = 0;
    for (double x : e.values) squares += (x - mean) * (x - mean);
    const double stddev = std::sqrt(squares / double(e.count));  // population
    QVERIFY2(std::abs(s.mean - mean) < 1e-9 * std::max(1.0, std::abs(mean)), qPrintable(QString::number(value)));
    QVERIFY2(std::abs(s.stddev - stddev) < 1e-7 * std::max(1.0, stddev), qPrintable(QString::number(value)));
    QCOMPARE(s.min, e.min);
    QCOMPARE(s.max, e.max);
    QCOMPARE(s.extent.lo, e.lo);
    QCOMPARE(s.extent.hi, e.hi);
    for (std::size_t a = 0; a < 3; ++a)
      QVERIFY(std::abs(s.extentMm[a] - double(e.hi[a] - e.lo[a] + 1) * sp[a]) < 1e-9);
  }
}

}  // namespace

class LabelStatisticsTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() {
    ct_ = readImage(dataPath("abd-ct-sabs/images/image_0.nii.gz")).volume;
    organs_ = readLabelMap(dataPath("abd-ct-sabs/labels/label_0.nii.gz"));
    QVERIFY(organs_.geometry().sameGrid(ct_.geometry()));
    QVERIFY(organs_.histogram().size() >= 10);
  }

  void matchesAHandCountOnARealCt() {
    QElapsedTimer timer;
    timer.start();
    const auto stats = computeLabelStatistics(ct_, organs_);
    qInfo("%zu labels of a %s CT in %lld ms", stats.size(), ct_.geometry().describe().c_str(),
          static_cast<long long>(timer.elapsed()));
    compareWithHandCount(ct_, organs_, stats);
    // Names come from the label description beside the file.
    const auto liver = std::find_if(stats.begin(), stats.end(), [](const auto& s) { return s.value == 6; });
    QVERIFY(liver != stats.end());
    QCOMPARE(QString::fromStdString(liver->name), QString("liver"));
    // Liver in CT: soft tissue, tens of HU on average, over a litre.
    QVERIFY(liver->mean > 0 && liver->mean < 200);
    QVERIFY(liver->volumeMl > 500 && liver->volumeMl < 4000);
  }

  void everyPixelTypeGivesTheSameStatistics() {
    const auto reference = computeLabelStatistics(ct_, organs_);
    for (PixelType type : {PixelType::Float32, PixelType::Int32}) {
      const Volume converted = ct_.convertedTo(type);
      const auto stats = computeLabelStatistics(converted, organs_);
      QCOMPARE(stats.size(), reference.size());
      for (std::size_t i = 0; i < stats.size(); ++i) {
        QCOMPARE(stats[i].voxels, reference[i].voxels);
        QVERIFY(std::abs(stats[i].mean - reference[i].mean) < 1e-3);
        QCOMPARE(stats[i].min, reference[i].min);
      }
    }
    // An int32 CT with uint8 labels, another real pair.
    const Volume ct = readImage(dataPath("totalsegmentator-examples/ct_a/ct_a_small_3mm.nii.gz")).volume;
    const LabelMap total = readLabelMap(dataPath("totalsegmentator-examples/ct_a/ct_a_small_3mm_seg_total.nii.gz"));
    compareWithHandCount(ct, total, computeLabelStatistics(ct, total));
    // A uint8 image (no sign, no fraction) with uint16 labels.
    ImageGeometry g;
    g.size = {4, 3, 2};
    Volume bytes(g, PixelType::UInt8);
    for (int64_t i = 0; i < bytes.voxelCount(); ++i) bytes.data<uint8_t>()[i] = uint8_t(200 + i);
    LabelMap labels(g, PixelType::UInt16);
    labels.set(1, 1, 0, 300);
    labels.set(3, 2, 1, 300);
    compareWithHandCount(bytes, labels, computeLabelStatistics(bytes, labels));
  }

  void populationStdAndNoCancellationFarFromZero() {
    ImageGeometry g;
    g.size = {3, 1, 1};
    g.spacing = {2, 0.5, 4};  // 4 mm^3 a voxel
    Volume image(g, PixelType::Float32);
    float* x = image.data<float>();
    x[0] = 1e6f + 1, x[1] = 1e6f + 3, x[2] = 7;
    LabelMap labels(g);
    labels.set(0, 0, 0, 2);
    labels.set(1, 0, 0, 2);
    const auto stats = computeLabelStatistics(image, labels);
    QCOMPARE(stats.size(), std::size_t(1));
    QCOMPARE(stats[0].name, std::string("Label 2"));  // not in the (empty) table
    QCOMPARE(stats[0].mean, 1e6 + 2);
    QCOMPARE(stats[0].stddev, 1.0);  // population: sqrt(((-1)^2 + 1^2) / 2), not sqrt(2)
    QCOMPARE(stats[0].volumeMl, 0.008);
    QCOMPARE(stats[0].extentMm, (Vec3{4, 0.5, 4}));
  }

  void refusesLabelsOnAnotherGrid() {
    const LabelMap other = readLabelMap(dataPath("totalsegmentator-examples/ct_a/ct_a_small_3mm_seg_total.nii.gz"));
    try {
      computeLabelStatistics(ct_, other);
      QFAIL("no error");
    } catch (const Error& e) {
      QCOMPARE(e.code(), ErrorCode::GridMismatch);
    }
    // Same size, other spacing: still another grid.
    ImageGeometry shifted = ct_.geometry();
    shifted.spacing[2] *= 2;
    QVERIFY_THROWS_EXCEPTION(Error, computeLabelStatistics(ct_, LabelMap(shifted)));
  }

  void csvHasAHeaderAndOneRowPerLabelWhateverTheLocale() {
    LabelMap labels = organs_;
    LabelEntry liver = *labels.table().find(6);
    liver.name = "liver, \"left\" lobe";
    labels.table().set(liver);
    const auto stats = computeLabelStatistics(ct_, labels);
    // A locale with decimal commas must not leak into the file.
    const char* previous = std::setlocale(LC_NUMERIC, "de_DE.UTF-8");
    const std::string csv = statisticsToCsv(stats);
    if (previous) std::setlocale(LC_NUMERIC, "C");
    std::istringstream in(csv);
    std::string line;
    std::getline(in, line);
    QCOMPARE(line, statisticsCsvHeader());
    QVERIFY(line.rfind("value,name,voxels,volume_ml,mean,std,min,max,", 0) == 0);
    std::vector<std::string> rows;
    while (std::getline(in, line)) rows.push_back(line);
    QCOMPARE(rows.size(), stats.size());
    for (std::size_t r = 0; r < rows.size(); ++r)
      QVERIFY(rows[r].rfind(std::to_string(stats[r].value) + ",", 0) == 0);
    const auto liverRow = std::find_if(rows.begin(), rows.end(), [](const std::string& l) { return l.rfind("6,", 0) == 0; });
    QVERIFY(liverRow != rows.end());
    const auto liverStats = std::find_if(stats.begin(), stats.end(), [](const auto& s) { return s.value == 6; });
    QVERIFY2(liverRow->rfind("6,\"liver, \"\"left\"\" lobe\"," + std::to_string(liverStats->voxels) + ",", 0) == 0,
             liverRow->c_str());
    QCOMPARE(std::count(rows[0].begin(), rows[0].end(), ','), std::ptrdiff_t(16));

    QTemporaryDir dir;
    const std::string path = dir.filePath("stats.csv").toStdString();
    writeStatisticsCsv(stats, path);
    std::ifstream file(path);
    std::stringstream written;
    written << file.rdbuf();
    QCOMPARE(written.str(), csv);
    QVERIFY_THROWS_EXCEPTION(Error, writeStatisticsCsv(stats, dir.filePath("missing/stats.csv").toStdString()));
  }

  void aBigCtTakesOnePass() {
    // 512 x 512 x 200 int16 with a label in a third of it: the size of a routine abdominal CT.
    ImageGeometry g;
    g.size = {512, 512, 200};
    g.spacing = {0.8, 0.8, 1.5};
    Volume image(g, PixelType::Int16);
    LabelMap labels(g, PixelType::UInt16);
    int16_t* x = image.data<int16_t>();
    uint16_t* l = labels.voxels().data<uint16_t>();
    for (int64_t i = 0; i < image.voxelCount(); ++i) {
      x[i] = int16_t(i % 2000 - 1000);
      l[i] = uint16_t(i % 3 == 0 ? 1 + (i / 7) % 5 : 0);
    }
    QElapsedTimer timer;
    timer.start();
    const auto stats = computeLabelStatistics(image, labels);
    const qint64 ms = timer.elapsed();
    qInfo("512 x 512 x 200 CT, 5 labels: %lld ms", static_cast<long long>(ms));
    QCOMPARE(stats.size(), std::size_t(5));
    int64_t total = 0;
    for (const auto& s : stats) total += s.voxels;
    QCOMPARE(total, (image.voxelCount() + 2) / 3);
    QVERIFY2(ms < 10000, "far slower than one pass");  // about 0.3 s on one free core
  }

 private:
  Volume ct_;
  LabelMap organs_;
};

QTEST_MAIN(LabelStatisticsTest)
#include "test_label_statistics.moc"
