#pragma once
#include <QJsonArray>
#include <QJsonObject>

#include "protolabel/core/Geometry.h"

namespace protolabel::app {

QJsonArray toJson(const core::Vec3& v);
QJsonArray toJson(const core::Size3& v);
// Row-major 3x3 as three rows.
QJsonArray directionToJson(const core::Matrix3& m);
void printJson(const QJsonObject& object);

}  // namespace protolabel::app
