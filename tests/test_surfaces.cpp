// Label surfaces and STL export: surfaces sit where the label voxels are in physical space (for any
// direction matrix), are closed and face outward, and export to STL files that 3D Slicer places in LPS.
#include <QtTest>

#include <vtkPolyData.h>
#include <vtkSTLReader.h>
#include <vtkSmartPointer.h>

#include <array>
#include <cmath>
#include <fstream>
#include <map>

#include "TestSupport.h"
#include "protolabel/core/Error.h"
#include "protolabel/core/LabelMap.h"
#include "protolabel/core/io/LabelIO.h"
#include "protolabel/core/io/MeshExport.h"
#include "protolabel/core/surface/LabelSurfaces.h"

using namespace protolabel::core;

namespace {

struct Box {
  std::array<double, 3> lo{1e300, 1e300, 1e300};
  std::array<double, 3> hi{-1e300, -1e300, -1e300};
  void add(const double p[3]) {
    for (int a = 0; a < 3; ++a) {
      lo[a] = std::min(lo[a], p[a]);
      hi[a] = std::max(hi[a], p[a]);
    }
  }
};

std::string samplePath() { return std::string(PROTOLABEL_SOURCE_DIR) + "/resources/sample/abdomen_ct_organs.nii.gz"; }

// Physical bounding box of the centres of the voxels holding `value`, straight from the geometry.
std::map<uint16_t, Box> voxelCentreBoxes(const LabelMap& labels) {
  std::map<uint16_t, Box> boxes;
  const Size3& s = labels.geometry().size;
  for (int64_t k = 0; k < s[2]; ++k)
    for (int64_t j = 0; j < s[1]; ++j)
      for (int64_t i = 0; i < s[0]; ++i) {
        const uint16_t v = labels.at(i, j, k);
        if (v == 0) continue;
        const Vec3 p = labels.geometry().indexToPhysical({double(i), double(j), double(k)});
        boxes[v].add(p.data());
      }
  return boxes;
}

Box surfaceBox(const LabelSurface& s) {
  Box box;
  for (std::size_t i = 0; i < s.pointCount(); ++i) {
    const double p[3] = {s.points[i * 3], s.points[i * 3 + 1], s.points[i * 3 + 2]};
    box.add(p);
  }
  return box;
}

// Signed volume by the divergence theorem: positive when triangles wind counter-clockwise seen from
// outside, and close to the label's volume when the surface is closed.
double signedVolume(const LabelSurface& s) {
  double volume = 0;
  for (std::size_t t = 0; t < s.triangleCount(); ++t) {
    const float* a = &s.points[std::size_t(s.triangles[t * 3]) * 3];
    const float* b = &s.points[std::size_t(s.triangles[t * 3 + 1]) * 3];
    const float* c = &s.points[std::size_t(s.triangles[t * 3 + 2]) * 3];
    volume += (double(a[0]) * (double(b[1]) * c[2] - double(b[2]) * c[1]) -
               double(a[1]) * (double(b[0]) * c[2] - double(b[2]) * c[0]) +
               double(a[2]) * (double(b[0]) * c[1] - double(b[1]) * c[0])) /
              6.0;
  }
  return volume;
}

// Fraction of triangles whose face normal (from the winding) agrees with their vertex normals.
double normalAgreement(const LabelSurface& s) {
  std::size_t agree = 0;
  for (std::size_t t = 0; t < s.triangleCount(); ++t) {
    const uint32_t ids[3] = {s.triangles[t * 3], s.triangles[t * 3 + 1], s.triangles[t * 3 + 2]};
    const float* a = &s.points[ids[0] * 3];
    const float* b = &s.points[ids[1] * 3];
    const float* c = &s.points[ids[2] * 3];
    const double u[3] = {b[0] - a[0], b[1] - a[1], b[2] - a[2]};
    const double v[3] = {c[0] - a[0], c[1] - a[1], c[2] - a[2]};
    const double n[3] = {u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]};
    double dot = 0;
    for (uint32_t id : ids)
      for (int a2 = 0; a2 < 3; ++a2) dot += n[a2] * s.normals[id * 3 + a2];
    if (dot > 0) ++agree;
  }
  return s.triangleCount() ? double(agree) / double(s.triangleCount()) : 0;
}

double voxelVolume(const ImageGeometry& g) { return g.spacing[0] * g.spacing[1] * g.spacing[2]; }

// Checks every surface against its voxels: position, closure and orientation.
void checkSurfacesMatchVoxels(const LabelMap& labels, const std::vector<LabelSurface>& surfaces) {
  const auto boxes = voxelCentreBoxes(labels);
  const auto counts = labels.histogram();
  const ImageGeometry& g = labels.geometry();
  const double voxelSize = std::max({g.spacing[0], g.spacing[1], g.spacing[2]});
  for (const LabelSurface& s : surfaces) {
    QVERIFY2(boxes.count(s.value), qPrintable(QString("surface for absent label %1").arg(s.value)));
    QVERIFY(s.triangleCount() > 0);
    QCOMPARE(s.normals.size(), s.points.size());
    const Box& voxels = boxes.at(s.value);
    const Box mesh = surfaceBox(s);
    for (int a = 0; a < 3; ++a) {
      // The surface lies half a voxel outside the voxel centres, less what smoothing rounds off.
      QVERIFY2(std::abs(mesh.lo[a] - voxels.lo[a]) <= voxelSize && std::abs(mesh.hi[a] - voxels.hi[a]) <= voxelSize,
               qPrintable(QString("label %1 axis %2: surface [%3, %4] vs voxels [%5, %6]")
                              .arg(s.value)
                              .arg(a)
                              .arg(mesh.lo[a])
                              .arg(mesh.hi[a])
                              .arg(voxels.lo[a])
                              .arg(voxels.hi[a])));
    }
    const double expected = double(counts.at(s.value)) * voxelVolume(g);
    const double volume = signedVolume(s);
    QVERIFY2(volume > 0, qPrintable(QString("label %1 faces inward (volume %2)").arg(s.value).arg(volume)));
    if (counts.at(s.value) >= 1000)  // small labels lose relatively more to smoothing
      QVERIFY2(std::abs(volume - expected) < 0.15 * expected,
               qPrintable(QString("label %1: mesh volume %2 mm3, voxels %3 mm3").arg(s.value).arg(volume).arg(expected)));
    QVERIFY2(normalAgreement(s) > 0.95, qPrintable(QString("label %1: normals disagree with winding").arg(s.value)));
  }
}

std::vector<uint16_t> presentValues(const LabelMap& labels) {
  std::vector<uint16_t> values;
  for (const auto& [value, count] : labels.histogram()) values.push_back(value);
  return values;
}

// Rotation about an oblique axis, optionally mirrored.
Matrix3 obliqueDirection(bool mirrored) {
  const double a = 0.35, b = -0.25, c = 0.5;  // about z, then x, then y
  const double cz = std::cos(a), sz = std::sin(a), cx = std::cos(b), sx = std::sin(b), cy = std::cos(c),
               sy = std::sin(c);
  const double rz[9] = {cz, -sz, 0, sz, cz, 0, 0, 0, 1};
  const double rx[9] = {1, 0, 0, 0, cx, -sx, 0, sx, cx};
  const double ry[9] = {cy, 0, sy, 0, 1, 0, -sy, 0, cy};
  const auto mul = [](const double* p, const double* q) {
    std::array<double, 9> r{};
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j)
        for (int k = 0; k < 3; ++k) r[i * 3 + j] += p[i * 3 + k] * q[k * 3 + j];
    return r;
  };
  const auto rzx = mul(rz, rx);
  auto m = mul(rzx.data(), ry);
  if (mirrored)
    for (int r = 0; r < 3; ++r) m[r * 3 + 1] = -m[r * 3 + 1];
  return m;
}

int64_t fileSize(const std::string& path) { return int64_t(QFileInfo(QString::fromStdString(path)).size()); }

std::string stlHeader(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string header(80, '\0');
  in.read(&header[0], 80);
  return header;
}

uint32_t stlTriangleCount(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  in.seekg(80);
  unsigned char b[4] = {0, 0, 0, 0};
  in.read(reinterpret_cast<char*>(b), 4);
  return uint32_t(b[0]) | uint32_t(b[1]) << 8 | uint32_t(b[2]) << 16 | uint32_t(b[3]) << 24;
}

}  // namespace

class SurfacesTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() {
    sample_ = readLabelMap(samplePath());
    QVERIFY(!sample_.voxels().isNull());
  }

  void sampleSurfacesSitOnTheirVoxels() {
    std::vector<uint16_t> values = presentValues(sample_);
    QVERIFY(values.size() >= 7);
    uint16_t absent = 1;
    while (sample_.histogram().count(absent)) ++absent;
    values.push_back(absent);

    QElapsedTimer timer;
    timer.start();
    const auto surfaces = extractLabelSurfaces(sample_, values);
    const qint64 ms = timer.elapsed();
    std::size_t triangles = 0;
    for (const auto& s : surfaces) triangles += s.triangleCount();
    qInfo("sample %s: %zu label surfaces, %zu triangles in %lld ms", sample_.geometry().describe().c_str(),
          surfaces.size(), triangles, static_cast<long long>(ms));

    QCOMPARE(surfaces.size(), values.size() - 1);
    for (std::size_t i = 0; i < surfaces.size(); ++i) QCOMPARE(surfaces[i].value, values[i]);
    checkSurfacesMatchVoxels(sample_, surfaces);
  }

  void absentLabelsGiveNoSurface() {
    QVERIFY(extractLabelSurfaces(sample_, {}).empty());
    QVERIFY(extractLabelSurfaces(sample_, {0}).empty());
    uint16_t absent = 1;
    while (sample_.histogram().count(absent)) ++absent;
    QVERIFY(extractLabelSurfaces(sample_, {absent}).empty());
    LabelMap empty(sample_.geometry());
    QVERIFY(extractLabelSurfaces(empty, {1, 5}).empty());
  }

  void surfacesOfTheLabelledBoxAreThoseOfTheWholeMap() {
    // The 3D view meshes a crop of the labels (the box that holds them, one voxel wider): the same
    // surfaces in physical space as the whole grid gives.
    IndexBox box = sample_.contentExtent();
    QVERIFY(!box.empty());
    for (int a = 0; a < 3; ++a) {
      --box.lo[a];
      ++box.hi[a];
    }
    const LabelMap crop = sample_.cropped(box);
    QVERIFY(crop.geometry().voxelCount() < sample_.geometry().voxelCount());
    const std::vector<uint16_t> values = presentValues(sample_);
    const auto whole = extractLabelSurfaces(sample_, values);
    const auto cropped = extractLabelSurfaces(crop, values);
    QCOMPARE(cropped.size(), whole.size());
    for (std::size_t s = 0; s < whole.size(); ++s) {
      QCOMPARE(cropped[s].value, whole[s].value);
      QCOMPARE(cropped[s].triangles, whole[s].triangles);
      QCOMPARE(cropped[s].points.size(), whole[s].points.size());
      double worst = 0;
      for (std::size_t i = 0; i < whole[s].points.size(); ++i)
        worst = std::max(worst, double(std::abs(cropped[s].points[i] - whole[s].points[i])));
      QVERIFY2(worst < 1e-3, qPrintable(QString("label %1 moved %2 mm").arg(whole[s].value).arg(worst)));
    }
  }

  void flippedDirectionFromRealData() {
    // A real label map stored LAS: one axis mirrored relative to LPS, so triangle winding must flip.
    const std::string path = protolabel::test::dataPath("totalsegmentator-examples/ct_b_dicom/ct_b_seg_total.nii.gz");
    if (!QFileInfo::exists(QString::fromStdString(path))) QSKIP("ct_b label map not available");
    const LabelMap labels = readLabelMap(path);
    const Matrix3& d = labels.geometry().direction;
    const double det = d[0] * (d[4] * d[8] - d[5] * d[7]) - d[1] * (d[3] * d[8] - d[5] * d[6]) +
                       d[2] * (d[3] * d[7] - d[4] * d[6]);
    qInfo("ct_b labels: %s, direction determinant %g", labels.geometry().describe().c_str(), det);
    QVERIFY(det < 0);
    const auto surfaces = extractLabelSurfaces(labels, {1, 5, 6});  // spleen, liver, stomach
    QCOMPARE(surfaces.size(), std::size_t(3));
    checkSurfacesMatchVoxels(labels, surfaces);
  }

  void obliqueDirections_data() {
    QTest::addColumn<bool>("mirrored");
    QTest::newRow("rotated") << false;
    QTest::newRow("rotated and mirrored") << true;
  }

  void obliqueDirections() {
    QFETCH(bool, mirrored);
    LabelMap labels = sample_;
    const ImageGeometry& g = sample_.geometry();
    labels.voxels().setPlacement({g.spacing[0], g.spacing[1] * 0.8, g.spacing[2] * 1.3}, {-31.5, 12.25, 104.0},
                                 obliqueDirection(mirrored));
    QVERIFY(labels.geometry().hasOrthonormalDirection());
    const auto surfaces = extractLabelSurfaces(labels, {2, 3, 5});  // kidneys and liver
    QCOMPARE(surfaces.size(), std::size_t(3));
    checkSurfacesMatchVoxels(labels, surfaces);
  }

  void labelsTouchingTheBorderAreClosed() {
    // uint16 values, one label filling a corner of the grid, one strictly inside.
    ImageGeometry g;
    g.size = {20, 16, 12};
    g.spacing = {0.8, 1.0, 2.0};
    g.origin = {5, -7, 30};
    LabelMap labels(g, PixelType::UInt16);
    for (int64_t k = 0; k < 6; ++k)
      for (int64_t j = 0; j < 8; ++j)
        for (int64_t i = 0; i < 10; ++i) labels.set(i, j, k, 1000);
    for (int64_t k = 7; k < 11; ++k)
      for (int64_t j = 9; j < 14; ++j)
        for (int64_t i = 11; i < 18; ++i) labels.set(i, j, k, 7);
    SurfaceOptions noSmoothing;
    noSmoothing.smoothingIterations = 0;
    // {7} alone lies inside the grid (the labels are contoured in place); with 1000 the labels are
    // copied into a grid with a background margin.
    auto surfaces = extractLabelSurfaces(labels, {7}, noSmoothing);
    QCOMPARE(surfaces.size(), std::size_t(1));
    const auto withBorderLabel = extractLabelSurfaces(labels, {7, 1000}, noSmoothing);
    QCOMPARE(withBorderLabel.size(), std::size_t(2));
    QCOMPARE(withBorderLabel[0].triangles, surfaces[0].triangles);
    surfaces.push_back(withBorderLabel[1]);
    checkSurfacesMatchVoxels(labels, surfaces);
    // Closed: every edge is shared by exactly two triangles, also where the label meets the border.
    for (const auto& s : surfaces) {
      std::map<std::pair<uint32_t, uint32_t>, int> edgeUse;
      for (std::size_t t = 0; t < s.triangleCount(); ++t)
        for (int e = 0; e < 3; ++e) {
          const uint32_t a = s.triangles[t * 3 + e], b = s.triangles[t * 3 + (e + 1) % 3];
          ++edgeUse[{std::min(a, b), std::max(a, b)}];
        }
      for (const auto& [edge, uses] : edgeUse) QCOMPARE(uses, 2);
    }
  }

  void decimationReducesTriangles() {
    const auto full = extractLabelSurfaces(sample_, {5});
    SurfaceOptions options;
    options.decimation = 0.5;
    const auto reduced = extractLabelSurfaces(sample_, {5}, options);
    QCOMPARE(reduced.size(), std::size_t(1));
    QVERIFY(reduced[0].triangleCount() < full[0].triangleCount() * 0.7);
    checkSurfacesMatchVoxels(sample_, reduced);
  }

  void cancellationStopsExtraction() {
    int calls = 0;
    const auto surfaces = extractLabelSurfaces(sample_, presentValues(sample_), {}, [&] { return ++calls > 3; });
    QVERIFY(surfaces.size() < presentValues(sample_).size());
    QVERIFY(extractLabelSurfaces(sample_, presentValues(sample_), {}, [] { return true; }).empty());
  }

  void stlExportIsReadableInLps() {
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    const std::vector<uint16_t> values{2, 5};
    const auto paths = writeLabelMeshes(sample_, folder.path().toStdString(), "abdomen", values);
    QCOMPARE(paths.size(), values.size());
    const auto surfaces = extractLabelSurfaces(sample_, values);
    const LabelTable table = sample_.completeTable();
    for (std::size_t i = 0; i < paths.size(); ++i) {
      const LabelSurface& s = surfaces[i];
      const std::string expectedName = labelMeshFileName("abdomen", s.value, table.find(s.value)->name);
      QCOMPARE(QFileInfo(QString::fromStdString(paths[i])).fileName(), QString::fromStdString(expectedName));
      QVERIFY(stlHeader(paths[i]).rfind("SPACE=LPS", 0) == 0);
      QCOMPARE(std::size_t(stlTriangleCount(paths[i])), s.triangleCount());
      QCOMPARE(fileSize(paths[i]), int64_t(84 + 50 * s.triangleCount()));

      auto reader = vtkSmartPointer<vtkSTLReader>::New();
      reader->SetFileName(paths[i].c_str());
      reader->Update();
      QCOMPARE(std::size_t(reader->GetOutput()->GetNumberOfPolys()), s.triangleCount());
      double bounds[6];
      reader->GetOutput()->GetBounds(bounds);
      const Box box = surfaceBox(s);
      for (int a = 0; a < 3; ++a) {
        QVERIFY(std::abs(bounds[2 * a] - box.lo[a]) < 1e-3);
        QVERIFY(std::abs(bounds[2 * a + 1] - box.hi[a]) < 1e-3);
      }
    }
    // No temporary files left behind.
    QCOMPARE(QDir(folder.path()).entryList(QDir::Files | QDir::Hidden).size(), int(values.size()));
  }

  void meshFileNamesAreSanitised() {
    QCOMPARE(QString::fromStdString(labelMeshFileName("case1", 3, "kidney left / L")),
             QString("case1_3_kidney_left_L.stl"));
    QCOMPARE(QString::fromStdString(labelMeshFileName("b", 12, "../..")), QString("b_12_label.stl"));
    QCOMPARE(QString::fromStdString(labelMeshFileName("b", 5, "Label 5")), QString("b_5_Label_5.stl"));
  }

  void allPresentLabelsByDefault() {
    QTemporaryDir folder;
    const auto paths = writeLabelMeshes(sample_, folder.path().toStdString(), "all");
    QCOMPARE(paths.size(), sample_.histogram().size());
  }

  void exportErrorsAreReported() {
    QTemporaryDir folder;
    const std::string missing = folder.path().toStdString() + "/does/not/exist";
    try {
      writeLabelMeshes(sample_, missing, "x", {5});
      QFAIL("no error for a missing folder");
    } catch (const Error& e) {
      QCOMPARE(e.code(), ErrorCode::FileNotFound);
      QVERIFY(std::string(e.what()).find(missing) != std::string::npos);
    }

    const std::string file = folder.path().toStdString() + "/a-file";
    std::ofstream(file) << "x";
    QVERIFY_THROWS_EXCEPTION(Error, writeLabelMeshes(sample_, file, "x", {5}));

    // A folder nobody can create files in (holds for root too).
    QVERIFY_THROWS_EXCEPTION(Error, writeLabelMeshes(sample_, "/proc", "x", {5}));

    LabelMap empty(sample_.geometry());
    try {
      writeLabelMeshes(empty, folder.path().toStdString(), "x");
      QFAIL("no error for a label map without labels");
    } catch (const Error& e) {
      QCOMPARE(e.code(), ErrorCode::InvalidArgument);
    }
    QVERIFY_THROWS_EXCEPTION(Error, writeLabelMeshes(sample_, folder.path().toStdString(), "x", {250}));
    QCOMPARE(QDir(folder.path()).entryList(QDir::Files | QDir::Hidden).size(), 1);  // only a-file
  }

 private:
  LabelMap sample_;
};

QTEST_GUILESS_MAIN(SurfacesTest)
#include "test_surfaces.moc"
