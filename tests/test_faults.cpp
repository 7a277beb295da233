// Fault tests: what is on disk survives a killed process and a full disk. SIGKILL in the middle of an
// export and of an autosave, 50 times each: the previous file is always intact, the recovery entry
// always loads, and no temporary outlives the next write. A file-size limit (a full disk as a write
// sees it) and a read-only folder: a clear error, the previous file intact, no temporaries left.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <thread>

#include "TestSupport.h"
#include "protolabel/core/io/ImageReader.h"
#include "protolabel/core/io/ImageWriter.h"
#include "protolabel/core/io/LabelIO.h"
#include "protolabel/core/session/RecoveryStore.h"

using namespace protolabel;
namespace fs = std::filesystem;

namespace {

int temporariesIn(const QString& folder) {
  int n = 0;
  for (const auto& entry : fs::directory_iterator(folder.toStdString()))
    n += entry.path().filename().string().rfind(".protolabel-tmp-", 0) == 0;
  return n;
}

bool sameVoxels(const std::string& a, const std::string& b) {
  return test::sameVoxels(core::readImage(a).volume, core::readImage(b).volume);
}

// Starts `program` and kills it with SIGKILL after a random delay within `window`; returns its exit.
void killMidway(const QString& program, const QStringList& args, std::chrono::milliseconds window, std::mt19937& rng) {
  QProcess p;
  p.start(program, args);
  QVERIFY(p.waitForStarted());
  std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(0, int(window.count()))(rng)));
  ::kill(pid_t(p.processId()), SIGKILL);
  p.waitForFinished(60000);
}

// How long one uninterrupted run takes, to spread the kills over it.
std::chrono::milliseconds duration(const QString& program, const QStringList& args) {
  QProcess p;
  const auto start = std::chrono::steady_clock::now();
  p.start(program, args);
  p.waitForFinished(120000);
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
}

}  // namespace

class FaultTest : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  const QString exe_ = QString::fromStdString(test::executablePath());
  const std::string mr_ = test::dataPath("totalsegmentator-examples/mr_c/mr_c_small_3mm.nii.gz");
  const std::string ct_ = std::string(PROTOLABEL_SOURCE_DIR) + "/resources/sample/abdomen_ct.nii.gz";
  const std::string labels_ = std::string(PROTOLABEL_SOURCE_DIR) + "/resources/sample/abdomen_ct_organs.nii.gz";

 private Q_SLOTS:
  void aKilledExportNeverDamagesThePreviousFile() {
    // The previous file is the MR; each run converts the CT over it and is killed at a random moment.
    const QString folder = dir_.filePath("export");
    fs::create_directories(folder.toStdString());
    const std::string target = (folder + "/volume.nii.gz").toStdString();
    core::writeImage(core::readImage(mr_).volume, target);
    const QStringList args{"convert", QString::fromStdString(ct_), QString::fromStdString(target)};
    const auto window = duration(exe_, {"convert", QString::fromStdString(ct_), folder + "/timing.nii.gz"});
    std::mt19937 rng(7);
    int intactOld = 0, completeNew = 0;
    for (int i = 0; i < 50; ++i) {
      killMidway(exe_, args, window, rng);
      // Either the old MR or the whole new CT: never a mixture, never unreadable.
      if (sameVoxels(target, mr_)) ++intactOld;
      else if (sameVoxels(target, ct_)) ++completeNew;
      else QFAIL("the file is neither the previous one nor the new one");
      if (sameVoxels(target, ct_)) core::writeImage(core::readImage(mr_).volume, target);  // start again from the MR
    }
    qInfo() << "50 killed exports:" << intactOld << "left the previous file," << completeNew << "had finished";
    QVERIFY(intactOld > 0);
    // The next write clears what the killed processes left behind.
    QProcess finish;
    finish.start(exe_, args);
    QVERIFY(finish.waitForFinished(120000) && finish.exitCode() == 0);
    QVERIFY(sameVoxels(target, ct_));
    QCOMPARE(temporariesIn(folder), 0);
  }

  void aKilledAutosaveAlwaysLeavesALoadableRecovery() {
    const QString folder = dir_.filePath("recovery");
    const QString writer = QString::fromStdString(PROTOLABEL_FAULT_WRITER);
    const QStringList args{folder, QString::fromStdString(ct_), QString::fromStdString(labels_)};
    QProcess first;
    first.start(writer, args);
    QVERIFY(first.waitForFinished(60000) && first.exitCode() == 0);
    const auto window = duration(writer, args);
    std::mt19937 rng(11);
    for (int i = 0; i < 50; ++i) {
      killMidway(writer, args, window, rng);
      const auto entries = core::RecoveryStore(folder.toStdString()).entries();
      QCOMPARE(int(entries.size()), 1);
      QVERIFY(sameVoxels(entries.front().labelPath, labels_));
    }
    QProcess finish;
    finish.start(writer, args);
    QVERIFY(finish.waitForFinished(60000) && finish.exitCode() == 0);
    QCOMPARE(temporariesIn(folder), 0);
  }

  void aFullDiskGivesAClearErrorAndKeepsThePreviousFile_data() {
    QTest::addColumn<QString>("extension");
    for (const char* ext : {".nii", ".nii.gz", ".nrrd", ".mha", ".mhd", ".seg.nrrd"}) QTest::newRow(ext) << ext;
  }
  void aFullDiskGivesAClearErrorAndKeepsThePreviousFile() {
    QFETCH(QString, extension);
    const QString folder = dir_.filePath("full" + QString(extension).replace('.', '_'));
    fs::create_directories(folder.toStdString());
    const QString target = folder + "/labels" + extension;
    // The previous file: a small label map written without limits.
    const std::string small = test::dataPath("totalsegmentator-examples/mr_c/mr_c_small_3mm_seg_liver_only.nii.gz");
    QProcess first;
    first.start(exe_, {"convert", QString::fromStdString(small), target, "--labels"});
    QVERIFY(first.waitForFinished(60000) && first.exitCode() == 0);
    const auto before = core::readImage(target.toStdString()).volume;
    // The sample's label map is larger than 64 KB in every format: the write hits the limit.
    QProcess limited;
    limited.start("sh", {"-c", QString("ulimit -f 64; exec '%1' convert '%2' '%3' --labels --no-compress")
                                   .arg(exe_, QString::fromStdString(labels_), target)});
    QVERIFY(limited.waitForFinished(60000));
    const QString err = QString::fromUtf8(limited.readAllStandardError());
    QCOMPARE(limited.exitCode(), 1);
    QVERIFY2(err.contains("Error [write-failed]"), qPrintable(err));
    QVERIFY(test::sameVoxels(core::readImage(target.toStdString()).volume, before));
    QCOMPARE(temporariesIn(folder), 0);
  }

  void aReadOnlyFolderGivesAClearErrorAndChangesNothing() {
    // As root, permissions do not stop writes: the export runs as user nobody.
    const QString folder = dir_.filePath("readonly");
    fs::create_directories(folder.toStdString());
    const QString target = folder + "/labels.nii.gz";
    core::writeLabelMap(core::readLabelMap(labels_), core::readLabelMap(labels_).geometry(), target.toStdString());
    const auto before = fs::last_write_time(target.toStdString());
    fs::permissions(folder.toStdString(), fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                              fs::perms::others_read | fs::perms::others_exec);
    fs::permissions(dir_.path().toStdString(), fs::perms::owner_all | fs::perms::others_exec, fs::perm_options::add);
    QProcess p;
    const QStringList command{"convert", QString::fromStdString(labels_), target, "--labels"};
    if (::geteuid() == 0) p.start("setpriv", QStringList{"--reuid=65534", "--regid=65534", "--clear-groups", exe_} + command);
    else p.start(exe_, command);
    QVERIFY(p.waitForFinished(60000));
    const QString err = QString::fromUtf8(p.readAllStandardError());
    QCOMPARE(p.exitCode(), 1);
    QVERIFY2(err.contains("Error [") && (err.contains("ermission") || err.contains("write")), qPrintable(err));
    QCOMPARE(fs::last_write_time(target.toStdString()), before);
    QCOMPARE(temporariesIn(folder), 0);
  }
};

QTEST_GUILESS_MAIN(FaultTest)
#include "test_faults.moc"
