#include "ModelLocation.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

namespace protolabel::app {

namespace {

// `relative` under the installed share folder, else under the source tree's resources.
std::string bundledFile(const QString& relative) {
  const QString exeDir = QCoreApplication::applicationDirPath();
  for (const QString& candidate : {exeDir + "/../share/protolabel/" + relative,
                                   QStringLiteral(PROTOLABEL_SOURCE_DIR) + "/resources/" + relative}) {
    if (QFileInfo(candidate).isFile()) return QDir::cleanPath(candidate).toStdString();
  }
  return {};
}

}  // namespace

std::string defaultModelPath() { return bundledFile("models/cow-lite.pt"); }

SamplePaths samplePaths() {
  return {bundledFile("sample/abdomen_ct.nii.gz"), bundledFile("sample/abdomen_ct_organs.nii.gz"),
          bundledFile("sample/abdomen_ct_examples.nii.gz")};
}

std::string modelCardPath() { return bundledFile("models/README.md"); }

}  // namespace protolabel::app
