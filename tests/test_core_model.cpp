// The in-memory model: geometry maths, volumes, label maps and tables, orthogonal slicing.
#include <QtTest>

#include <unistd.h>

#include <cmath>

#include "protolabel/core/Error.h"
#include "protolabel/core/LabelMap.h"
#include "protolabel/core/SystemMemory.h"
#include "protolabel/core/Slicing.h"
#include "protolabel/core/Volume.h"

using namespace protolabel::core;

namespace {
ImageGeometry obliqueGeometry() {
  ImageGeometry g;
  g.size = {7, 5, 3};
  g.spacing = {0.7, 1.1, 2.5};
  g.origin = {-12.5, 30.25, 4.0};
  const double a = 0.3, b = -0.2;  // rotation about z then x
  const double cz = std::cos(a), sz = std::sin(a), cx = std::cos(b), sx = std::sin(b);
  g.direction = {cz, -sz * cx, sz * sx, sz, cz * cx, -cz * sx, 0, sx, cx};
  return g;
}
}  // namespace

class CoreModelTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void indexAndPhysicalPointsRoundTrip() {
    const ImageGeometry g = obliqueGeometry();
    QVERIFY(g.hasOrthonormalDirection());
    const Vec3 index{2.0, 3.5, 1.25};
    const Vec3 p = g.indexToPhysical(index);
    const Vec3 back = g.physicalToIndex(p);
    for (int i = 0; i < 3; ++i) QVERIFY(std::abs(back[i] - index[i]) < 1e-9);
    // The origin is the centre of voxel 0.
    const Vec3 o = g.indexToPhysical({0, 0, 0});
    for (int i = 0; i < 3; ++i) QCOMPARE(o[i], g.origin[i]);
  }

  void orientationCodeFollowsLps() {
    ImageGeometry g;
    QCOMPARE(QString::fromStdString(g.orientationCode()), QString("LPS"));
    g.direction = {-1, 0, 0, 0, -1, 0, 0, 0, 1};
    QCOMPARE(QString::fromStdString(g.orientationCode()), QString("RAS"));
    g.direction = {0, 0, -1, 1, 0, 0, 0, -1, 0};  // sagittal acquisition
    QCOMPARE(QString::fromStdString(g.orientationCode()), QString("PIR"));
  }

  void sameGridDetectsEachDifference() {
    const ImageGeometry g = obliqueGeometry();
    QVERIFY(g.sameGrid(g));
    ImageGeometry h = g;
    h.origin[1] += 0.01;
    QVERIFY(!g.sameGrid(h));
    h = g;
    h.spacing[2] *= 1.01;
    QVERIFY(!g.sameGrid(h));
    h = g;
    h.size[0] += 1;
    QVERIFY(!g.sameGrid(h));
    h = g;
    h.direction[1] += 0.01;
    QVERIFY(!g.sameGrid(h));
  }

  void volumeCopiesAreDeepAndTyped() {
    Volume v(obliqueGeometry(), PixelType::Int16);
    v.data<int16_t>()[v.linearIndex(1, 2, 1)] = -300;
    Volume copy = v;
    copy.data<int16_t>()[copy.linearIndex(1, 2, 1)] = 5;
    QCOMPARE(v.valueAt(1, 2, 1), -300.0);
    QCOMPARE(copy.valueAt(1, 2, 1), 5.0);
    QVERIFY_THROWS_EXCEPTION(std::logic_error, v.data<float>());
    const auto [lo, hi] = v.intensityRange();
    QCOMPARE(lo, -300.0);
    QCOMPARE(hi, 0.0);
    const Volume f = v.convertedTo(PixelType::Float32);
    QCOMPARE(f.valueAt(1, 2, 1), -300.0);
    QCOMPARE(f.geometry().origin, v.geometry().origin);
  }

  void nonFiniteVoxelsAreCountedAndReplaced() {
    Volume v(obliqueGeometry(), PixelType::Float32);
    v.data<float>()[3] = NAN;
    v.data<float>()[4] = INFINITY;
    v.data<float>()[5] = 7.f;
    QCOMPARE(v.countNonFinite(), int64_t(2));
    QCOMPARE(v.intensityRange().second, 7.0);
    QCOMPARE(v.replaceNonFinite(-1.f), int64_t(2));
    QCOMPARE(v.countNonFinite(), int64_t(0));
    QCOMPARE(v.valueAtLinear(3), -1.0);
  }

  void memoryFiguresComeFromThisMachine() {
    // MemAvailable counts free memory and what the kernel can reclaim; the spare share is half of RAM.
    const uint64_t page = uint64_t(sysconf(_SC_PAGE_SIZE));
    const uint64_t freeNow = uint64_t(sysconf(_SC_AVPHYS_PAGES)) * page, physical = uint64_t(sysconf(_SC_PHYS_PAGES)) * page;
    QCOMPARE(spareMemoryBytes(), physical / 2);
    const uint64_t available = availableMemoryBytes();
    QVERIFY2(available >= freeNow / 2 && available <= physical,
             qPrintable(QString("%1 MiB available, %2 MiB free").arg(available >> 20).arg(freeNow >> 20)));
  }

  void labelMapHistogramExtentAndTable() {
    LabelMap labels(obliqueGeometry(), PixelType::UInt16);
    labels.set(1, 1, 0, 3);
    labels.set(4, 2, 2, 3);
    labels.set(6, 4, 1, 700);
    const auto hist = labels.histogram();
    QCOMPARE(hist.size(), std::size_t(2));
    QCOMPARE(hist.at(3), int64_t(2));
    QCOMPARE(hist.at(700), int64_t(1));
    const IndexBox box = labels.extentOf(3);
    QCOMPARE(box.lo, (std::array<int64_t, 3>{1, 1, 0}));
    QCOMPARE(box.hi, (std::array<int64_t, 3>{4, 2, 2}));
    QVERIFY(labels.extentOf(9).empty());
    labels.addMissingTableEntries();
    QVERIFY(labels.table().find(3));
    QVERIFY(labels.table().find(700));
    QCOMPARE(QString::fromStdString(labels.table().find(3)->name), QString("Label 3"));

    // The labelled box, and the map cropped to it: same voxels at the same physical places.
    const IndexBox content = labels.contentExtent();
    QCOMPARE(content.lo, (std::array<int64_t, 3>{1, 1, 0}));
    QCOMPARE(content.hi, (std::array<int64_t, 3>{6, 4, 2}));
    QVERIFY(LabelMap(obliqueGeometry()).contentExtent().empty());
    const LabelMap wide = labels.cropped(content);
    QCOMPARE(wide.pixelType(), PixelType::UInt16);  // 700 does not fit a byte
    QCOMPARE(wide.geometry().size, (Size3{6, 4, 3}));
    QVERIFY(wide.table().find(700));
    const Size3& n = wide.geometry().size;
    for (int64_t k = 0; k < n[2]; ++k)
      for (int64_t j = 0; j < n[1]; ++j)
        for (int64_t i = 0; i < n[0]; ++i) {
          QCOMPARE(wide.at(i, j, k), labels.at(i + 1, j + 1, k));
          const Vec3 inCrop = wide.geometry().indexToPhysical({double(i), double(j), double(k)});
          const Vec3 inWhole = labels.geometry().indexToPhysical({double(i + 1), double(j + 1), double(k)});
          for (int a = 0; a < 3; ++a) QVERIFY(std::abs(inCrop[a] - inWhole[a]) < 1e-9);
        }
    IndexBox firstLabel = labels.extentOf(3);
    firstLabel.lo[0] -= 5;  // clamped to the grid
    const LabelMap narrow = labels.cropped(firstLabel);
    QCOMPARE(narrow.pixelType(), PixelType::UInt8);
    QCOMPARE(narrow.geometry().size, (Size3{5, 2, 3}));
    QCOMPARE(narrow.histogram(), (std::map<uint16_t, int64_t>{{3, 2}}));

    LabelMap small(obliqueGeometry(), PixelType::UInt8);
    QVERIFY_THROWS_EXCEPTION(Error, small.set(0, 0, 0, 300));
    QVERIFY_THROWS_EXCEPTION(Error, LabelMap(obliqueGeometry(), PixelType::Float32));
  }

  void labelTableKeepsEntriesSortedAndUnique() {
    LabelTable t;
    t.addDefault(5);
    t.addDefault(2);
    LabelEntry e;
    e.value = 5;
    e.name = "liver";
    t.set(e);
    QCOMPARE(t.size(), std::size_t(2));
    QCOMPARE(t.entries().front().value, uint16_t(2));
    QCOMPARE(QString::fromStdString(t.find(5)->name), QString("liver"));
    QVERIFY(LabelTable::defaultColor(1) != LabelTable::defaultColor(2));
    QVERIFY(t.remove(2));
    QVERIFY(!t.remove(2));
  }

  void slicesMatchVoxelAccessOnEveryAxis() {
    ImageGeometry g;
    g.size = {4, 3, 5};
    Volume v(g, PixelType::Int32);
    int32_t* p = v.data<int32_t>();
    for (int64_t n = 0; n < v.voxelCount(); ++n) p[n] = int32_t(n * 7 + 1);
    for (Axis axis : {Axis::X, Axis::Y, Axis::Z}) {
      const SliceLayout L = sliceLayout(g.size, axis);
      for (int64_t s = 0; s < L.count; ++s) {
        const auto slice = extractSlice(p, g.size, axis, s);
        QCOMPARE(int64_t(slice.size()), L.width * L.height);
        for (int64_t vv = 0; vv < L.height; ++vv)
          for (int64_t u = 0; u < L.width; ++u) {
            int64_t ijk[3];
            ijk[int(axis)] = s;
            ijk[L.inPlaneU] = u;
            ijk[L.inPlaneV] = vv;
            QCOMPARE(double(slice[vv * L.width + u]), v.valueAt(ijk[0], ijk[1], ijk[2]));
          }
        // Writing a modified slice back changes exactly that slice.
        std::vector<int32_t> modified(slice.size(), -1);
        Volume copy = v;
        insertSlice(copy.data<int32_t>(), g.size, axis, s, modified.data());
        int64_t changed = 0;
        for (int64_t n = 0; n < v.voxelCount(); ++n) changed += copy.valueAtLinear(n) != v.valueAtLinear(n);
        QCOMPARE(changed, L.width * L.height);
      }
      QVERIFY_THROWS_EXCEPTION(std::out_of_range, extractSlice(p, g.size, axis, L.count));
    }
    QCOMPARE(QString(axisName(Axis::Z)), QString("axial"));
  }
};

QTEST_GUILESS_MAIN(CoreModelTest)
#include "test_core_model.moc"
