// The headless commands as a user runs them: info (text and JSON), convert, stats, error exits, and
// the proof that the running executable maps Qt 6 and LibTorch but no Qt 5.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <filesystem>

#include "TestSupport.h"
#include "protolabel/core/io/ImageReader.h"
#include "protolabel/core/io/LabelIO.h"

using namespace protolabel::core;
using protolabel::test::dataPath;
using protolabel::test::sameVoxels;

namespace {

struct Run {
  int exitCode;
  QByteArray out;
  QByteArray err;
};

Run runProtolabel(const QStringList& args) {
  QProcess p;
  p.start(QString::fromStdString(protolabel::test::executablePath()), args);
  if (!p.waitForFinished(300000)) return {-1, {}, "timed out"};
  return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2, p.readAllStandardOutput(),
          p.readAllStandardError()};
}

QString data(const std::string& rel) { return QString::fromStdString(dataPath(rel)); }

}  // namespace

class CliTest : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;

 private Q_SLOTS:
  void runtimeHasQt6AndTorchButNoQt5() {
    const Run r = runProtolabel({"info", "--runtime", "--json"});
    QCOMPARE(r.exitCode, 0);
    const QJsonObject o = QJsonDocument::fromJson(r.out).object();
    QVERIFY(o["torch_mappings"].toInt() > 0);  // LibTorch really is in the process ...
    QVERIFY(o["qt6_mappings"].toInt() > 0);
    QCOMPARE(o["qt5_mappings"].toInt(), 0);   // ... and did not bring Qt 5 along.
    QVERIFY(o["highgui_stub_loaded"].toBool());
    QVERIFY(o["torch_version"].toString().startsWith("1.") || o["torch_version"].toString().startsWith("2."));
  }

  void infoJsonDescribesADicomSeries() {
    const Run r = runProtolabel({"info", data("totalsegmentator-examples/ct_b_dicom/dicom"), "--json"});
    QCOMPARE(r.exitCode, 0);
    const QJsonObject o = QJsonDocument::fromJson(r.out).object();
    for (const char* key : {"series", "size", "spacing", "origin", "direction", "pixel_type", "range"})
      QVERIFY2(o.contains(key), key);
    QCOMPARE(o["size"].toArray(), (QJsonArray{512, 512, 20}));
    QCOMPARE(o["series"].toArray().size(), 1);
    QCOMPARE(o["series"].toArray()[0].toObject()["modality"].toString(), QString("CT"));
    QCOMPARE(o["pixel_type"].toString(), QString("int16"));
    QCOMPARE(o["range"].toArray()[0].toDouble(), -1024.0);
    QCOMPARE(o["direction"].toArray().size(), 3);
  }

  void infoTextListsSeriesAndGeometry() {
    const Run r = runProtolabel({"info", data("dicom-transfer-syntaxes/In")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.contains("Series found: 9"));
    QVERIFY(r.out.contains("Size: 384 x 384 x 1"));
    QVERIFY(r.out.contains("Spacing:"));
  }

  void convertWritesAReadableCopy() {
    const QString out = dir_.path() + "/mr.nrrd";
    const Run r = runProtolabel({"convert", data("mr-brain-dicom-series-vsseg001/dicom"), out});
    QCOMPARE(r.exitCode, 0);
    const Volume converted = readImage(out.toStdString()).volume;
    const Volume original = readImage(dataPath("mr-brain-dicom-series-vsseg001/dicom")).volume;
    QVERIFY(sameVoxels(original, converted));
    QVERIFY(converted.geometry().sameGrid(original.geometry()));
  }

  void convertKeepsLabelNamesIntoSegNrrd() {
    const QString out = dir_.path() + "/organs.seg.nrrd";
    const Run r = runProtolabel({"convert", data("totalsegmentator-examples/mr_c/mr_c_small_3mm_seg_total_mr.nii.gz"), out});
    QCOMPARE(r.exitCode, 0);
    const LabelMap labels = readLabelMap(out.toStdString());
    QVERIFY(labels.table().size() >= 20);
    QVERIFY(labels.geometry().sameGrid(
        readImage(dataPath("totalsegmentator-examples/mr_c/mr_c_small_3mm.nii.gz")).volume.geometry()));
  }

  void segmentWritesLabelsOnTheQueryGridWithDice() {
    // An untrained lite network: the mechanics (supports, output grid, names, Dice report), not quality.
    const QString out = dir_.path() + "/seg.nii.gz";
    const Run r = runProtolabel({"segment", "--image", data("totalsegmentator-examples/mr_c/mr_c_small_3mm.nii.gz"),
                                 "--support-image", data("totalsegmentator-examples/ct_a/ct_a_small_3mm.nii.gz"),
                                 "--support-labels", data("totalsegmentator-examples/ct_a/ct_a_small_3mm_seg_total.nii.gz"),
                                 "--labels", "5,1", "--output", out, "--untrained", "lite", "--threads", "2",
                                 "--reference", data("totalsegmentator-examples/mr_c/mr_c_small_3mm_seg_total_mr.nii.gz"),
                                 "--json"});
    QCOMPARE(r.exitCode, 0);
    const QJsonObject o = QJsonDocument::fromJson(r.out).object();
    QVERIFY(o["dice"].toObject().contains("5"));
    QVERIFY(o["dice"].toObject().contains("1"));
    const double liver = o["dice"].toObject()["5"].toDouble();
    QVERIFY(liver >= 0.0 && liver <= 1.0);
    const LabelMap labels = readLabelMap(out.toStdString());
    QVERIFY(labels.geometry().sameGrid(
        readImage(dataPath("totalsegmentator-examples/mr_c/mr_c_small_3mm.nii.gz")).volume.geometry()));
    for (const auto& [value, count] : labels.histogram()) QVERIFY(value == 5 || value == 1);

    const Run bad = runProtolabel({"segment", "--image", data("totalsegmentator-examples/mr_c/mr_c_small_3mm.nii.gz"),
                                   "--support-labels", data("totalsegmentator-examples/mr_c/mr_c_small_3mm_seg_total_mr.nii.gz"),
                                   "--labels", "250", "--output", dir_.path() + "/x.nii.gz",
                                   "--untrained", "lite"});
    QCOMPARE(bad.exitCode, 1);
    QVERIFY(bad.err.contains("no voxels"));

    // A memory budget the run cannot fit: refused with its own code, nothing written.
    const QString tooBig = dir_.path() + "/too-big.nii.gz";
    const Run refused = runProtolabel({"segment", "--image", data("totalsegmentator-examples/mr_c/mr_c_small_3mm.nii.gz"),
                                       "--support-labels", data("totalsegmentator-examples/mr_c/mr_c_small_3mm_seg_total_mr.nii.gz"),
                                       "--labels", "5", "--output", tooBig, "--untrained", "lite", "--memory-budget-mb", "16"});
    QCOMPARE(refused.exitCode, 1);
    QVERIFY2(refused.err.startsWith("Error [too-large]") && refused.err.contains("16 MiB are allowed"), refused.err.constData());
    QVERIFY(!std::filesystem::exists(tooBig.toStdString()));
  }

  void shippedModelBeatsAnUntrainedNetwork() {
    // EP1 on Abd-MRI fold 0, which the shipped model did not train on. One thread: with two, a machine
    // busy with other work makes LibTorch's threads wait on each other far past the timeout.
    const QString model = QStringLiteral(PROTOLABEL_SOURCE_DIR) + "/resources/models/cow-lite.pt";
    QVERIFY2(QFileInfo(model).isFile(), "the shipped model is missing");
    const QString data = QString::fromStdString(dataPath("fewshot-benchmark"));
    auto meanDice = [&](const QStringList& modelArgs) {
      const Run r = runProtolabel(QStringList{"evaluate", "--benchmark", "abd-mri", "--fold", "0", "--data", data,
                                              "--threads", "1", "--json"} + modelArgs);
      if (r.exitCode != 0) qWarning() << r.err;
      return QJsonDocument::fromJson(r.out).object()["mean_dice"].toDouble(-1);
    };
    const double trained = meanDice({"--model", model});
    const double untrained = meanDice({"--untrained", "lite"});
    qInfo() << "EP1 fold 0 mean Dice: shipped model" << trained << ", untrained network" << untrained;
    QVERIFY(untrained >= 0);
    QVERIFY(trained > untrained + 30);
  }

  void infoDescribesAModelFile() {
    const Run r = runProtolabel({"info", "--model", dir_.path() + "/missing.pt"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.err.contains("not a usable ProtoLabel model"));
    const Run shipped = runProtolabel({"info", "--model", QStringLiteral(PROTOLABEL_SOURCE_DIR) + "/resources/models/cow-lite.pt",
                                       "--json"});
    QCOMPARE(shipped.exitCode, 0);
    const QJsonObject o = QJsonDocument::fromJson(shipped.out).object();
    QCOMPARE(o["preset"].toString(), QString("lite"));
    QCOMPARE(o["input_size"].toInt(), 128);
    QVERIFY(o["parameters"].toInt() > 1000000);
    QVERIFY(o["training"].toString().contains("excluding fold 0"));
  }

  void statsReportsEveryLabelOfARealCt() {
    const QString image = data("abd-ct-sabs/images/image_0.nii.gz"), labels = data("abd-ct-sabs/labels/label_0.nii.gz");
    const auto histogram = readLabelMap(labels.toStdString()).histogram();
    const Vec3 spacing = readImage(image.toStdString()).volume.geometry().spacing;
    Run r = runProtolabel({"stats", "--image", image, "--labels", labels, "--json"});
    QCOMPARE(r.exitCode, 0);
    const QJsonObject o = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(o["std"].toString(), QString("population"));
    const QJsonArray rows = o["labels"].toArray();
    QCOMPARE(rows.size(), qsizetype(histogram.size()));
    for (const QJsonValue& value : rows) {
      const QJsonObject row = value.toObject();
      for (const char* key : {"value", "name", "voxels", "volume_ml", "mean", "std", "min", "max", "extent"})
        QVERIFY2(row.contains(key), key);
      const auto label = uint16_t(row["value"].toInt());
      QVERIFY(histogram.count(label));
      QCOMPARE(row["voxels"].toInteger(), qint64(histogram.at(label)));
      const double ml = double(histogram.at(label)) * spacing[0] * spacing[1] * spacing[2] / 1000.0;
      QVERIFY(std::abs(row["volume_ml"].toDouble() - ml) < 1e-9 * ml);
      QVERIFY(row["min"].toDouble() <= row["mean"].toDouble() && row["mean"].toDouble() <= row["max"].toDouble());
      const QJsonObject extent = row["extent"].toObject();
      QCOMPARE(extent["lo"].toArray().size(), 3);
      QCOMPARE(extent["hi"].toArray().size(), 3);
      for (int a = 0; a < 3; ++a) {
        const double voxels = extent["hi"].toArray()[a].toDouble() - extent["lo"].toArray()[a].toDouble() + 1;
        QVERIFY(std::abs(extent["size_mm"].toArray()[a].toDouble() - voxels * spacing[std::size_t(a)]) < 1e-9);
      }
      if (label == 6) QCOMPARE(row["name"].toString(), QString("liver"));
    }

    r = runProtolabel({"stats", "--image", image, "--labels", labels, "--csv"});
    QCOMPARE(r.exitCode, 0);
    const QList<QByteArray> lines = r.out.trimmed().split('\n');
    QCOMPARE(lines.size(), qsizetype(histogram.size() + 1));
    QCOMPARE(lines[0], QByteArray("value,name,voxels,volume_ml,mean,std,min,max,lo_i,lo_j,lo_k,hi_i,hi_j,hi_k,"
                                  "size_i_mm,size_j_mm,size_k_mm"));
    QVERIFY(lines[1].startsWith("1,spleen," + QByteArray::number(qint64(histogram.at(1))) + ","));

    r = runProtolabel({"stats", "--image", image, "--labels", labels});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.contains("Volume mL"));
    QVERIFY(r.out.contains("liver"));
    QCOMPARE(r.out.count('\n'), qsizetype(histogram.size() + 1));
  }

  void statsRefusesLabelsOfAnotherImage() {
    const Run r = runProtolabel({"stats", "--image", data("abd-ct-sabs/images/image_0.nii.gz"), "--labels",
                                 data("totalsegmentator-examples/ct_a/ct_a_small_3mm_seg_total.nii.gz"), "--json"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.startsWith("Error [grid-mismatch]"), r.err.constData());
    QVERIFY(r.out.isEmpty());
    QCOMPARE(runProtolabel({"stats", "--image", data("abd-ct-sabs/images/image_0.nii.gz")}).exitCode, 2);
    QCOMPARE(runProtolabel({"stats", "--image", "a", "--labels", "b", "--json", "--csv"}).exitCode, 2);
    const Run help = runProtolabel({"help"});
    QVERIFY(help.out.contains("stats --image I --labels L"));
  }

  void errorsExitNonZeroWithTypedMessages() {
    Run r = runProtolabel({"convert", data("dicom-transfer-syntaxes/In"), dir_.path() + "/x.nii.gz"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.err.contains("ambiguous-series"));
    QVERIFY(r.err.contains("choose one"));
    QVERIFY(!std::filesystem::exists((dir_.path() + "/x.nii.gz").toStdString()));

    r = runProtolabel({"info", data("pydicom-test-files/MR_truncated.dcm")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.err.startsWith("Error ["));

    r = runProtolabel({"convert", dir_.path() + "/mr.nrrd", dir_.path() + "/mr.nrrd"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.err.contains("would-overwrite-source"));

    r = runProtolabel({"info"});
    QCOMPARE(r.exitCode, 2);
    r = runProtolabel({"frobnicate"});
    QCOMPARE(r.exitCode, 2);
    // A slice range must be LABEL:FIRST-LAST with FIRST <= LAST; the whole text, nothing wrapped.
    const QString sample = QString(PROTOLABEL_SOURCE_DIR) + "/resources/sample/abdomen_ct.nii.gz";
    for (const char* range : {"5:9-3", "5:1-x", "70000:1-2", "5", "5:3"}) {
      r = runProtolabel({"segment", "--image", sample, "--support-labels", sample, "--output", dir_.path() + "/o.nii.gz",
                         "--slice-range", range});
      QCOMPARE(r.exitCode, 2);
      QVERIFY2(r.err.contains("--slice-range"), qPrintable(r.err));
    }
  }
};

QTEST_GUILESS_MAIN(CliTest)
#include "test_cli.moc"
