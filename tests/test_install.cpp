// The installed layout, as the Debian package lays it out: `cmake --install` into a temporary prefix,
// then the installed executable runs from there with its private libraries (RUNPATH), its share
// folder (the model, the sample and its saved examples) and its desktop files, without the source tree.
#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

namespace {
struct Run {
  int exitCode = -1;
  QString out, err;
};

Run run(const QString& program, const QStringList& args, int timeoutMs = 600000) {
  QProcess p;
  // The installed program must not lean on anything of the build: no inherited library paths.
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.remove("LD_LIBRARY_PATH");
  p.setProcessEnvironment(env);
  p.start(program, args);
  if (!p.waitForFinished(timeoutMs)) return {};
  return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}
}  // namespace

class InstallTest : public QObject {
  Q_OBJECT
  QTemporaryDir prefix_;

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(prefix_.isValid());
    const Run install = run(PROTOLABEL_CMAKE_COMMAND, {"--install", PROTOLABEL_BINARY_DIR, "--prefix", prefix_.path()});
    QVERIFY2(install.exitCode == 0, qPrintable(install.err));
  }

  void theLayoutHoldsEverythingThePackageShips() {
    for (const char* file : {"bin/protolabel", "lib/protolabel/libopencv_highgui.so.406", "lib/protolabel/protolabel-dicom-scan",
                             "share/protolabel/models/cow-lite.pt", "share/protolabel/models/README.md",
                             "share/protolabel/sample/abdomen_ct.nii.gz", "share/protolabel/sample/abdomen_ct_examples.nii.gz",
                             "share/applications/protolabel.desktop", "share/icons/hicolor/scalable/apps/protolabel.svg",
                             "share/icons/hicolor/48x48/apps/protolabel.png", "share/mime/packages/protolabel.xml",
                             "share/man/man1/protolabel.1.gz", "share/doc/protolabel/copyright"})
      QVERIFY2(QFileInfo(prefix_.filePath(file)).isFile(), file);
  }

  void theInstalledProgramRunsFromItsOwnFolders() {
    const QString exe = prefix_.filePath("bin/protolabel");
    const Run version = run(exe, {"--version"});
    QCOMPARE(version.exitCode, 0);
    QCOMPARE(version.out.trimmed(), QString("protolabel ") + PROTOLABEL_VERSION);

    const Run info = run(exe, {"info", prefix_.filePath("share/protolabel/sample/abdomen_ct.nii.gz"), "--json"});
    QVERIFY2(info.exitCode == 0, qPrintable(info.err));
    QVERIFY(info.out.contains("\"size\""));

    // DICOM headers are parsed by the installed helper process.
    const Run dicom = run(exe, {"info", QStringLiteral(PROTOLABEL_TEST_DATA) + "/totalsegmentator-examples/ct_b_dicom/dicom"});
    QVERIFY2(dicom.exitCode == 0, qPrintable(dicom.err));
    QVERIFY(dicom.out.contains("512 x 512 x 20"));

    // The demo finds the installed model and sample, not the source tree's.
    const Run demo = run(exe, {"demo", "--output", prefix_.filePath("demo"), "--threads", "2"});
    QVERIFY2(demo.exitCode == 0, qPrintable(demo.err));
    QVERIFY2(demo.out.contains(prefix_.filePath("share/protolabel/models/cow-lite.pt")), qPrintable(demo.out));
    QVERIFY(demo.out.contains("Dice"));
    QVERIFY(QFileInfo(prefix_.filePath("demo/abdomen_ct_labels.nii.gz")).isFile());
  }

  void theManualPageDescribesEveryCommand() {
    const Run help = run(prefix_.filePath("bin/protolabel"), {"help"});
    QCOMPARE(help.exitCode, 0);
    QProcess zcat;
    zcat.start("zcat", {prefix_.filePath("share/man/man1/protolabel.1.gz")});
    QVERIFY(zcat.waitForFinished());
    const QString man = QString::fromUtf8(zcat.readAllStandardOutput());
    // Every command of --help has its entry in the manual page.
    static const QRegularExpression command("^  ([a-z]+) ", QRegularExpression::MultilineOption);
    int commands = 0;
    for (auto it = command.globalMatch(help.out); it.hasNext(); ++commands) {
      const QString name = it.next().captured(1);
      QVERIFY2(man.contains(".B " + name) || man.contains(".BI \"" + name) || man.contains(".BI " + name),
               qPrintable(name));
    }
    QVERIFY(commands >= 9);
  }
};

QTEST_GUILESS_MAIN(InstallTest)
#include "test_install.moc"
