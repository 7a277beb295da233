#include "JsonOutput.h"

#include <QJsonDocument>

#include <iostream>

namespace protolabel::app {

QJsonArray toJson(const core::Vec3& v) { return QJsonArray{v[0], v[1], v[2]}; }

QJsonArray toJson(const core::Size3& v) {
  return QJsonArray{static_cast<qint64>(v[0]), static_cast<qint64>(v[1]), static_cast<qint64>(v[2])};
}

QJsonArray directionToJson(const core::Matrix3& m) {
  QJsonArray rows;
  for (int r = 0; r < 3; ++r) rows.append(QJsonArray{m[r * 3], m[r * 3 + 1], m[r * 3 + 2]});
  return rows;
}

void printJson(const QJsonObject& object) {
  std::cout << QJsonDocument(object).toJson(QJsonDocument::Indented).toStdString();
}

}  // namespace protolabel::app
