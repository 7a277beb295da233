// Writing and reading back NIfTI, NRRD and MetaImage keeps voxels exactly and geometry within 1e-4,
// for real scans and for an oblique direction; plus the NIfTI-specific traps (4D, sheared
// orientation, a .nii beside a .nii.gz), and NIfTI files read and written from several threads at once
// (ITK's NIfTI header reader is not thread-safe; under the tsan preset this test finds it unguarded).
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "TestSupport.h"
#include "protolabel/core/io/ImageReader.h"
#include "protolabel/core/io/ImageWriter.h"

using namespace protolabel::core;
using protolabel::test::dataPath;
using protolabel::test::geometryDifference;
using protolabel::test::sameVoxels;
namespace fs = std::filesystem;

namespace {

Volume obliqueFloatVolume() {
  ImageGeometry g;
  g.size = {19, 13, 7};
  g.spacing = {0.83, 1.27, 3.1};
  g.origin = {-101.5, 22.75, -48.125};
  const double a = 0.41, b = 0.23;
  const double cz = std::cos(a), sz = std::sin(a), cx = std::cos(b), sx = std::sin(b);
  g.direction = {cz, -sz * cx, sz * sx, sz, cz * cx, -cz * sx, 0, sx, cx};
  Volume v(g, PixelType::Float32);
  float* p = v.data<float>();
  for (int64_t n = 0; n < v.voxelCount(); ++n) p[n] = float(std::sin(n * 0.37) * 1000.0 + n * 0.001);
  return v;
}

std::vector<char> readAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<char>(std::istreambuf_iterator<char>(in), {});
}

void writeAll(const std::string& path, const std::vector<char>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), std::streamsize(bytes.size()));
}

template <class T>
void put(std::vector<char>& bytes, std::size_t offset, T value) {
  std::memcpy(bytes.data() + offset, &value, sizeof(T));
}

}  // namespace

class ImageRoundTripTest : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;

  std::string temp(const std::string& name) { return (dir_.path() + "/" + QString::fromStdString(name)).toStdString(); }

  void checkRoundTrip(const Volume& original, const std::string& extension) {
    const std::string path = temp("roundtrip" + extension);
    writeImage(original, path);
    const LoadedImage back = readImage(path);
    QVERIFY2(sameVoxels(original, back.volume), (extension + " changed voxels").c_str());
    QCOMPARE(back.volume.size(), original.size());
    QVERIFY2(geometryDifference(original.geometry(), back.volume.geometry()) < 1e-4, extension.c_str());
    QVERIFY(back.warnings.empty());
  }

 private Q_SLOTS:
  void initTestCase() { QVERIFY(dir_.isValid()); }

  void roundTrip_data() {
    QTest::addColumn<QString>("source");
    QTest::addColumn<QString>("extension");
    for (const char* ext : {".nii", ".nii.gz", ".nrrd", ".nhdr", ".mha", ".mhd"}) {
      QTest::newRow((std::string("ct int32 ") + ext).c_str()) << "totalsegmentator-examples/ct_a/ct_a_small_3mm.nii.gz" << ext;
      QTest::newRow((std::string("mr int16 ") + ext).c_str()) << "totalsegmentator-examples/mr_c/mr_c_small_3mm.nii.gz" << ext;
      QTest::newRow((std::string("oblique float ") + ext).c_str()) << "" << ext;
    }
  }

  void roundTrip() {
    QFETCH(QString, source);
    QFETCH(QString, extension);
    const Volume original = source.isEmpty() ? obliqueFloatVolume() : readImage(dataPath(source.toStdString())).volume;
    checkRoundTrip(original, extension.toStdString());
  }

  void realScanHasExpectedGeometry() {
    const LoadedImage mr = readImage(dataPath("totalsegmentator-examples/mr_c/mr_c_small_3mm.nii.gz"));
    QCOMPARE(mr.volume.size(), (Size3{117, 91, 20}));
    QCOMPARE(mr.volume.pixelType(), PixelType::Int16);
    for (int i = 0; i < 3; ++i) QVERIFY(std::abs(mr.volume.geometry().spacing[i] - 3.0) < 1e-4);
    const LoadedImage ct = readImage(dataPath("totalsegmentator-examples/ct_a/ct_a_small_3mm.nii.gz"));
    QCOMPARE(ct.volume.size(), (Size3{122, 101, 30}));
    // NIfTI stores RAS; in LPS the first two axes flip sign.
    QCOMPARE(QString::fromStdString(ct.volume.geometry().orientationCode()), QString("RAS"));
  }

  void everyPixelTypeSurvives() {
    ImageGeometry g;
    g.size = {5, 4, 3};
    g.spacing = {0.5, 0.75, 2.0};
    for (PixelType type : {PixelType::UInt8, PixelType::Int16, PixelType::UInt16, PixelType::Int32, PixelType::Float32}) {
      Volume v(g, type);
      dispatchPixelType(type, [&](auto x) {
        using T = decltype(x);
        T* p = v.data<T>();
        for (int64_t n = 0; n < v.voxelCount(); ++n) p[n] = static_cast<T>(n * 3 + 1);
      });
      for (const char* ext : {".nii.gz", ".nrrd", ".mha"}) {
        const std::string path = temp(std::string("type_") + pixelTypeName(type) + ext);
        writeImage(v, path);
        const Volume back = readImage(path).volume;
        QCOMPARE(back.pixelType(), type);
        QVERIFY(sameVoxels(v, back));
      }
    }
  }

  void niftiFilesReadAndWrittenFromSeveralThreadsAtOnce() {
    // What the viewer does: a scan loads, an autosave writes and checks its file, the user saves.
    const std::string mr = dataPath("totalsegmentator-examples/mr_c/mr_c_small_3mm.nii.gz");
    const std::string ct = dataPath("totalsegmentator-examples/ct_a/ct_a_small_3mm.nii.gz");
    const Volume written = obliqueFloatVolume();
    Size3 sizes[2];
    bool same[2] = {false, false};
    std::vector<std::thread> threads;
    for (int i = 0; i < 2; ++i) {
      threads.emplace_back([&, i] { sizes[i] = readImage(i ? ct : mr).volume.size(); });
      threads.emplace_back([&, i] {
        const std::string path = temp("threads_" + std::to_string(i) + ".nii.gz");
        writeImage(written, path);
        same[i] = sameVoxels(written, readImage(path).volume);
      });
    }
    for (std::thread& t : threads) t.join();
    QCOMPARE(sizes[0], (Size3{117, 91, 20}));
    QCOMPARE(sizes[1], (Size3{122, 101, 30}));
    QVERIFY(same[0] && same[1]);
  }

  void writesLeaveNoTemporaryFiles() {
    writeImage(obliqueFloatVolume(), temp("clean.nhdr"));
    writeImage(obliqueFloatVolume(), temp("clean.nii.gz"));
    for (const auto& entry : fs::directory_iterator(dir_.path().toStdString()))
      QVERIFY2(entry.path().filename().string().rfind(".protolabel-tmp", 0) != 0, entry.path().c_str());
  }

  void niftiBesideUncompressedTwinReadsTheRequestedFile() {
    // niftilib would silently read scan.nii when asked for scan.nii.gz; we must not.
    const Volume a = obliqueFloatVolume();
    Volume b = a;
    b.data<float>()[0] = 12345.f;
    writeImage(a, temp("twin.nii.gz"));
    writeImage(b, temp("twin.nii"));
    QCOMPARE(readImage(temp("twin.nii.gz")).volume.valueAtLinear(0), a.valueAtLinear(0));
    QCOMPARE(readImage(temp("twin.nii")).volume.valueAtLinear(0), 12345.0);
  }

  void fourDimensionalNiftiLoadsFirstVolumeWithWarning() {
    ImageGeometry g;
    g.size = {4, 4, 4};
    Volume v(g, PixelType::Int16);
    for (int64_t n = 0; n < v.voxelCount(); ++n) v.data<int16_t>()[n] = int16_t(n);
    writeImage(v, temp("three.nii"));
    std::vector<char> bytes = readAll(temp("three.nii"));
    // NIfTI-1 header: dim[8] (int16) at offset 40. Make it 4D with 2 volumes and append the second.
    put<int16_t>(bytes, 40, 4);
    put<int16_t>(bytes, 48, 2);
    put<float>(bytes, 92, 1.0f);  // pixdim[4]
    std::vector<char> second(v.byteCount(), 0x11);
    bytes.insert(bytes.end(), second.begin(), second.end());
    writeAll(temp("four.nii"), bytes);
    const LoadedImage loaded = readImage(temp("four.nii"));
    QCOMPARE(loaded.volume.size(), g.size);
    QVERIFY(sameVoxels(v, loaded.volume));
    QCOMPARE(loaded.warnings.size(), std::size_t(1));
    QVERIFY(QString::fromStdString(loaded.warnings[0]).contains("4D"));
  }

  void shearedNiftiIsReadPermissivelyWithWarning() {
    ImageGeometry g;
    g.size = {6, 5, 4};
    g.spacing = {2, 2, 3};
    Volume v(g, PixelType::Int16);
    for (int64_t n = 0; n < v.voxelCount(); ++n) v.data<int16_t>()[n] = int16_t(n * 2);
    writeImage(v, temp("plain.nii"));
    std::vector<char> bytes = readAll(temp("plain.nii"));
    // qform_code (252) off, sform_code (254) on, with a sheared srow matrix (280, 296, 312).
    put<int16_t>(bytes, 252, 0);
    put<int16_t>(bytes, 254, 1);
    const float srow[3][4] = {{-2.f, 0.6f, 0.f, 10.f}, {0.f, -2.f, 0.f, 20.f}, {0.f, 0.f, 3.f, 30.f}};
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 4; ++c) put<float>(bytes, 280 + 16 * r + 4 * c, srow[r][c]);
    writeAll(temp("sheared.nii"), bytes);

    const LoadedImage loaded = readImage(temp("sheared.nii"));
    QVERIFY(sameVoxels(v, loaded.volume));
    QVERIFY(loaded.volume.geometry().hasOrthonormalDirection());
    QCOMPARE(loaded.warnings.size(), std::size_t(1));
    QVERIFY(QString::fromStdString(loaded.warnings[0]).contains("non-orthonormal"));
    // The translation survives: voxel 0 sits at RAS (10, 20, 30), LPS (-10, -20, 30).
    const Vec3 o = loaded.volume.geometry().origin;
    QVERIFY(std::abs(o[0] + 10) < 1e-3 && std::abs(o[1] + 20) < 1e-3 && std::abs(o[2] - 30) < 1e-3);
  }
};

QTEST_GUILESS_MAIN(ImageRoundTripTest)
#include "test_image_roundtrip.moc"
