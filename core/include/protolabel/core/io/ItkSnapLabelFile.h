#pragma once
// ITK-SNAP's label description file: one line per label, `IDX R G B A VIS MSH "LABEL"`.
#include <string>

#include "protolabel/core/LabelTable.h"

namespace protolabel::core {

std::string formatItkSnapLabels(const LabelTable& table);
LabelTable parseItkSnapLabels(const std::string& text);

void writeItkSnapLabelFile(const LabelTable& table, const std::string& path);
LabelTable readItkSnapLabelFile(const std::string& path);

}  // namespace protolabel::core
