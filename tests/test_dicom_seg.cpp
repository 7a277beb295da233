// DICOM Segmentation export and import on a real CT series (TotalSegmentator's JPEG 2000 example with
// its label map): `protolabel convert` writes the SEG, DCMTK's dcmdump and pydicom read it
// independently, and reading it back gives the label map voxel for voxel with names and colours.
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <chrono>
#include <cstring>
#include <set>

#include "TestSupport.h"
#include "protolabel/core/Error.h"
#include "protolabel/core/GridAlignment.h"
#include "protolabel/core/io/DicomSeg.h"
#include "protolabel/core/io/ImageReader.h"
#include "protolabel/core/io/LabelExport.h"
#include "protolabel/core/io/LabelIO.h"

using namespace protolabel::core;
using protolabel::test::dataPath;

namespace {

struct Run {
  int exitCode;
  QByteArray out;
  QByteArray err;
};

Run run(const QString& program, const QStringList& args) {
  QProcess p;
  p.start(program, args);
  if (!p.waitForFinished(300000)) return {-1, {}, "timed out"};
  return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2, p.readAllStandardOutput(),
          p.readAllStandardError()};
}

Run runProtolabel(const QStringList& args) { return run(QString::fromStdString(protolabel::test::executablePath()), args); }

QString data(const std::string& rel) { return QString::fromStdString(dataPath(rel)); }

const std::string kDicom = "totalsegmentator-examples/ct_b_dicom/dicom";
const std::string kLabels = "totalsegmentator-examples/ct_b_dicom/ct_b_seg_total.nii.gz";
const char* kSourceFrameOfReference = "1.3.12.2.1107.5.1.4.60064.30000022120807274275100000041";

// Reads the SEG with pydicom (Debian's, without numpy): header fields, and per segment the number of
// set pixels counted straight from the bit-packed Pixel Data.
const char* kPydicomScript = R"PY(
import json, sys
import pydicom
ds = pydicom.dcmread(sys.argv[1])
rows, cols, frames = int(ds.Rows), int(ds.Columns), int(ds.NumberOfFrames)
bits = rows * cols
data = ds.PixelData
counts = {}
refs = set()
zs = []
for i, fg in enumerate(ds.PerFrameFunctionalGroupsSequence):
    n = int(fg.SegmentIdentificationSequence[0].ReferencedSegmentNumber)
    start = i * bits
    assert start % 8 == 0
    chunk = data[start // 8:(start + bits) // 8]
    counts[n] = counts.get(n, 0) + int.from_bytes(chunk, 'little').bit_count()
    for d in fg.DerivationImageSequence:
        for s in d.SourceImageSequence:
            refs.add(str(s.ReferencedSOPInstanceUID))
    zs.append(float(fg.PlanePositionSequence[0].ImagePositionPatient[2]))
# The centroid of one segment (argv[2], its label value) in frame pixels (column, row) and patient z,
# with DICOM's bit order: pixel p is bit p % 8 (least significant first) of byte p // 8.
wanted = [int(s.SegmentNumber) for s in ds.SegmentSequence
          if str(s.get("SegmentDescription", "")) == "label value " + sys.argv[2]][0]
sum_c = sum_r = sum_z = 0.0
n_set = 0
for i, fg in enumerate(ds.PerFrameFunctionalGroupsSequence):
    if int(fg.SegmentIdentificationSequence[0].ReferencedSegmentNumber) != wanted:
        continue
    z = float(fg.PlanePositionSequence[0].ImagePositionPatient[2])
    base = i * bits // 8
    for b in range(bits // 8):
        byte = data[base + b]
        if not byte:
            continue
        for bit in range(8):
            if byte >> bit & 1:
                p = b * 8 + bit
                sum_r += p // cols
                sum_c += p % cols
                sum_z += z
                n_set += 1
centroid = [sum_c / n_set, sum_r / n_set, sum_z / n_set]
segments = [{"number": int(s.SegmentNumber), "label": str(s.SegmentLabel),
             "description": str(s.get("SegmentDescription", "")),
             "lab": [int(v) for v in s.RecommendedDisplayCIELabValue],
             "type": str(s.SegmentedPropertyTypeCodeSequence[0].CodeValue),
             "algorithm": str(s.SegmentAlgorithmType)} for s in ds.SegmentSequence]
print(json.dumps({
    "sop_class": str(ds.SOPClassUID), "modality": str(ds.Modality),
    "segmentation_type": str(ds.SegmentationType),
    "frames": frames, "per_frame_items": len(ds.PerFrameFunctionalGroupsSequence),
    "pixel_bytes": len(data), "rows": rows, "columns": cols,
    "segments": segments, "counts": {str(k): v for k, v in counts.items()},
    "frame_of_reference": str(ds.FrameOfReferenceUID),
    "referenced_instances": len(ds.ReferencedSeriesSequence[0].ReferencedInstanceSequence),
    "source_refs": sorted(refs), "z": zs, "centroid": centroid,
}))
)PY";

QByteArray fileHash(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return {};
  return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}

}  // namespace

class DicomSegTest : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  LabelMap original_;       // the label map as stored (LAS), with TotalSegmentator's names
  LabelMap onSeries_;       // the same labels on the DICOM series' grid (LPS)
  ImageGeometry seriesGrid_;
  std::vector<std::string> sourceUids_;  // the series' SOP Instance UIDs (file meta header)
  QString named_, seg_;

  QString path(const QString& name) const { return dir_.filePath(name); }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    if (!QFileInfo::exists(data(kLabels))) QSKIP("the TotalSegmentator DICOM example is not available");
    original_ = readLabelMap(dataPath(kLabels));
    // Names from the task's label list; a few distinctive colours on top of the default palette.
    QFile json(data("totalsegmentator-examples/labels_total_ct.json"));
    QVERIFY(json.open(QIODevice::ReadOnly));
    const QJsonObject names = QJsonDocument::fromJson(json.readAll()).object();
    for (const auto& [value, count] : original_.histogram()) {
      LabelEntry e = *original_.table().find(value);
      e.name = names.value(QString::number(value)).toString().toStdString();
      QVERIFY2(!e.name.empty(), qPrintable(QString::number(value)));
      original_.table().set(e);
    }
    LabelEntry liver = *original_.table().find(5);
    liver.color = {221, 130, 101};
    original_.table().set(liver);
    LabelEntry spleen = *original_.table().find(1);
    spleen.color = {157, 108, 162};
    original_.table().set(spleen);
    named_ = path("ct_b_named.nii.gz");
    writeLabelMap(original_, original_.geometry(), named_.toStdString());

    // The series as ProtoLabel reads it is LPS; the NIfTI is LAS on the same voxels.
    const LoadedImage ct = readImage(dataPath(kDicom));
    seriesGrid_ = ct.volume.geometry();
    QVERIFY(!original_.geometry().sameGrid(seriesGrid_));
    QVERIFY(sameLattice(original_.geometry(), seriesGrid_));
    onSeries_ = alignLabelsToGrid(original_, seriesGrid_);
    QCOMPARE(onSeries_.histogram(), original_.histogram());
    // Checked independently: every voxel holds the original's label at the same physical point.
    const auto cmp = protolabel::test::compareInPhysicalSpace(onSeries_.voxels(), original_.voxels());
    QCOMPARE(cmp.outside, int64_t(0));
    QCOMPARE(cmp.compared, onSeries_.voxels().voxelCount());
    QCOMPARE(cmp.mismatches, int64_t(0));
    for (const std::string& file : ct.series[0].files) {
      const Run dump = run("/usr/bin/dcmdump", {"+P", "0002,0003", QString::fromStdString(file)});
      QCOMPARE(dump.exitCode, 0);
      const auto m = QRegularExpression(R"(UI \[([0-9.]+)\])").match(dump.out);
      QVERIFY(m.hasMatch());
      sourceUids_.push_back(m.captured(1).toStdString());
    }

    seg_ = path("ct_b.seg.dcm");
    const auto start = std::chrono::steady_clock::now();
    const Run r = runProtolabel({"convert", named_, seg_, "--reference-dicom", data(kDicom)});
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    qInfo("convert to SEG: %.2f s, %s", seconds, r.out.trimmed().constData());
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY(QFileInfo::exists(seg_));
    // The source is anonymised: no Study or Series Instance UID; the SEG says what it did about it.
    QVERIFY(r.err.contains("no Study Instance UID"));
    QVERIFY(r.err.contains("carried onto the series' grid"));
  }

  // The frames the SEG must hold: each label on each slice that holds it, plus the first and last
  // slice (for the first segment) so that the SEG spans the series.
  int expectedFrames() const {
    int frames = 0;
    bool first = true;
    for (const auto& [value, count] : onSeries_.histogram()) {
      std::vector<int64_t> slices = onSeries_.slicesContaining(value, Axis::Z);
      std::set<int64_t> unique(slices.begin(), slices.end());
      if (first) unique.insert({0, seriesGrid_.size[2] - 1});
      first = false;
      frames += int(unique.size());
    }
    return frames;
  }

  void dcmdumpSeesASegmentationOfTheSeries() {
    const Run r = run("/usr/bin/dcmdump", {"+P", "0008,0016", "+P", "0028,0008", "+P", "0062,0004", "+P", "0020,0052",
                                           "+P", "0020,000d", "+P", "0008,1115", "+P", "0062,0008", "+P", "0062,0005",
                                           seg_});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QString out = QString::fromUtf8(r.out);
    qInfo("dcmdump (first lines):\n%s", qPrintable(out.section('\n', 0, 7)));
    QVERIFY(out.contains(QRegularExpression(R"(\(0008,0016\) UI =SegmentationStorage)")));
    // One SegmentNumber per segment, numbered 1..n.
    const qsizetype segments = out.count(QRegularExpression(R"(\(0062,0004\) US )"));
    QCOMPARE(int(segments), int(original_.histogram().size()));
    QVERIFY(out.contains(QString("(0062,0004) US %1 ").arg(segments)));
    const auto frames = QRegularExpression(R"(\(0028,0008\) IS \[(\d+)\])").match(out);
    QVERIFY(frames.hasMatch());
    QCOMPARE(frames.captured(1).toInt(), expectedFrames());
    QVERIFY(out.contains(QString("(0020,0052) UI [%1]").arg(kSourceFrameOfReference)));
    QVERIFY(out.contains(QRegularExpression(R"(\(0020,000d\) UI \[[0-9.]+\])")));  // a Study Instance UID
    QVERIFY(out.contains("(0008,1115) SQ"));                                          // Referenced Series
    QVERIFY(out.contains("(0062,0008) CS [SEMIAUTOMATIC]"));
    QVERIFY(out.contains("(0062,0005) LO [liver]"));
    QVERIFY(out.contains("(0062,0005) LO [spleen]"));
  }

  void pydicomReadsTheSameSegmentsFramesAndVoxels() {
    const Run r = run("/usr/bin/python3", {"-c", kPydicomScript, seg_, "5"});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonObject o = QJsonDocument::fromJson(r.out).object();
    QVERIFY(!o.isEmpty());
    QCOMPARE(o["sop_class"].toString(), QString(kSegmentationStorageUid));
    QCOMPARE(o["modality"].toString(), QString("SEG"));
    QCOMPARE(o["segmentation_type"].toString(), QString("BINARY"));
    QCOMPARE(o["rows"].toInt(), 512);
    QCOMPARE(o["columns"].toInt(), 512);
    QCOMPARE(o["frames"].toInt(), expectedFrames());
    QCOMPARE(o["per_frame_items"].toInt(), expectedFrames());
    QCOMPARE(o["pixel_bytes"].toInt(), expectedFrames() * 512 * 512 / 8);
    QCOMPARE(o["frame_of_reference"].toString(), QString(kSourceFrameOfReference));
    QCOMPARE(o["referenced_instances"].toInt(), 20);
    const QJsonArray segments = o["segments"].toArray();
    const auto histogram = original_.histogram();
    QCOMPARE(segments.size(), qsizetype(histogram.size()));
    qInfo("pydicom: %d segments, %d frames, %d bytes of pixel data", int(segments.size()), o["frames"].toInt(),
          o["pixel_bytes"].toInt());
    // Segment n is the n-th label value; its set pixels are the label's voxels.
    int n = 1;
    const QJsonObject counts = o["counts"].toObject();
    for (const auto& [value, count] : histogram) {
      const QJsonObject s = segments[n - 1].toObject();
      QCOMPARE(s["number"].toInt(), n);
      QCOMPARE(s["label"].toString().toStdString(), original_.table().find(value)->name);
      QCOMPARE(s["description"].toString(), QString("label value %1").arg(value));
      QCOMPARE(counts[QString::number(n)].toInteger(), qint64(count));
      const std::array<uint16_t, 3> lab = rgbToDicomLab(original_.table().find(value)->color);
      const QJsonArray l = s["lab"].toArray();
      QCOMPARE(l.size(), qsizetype(3));
      for (int c = 0; c < 3; ++c) QCOMPARE(l[c].toInt(), int(lab[std::size_t(c)]));
      ++n;
    }
    const auto type = [&](uint16_t value) {
      int index = 0;
      for (const auto& [v, count] : histogram) {
        if (v == value) return segments[index].toObject()["type"].toString();
        ++index;
      }
      return QString();
    };
    QCOMPARE(type(5), QString("10200004"));  // liver
    QCOMPARE(type(1), QString("78961009"));  // spleen
    QCOMPARE(segments[0].toObject()["algorithm"].toString(), QString("SEMIAUTOMATIC"));
    // Every frame names a slice of the source series and sits at one of its positions.
    const std::set<std::string> known(sourceUids_.begin(), sourceUids_.end());
    const QJsonArray refs = o["source_refs"].toArray();
    QVERIFY(!refs.isEmpty());
    for (const auto& ref : refs) QVERIFY(known.count(ref.toString().toStdString()));
    QCOMPARE(refs.size(), qsizetype(20));  // the first and last slice are referenced too
    // The liver where the series has it: column = voxel x, row = voxel y, frame z = the slice's.
    double sum[3] = {0, 0, 0};
    int64_t voxels = 0;
    for (int64_t k = 0; k < seriesGrid_.size[2]; ++k)
      for (int64_t j = 0; j < seriesGrid_.size[1]; ++j)
        for (int64_t i = 0; i < seriesGrid_.size[0]; ++i)
          if (onSeries_.at(i, j, k) == 5) {
            sum[0] += double(i);
            sum[1] += double(j);
            sum[2] += seriesGrid_.indexToPhysical({double(i), double(j), double(k)})[2];
            ++voxels;
          }
    const QJsonArray centroid = o["centroid"].toArray();
    QCOMPARE(centroid.size(), qsizetype(3));
    qInfo("liver centroid: pydicom (%.3f, %.3f, %.3f), label map (%.3f, %.3f, %.3f)", centroid[0].toDouble(),
          centroid[1].toDouble(), centroid[2].toDouble(), sum[0] / voxels, sum[1] / voxels, sum[2] / voxels);
    for (int c = 0; c < 3; ++c) QVERIFY(std::abs(centroid[c].toDouble() - sum[c] / double(voxels)) < 1e-6);
    for (const auto& z : o["z"].toArray()) {
      const double k = (z.toDouble() - seriesGrid_.origin[2]) / seriesGrid_.spacing[2];
      QVERIFY(std::abs(k - std::round(k)) < 1e-6 && k >= 0 && k < 20);
    }
  }

  void readsBackVoxelForVoxelWithNamesAndColours_data() {
    QTest::addColumn<bool>("withReference");
    QTest::newRow("on the reference series") << true;
    QTest::newRow("on the SEG's own geometry") << false;
  }
  void readsBackVoxelForVoxelWithNamesAndColours() {
    QFETCH(bool, withReference);
    const QString back = path(withReference ? "back_ref.nii.gz" : "back_own.nii.gz");
    QStringList args{"convert", seg_, back};
    if (withReference) args << "--reference-dicom" << data(kDicom);
    const auto start = std::chrono::steady_clock::now();
    const Run r = runProtolabel(args);
    qInfo("SEG to NIfTI: %.2f s", std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const LabelMap read = readLabelMap(back.toStdString());
    QVERIFY(read.geometry().sameGrid(seriesGrid_));
    QCOMPARE(read.voxels().size(), onSeries_.voxels().size());
    QCOMPARE(read.pixelType(), onSeries_.pixelType());
    QVERIFY(std::memcmp(read.voxels().rawData(), onSeries_.voxels().rawData(), onSeries_.voxels().byteCount()) == 0);
    // And back in the original's LAS storage order, byte for byte.
    const LabelMap las = alignLabelsToGrid(read, original_.geometry());
    QVERIFY(std::memcmp(las.voxels().rawData(), original_.voxels().rawData(), original_.voxels().byteCount()) == 0);
    for (const auto& [value, count] : original_.histogram()) {
      const LabelEntry* e = read.table().find(value);
      QVERIFY(e);
      QCOMPARE(e->name, original_.table().find(value)->name);
      QCOMPARE(e->color, original_.table().find(value)->color);
    }
  }

  void theViewerOpensTheSegOnTheSeriesGridOnly() {
    // File > Open labels: readLabelMapOnGrid with the open image's grid.
    const LabelMap viaViewer = readLabelMapOnGrid(seg_.toStdString(), seriesGrid_);
    QVERIFY(std::memcmp(viaViewer.voxels().rawData(), onSeries_.voxels().rawData(), onSeries_.voxels().byteCount()) == 0);
    QCOMPARE(readLabelMap(seg_.toStdString()).geometry().describe(), seriesGrid_.describe());
    // The dcm2niix NIfTI of the same scan is stored LAS: another grid, refused with a clear error.
    const ImageGeometry las = readImage(dataPath("totalsegmentator-examples/ct_b_dicom/ct_b_decoded_by_dcm2niix.nii.gz")).volume.geometry();
    try {
      readLabelMapOnGrid(seg_.toStdString(), las);
      QFAIL("a SEG on another grid must be refused");
    } catch (const Error& e) {
      QCOMPARE(e.code(), ErrorCode::GridMismatch);
      QVERIFY(QString(e.what()).contains("another image"));
    }
    QVERIFY(isDicomSegFile(seg_.toStdString()));
    QVERIFY(!isDicomSegFile(dataPath(kLabels)));
  }

  void theExportWritesASegBesideTheOtherFormats() {
    ExportRequest request;
    request.folder = dir_.path().toStdString();
    request.baseName = "exported";
    request.nifti = true;
    request.dicomSeg = true;
    request.dicomReference = dataPath(kDicom);
    request.protectedPaths = {dataPath(kDicom)};
    const std::vector<std::string> written = exportLabels(onSeries_, seriesGrid_, request);
    QVERIFY(std::find(written.begin(), written.end(), path("exported.dcm").toStdString()) != written.end());
    const LabelMap back = readLabelMapOnGrid(path("exported.dcm").toStdString(), seriesGrid_);
    QVERIFY(std::memcmp(back.voxels().rawData(), onSeries_.voxels().rawData(), onSeries_.voxels().byteCount()) == 0);
    // Labels that are not on the image's grid are refused, as for every other format.
    request.nifti = false;
    request.baseName = "refused";
    QVERIFY_THROWS_EXCEPTION(Error, exportLabels(original_, seriesGrid_, request));
    QVERIFY(!QFileInfo::exists(path("refused.dcm")));
  }

  void refusesBadInputWithAnErrorCode_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("output");
    const QString ct = data(kDicom + "/CT.1.3.12.2.1107.5.1.4.60064.30000022120808113428000016573.dcm");
    const QString out = dir_.filePath("bad.dcm");
    QDir(dir_.path()).mkpath("empty");
    QTest::newRow("no reference") << QStringList{"convert", named_, out} << "invalid-argument" << out;
    QTest::newRow("reference is not DICOM")
        << QStringList{"convert", named_, out, "--reference-dicom", dir_.filePath("empty")} << "no-image-found" << out;
    QTest::newRow("reference is another series")
        << QStringList{"convert", named_, out, "--reference-dicom", data("mr-brain-dicom-series-vsseg001/dicom")}
        << "grid-mismatch" << out;
    QTest::newRow("CT slice as labels")
        << QStringList{"convert", ct, out, "--reference-dicom", data(kDicom)} << "unsupported-format" << out;
    QTest::newRow("CT slice as labels to NIfTI")
        << QStringList{"convert", ct, dir_.filePath("bad.nii.gz"), "--labels"} << "unsupported-format"
        << dir_.filePath("bad.nii.gz");
    QTest::newRow("SEG onto another series")
        << QStringList{"convert", seg_, dir_.filePath("bad2.nii.gz"), "--reference-dicom",
                       data("mr-brain-dicom-series-vsseg001/dicom")}
        << "grid-mismatch" << dir_.filePath("bad2.nii.gz");
    QTest::newRow("output onto a source slice")
        << QStringList{"convert", named_, ct, "--reference-dicom", data(kDicom)} << "would-overwrite-source" << QString();
    QTest::newRow("output onto the input SEG")
        << QStringList{"convert", seg_, seg_, "--reference-dicom", data(kDicom)} << "would-overwrite-source" << QString();
  }
  void refusesBadInputWithAnErrorCode() {
    QFETCH(QStringList, args);
    QFETCH(QString, code);
    QFETCH(QString, output);
    const QByteArray segBefore = fileHash(seg_);
    const Run r = runProtolabel(args);
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(("Error [" + code + "]").toUtf8()), r.err.constData());
    if (!output.isEmpty()) QVERIFY(!QFileInfo::exists(output));
    QCOMPARE(fileHash(seg_), segBefore);
  }

  void refusesASegWhoseFrameCountDisagreesWithItsPixels() {
    // Found by fuzz_dcm_seg: Number of Frames 0 made DCMTK unpack no frame while its functional groups
    // describe them all, and reading the first frame crashed (a null read in DcmSegmentation::getFrame).
    // Fewer declared frames than described is refused the same way.
    for (const QString& declared : {QString("0"), QString("1")}) {
      const QString damaged = path("frames-" + declared + ".seg.dcm");
      QFile::remove(damaged);
      QVERIFY(QFile::copy(seg_, damaged));
      const Run edit = run("/usr/bin/dcmodify", {"-nb", "-m", "(0028,0008)=" + declared, damaged});
      QVERIFY2(edit.exitCode == 0, edit.err.constData());
      const Run r = runProtolabel({"convert", damaged, path("frames.nii.gz")});
      QCOMPARE(r.exitCode, 1);
      QVERIFY2(r.err.contains("Error [corrupt-file]") && r.err.contains("Number of Frames (" + declared.toUtf8() + ")"),
               r.err.constData());
      QVERIFY(!QFileInfo::exists(path("frames.nii.gz")));
    }
  }

  void coloursSurviveTheCieLabRoundTrip() {
    for (int r = 0; r < 256; r += 5)
      for (int g = 0; g < 256; g += 5)
        for (int b = 0; b < 256; b += 5) {
          const std::array<uint8_t, 3> rgb{uint8_t(r), uint8_t(g), uint8_t(b)};
          if (dicomLabToRgb(rgbToDicomLab(rgb)) != rgb)
            QFAIL(qPrintable(QString("%1 %2 %3").arg(r).arg(g).arg(b)));
        }
    // White is L* 100, a* = b* = 0: 65535, and 128 of 255 scaled to 65535.
    const std::array<uint16_t, 3> white = rgbToDicomLab({255, 255, 255});
    QCOMPARE(int(white[0]), 65535);
    QVERIFY(std::abs(int(white[1]) - 32896) <= 2 && std::abs(int(white[2]) - 32896) <= 2);
  }

  void organNamesGetSnomedCodes() {
    QCOMPARE(QString::fromStdString(segPropertyCodesFor("liver").type.value), QString("10200004"));
    const SegPropertyCodes kidney = segPropertyCodesFor("kidney_left");
    QCOMPARE(QString::fromStdString(kidney.type.value), QString("64033007"));
    QVERIFY(kidney.modifier && kidney.modifier->value == "7771000");
    QCOMPARE(QString::fromStdString(segPropertyCodesFor("Right Kidney").modifier->value), QString("24028007"));
    const SegPropertyCodes other = segPropertyCodesFor("lung_upper_lobe_left");
    QCOMPARE(QString::fromStdString(other.type.value), QString("85756007"));  // Tissue
    QCOMPARE(QString::fromStdString(other.category.value), QString("123037004"));
    QVERIFY(!other.modifier);
  }
};

QTEST_GUILESS_MAIN(DicomSegTest)
#include "test_dicom_seg.moc"
