// The fine-tune tab on real data: the bundled abdominal CT with its organ labels, starting from the
// shipped lite model. A short run writes a new, loadable model that differs from its base and feeds
// the loss plot; Cancel writes nothing; the base model is never overwritten; empty labels are refused.
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "TestSupport.h"
#include "protolabel/core/io/ImageReader.h"
#include "protolabel/core/io/LabelIO.h"
#include "protolabel/inference/Model.h"
#include "protolabel/ui/FinetunePanel.h"
#include "protolabel/ui/FinetuneRunner.h"
#include "protolabel/ui/LossPlot.h"
#include "protolabel/ui/ViewerModel.h"

using namespace protolabel;

namespace {

QByteArray fileHash(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return {};
  QCryptographicHash hash(QCryptographicHash::Sha256);
  hash.addData(&f);
  return hash.result();
}

}  // namespace

class FinetunePanelTest : public QObject {
  Q_OBJECT
  QTemporaryDir out_;   // models written by the tests
  QTemporaryDir work_;  // TMPDIR: the runner's training files must not outlive a run
  QString image_, labels_, base_;
  QByteArray baseHash_;

  // A panel starting from the shipped model, with the sample CT and its labels as training data.
  void prepare(ui::FinetunePanel& panel, int iterations, const QString& output) {
    panel.setBaseModel(base_);
    panel.setProtectedModels({base_});
    panel.setIterations(iterations);
    panel.setMinutes(0);
    panel.setOutputPath(output);
    panel.show();
  }

  bool noTrainingFilesLeft() const { return QDir(work_.path()).isEmpty(); }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(out_.isValid() && work_.isValid());
    qputenv("TMPDIR", work_.path().toUtf8());
    const QString source = PROTOLABEL_SOURCE_DIR;
    image_ = source + "/resources/sample/abdomen_ct.nii.gz";
    labels_ = source + "/resources/sample/abdomen_ct_organs.nii.gz";
    base_ = source + "/resources/models/cow-lite.pt";
    for (const QString& f : {image_, labels_, base_}) QVERIFY2(QFileInfo::exists(f), qPrintable(f));
    baseHash_ = fileHash(base_);
  }

  void cleanupTestCase() { QCOMPARE(fileHash(base_), baseHash_); }

  void shortRunWritesNewModel() {
    ui::ViewerModel viewer;
    ui::FinetunePanel panel(&viewer);
    const QString output = out_.filePath("tuned/finetuned.pt");  // its folder does not exist yet
    prepare(panel, 8, output);
    panel.addVolumeFiles(image_, labels_);
    QCOMPARE(panel.volumeList()->count(), 2);
    QVERIFY(!(panel.volumeList()->item(0)->flags() & Qt::ItemIsEnabled));  // no volume open: skipped

    QSignalSpy finished(panel.runner(), &ui::FinetuneRunner::finished);
    QSignalSpy failed(panel.runner(), &ui::FinetuneRunner::failed);
    QSignalSpy progress(panel.runner(), &ui::FinetuneRunner::progress);
    QSignalSpy trained(&panel, &ui::FinetunePanel::modelTrained);
    QSignalSpy useModel(&panel, &ui::FinetunePanel::useModel);
    QTest::mouseClick(panel.startButton(), Qt::LeftButton);
    QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().toString()));
    QVERIFY(panel.runner()->running());
    QVERIFY(!panel.startButton()->isEnabled());
    QVERIFY(panel.cancelButton()->isEnabled());
    QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty() || !failed.isEmpty(), 300000);
    QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().toString()));

    QCOMPARE(finished.first().first().toString(), output);
    QCOMPARE(trained.count(), 1);
    QCOMPARE(progress.count(), 8);
    QCOMPARE(panel.lossPlot()->pointCount(), 8);
    QVERIFY(panel.startButton()->isEnabled());
    QVERIFY(!panel.cancelButton()->isEnabled());
    QVERIFY(QFileInfo::exists(output));
    QVERIFY(fileHash(output) != baseHash_);
    QCOMPARE(fileHash(base_), baseHash_);
    const auto model = inference::Model::load(output.toStdString(), inference::Device::Cpu);
    const QString training = QString::fromStdString(model->info().training);
    QVERIFY2(training.contains("fine-tuned from cow-lite.pt on 1 labelled volume(s) for 8 iterations"),
             qPrintable(training));
    QCOMPARE(QString::fromStdString(model->info().preset), QString("lite"));
    QVERIFY(noTrainingFilesLeft());

    // The next run gets a fresh name only when the output was the default; here it was chosen.
    QCOMPARE(panel.outputPath(), output);
    QVERIFY(!panel.useModelButton()->isHidden());
    QTest::mouseClick(panel.useModelButton(), Qt::LeftButton);
    QCOMPARE(useModel.count(), 1);
    QCOMPARE(useModel.first().first().toString(), output);
  }

  void cancelWritesNothing() {
    // The open volume with its labels (copied at Start) this time.
    ui::ViewerModel viewer;
    viewer.setImage(core::readImage(image_.toStdString()).volume, image_.toStdString());
    viewer.loadLabels(core::readLabelMap(labels_.toStdString()));
    ui::FinetunePanel panel(&viewer);
    const QString output = out_.filePath("cancelled.pt");
    prepare(panel, 1000, output);
    QVERIFY(panel.volumeList()->item(0)->flags() & Qt::ItemIsEnabled);

    QSignalSpy progress(panel.runner(), &ui::FinetuneRunner::progress);
    QSignalSpy cancelled(panel.runner(), &ui::FinetuneRunner::cancelled);
    QSignalSpy finished(panel.runner(), &ui::FinetuneRunner::finished);
    QSignalSpy failed(panel.runner(), &ui::FinetuneRunner::failed);
    QTest::mouseClick(panel.startButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!progress.isEmpty() || !failed.isEmpty(), 120000);
    QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().toString()));
    QTest::mouseClick(panel.cancelButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(cancelled.count(), 1, 60000);
    QVERIFY(finished.isEmpty() && failed.isEmpty());
    QVERIFY(!panel.runner()->running());
    QVERIFY(panel.startButton()->isEnabled());
    QVERIFY(panel.statusText().contains("Cancelled"));
    QVERIFY(progress.count() < 100);
    QVERIFY(!QFileInfo::exists(output));
    QVERIFY(noTrainingFilesLeft());
  }

  void refusesToOverwriteProtectedModels() {
    ui::FinetunePanel panel(nullptr);
    prepare(panel, 8, base_);
    panel.addVolumeFiles(image_, labels_);
    QSignalSpy failed(panel.runner(), &ui::FinetuneRunner::failed);

    QTest::mouseClick(panel.startButton(), Qt::LeftButton);  // output == base model
    QCOMPARE(failed.count(), 1);
    QVERIFY(failed.last().first().toString().contains("never overwritten"));
    QVERIFY(!panel.runner()->running());
    QVERIFY(panel.startButton()->isEnabled());

    // The same file spelled another way, and the shipped model while starting from a copy of it.
    panel.setOutputPath(QFileInfo(base_).absolutePath() + "/../models/./cow-lite.pt");
    QTest::mouseClick(panel.startButton(), Qt::LeftButton);
    QCOMPARE(failed.count(), 2);
    const QString copy = out_.filePath("base-copy.pt");
    QVERIFY(QFile::copy(base_, copy));
    panel.setBaseModel(copy);
    panel.setOutputPath(base_);
    QTest::mouseClick(panel.startButton(), Qt::LeftButton);
    QCOMPARE(failed.count(), 3);
    QVERIFY(!panel.runner()->running());

    // No budget at all.
    panel.setOutputPath(out_.filePath("unlimited.pt"));
    panel.setIterations(0);
    QTest::mouseClick(panel.startButton(), Qt::LeftButton);
    QCOMPARE(failed.count(), 4);
    QVERIFY(!QFileInfo::exists(out_.filePath("unlimited.pt")));
    QCOMPARE(fileHash(base_), baseHash_);
  }

  void refusesVolumesWithoutLabels() {
    // The open volume with no label painted: refused at once.
    ui::ViewerModel viewer;
    const core::Volume image = core::readImage(image_.toStdString()).volume;
    viewer.setImage(image, image_.toStdString());
    ui::FinetunePanel panel(&viewer);
    const QString output = out_.filePath("unlabelled.pt");
    prepare(panel, 8, output);
    QSignalSpy failed(panel.runner(), &ui::FinetuneRunner::failed);
    QTest::mouseClick(panel.startButton(), Qt::LeftButton);
    QCOMPARE(failed.count(), 1);
    QVERIFY2(failed.first().first().toString().contains("no labels"), qPrintable(failed.first().first().toString()));
    QVERIFY(!panel.runner()->running());

    // An empty label file: refused by the worker before any training.
    const QString emptyLabels = out_.filePath("empty_labels.nii.gz");
    core::writeLabelMap(core::LabelMap(image.geometry()), image.geometry(), emptyLabels.toStdString());
    panel.setUseCurrentVolume(false);
    panel.addVolumeFiles(image_, emptyLabels);
    QSignalSpy progress(panel.runner(), &ui::FinetuneRunner::progress);
    QTest::mouseClick(panel.startButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 2, 60000);
    QVERIFY(failed.last().first().toString().contains("no labels"));
    QCOMPARE(progress.count(), 0);
    QVERIFY(!QFileInfo::exists(output));
    QVERIFY(noTrainingFilesLeft());
  }
};

QTEST_MAIN(FinetunePanelTest)
#include "test_finetune_panel.moc"
