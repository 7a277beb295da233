// Bad input never crashes: truncated and corrupt files, folders with no image, zero-sized
// dimensions, NaN voxels, unreadable files, directories where files are expected, and the broken
// files of pydicom's test set. Each gives a typed error and leaves no partial output.
#include <QTemporaryDir>
#include <QtTest>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <algorithm>

#include "TestSupport.h"
#include "protolabel/core/Error.h"
#include "protolabel/core/io/DicomSeries.h"
#include "protolabel/core/io/ImageReader.h"
#include "protolabel/core/io/ImageWriter.h"
#include "protolabel/core/io/LabelIO.h"

using namespace protolabel::core;
using protolabel::test::dataPath;
namespace fs = std::filesystem;

namespace {

constexpr int kNoError = -1;

// The code of the core::Error that `work` raises (as an int, so QCOMPARE prints it), or kNoError.
int errorOf(const std::function<void()>& work) {
  try {
    work();
  } catch (const Error& e) {
    return std::string(e.what()).empty() ? -2 : int(e.code());
  }
  return kNoError;
}

int code(ErrorCode c) { return int(c); }

std::vector<char> bytesOf(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<char>(std::istreambuf_iterator<char>(in), {});
}

void copyTruncated(const std::string& from, const std::string& to, double fraction) {
  const std::vector<char> bytes = bytesOf(from);
  std::ofstream out(to, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), std::streamsize(bytes.size() * fraction));
}

// How far this process's peak resident memory grew, in MB, while `work` ran.
template <class Work>
long peakGrowthMb(Work&& work) {
  rusage before{}, after{};
  getrusage(RUSAGE_SELF, &before);
  work();
  getrusage(RUSAGE_SELF, &after);
  return (after.ru_maxrss - before.ru_maxrss) / 1024;
}

std::string regressionInput(const std::string& name) {
  return std::string(PROTOLABEL_SOURCE_DIR) + "/tests/fuzz/regressions/" + name;
}

void writeText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

}  // namespace

class BadInputTest : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  std::string temp(const std::string& name) { return (dir_.path() + "/" + QString::fromStdString(name)).toStdString(); }

 private Q_SLOTS:
  void truncatedFilesAreReportedAsCorrupt_data() {
    QTest::addColumn<QString>("source");
    QTest::addColumn<QString>("extension");
    QTest::newRow("nii.gz") << "totalsegmentator-examples/mr_c/mr_c_small_3mm.nii.gz" << ".nii.gz";
    QTest::newRow("nii") << "" << ".nii";
    QTest::newRow("nrrd") << "" << ".nrrd";
    QTest::newRow("mha") << "" << ".mha";
    QTest::newRow("dicom") << "pydicom-test-files/CT_small.dcm" << ".dcm";
  }
  void truncatedFilesAreReportedAsCorrupt() {
    QFETCH(QString, source);
    QFETCH(QString, extension);
    std::string original = source.isEmpty() ? "" : dataPath(source.toStdString());
    if (original.empty()) {
      original = temp("whole" + extension.toStdString());
      WriteOptions uncompressed;
      uncompressed.compress = false;
      writeImage(readImage(dataPath("totalsegmentator-examples/mr_c/mr_c_small_3mm.nii.gz")).volume, original, uncompressed);
    }
    const std::string cut = temp("cut" + extension.toStdString());
    copyTruncated(original, cut, 0.6);
    QCOMPARE(errorOf([&] { readImage(cut); }), code(ErrorCode::CorruptFile));
  }

  void garbageWithAnImageExtensionIsCorrupt() {
    writeText(temp("garbage.nii.gz"), "this is not a compressed NIfTI file at all");
    writeText(temp("garbage.nrrd"), "NRRD0004\ntype: banana\n\n");
    writeText(temp("notes.txt"), "hello");
    QCOMPARE(errorOf([&] { readImage(temp("garbage.nii.gz")); }), code(ErrorCode::CorruptFile));
    QCOMPARE(errorOf([&] { readImage(temp("garbage.nrrd")); }), code(ErrorCode::CorruptFile));
    QCOMPARE(errorOf([&] { readImage(temp("notes.txt")); }), code(ErrorCode::UnsupportedFormat));
  }

  void zeroSizedDimensionIsRefused() {
    writeText(temp("empty.nhdr"),
              "NRRD0004\ntype: short\ndimension: 3\nsizes: 4 0 3\nencoding: raw\nendian: little\ndata file: empty.raw\n\n");
    writeText(temp("empty.raw"), "");
    const int error = errorOf([&] { readImage(temp("empty.nhdr")); });
    QVERIFY2(error == code(ErrorCode::EmptyDimension) || error == code(ErrorCode::CorruptFile), QByteArray::number(error));
    // MetaImage accepts the header, so our own check has to catch it.
    writeText(temp("empty.mha"), "ObjectType = Image\nNDims = 3\nDimSize = 4 0 3\nElementType = MET_SHORT\n"
                                 "ElementDataFile = LOCAL\n");
    QCOMPARE(errorOf([&] { readImage(temp("empty.mha")); }), code(ErrorCode::EmptyDimension));
  }

  void aMetaImageKeyLongerThanMetaIOsBufferIsRefused() {
    // Found by fuzz_mha: MetaIO copies a key into a 255-byte buffer unchecked and the process aborts.
    writeText(temp("longkey.mha"), "ObjectType = Image\nNDims = 3\nOffs" + std::string(400, 'x') +
                                       " = 1\nDimSize = 4 4 3\nElementType = MET_SHORT\nElementDataFile = LOCAL\n");
    QCOMPARE(errorOf([&] { readImage(temp("longkey.mha")); }), code(ErrorCode::CorruptFile));
    writeText(temp("nokey.mha"), "ObjectType = Image\nNDims = 3\nthis line has no equals sign\n");
    QCOMPARE(errorOf([&] { readImage(temp("nokey.mha")); }), code(ErrorCode::CorruptFile));
    // Found by fuzz_mha: MetaIO reads NDims numbers for each field after it, so this one never ends.
    writeText(temp("hugendims.mha"), "ObjectType = Image\nNDims = 88888888888888888883\nElementSpacing = 1 1 1\n"
                                     "DimSize = 4 4 3\nElementType = MET_SHORT\nElementDataFile = LOCAL\n");
    QCOMPARE(errorOf([&] { readImage(temp("hugendims.mha")); }), code(ErrorCode::CorruptFile));
    writeText(temp("zerondims.mha"), "ObjectType = Image\nNDims = 0\nDimSize = 4 4 3\nElementType = MET_SHORT\n"
                                     "ElementDataFile = LOCAL\n");
    QCOMPARE(errorOf([&] { readImage(temp("zerondims.mha")); }), code(ErrorCode::CorruptFile));
  }

  void hugeDimensionsAreRefusedBeforeAllocating() {
    // A header announcing 60000^3 float voxels (about 800 TB) must not be allocated.
    writeText(temp("huge.nhdr"),
              "NRRD0004\ntype: float\ndimension: 3\nsizes: 60000 60000 60000\nencoding: raw\nendian: little\n"
              "data file: huge.raw\n\n");
    writeText(temp("huge.raw"), "tiny");
    QCOMPARE(errorOf([&] { readImage(temp("huge.nhdr")); }), code(ErrorCode::TooLarge));
  }

  void nanVoxelsAreRefusedUnlessReplacementIsAsked() {
    ImageGeometry g;
    g.size = {8, 8, 4};
    Volume v(g, PixelType::Float32);
    for (int64_t n = 0; n < v.voxelCount(); ++n) v.data<float>()[n] = float(n);
    v.data<float>()[17] = NAN;
    v.data<float>()[18] = -INFINITY;
    writeImage(v, temp("nan.nrrd"));
    QCOMPARE(errorOf([&] { readImage(temp("nan.nrrd")); }), code(ErrorCode::NonFiniteVoxels));
    ReadOptions replace;
    replace.replaceNonFinite = true;
    const LoadedImage loaded = readImage(temp("nan.nrrd"), replace);
    QCOMPARE(loaded.volume.countNonFinite(), int64_t(0));
    QCOMPARE(loaded.volume.valueAtLinear(17), 0.0);  // the lowest finite value
    QCOMPARE(loaded.warnings.size(), std::size_t(1));
  }

  // Damaged headers of every reader: each a typed error, never a crash, garbage or silent zeros.
  void damagedHeadersAreRefused_data() {
    QTest::addColumn<QString>("damage");
    QTest::addColumn<int>("expected");
    for (const char* d : {"nifti-nan-sform", "nifti-inf-qform", "nifti-bitpix", "nifti-offset-inside", "nifti-negative-offset",
                          "nifti-nan-spacing", "mha-few-bytes-short", "mha-garbage-compressed", "mha-truncated-compressed",
                          "nrrd-few-bytes-short"})
      QTest::newRow(d) << d << code(ErrorCode::CorruptFile);
    QTest::newRow("nifti-zero-dim") << "nifti-zero-dim" << code(ErrorCode::EmptyDimension);
    QTest::newRow("nifti-nan-voxels") << "nifti-nan-voxels" << code(ErrorCode::NonFiniteVoxels);
    QTest::newRow("mhd-missing-data") << "mhd-missing-data" << code(ErrorCode::FileNotFound);
    QTest::newRow("mhd-list-missing-file") << "mhd-list-missing-file" << code(ErrorCode::FileNotFound);
  }
  void damagedHeadersAreRefused() {
    QFETCH(QString, damage);
    QFETCH(int, expected);
    const Volume mr = readImage(dataPath("totalsegmentator-examples/mr_c/mr_c_small_3mm.nii.gz")).volume;
    WriteOptions raw;
    raw.compress = false;
    auto save = [](const std::string& path, const std::vector<char>& bytes, std::size_t keep) {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out.write(bytes.data(), std::streamsize(std::min(keep, bytes.size())));
    };
    auto put = [](std::vector<char>& bytes, std::size_t offset, auto value) { std::memcpy(bytes.data() + offset, &value, sizeof value); };
    const std::string name = damage.toStdString();
    std::string target;
    if (name.rfind("nifti", 0) == 0) {
      // NIfTI-1 header offsets: dim 40, datatype 70, bitpix 72, pixdim 76, vox_offset 108,
      // qform_code 252, sform_code 254, quatern_b 256, srow_x 280.
      target = temp(name + ".nii");
      if (name == "nifti-nan-voxels") {
        Volume f = mr.convertedTo(PixelType::Float32);
        f.data<float>()[100] = NAN;
        writeImage(f, target, raw);
      } else {
        writeImage(mr, target, raw);
        std::vector<char> b = bytesOf(target);
        if (name == "nifti-nan-sform") put(b, 254, int16_t(1)), put(b, 280, float(NAN));
        if (name == "nifti-inf-qform") put(b, 252, int16_t(1)), put(b, 256, float(INFINITY));
        if (name == "nifti-bitpix") put(b, 72, int16_t(8));
        if (name == "nifti-offset-inside") put(b, 108, float(100));
        if (name == "nifti-negative-offset") put(b, 108, float(-352));
        if (name == "nifti-nan-spacing") put(b, 80, float(NAN));
        if (name == "nifti-zero-dim") put(b, 46, int16_t(0));
        save(target, b, b.size());
      }
    } else if (name.rfind("mha", 0) == 0) {
      target = temp(name + ".mha");
      writeImage(mr, target, name == "mha-few-bytes-short" ? raw : WriteOptions{});
      std::vector<char> b = bytesOf(target);
      if (name == "mha-few-bytes-short") save(target, b, b.size() - 7);
      if (name == "mha-truncated-compressed") save(target, b, b.size() - b.size() / 3);
      if (name == "mha-garbage-compressed") {
        for (std::size_t i = b.size() - 2000; i < b.size() - 1000; ++i) b[i] = char(i * 37);
        save(target, b, b.size());
      }
    } else if (name == "mhd-missing-data") {
      target = temp("missing.mhd");
      writeImage(mr, target, raw);
      fs::remove(temp("missing.raw"));
      fs::remove(temp("missing.zraw"));
    } else if (name == "mhd-list-missing-file") {
      target = temp("list.mhd");
      std::string header = "ObjectType = Image\nNDims = 3\nDimSize = 4 4 3\nElementType = MET_SHORT\n"
                           "ElementDataFile = LIST\nslice0.raw\nslice1.raw\nslice2.raw\n";
      writeText(target, header);
      writeText(temp("slice0.raw"), std::string(32, '\1'));
      writeText(temp("slice1.raw"), std::string(32, '\1'));
    } else if (name == "nrrd-few-bytes-short") {
      target = temp("short.nrrd");
      writeImage(mr, target, raw);
      std::vector<char> b = bytesOf(target);
      save(target, b, b.size() - 5);
    }
    const int error = errorOf([&] { readImage(target); });
    QCOMPARE(error, expected);
  }

  void anAnalyzeHeaderAnnouncingGigabytesIsRefusedBeforeAllocating() {
    // Found by fuzz_nii: a NIfTI header without the n+1 magic (so ANALYZE 7.5 to niftilib) announcing
    // 3 x 28684 x 30825 int16 voxels in a 1 KB file. ITK allocated the 1.7 GB before reading.
    WriteOptions raw;
    raw.compress = false;
    const std::string target = temp("analyze-magic.nii");
    writeImage(readImage(dataPath("totalsegmentator-examples/mr_c/mr_c_small_3mm.nii.gz")).volume, target, raw);
    std::vector<char> b = bytesOf(target);
    const int16_t dims[] = {3, 28684, 30825, 1};
    std::memcpy(b.data() + 40, dims, sizeof dims);
    std::memset(b.data() + 344, 0, 4);  // the magic
    b.resize(1026);
    std::ofstream(target, std::ios::binary | std::ios::trunc).write(b.data(), std::streamsize(b.size()));
    int error = kNoError;
    const long grownMb = peakGrowthMb([&] { error = errorOf([&] { readImage(target); }); });
    QCOMPARE(error, code(ErrorCode::CorruptFile));
    QVERIFY2(grownMb < 200, qPrintable(QString("resident memory grew by %1 MB").arg(grownMb)));

    // A .hdr whose .img is missing: named, not allocated.
    const std::string pair = temp("pair.hdr");
    writeText(pair, std::string(b.data(), 348));
    QCOMPARE(errorOf([&] { readImage(pair); }), code(ErrorCode::FileNotFound));
  }

  void aDicomHeaderClaimingHugeImagesIsRefused() {
    // CT_small.dcm (128 x 128) with Rows and Columns patched to 40000: refused before 3 GB are allocated.
    std::vector<char> b = bytesOf(dataPath("pydicom-test-files/CT_small.dcm"));
    for (const char* tag : {"\x28\x00\x10\x00US", "\x28\x00\x11\x00US"}) {
      const auto at = std::search(b.begin(), b.end(), tag, tag + 6);
      QVERIFY(at != b.end());
      const uint16_t huge = 40000;
      std::memcpy(&*(at + 8), &huge, 2);
    }
    const std::string path = temp("huge.dcm");
    std::ofstream(path, std::ios::binary).write(b.data(), std::streamsize(b.size()));
    QCOMPARE(errorOf([&] { readImage(path); }), code(ErrorCode::CorruptFile));
  }

  void monochrome1FramesKeepTheirStoredValuesAndSignedTwelveBitsNeverAbort() {
    // Found by fuzz_dcm_inprocess: GDCM, inverting MONOCHROME1 for ITK, asserts that signed 16-bit
    // data does not store 12 bits; that assertion ended the program (SIGABRT). And that inversion
    // made one file read alone differ from the same file read in its series (decoded without it).
    // Single frames are now decoded as a series' files are: CT_small.dcm (signed, 16 bits allocated)
    // relabelled MONOCHROME1 has the original's values, with 12 bits stored too.
    const std::vector<char> original = bytesOf(dataPath("pydicom-test-files/CT_small.dcm"));
    auto patched = [&](bool twelveBits) {
      std::vector<char> b = original;
      const std::string mono2 = "MONOCHROME2";
      const auto pi = std::search(b.begin(), b.end(), mono2.begin(), mono2.end());
      if (pi == b.end()) return std::vector<char>{};
      *(pi + 10) = '1';
      for (const auto& [tag, value] : {std::pair{"\x28\x00\x01\x01US", uint16_t(12)}, std::pair{"\x28\x00\x02\x01US", uint16_t(11)}}) {
        const auto at = std::search(b.begin(), b.end(), tag, tag + 6);
        if (at == b.end()) return std::vector<char>{};
        if (twelveBits) std::memcpy(&*(at + 8), &value, 2);
      }
      return b;
    };
    const std::string twelve = temp("mono1-12bit.dcm"), sixteen = temp("mono1-16bit.dcm");
    for (const auto& [path, bits] : {std::pair{twelve, true}, std::pair{sixteen, false}}) {
      const std::vector<char> b = patched(bits);
      QVERIFY(!b.empty());
      std::ofstream(path, std::ios::binary).write(b.data(), std::streamsize(b.size()));
    }
    QCOMPARE(errorOf([&] { readImage(twelve); }), kNoError);
    const LoadedImage asStored = readImage(dataPath("pydicom-test-files/CT_small.dcm"));
    const LoadedImage relabelled = readImage(sixteen);
    QVERIFY(protolabel::test::sameVoxels(relabelled.volume, asStored.volume));
    QVERIFY(relabelled.volume.geometry().sameGrid(asStored.volume.geometry()));
    QVERIFY(std::any_of(relabelled.warnings.begin(), relabelled.warnings.end(),
                        [](const std::string& w) { return w.find("MONOCHROME1") != std::string::npos; }));
  }

  void aDicomFileWhoseParseTakesFarMoreThanItHoldsIsRefusedByTheHelper() {
    // Found by fuzz_dcm_inprocess: 2 KB in which GDCM reads an element declaring 909 MB. GDCM
    // catches failed allocations and carries on, so the helper's scan succeeded and this process then
    // allocated the 909 MB itself to read the voxels (1.1 GB resident, 4.6 s, before an error).
    const std::string path = regressionInput("dicom-element-declaring-900mb.dcm");
    QVERIFY(fs::exists(path));
    int error = kNoError;
    const long grownMb = peakGrowthMb([&] { error = errorOf([&] { readImage(path); }); });
    QCOMPARE(error, code(ErrorCode::CorruptFile));
    QVERIFY2(grownMb < 200, qPrintable(QString("resident memory grew by %1 MB").arg(grownMb)));
  }

  void jpeg2000DataWhoseLengthsPassItsEndIsRefusedBeforeGdcmDecodesIt() {
    // Found by fuzz_dcm_inprocess: GDCM's JPEG 2000 codec walked this file's boxes past the end of
    // its fragment (a SEGV in JPEG2000Codec::GetHeaderInfo, which the program runs in its own
    // process to read the voxels). Refused now by name, before any codec runs; valid JPEG 2000 loads.
    const std::string path = regressionInput("dicom-jpeg2000-box-past-end.dcm");
    QVERIFY(fs::exists(path));
    try {
      readImage(path);
      QFAIL("the damaged JPEG 2000 file was read");
    } catch (const Error& e) {
      QCOMPARE(int(e.code()), code(ErrorCode::CorruptFile));
      QVERIFY2(std::string(e.what()).find("JPEG 2000") != std::string::npos, e.what());
    }
    for (const char* valid : {"MR_small_jp2klossless.dcm", "693_J2KI.dcm", "GDCMJ2K_TextGBR.dcm"})
      QCOMPARE(errorOf([&] { readImage(dataPath(std::string("pydicom-test-files/") + valid)); }), kNoError);
  }

  void aDicomElementDeclaringMoreThanTheFileIsRefusedBeforeAllocating() {
    // CT_small.dcm with its pixel data declaring 1.3 GB and the file cut 2 KB into it. GDCM allocated
    // and zeroed the declared length before noticing (1.5 GB resident, 13 s); now it is refused first.
    std::vector<char> b = bytesOf(dataPath("pydicom-test-files/CT_small.dcm"));
    const char tag[] = "\xe0\x7f\x10\x00OW";
    const auto at = std::search(b.begin(), b.end(), tag, tag + 6);
    QVERIFY(at != b.end());
    const uint32_t declared = 0x50000000;
    std::memcpy(&*(at + 8), &declared, 4);
    b.resize(std::size_t(at - b.begin()) + 12 + 2048);
    const std::string path = temp("declares-too-much.dcm");
    std::ofstream(path, std::ios::binary).write(b.data(), std::streamsize(b.size()));
    int error = kNoError;
    const long grownMb = peakGrowthMb([&] { error = errorOf([&] { readImage(path); }); });
    QCOMPARE(error, code(ErrorCode::CorruptFile));
    QVERIFY2(grownMb < 200, qPrintable(QString("resident memory grew by %1 MB").arg(grownMb)));
  }

  void dicomFilesDeclaringGigabytesAreRefusedWithinABoundedHelper_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("brokenVr");
    // 13 bytes without a Part 10 preamble whose one element declares 4 GB (found by fuzz_nii).
    QTest::newRow("13 bytes, no extension") << "bomb" << false;
    QTest::newRow("13 bytes, .dcm") << "bomb.dcm" << false;
    QTest::newRow("13 bytes, .nii") << "bomb.nii" << false;
    // CT_small.dcm whose pixel data is replaced by an element with a broken VR: GDCM rereads it as
    // implicit, with a 3.9 GB length (the shape fuzz_dcm found in a damaged JPEG file).
    QTest::newRow("broken VR, .dcm") << "broken-vr.dcm" << true;
    QTest::newRow("broken VR, no extension") << "broken-vr" << true;
  }

  void dicomFilesDeclaringGigabytesAreRefusedWithinABoundedHelper() {
    // Each took GDCM 4.3 GB and 10 to 20 s before being refused (the .nii one in this process, by
    // ITK's reader factory); now GDCM runs only in the helper, whose address space is bounded.
    QFETCH(QString, name);
    QFETCH(bool, brokenVr);
    std::vector<char> b;
    if (brokenVr) {
      b = bytesOf(dataPath("pydicom-test-files/CT_small.dcm"));
      const char tag[] = "\xe0\x7f\x10\x00OW";
      const auto at = std::search(b.begin(), b.end(), tag, tag + 6);
      QVERIFY(at != b.end());
      b.resize(std::size_t(at - b.begin()));
      for (unsigned char c : {0xe1, 0x7f, 0x14, 0x51, 0x45, 0x14, 0x9d, 0xe9}) b.push_back(char(c));
      b.resize(b.size() + 64, '\0');
    } else {
      for (unsigned char c : {0x02, 0x00, 0xff, 0xff, 0xff, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0xff, 0x25})
        b.push_back(char(c));
    }
    const std::string path = temp(name.toStdString());
    std::ofstream(path, std::ios::binary).write(b.data(), std::streamsize(b.size()));
    rusage before{}, after{}, helpers{};
    getrusage(RUSAGE_SELF, &before);
    const int error = errorOf([&] { readImage(path); });
    QVERIFY2(error == code(ErrorCode::CorruptFile) || error == code(ErrorCode::UnsupportedFormat),
             qPrintable(QString("error %1").arg(error)));
    getrusage(RUSAGE_SELF, &after);
    getrusage(RUSAGE_CHILDREN, &helpers);
    const long grownMb = (after.ru_maxrss - before.ru_maxrss) / 1024, helperMb = helpers.ru_maxrss / 1024;
    QVERIFY2(grownMb < 200, qPrintable(QString("resident memory grew by %1 MB").arg(grownMb)));
    QVERIFY2(helperMb < 1500, qPrintable(QString("a helper reached %1 MB resident").arg(helperMb)));
  }

  void aDicomdirThatAbortsGdcmIsAnErrorNotACrash() {
    // GDCM asserts on this file as soon as it looks at it; that happens in the helper process only.
    const std::string dicomdir = dataPath("pydicom-test-files/dicomdirtests/DICOMDIR-nooffset");
    QCOMPARE(errorOf([&] { readImage(dicomdir); }), code(ErrorCode::CorruptFile));
    QVERIFY(isDicomPath(dicomdir));
  }

  void foldersWithoutImagesAndMissingPaths() {
    fs::create_directories(temp("empty_folder"));
    QCOMPARE(errorOf([&] { readImage(temp("empty_folder")); }), code(ErrorCode::NoImageFound));
    fs::create_directories(temp("text_folder/sub"));
    writeText(temp("text_folder/sub/readme.md"), "# not DICOM");
    QCOMPARE(errorOf([&] { readImage(temp("text_folder")); }), code(ErrorCode::NoImageFound));
    QCOMPARE(errorOf([&] { readImage(temp("does_not_exist.nii")); }), code(ErrorCode::FileNotFound));
    // A DICOM folder with only non-image objects (RT plan, structured report) holds no image either.
    fs::create_directories(temp("non_images"));
    for (const char* f : {"rtplan.dcm", "test-SR.dcm", "rtstruct.dcm"})
      fs::copy_file(dataPath(std::string("pydicom-test-files/") + f), temp(std::string("non_images/") + f));
    QCOMPARE(errorOf([&] { readImage(temp("non_images")); }), code(ErrorCode::NoImageFound));
  }

  void directoriesWhereFilesAreExpected() {
    const Volume v = readImage(dataPath("pydicom-test-files/CT_small.dcm")).volume;
    fs::create_directories(temp("target.nii.gz"));
    QCOMPARE(errorOf([&] { writeImage(v, temp("target.nii.gz")); }), code(ErrorCode::IsDirectory));
    QCOMPARE(errorOf([&] { writeImage(v, temp("missing_folder/out.nii.gz")); }), code(ErrorCode::FileNotFound));
    QCOMPARE(errorOf([&] { readLabelMap(temp("target.nii.gz")); }), code(ErrorCode::NoImageFound));
    QVERIFY(!fs::exists(temp("missing_folder")));
  }

  void unreadableFileIsPermissionDenied() {
    const std::string path = temp("secret.nii.gz");
    fs::copy_file(dataPath("totalsegmentator-examples/mr_c/mr_c_small_3mm.nii.gz"), path);
    fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);  // 0600
    if (::geteuid() != 0) {
      fs::permissions(path, fs::perms::none);
      QCOMPARE(errorOf([&] { readImage(path); }), code(ErrorCode::PermissionDenied));
      return;
    }
    // Root reads everything: check as an unprivileged user in a child process.
    fs::permissions(dir_.path().toStdString(), fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
    const pid_t child = ::fork();
    if (child == 0) {
      if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(3);
      try {
        readImage(path);
      } catch (const Error& e) {
        ::_exit(e.code() == ErrorCode::PermissionDenied ? 0 : 1);
      } catch (...) {
        ::_exit(2);
      }
      ::_exit(4);
    }
    int status = 0;
    QCOMPARE(::waitpid(child, &status, 0), child);
    QVERIFY(WIFEXITED(status));
    QCOMPARE(WEXITSTATUS(status), 0);
  }

  void brokenPydicomFilesGiveErrors_data() {
    QTest::addColumn<QString>("file");
    for (const char* f : {"MR_truncated.dcm", "rtplan_truncated.dcm", "no_meta.dcm", "meta_missing_tsyntax.dcm",
                          "ExplVR_BigEndNoMeta.dcm", "ExplVR_LitEndNoMeta.dcm", "rtplan.dcm", "rtstruct.dcm",
                          "test-SR.dcm", "waveform_ecg.dcm", "reportsi.dcm",
                          // These two abort Debian's GDCM (an assertion); we must report them instead.
                          "rtdose_1frame.dcm", "rtdose_expb_1frame.dcm"})
      QTest::newRow(f) << f;
  }
  void brokenPydicomFilesGiveErrors() {
    QFETCH(QString, file);
    const int error = errorOf([&] { readImage(dataPath("pydicom-test-files/" + file.toStdString())); });
    QVERIFY2(error == code(ErrorCode::CorruptFile) || error == code(ErrorCode::UnsupportedFormat) ||
                 error == code(ErrorCode::NoImageFound),
             QByteArray::number(error));
  }

  void everyPydicomFileLoadsOrFailsCleanly() {
    // Whatever GDCM makes of each file, the outcome is an image with voxels or a typed error.
    int loaded = 0, refused = 0;
    for (const auto& entry : fs::directory_iterator(dataPath("pydicom-test-files"))) {
      if (!entry.is_regular_file()) continue;
      try {
        const LoadedImage image = readImage(entry.path().string());
        QVERIFY(image.volume.voxelCount() > 0);
        ++loaded;
      } catch (const Error& e) {
        QVERIFY(std::string(e.what()).size() > 10);
        ++refused;
      }
    }
    QVERIFY(loaded >= 30);
    QVERIFY(refused >= 10);
  }

  void folderWithFilesThatAbortGdcmStillScans() {
    // dicomdirtests holds DICOMDIR files and images, some of which abort GDCM's parser. The scan
    // leaves those out, lists the readable series and reports what it skipped.
    const auto series = scanDicomSeries(dataPath("pydicom-test-files/dicomdirtests"));
    QVERIFY(!series.empty());
    QVERIFY(!series.front().skippedFiles.empty());
    ReadOptions first;
    first.seriesIndex = 0;
    const LoadedImage image = readImage(dataPath("pydicom-test-files/dicomdirtests"), first);
    QVERIFY(image.volume.voxelCount() > 0);
    QVERIFY(!image.warnings.empty());
  }

  void failedConversionLeavesNoOutput() {
    const std::string out = temp("never.nii.gz");
    QVERIFY_THROWS_EXCEPTION(Error, writeImage(readImage(dataPath("pydicom-test-files/MR_truncated.dcm")).volume, out));
    QVERIFY(!fs::exists(out));
    for (const auto& entry : fs::directory_iterator(dir_.path().toStdString()))
      QVERIFY2(entry.path().filename().string().find("protolabel-tmp") == std::string::npos, entry.path().c_str());
  }
};

QTEST_GUILESS_MAIN(BadInputTest)
#include "test_bad_input.moc"
