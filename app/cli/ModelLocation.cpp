#include "ModelLocation.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

namespace protolabel::app {

std::string defaultModelPath() {
  const QString exeDir = QCoreApplication::applicationDirPath();
  for (const QString& candidate : {exeDir + "/../share/protolabel/models/cow-lite.pt",
                                   QStringLiteral(PROTOLABEL_SOURCE_DIR) + "/resources/models/cow-lite.pt"}) {
    if (QFileInfo(candidate).isFile()) return QDir::cleanPath(candidate).toStdString();
  }
  return {};
}

}  // namespace protolabel::app
