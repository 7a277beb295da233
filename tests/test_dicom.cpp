// DICOM through ITK/GDCM on real data: transfer syntaxes, series discovery and sorting, rescale,
// gzipped files, enhanced multi-frame, and agreement with dcm2niix's conversions.
#include <QtTest>

#include <cmath>

#include "TestSupport.h"
#include "protolabel/core/Error.h"
#include "protolabel/core/io/DicomSeries.h"
#include "protolabel/core/io/ImageReader.h"
#include "protolabel/core/io/LabelIO.h"

using namespace protolabel::core;
using protolabel::test::compareInPhysicalSpace;
using protolabel::test::dataPath;
using protolabel::test::sameVoxels;

class DicomTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void everyTransferSyntaxDecodesToTheSamePixels_data() {
    QTest::addColumn<int>("file");
    // 2 implicit LE, 3 big endian, 4 RLE, 5-6 JPEG lossless, 7-8 JPEG-LS, 9 JPEG 2000.
    for (int i = 2; i <= 9; ++i) QTest::newRow(QByteArray::number(i)) << i;
  }
  void everyTransferSyntaxDecodesToTheSamePixels() {
    QFETCH(int, file);
    const Volume reference = readImage(dataPath("dicom-transfer-syntaxes/In/1.dcm")).volume;
    QCOMPARE(reference.size(), (Size3{384, 384, 1}));
    QVERIFY(reference.intensityRange().second > 1000);
    const Volume decoded =
        readImage(dataPath("dicom-transfer-syntaxes/In/" + std::to_string(file) + ".dcm")).volume;
    QVERIFY(sameVoxels(reference, decoded));
    QVERIFY(decoded.geometry().sameGrid(reference.geometry()));
  }

  void folderOfNineSyntaxesListsNineSeries() {
    // Same SeriesInstanceUID but different SeriesNumber: split, not stacked into one volume.
    const auto series = scanDicomSeries(dataPath("dicom-transfer-syntaxes/In"));
    QCOMPARE(series.size(), std::size_t(9));
    for (const auto& s : series) {
      QCOMPARE(s.sliceCount(), 1);
      QCOMPARE(s.modality, std::string("MR"));
    }
    try {
      readImage(dataPath("dicom-transfer-syntaxes/In"));
      QFAIL("a folder of several series must not load without a choice");
    } catch (const Error& e) {
      QCOMPARE(e.code(), ErrorCode::AmbiguousSeries);
      QVERIFY(QString(e.what()).contains("8:"));
    }
    ReadOptions pick;
    pick.seriesIndex = 4;
    QCOMPARE(readImage(dataPath("dicom-transfer-syntaxes/In"), pick).volume.size(), (Size3{384, 384, 1}));
    pick.seriesIndex = 9;
    QVERIFY_THROWS_EXCEPTION(Error, readImage(dataPath("dicom-transfer-syntaxes/In"), pick));
  }

  void jpeg2000SeriesWithEmptyUidMatchesDcm2niix() {
    const LoadedImage ct = readImage(dataPath("totalsegmentator-examples/ct_b_dicom/dicom"));
    QCOMPARE(ct.series.size(), std::size_t(1));
    QVERIFY(ct.series[0].seriesInstanceUid.empty());
    QCOMPARE(ct.volume.size(), (Size3{512, 512, 20}));
    QVERIFY(std::abs(ct.volume.geometry().spacing[2] - 2.0) < 1e-4);
    // WindowCenter 40\300, WindowWidth 300\1500: the first window is the viewer's first preset.
    QCOMPARE(ct.dicomWindowCenter, 40.0);
    QCOMPARE(ct.dicomWindowWidth, 300.0);

    const Volume reference = readImage(dataPath("totalsegmentator-examples/ct_b_dicom/ct_b_decoded_by_dcm2niix.nii.gz")).volume;
    QCOMPARE(reference.size(), ct.volume.size());
    const auto cmp = compareInPhysicalSpace(ct.volume, reference);
    QCOMPARE(cmp.outside, int64_t(0));
    QCOMPARE(cmp.compared, ct.volume.voxelCount());
    QCOMPARE(cmp.mismatches, int64_t(0));
    // Hounsfield units: RescaleIntercept -1024 applied.
    QCOMPARE(ct.volume.intensityRange().first, -1024.0);

    // The label map lands on the DICOM grid in physical space.
    const LabelMap seg = readLabelMap(dataPath("totalsegmentator-examples/ct_b_dicom/ct_b_seg_total.nii.gz"));
    QCOMPARE(seg.geometry().size, ct.volume.size());
    QVERIFY(seg.geometry().sameGrid(reference.geometry()));
    const auto onGrid = compareInPhysicalSpace(ct.volume, seg.voxels(), 1e9);
    QCOMPARE(onGrid.outside, int64_t(0));
    QVERIFY(seg.histogram().at(5) == 366708);  // liver
  }

  void philipsSagittalSeriesSortsAndRescales() {
    const LoadedImage mprage = readImage(dataPath("dicom-philips-classic-vs-enhanced/cl_1301_sag_t1_mprage"));
    QCOMPARE(mprage.volume.size(), (Size3{256, 256, 170}));
    QCOMPARE(mprage.series[0].files.size(), std::size_t(170));
    const ImageGeometry& g = mprage.volume.geometry();
    for (int i = 0; i < 3; ++i) QVERIFY(std::abs(g.spacing[i] - 1.0) < 1e-3);
    // Sagittal: the slice normal points mostly left-right.
    QVERIFY(std::abs(g.direction[0 * 3 + 2]) > 0.99);
    // Slices are sorted by position along the normal: consecutive origins step by exactly one spacing.
    const Vec3 p0 = g.indexToPhysical({0, 0, 0}), p1 = g.indexToPhysical({0, 0, 169});
    const double travelled = std::sqrt(std::pow(p1[0] - p0[0], 2) + std::pow(p1[1] - p0[1], 2) + std::pow(p1[2] - p0[2], 2));
    QVERIFY(std::abs(travelled - 169.0) < 0.1);
    // RescaleSlope 2.3617 makes non-integer intensities.
    QCOMPARE(mprage.volume.pixelType(), PixelType::Float32);
    const float* p = mprage.volume.data<float>();
    int64_t fractional = 0;
    for (int64_t n = 0; n < mprage.volume.voxelCount(); ++n) fractional += p[n] != std::floor(p[n]);
    QVERIFY(fractional > mprage.volume.voxelCount() / 10);
  }

  void philipsPcaslClassicAndEnhancedMatchReferences_data() {
    QTest::addColumn<QString>("dicom");
    QTest::addColumn<QString>("reference");
    QTest::newRow("classic") << "dicom-philips-classic-vs-enhanced/cl_1901_pcasl"
                             << "dicom-philips-classic-vs-enhanced/Ref/1901_WIP_3DpCASL_cl.nii.gz";
    QTest::newRow("enhanced") << "dicom-philips-classic-vs-enhanced/enh_1901_pcasl/1901_WIP_3DpCASL_real.dcm.gz"
                              << "dicom-philips-classic-vs-enhanced/Ref/1901_WIP_3DpCASL_enh_real.nii.gz";
  }
  void philipsPcaslClassicAndEnhancedMatchReferences() {
    QFETCH(QString, dicom);
    QFETCH(QString, reference);
    const Volume image = readImage(dataPath(dicom.toStdString())).volume;
    const Volume ref = readImage(dataPath(reference.toStdString())).volume;
    QCOMPARE(image.size(), (Size3{96, 96, 40}));
    const auto cmp = compareInPhysicalSpace(image, ref, 1e-2 * std::max(1.0, ref.intensityRange().second), 0.1);
    QCOMPARE(cmp.outside, int64_t(0));
    QCOMPARE(cmp.mismatches, int64_t(0));
  }

  void mrSeriesHas120SlicesAt1p5mm() {
    const auto series = scanDicomSeries(dataPath("mr-brain-dicom-series-vsseg001/dicom"));
    QCOMPARE(series.size(), std::size_t(1));
    QCOMPARE(series[0].description, std::string("t1_mpr_tra_gk_v4"));
    QCOMPARE(series[0].sliceCount(), 120);
    const LoadedImage mr = readImage(dataPath("mr-brain-dicom-series-vsseg001/dicom"));
    QCOMPARE(mr.volume.size(), (Size3{512, 512, 120}));
    QVERIFY(std::abs(mr.volume.geometry().spacing[2] - 1.5) < 1e-4);
    QVERIFY(std::abs(mr.volume.geometry().spacing[0] - 0.41015625) < 1e-6);
    // ImagePositionPatient z runs from -92.0 to +86.5: ascending along +z (superior).
    QVERIFY(std::abs(mr.volume.geometry().origin[2] + 92.0) < 1e-2);
    QCOMPARE(mr.dicomWindowCenter, 210.0);
    QCOMPARE(mr.dicomWindowWidth, 502.0);
  }

  void seriesDecodingMatchesFileByFileReads_data() {
    QTest::addColumn<QString>("folder");
    QTest::newRow("MR uint16, 12 bits stored") << "mr-brain-dicom-series-vsseg001/dicom";
    QTest::newRow("Philips float rescale, gzipped") << "dicom-philips-classic-vs-enhanced/cl_1301_sag_t1_mprage";
    QTest::newRow("CT JPEG 2000") << "totalsegmentator-examples/ct_b_dicom/dicom";
  }
  void seriesDecodingMatchesFileByFileReads() {
    // The series reader decodes files in parallel with GDCM, reading uncompressed pixels in place;
    // each slice must equal what ITK's single-file reader (GDCM's full decoder) makes of its file.
    QFETCH(QString, folder);
    const LoadedImage series = readImage(dataPath(folder.toStdString()));
    const auto& files = series.series[series.seriesIndex].files;
    const Size3 size = series.volume.size();
    QCOMPARE(int64_t(files.size()), size[2]);
    const Volume got = series.volume.convertedTo(PixelType::Float32);
    for (std::size_t z = 0; z < files.size(); z += files.size() / 6 + 1) {
      const Volume slice = readImage(files[z]).volume;
      QCOMPARE(slice.pixelType(), series.volume.pixelType());
      const Volume expected = slice.convertedTo(PixelType::Float32);
      const float* a = expected.data<float>();
      const float* b = got.data<float>() + int64_t(z) * size[0] * size[1];
      int64_t differing = 0;
      for (int64_t n = 0; n < size[0] * size[1]; ++n) differing += a[n] != b[n];
      QCOMPARE(differing, int64_t(0));
    }
  }

  void singleFilesOfEveryKindLoad() {
    // Multi-frame enhanced MR given as one gzipped file; a compressed single frame; a deflated file.
    QCOMPARE(readImage(dataPath("pydicom-test-files/MR_small_jp2klossless.dcm")).volume.size(), (Size3{64, 64, 1}));
    QVERIFY(sameVoxels(readImage(dataPath("pydicom-test-files/MR_small_RLE.dcm")).volume,
                       readImage(dataPath("pydicom-test-files/MR_small.dcm")).volume));
    QVERIFY(sameVoxels(readImage(dataPath("pydicom-test-files/MR_small_bigendian.dcm")).volume,
                       readImage(dataPath("pydicom-test-files/MR_small.dcm")).volume));
    QCOMPARE(readImage(dataPath("pydicom-test-files/CT_small.dcm")).volume.size(), (Size3{128, 128, 1}));
    // Signed 13-bit data in a JPEG 2000 stream that stores it unsigned: sign-extended from the stored bits.
    const auto mismatch = readImage(dataPath("pydicom-test-files/J2K_pixelrep_mismatch.dcm")).volume.intensityRange();
    QCOMPARE(mismatch.first, -2000.0);
    QCOMPARE(mismatch.second, 1896.0);
    // A gzipped DICOM file without the .dcm in its name is inflated transparently.
    QCOMPARE(readImage(dataPath("pydicom-test-files/zipMR.gz")).volume.size().at(0), int64_t(64));
  }
};

QTEST_GUILESS_MAIN(DicomTest)
#include "test_dicom.moc"
